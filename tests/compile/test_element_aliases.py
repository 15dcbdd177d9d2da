"""A name for a dict's or list's item, changed in place through it (analysis/element_aliases.py):
accepted where nothing can make the two objects again, refused as before where something can."""

from __future__ import annotations

import ast
import textwrap

from pysfn_compile.analysis import aliasing, element_aliases

from .helpers import assert_same, compile_text, emulate, refusal

GROUP_BY = """
def orders(n):
    return [{"country": ["DE", "FR", "US"][i % 3], "qty": i % 4, "cents": 100 + i} for i in range(n)]


@sfn.workflow
def main(n):
    by_country = {}
    big = {}
    for order in orders(n):
        entry = by_country.setdefault(order["country"], {"orders": 0, "cents": 0})
        entry["orders"] += 1
        entry["cents"] += order["qty"] * order["cents"]
        if order["qty"] > 2:
            lines = big.setdefault(order["country"], [])
            lines.append(order["qty"])
    return [by_country, big]
"""


def test_group_by_through_setdefault_runs_both_ways():
    results = assert_same(GROUP_BY, {"n": 0}, {"n": 1}, {"n": 40}, {"n": 1500})
    assert results[2]["output"][0]["DE"]["orders"] == 14


def test_the_key_is_evaluated_once_where_python_evaluates_it():
    compiled = compile_text(GROUP_BY)
    text = str(compiled.definition)
    assert "entry_key" in text  # order["country"] computed once, into a variable of its own
    assert "may share" not in text


def test_an_item_by_subscript_a_list_row_and_a_constant_key():
    assert_same("""
    @sfn.workflow
    def main(rows, k):
        totals = {"a": [], "b": []}
        bucket = totals[k]
        bucket.append(len(rows))
        bucket.extend([1, 2])
        first = rows[0]
        first["seen"] = True
        fixed = totals["a"]
        fixed.append(0)
        return [totals, rows]
    """, {"rows": [{"x": 1}, {"x": 2}], "k": "b"}, {"rows": [{"x": 1}], "k": "a"},
        {"rows": [{"x": 1}], "k": "zz"}, {"rows": [], "k": "a"}, {"rows": [3], "k": "a"})


def test_an_item_the_key_variable_names_after_the_key_changes():
    assert_same("""
    @sfn.workflow
    def main(keys):
        seen = {}
        k = "first"
        entry = seen.setdefault(k, [])
        for k in keys:
            entry.append(k)
        return seen
    """, {"keys": ["a", "b"]}, {"keys": []})


def test_two_names_for_one_item_stay_one_item():
    results = assert_same("""
    @sfn.workflow
    def main(a, b):
        d = {}
        x = d.setdefault(a, [])
        y = d.setdefault(b, [])
        x.append(1)
        y.append(2)
        return d
    """, {"a": "k", "b": "k"}, {"a": "k", "b": "j"})
    assert results[0]["output"] == {"k": [1, 2]}


def test_a_missing_key_raises_keyerror_before_anything_else():
    assert_same("""
    def charge(n):
        return n

    @sfn.workflow
    def main(k):
        d = {"a": {"n": 0}}
        entry = d[k]
        charge(1)
        entry["n"] += 1
        return d
    """, {"k": "a"}, {"k": "b"})


def test_still_refused_where_the_item_may_be_replaced_in_between():
    for body in [
        # the slot is rebound: Python's entry is the old dict
        """
        entry = d.setdefault(k, {"n": 0})
        d[k] = {"n": 5}
        entry["n"] += 1
        """,
        # the dict is rebound
        """
        entry = d.setdefault(k, {"n": 0})
        d = {}
        entry["n"] += 1
        """,
        # removed from the dict
        """
        entry = d.setdefault(k, {"n": 0})
        d.pop(k)
        entry["n"] += 1
        """,
        # changed through another name for the dict
        """
        other = d
        entry = d.setdefault(k, {"n": 0})
        other[k] = {}
        entry["n"] += 1
        """,
        # bound on one path only: which item is not known after the if
        """
        entry = {"n": 0}
        if k:
            entry = d.setdefault(k, {"n": 0})
        entry["n"] += 1
        """,
    ]:
        source = "@sfn.workflow\ndef main(k):\n    d = {}\n" + textwrap.indent(
            textwrap.dedent(body).strip("\n"), "    ") + "\n    return d\n"
        assert "may share its value" in refusal(source), body


def test_the_default_is_one_object_held_elsewhere_stays_refused():
    assert "the items of 'd' may also be reachable from" in refusal("""
    @sfn.workflow
    def main(k):
        template = {"n": 0}
        d = {}
        entry = d.setdefault(k, template)
        entry["n"] += 1
        return [d, template]
    """)


def rewritten(source: str, params) -> str:
    body = ast.parse(source).body
    element_aliases.rewrite(body, params)
    element_aliases.rewrite(body, params)  # a second time changes nothing
    return ast.unparse(body)


def test_rewrite_leaves_a_function_alone_when_nothing_qualifies():
    source = "x = d[k]\ny = x['a']"
    assert rewritten(source, ["d", "k"]) == source  # only read: a copy reads the same
    assert rewritten("x = d.setdefault(k, [])\nx.append(1)", ["d", "k"]) == "d.setdefault(k, [])\nd[k].append(1)"


def test_a_computed_key_needs_the_base_bound_first():
    # `d` not certainly bound before the key is computed: Python reads d first (UnboundLocalError)
    source = "for r in rows:\n    x = d.setdefault(r['k'], [])\n    x.append(1)"
    assert rewritten(source, ["rows"]) == source
    assert rewritten(source, ["rows", "d"]) == (
        "for r in rows:\n    x_key = r['k']\n    d.setdefault(x_key, [])\n    d[x_key].append(1)")


def test_a_group_only_setdefault_fills_runs_both_ways():
    # groups' items come only from setdefault; each name is bound anew per iteration
    assert_same("""
    @sfn.workflow
    def main(words):
        groups = {}
        total = 0
        for w in words:
            g = groups.setdefault(w[:1], [])
            g.append(len(w))
            total += len(g)
        return [groups, total]
    """, {"words": ["ab", "a", "b", ""]}, {"words": []}, {"words": [1]})


def test_a_base_that_may_be_deleted_keeps_the_key_where_python_has_it():
    source = "d = {}\ndel d\nx = d.setdefault(k(), [])\nx.append(1)"
    assert rewritten(source, []) == source


def test_a_name_reused_by_a_later_for_loop_is_that_loops_own():
    """`c` names an item in the first loop and the pairs of `.items()` in the second: the
    second loop binds it before each run of its body, so the first loop's `c` is rewritten."""
    results = assert_same("""
    @sfn.workflow
    def main(rows):
        per = {}
        for r in rows:
            c = per.setdefault(r["k"], {"n": 0})
            c["n"] += r["v"]
        out = []
        for name, c in sorted(per.items()):
            out.append(f"{name}={c['n']}")
        return out
    """, {"rows": [{"k": "b", "v": 2}, {"k": "a", "v": 1}, {"k": "b", "v": 3}]}, {"rows": []})
    assert results[0]["output"] == ["a=1", "b=5"]


def test_a_read_after_the_loop_that_reuses_the_name_still_refuses():
    """After `for name, c in ...` (which may run no time), `c` may be the first loop's item."""
    assert "may share its value" in refusal("""
    @sfn.workflow
    def main(rows):
        per = {}
        for r in rows:
            c = per.setdefault(r["k"], {"n": 0})
            c["n"] += 1
        for name, c in per.items():
            pass
        return c
    """)


def test_a_comprehension_reusing_the_name_for_its_own_items_leaves_the_rewrite_alone():
    """`t = totals.setdefault(k, {...}); t["n"] += 1` in a loop, and later a comprehension whose
    own `t` walks the items: the comprehension's name is its own (Python 3), so the loop's
    changes still go to the items."""
    assert_same("""
    @sfn.workflow
    def main(rows):
        totals = {}
        for r in rows:
            t = totals.setdefault(r["k"], {"n": 0, "sum": 0})
            t["n"] += 1
            t["sum"] += r["v"]
        avg = {k: t["sum"] // t["n"] for k, t in totals.items()}
        return {"totals": totals, "avg": avg}
    """, {"rows": [{"k": "a", "v": 4}, {"k": "b", "v": 6}, {"k": "a", "v": 8}]}, {"rows": []})


def test_a_scalar_stored_in_the_item_and_elsewhere_links_nothing():
    """A new-user trial: `s = per.setdefault(k, {...}); s["last"] = v; seen.append(v)` with
    `v = int(...)` was refused ("'s' may share its value with 'per', 'seen'"): the names that
    may share `per` were found through `v`, stored in both. An int or a str holds nothing and
    is in nothing (aliasing.scalar_names), so no sharing goes through it; `s` reads as
    `per[k]` again."""
    results = assert_same("""
    @sfn.workflow
    def main(rows: list[dict]):
        per = {}
        seen = []
        for r in rows:
            v = int(r["v"])
            label = f"{r['k']}:{v}"
            s = per.setdefault(r["k"], {"last": 0, "labels": []})
            s["last"] = v
            s["labels"].append(label)
            seen.append(v)
            seen.append(label)
        return {"per": per, "seen": seen}
    """, {"rows": [{"k": "a", "v": "1"}, {"k": "a", "v": "2"}, {"k": "b", "v": "3"}]}, {"rows": []})
    assert results[0]["output"]["per"]["a"] == {"last": 2, "labels": ["a:1", "a:2"]}


def test_scalar_names_are_those_every_binding_of_which_is_a_scalar():
    body = ast.parse(textwrap.dedent("""
        a = 1
        b = a + 2
        c = []
        d = c if a else 0
        e = "x".strip()
        f = len(c)
        for i in range(3):
            g = f"{i}"
        for h in c:
            pass
        k = 1
        k = c
        n = 0
        n += b
        rest = 0
        match c:
            case {"a": 1, **rest}:
                pass
    """)).body
    assert aliasing.scalar_names(body) == frozenset({"a", "b", "e", "f", "i", "g", "n"})


def test_a_name_reused_later_for_a_value_of_its_own_keeps_the_rewrite():
    """`items = groups[k]` changed in a loop, and `items = []` later for a list of its own:
    reads after that assignment read its value, so the loop's changes still go to the items."""
    results = assert_same("""
    @sfn.workflow
    def main(groups: dict[str, list[int]], n: int):
        for k in groups:
            items = groups[k]
            items.append(n)
        items, count = [], 0
        for k in sorted(groups):
            items.append(len(groups[k]))
            count += 1
        return [groups, items, count]
    """, {"groups": {"b": [2], "a": []}, "n": 7}, {"groups": {}, "n": 1})
    assert results[0]["output"] == [{"b": [2, 7], "a": [7]}, [1, 2], 2]


def test_a_read_that_may_still_be_the_item_refuses_despite_a_plain_rebinding():
    """`items = []` before the loop does not decide what `items` holds after it: the last item."""
    assert "may share its value" in refusal("""
    @sfn.workflow
    def main(groups, n):
        items = []
        for k in groups:
            items = groups[k]
            items.append(n)
        return [groups, items]
    """)
    assert "may share its value" in refusal("""
    @sfn.workflow
    def main(groups, n, c):
        for k in groups:
            items = groups[k]
            if c:
                items = []
            items.append(n)
        return groups
    """)


def test_an_item_two_keys_down_is_named_by_its_place():
    """`cell = grid[r][c]` changed in place: `grid[r][c]` itself, read where Python reads it (a
    missing outer key raises KeyError naming it, before the inner one)."""
    results = assert_same("""
    @sfn.workflow
    def main(who: str, what: str, n: int):
        grid = [[{"v": 0}, {"v": 1}], [{"v": 2}]]
        for r in range(len(grid)):
            for c in range(len(grid[r])):
                cell = grid[r][c]
                cell["v"] += r * 10 + c
                cell["seen"] = True
        m = {"a": {"x": [1, 2]}, "b": {"x": [3], "y": []}}
        cell = m[who][what]
        cell.append(n)
        cell.append(len(cell))
        return [grid, m]
    """, {"who": "a", "what": "x", "n": 7}, {"who": "b", "what": "z", "n": 1}, {"who": "q", "what": "z", "n": 1})
    assert results[0]["output"][0] == [[{"v": 0, "seen": True}, {"v": 2, "seen": True}], [{"v": 12, "seen": True}]]
    assert results[0]["output"][1]["a"]["x"] == [1, 2, 7, 3]
    assert results[1]["cause"] == results[2]["cause"].replace("'q'", "'z'") == "'z'"


def test_an_item_two_keys_down_stays_refused_where_its_place_may_hold_another():
    """Anything that may put another object at `m[..][..]` (or rebind a key) before the change
    keeps `cell` a name of its own: refused as before."""
    for between in ('m["a"]["x"] = [0]', 'm["a"] = {"x": []}', 'm["a"].clear()', 'k = "y"'):
        assert "may share its value" in refusal(f"""
        @sfn.workflow
        def main(n: int, k: str):
            m = {{"a": {{"x": [1, 2]}}, "b": {{"x": [3], "y": []}}}}
            cell = m["a"][k]
            {between}
            cell.append(n)
            return m
        """), between


GRID_LOOP = """
        grid = [[{"v": 0}, {"v": 1}], [{"v": 2}]]
        for row in grid:
            for cell in row:
                cell["v"] += n"""


def test_nested_loops_over_items_change_the_innermost_items_in_place():
    """`for region, recs in regions.items(): for rec in recs: rec["tags"].append(...)` (and a
    grid of dicts, three levels of dicts): the outer loop runs by index because a loop inside
    changes its item's items; the inner one walks `regions[region]` by index too (refused
    before as sharing: session 24)."""
    results = assert_same("""
    def fetch(n):
        return {"eu": [{"id": 1, "tags": []}, {"id": 2, "tags": ["x"]}], "us": [{"id": 3, "tags": []}]}

    @sfn.workflow
    def run(n: int):""" + GRID_LOOP + """
        regions = fetch(n)
        for region, recs in regions.items():
            for rec in recs:
                rec["region"] = region
                rec["tags"].append(f"n{n}")
        deep = {"a": {"b": {"c": [1]}}, "d": {}}
        for k1, lvl1 in deep.items():
            for k2, lvl2 in lvl1.items():
                for k3, lst in lvl2.items():
                    lst.append(k1 + k2 + k3)
        return [grid, regions, deep]
    """, {"n": 7})
    grid, regions, deep = results[0]["output"]
    assert grid == [[{"v": 7}, {"v": 8}], [{"v": 9}]] and deep == {"a": {"b": {"c": [1, "abc"]}}, "d": {}}
    assert regions["eu"][1] == {"id": 2, "tags": ["x", "n7"], "region": "eu"}


def test_two_nested_loops_by_index_over_one_list_keep_their_own_indexes():
    """Both loops over `rows` change their items: each runs by index, and the inner one's index
    took the outer one's name (`rows_index`), so the outer loop read the inner's position (a
    silent difference found while building the nested loops above, session 24)."""
    results = assert_same("""
    @sfn.workflow
    def run(n: int):
        rows = [{"v": 1}, {"v": 2}, {"v": 3}]
        for a in rows:
            a["x"] = n
            for b in rows:
                b["y"] = b.get("y", 0) + a["v"]
        return rows
    """, {"n": 7})
    assert [row["y"] for row in results[0]["output"]] == [6, 6, 6]


def test_nested_item_loops_stay_refused_where_the_items_may_change_otherwise():
    """The inner body grows the list it walks, or the outer item is read after its loop:
    the copies would show, so the usual refusals stand."""
    assert "may" in refusal("""
    @sfn.workflow
    def run(n: int):""" + GRID_LOOP + """
                row.append({"v": 9}) if n > 100 else None
        return grid
    """)
    assert "may" in refusal("""
    @sfn.workflow
    def run(n: int):
        m = {"a": {"x": [1]}, "b": {"y": [2]}}
        last = None
        for a, row in m.items():
            for t, cell in row.items():
                cell.append(n)
            last = row
        last["z"] = [0]
        return [m, last]
    """)


def test_a_loop_over_a_list_inside_a_dict_changes_its_items_in_place():
    """`for rec in data["records"]: rec["ok"] = ...` over a callee's result, and with
    enumerate: refused as sharing before session 24; `data["records"][i]` by index now."""
    results = assert_same("""
    def fetch(n):
        return {"records": [{"id": n}, {"id": 2}], "meta": {"n": n}}

    @sfn.workflow
    def run(n: int):
        data = fetch(n)
        for rec in data["records"]:
            rec["ok"] = rec["id"] > 1
        for i, rec in enumerate(data["records"]):
            rec["pos"] = i
        return data
    """, {"n": 0}, {"n": 5})
    assert results[0]["output"]["records"] == [{"id": 0, "ok": False, "pos": 0}, {"id": 2, "ok": True, "pos": 1}]


def test_a_list_built_beside_a_group_by_does_not_stop_its_rewrite():
    """`row = pivot.setdefault(region, {})` beside `names.append(product)`, all unpacked from a
    callee's rows: `names` may hold what `facts` holds, but never `pivot` itself, so changing it
    replaces no item of `pivot` (aliasing.holders, not every name that may share something;
    refused before, session 24's trials). Where a name may hold `pivot` itself, it still is."""
    source = """
    def fetch(n):
        return [["EU" if i % 2 else "US", f"w{i}", i] for i in range(n)]

    @sfn.workflow
    def main(n):
        facts = fetch(n)
        pivot = {}
        names = []
        for region, product, qty in facts:
            row = pivot.setdefault(region, {})
            row[product] = qty
            names.append(product)
        return [pivot, names]
    """
    results = assert_same(source, {"n": 4}, {"n": 0})
    assert results[0]["output"] == [{"US": {"w0": 0, "w2": 2}, "EU": {"w1": 1, "w3": 3}}, ["w0", "w1", "w2", "w3"]]
    assert "may share its value" in refusal(source.replace("names = []", "names = [pivot]").replace(
        "names.append(product)", "names[0][region] = {}"))


def test_a_loop_over_a_list_inside_a_parameter_nobody_annotated():
    """`for item in order["items"]: item["total"] = ...` with `order` a parameter (the README's
    own example; refused as sharing, session 24): by index, `order["items"]` checked to be a
    list when the loop starts (else the machine stops, as for a list of unknown type), and so
    for the addresses of each user."""
    results = assert_same("""
    @sfn.workflow
    def main(order, users):
        for item in order["items"]:
            item["total"] = item["qty"] * 2
        for u in users:
            for a in u["addresses"]:
                a["city"] = a["city"].title()
        return [order, users]
    """, {"order": {"items": [{"qty": 2}, {"qty": 5}]}, "users": [{"addresses": [{"city": "paris"}]}]},
        {"order": {"items": []}, "users": []}, {"order": {}, "users": []})
    assert results[0]["output"] == [{"items": [{"qty": 2, "total": 4}, {"qty": 5, "total": 10}]},
                                    [{"addresses": [{"city": "Paris"}]}]]
    assert results[2]["error"] == "KeyError"


def test_a_group_by_two_levels_deep_through_two_names():
    """`by_level = tree.setdefault(app, {})`, then `stats = by_level.setdefault(level, {...})`,
    `stats["count"] += 1`: the second name's base is bound just before it in the same block,
    so its computed key may go first (refused before: the base had to be bound at the top;
    session 24's trials)."""
    results = assert_same("""
    def events(n):
        return [{"app": ["web", "api"][i % 2], "level": ["info", "warn", "info"][i % 3]} for i in range(n)]

    @sfn.workflow
    def main(n: int):
        tree = {}
        for e in events(n):
            by_level = tree.setdefault(e["app"], {})
            stats = by_level.setdefault(e["level"], {"count": 0})
            stats["count"] += 1
        return tree
    """, {"n": 7}, {"n": 0})
    assert results[0]["output"] == {"web": {"info": {"count": 3}, "warn": {"count": 1}},
                                    "api": {"warn": {"count": 1}, "info": {"count": 2}}}


def test_a_grid_built_by_a_comprehension_of_repeated_rows_is_fresh_per_row():
    """`[[0] * n for _ in range(m)]` then `grid[0][0] = 1` was refused ("reachable from 'n'": a
    session-25 trial); `[0] * n` holds [0]'s items only (n a list would be a TypeError). The
    rows of `[[0] * n] * m` are one list, and changing one stays refused."""
    results = assert_same("""
    @sfn.workflow
    def main(n, m):
        grid = [[0] * n for _ in range(m)]
        grid[0][0] = 1
        return grid
    """, {"n": 2, "m": 3}, {"n": 1, "m": 1})
    assert results[0]["output"] == [[1, 0], [0, 0], [0, 0]]
    assert "may" in refusal("""
    @sfn.workflow
    def main(n, m):
        grid = [[0] * n] * m
        grid[0][0] = 1
        return grid
    """)


RECORDS = """
    def load(n):
        return [{"name": "x%d" % i, "qty": i} for i in range(n)]

"""


def test_a_list_of_strs_computed_from_records_shares_none_of_them():
    """`[r["name"] + "!" for r in rows]` was taken to hold items of `rows` (a `+` of lists
    would), so changing `rows[i]` afterwards was refused (a session-26 trial); its type says
    it holds strs only. One holding the records themselves stays refused."""
    results = assert_same(RECORDS + """
    @sfn.workflow
    def main(n):
        rows = load(n)
        labels = [r["name"] + "!" for r in rows]
        totals = [r["qty"] * 3 for r in rows]
        for i, row in enumerate(rows):
            row["label"] = labels[i]
            row["total"] = totals[i]
        return rows
    """, {"n": 2}, {"n": 0})
    assert results[0]["output"] == [{"name": "x0", "qty": 0, "label": "x0!", "total": 0},
                                    {"name": "x1", "qty": 1, "label": "x1!", "total": 3}]
    assert "may" in refusal(RECORDS + """
    @sfn.workflow
    def main(n):
        rows = load(n)
        kept = [r for r in rows if r["qty"]]
        for i, row in enumerate(rows):
            row["label"] = "x"
        return kept
    """)


def test_a_zip_loop_changes_the_items_of_one_list_in_place():
    """`for name, row in zip(names, rows): row[...] = name` was refused ('row' may share its
    value): it runs as `for i, row in enumerate(rows)` reading `names[i]`, ending where the
    shortest ends (element_aliases.zip_loop), with `continue`, `break`, a str among the
    sequences and the targets keeping their last values after the loop."""
    results = assert_same(RECORDS + """
    def names_of(m):
        return ["n%d" % i for i in range(m)]

    @sfn.workflow
    def main(n, m, text: str):
        rows = load(n)
        names = names_of(m)
        scores = [i * 1.5 for i in range(m + 1)]
        name = score = ch = "unset"
        for row, name, score in zip(rows, names, scores):
            if score > 3:
                continue
            row["label"] = name.upper()
            row["score"] = score
        for ch, row in zip(text, rows):
            row["ch"] = ch
            if ch == "c":
                break
        return [rows, name, score, ch]
    """, {"n": 4, "m": 3, "text": "abcdef"}, {"n": 2, "m": 5, "text": "zc"}, {"n": 0, "m": 2, "text": "a"},
        {"n": 3, "m": 0, "text": ""})
    assert results[0]["output"] == [
        [{"name": "x0", "qty": 0, "label": "N0", "score": 0, "ch": "a"},
         {"name": "x1", "qty": 1, "label": "N1", "score": 1.5, "ch": "b"},
         {"name": "x2", "qty": 2, "label": "N2", "score": 3, "ch": "c"}, {"name": "x3", "qty": 3}],
        "n2", 3, "c"]


def test_a_zip_loop_stays_refused_where_reading_by_position_would_differ():
    """The other sequence changed or rebound in the body (zip walks the list it was given), or
    holding dicts (an item shared with the changed list's would show the change)."""
    for body in ("names.append('z')", "names = ['q']"):
        assert "may" in refusal(RECORDS + f"""
    @sfn.workflow
    def main(n):
        rows = load(n)
        names = [r["name"] for r in rows]
        for name, row in zip(names, rows):
            row["label"] = name
            {body}
        return rows
    """)
    assert "may" in refusal(RECORDS + """
    @sfn.workflow
    def main(n):
        rows = load(n)
        same = list(rows)
        for other, row in zip(same, rows):
            row["qty"] = 5
            other["seen"] = other["qty"]
        return rows
    """)


def test_a_loop_changes_each_record_then_collects_it():
    """`for o in orders: o["total"] = ...; keep.append(o)` (or a group-by of the records) was
    refused ('the items of orders may also be reachable from keep', a session-26 trial: very
    common): each pass changes its own record before it stores it, and the records stored by
    earlier passes are not changed again. Refused as before: a record changed after it was
    stored (in the same pass, or after the loop through either list), or a pass storing another
    pass's record."""
    results = assert_same("""
    @sfn.workflow
    def main(orders):
        groups = {}
        keep = []
        for o in orders:
            o["total"] = o["cents"] * 2
            if o["total"] > 10:
                keep.append(o)
            groups.setdefault(o["region"], []).append(o)
        return [groups, keep, orders]
    """, {"orders": [{"cents": 3, "region": "eu"}, {"cents": 9, "region": "us"}]}, {"orders": []})
    assert results[0]["output"][1] == [{"cents": 9, "region": "us", "total": 18}]
    for body, after in [("keep.append(o)\n            o['total'] = 1", ""),
                        ("o['total'] = 1\n            keep.append(o)\n            o['again'] = 2", ""),
                        ("o['total'] = 1\n            keep.append(o)", "keep[0]['x'] = 1"),
                        ("o['total'] = 1\n            keep.append(o)", "orders[0]['x'] = 1")]:
        assert "may also be reachable" in refusal(f"""
    @sfn.workflow
    def main(orders):
        keep = []
        for o in orders:
            {body}
        {after}
        return keep
    """), body
    assert "may also be reachable" in refusal("""
    @sfn.workflow
    def main(orders):
        keep = []
        for i, o in enumerate(orders):
            o["total"] = 1
            if i + 1 < len(orders):
                keep.append(orders[i + 1])
        return keep
    """)


def test_a_zip_loop_over_lists_nobody_annotated():
    """`for user, used in zip(users, usage): user["credits"] -= used` with both from the input
    was refused (a session-26 trial): the other sequence, nobody annotated, is read by position
    where its items are nobody else's, and must be a list or a str when the loop starts (a dict
    or None stops the machine: Python's zip would walk the keys, or raise its own TypeError).
    A copy of the changed list (`same = list(rows)`) holds the same records: still refused."""
    source = """
    @sfn.workflow
    def bill(users, usage):
        try:
            for user, used in zip(users, usage):
                user["credits"] -= used
                user["seen"] = True
        except TypeError as e:
            return str(e)
        return users
    """
    results = assert_same(source, {"users": [{"credits": 10}, {"credits": 5}], "usage": [3]},
                          {"users": [{"credits": 1}], "usage": "x"}, {"users": [], "usage": [1, 2]})
    assert results[0]["output"] == [{"credits": 7, "seen": True}, {"credits": 5}]
    assert emulate(compile_text(source), {"users": [{"credits": 1}], "usage": {"a": 1}})["error"] == "pysfn.Unsupported"
    assert "may share" in refusal("""
    @sfn.workflow
    def main(rows):
        same = list(rows)
        seen = []
        for other, row in zip(same, rows):
            row["qty"] = 5
            seen.append(other["qty"])
        return seen
    """)


def test_the_container_bound_in_a_try_before_the_loop():
    """`try: by_cat = {}; for it in ...: c = by_cat.setdefault(it["cat"], {...}); c["n"] += ...`
    (a new-user trial, session 30): the container was taken for bound only by a statement of the
    function's own block or the binding's, so the computed key stopped the rewrite and the
    change in place was refused as sharing."""
    results = assert_same("""
    def cart(n):
        return [{"cat": "abc"[i % 3], "qty": 1 + i % 4} for i in range(n)]

    @sfn.workflow
    def totals(n, bad):
        summary = []
        try:
            by_cat = {}
            for it in cart(n) + bad:
                c = by_cat.setdefault(it["cat"], {"n": 0})
                c["n"] += it["qty"]
            summary = [f"{k}: {v['n']}" for k, v in by_cat.items()]
        except KeyError as e:
            summary = [str(e)]
        return summary
    """, {"n": 7, "bad": []}, {"n": 0, "bad": []}, {"n": 2, "bad": [{"cat": "x"}]})
    assert [r["output"] for r in results] == [["a: 8", "b: 3", "c: 5"], [], ["'qty'"]]


def test_a_store_under_another_str_key_leaves_the_item_alone():
    """`g = groups.setdefault("b", [])`, then `groups["other"] = [...]` and `del groups["other"]`
    beside changes through `g` (fuzz seed 3002's refusals): a store under another str constant
    cannot replace the item "b", so `g` still reads as `groups["b"]`; a store under "b" itself,
    or under a computed key, keeps the refusal."""
    results = assert_same("""
    @sfn.workflow
    def main(n):
        groups = {"b": [9]}
        g3 = groups.setdefault("b", [])
        g3.append(n)
        groups["other"] = [n]
        g3.pop(0)
        g3.append(n * 2)
        del groups["other"]
        g3.append(1)
        return groups
    """, {"n": 3})
    assert results[0]["output"] == {"b": [3, 6, 1]}
    for store in ('groups["b"] = [n]', 'groups[str(n)] = [n]'):
        text = refusal(f"""
        @sfn.workflow
        def main(n):
            groups = {{"b": [9]}}
            g3 = groups.setdefault("b", [])
            g3.append(n)
            {store}
            g3.pop(0)
            return groups
        """)
        assert "'g3' may share its value with 'groups'" in text, store


def test_unpacking_items_that_are_no_list_or_dict_shares_nothing():
    """`a, b = data["nums"]` (ints), then `data["log"].append(a + b)` (a new-user trial, session
    30: refused, "the items of 'data' may also be reachable from another variable"). Unpacking
    lists keeps the refusal where a changed one is reachable twice."""
    results = assert_same("""
    @sfn.workflow
    def main(n):
        data = {"nums": [1, 2], "log": []}
        a, b = data["nums"]
        data["log"].append(a + b + len(str(n)))
        return data
    """, {"n": 2}, {"n": [5]})
    assert results[0]["output"] == {"nums": [1, 2], "log": [4]}
    text = refusal("""
    @sfn.workflow
    def main(n):
        rows = [[1], [n]]
        first, second = rows
        first.append(3)
        return rows
    """)
    assert "'first' may share its value with" in text and "'rows'" in text, text


def test_an_item_removed_after_its_name_is_last_read():
    """A new-user trial (h16): `site = inventory.setdefault(...)`, `slot = site.setdefault(...)`,
    `slot["qty"] += delta`, then `if slot["qty"] <= 0: del site[bin]` was refused (the region of
    `slot` removed an item of its container). Python's `slot` then holds the removed dict, which
    nothing reads: the removal after the name's last read (an `if` whose test is that read) is
    no reason to keep the name a copy. Removed before a read through the name, it still is."""
    moves = [{"site": "a", "bin": "x", "delta": 3}, {"site": "a", "bin": "x", "delta": -3},
             {"site": "b", "bin": "y", "delta": 2}, {"site": "a", "bin": "z", "delta": -1}]
    results = assert_same("""
    @sfn.workflow
    def main(moves):
        inventory = {}
        for m in moves:
            site = inventory.setdefault(m["site"], {})
            slot = site.setdefault(m["bin"], {"qty": 0})
            slot["qty"] += m["delta"]
            if slot["qty"] <= 0:
                del site[m["bin"]]
        return inventory
    """, {"moves": moves}, {"moves": []})
    assert results[0]["output"] == {"a": {}, "b": {"y": {"qty": 2}}}
    assert "'slot' may share its value" in refusal("""
    @sfn.workflow
    def main(moves):
        inventory = {}
        for m in moves:
            slot = inventory.setdefault(m["bin"], {"qty": 0})
            if m["delta"] == 0:
                del inventory[m["bin"]]
                slot["qty"] = 5
            slot["qty"] += m["delta"]
        return inventory
    """)


def test_the_refusal_of_an_item_changed_in_place_explains_the_compilers_key_and_the_way_out():
    """A new-user trial (h17): `u = by_user.setdefault(e["user"], {...})`, `u["kinds"][k] = 1`,
    `u["last"] = e["ts"]` is refused (an event's value, of unknown type, stored in the item it
    changes in place); the message named 'u_key' as "a nested function's parameter" (it is the
    key the compiler keeps for `u`), and its hint did not say that annotating the events, or
    converting the stored value, lets it compile."""
    source = """
    @sfn.workflow
    def main(events{annotation}):
        by_user = {{}}
        for e in events:
            u = by_user.setdefault(e["user"], {{"kinds": {{}}, "last": None}})
            u["kinds"][e["kind"]] = 1
            u["last"] = {stored}
        return by_user
    """
    message = refusal(source.format(annotation="", stored='e["ts"]'))
    assert "'u_key' (line 7: the key of the item 'u' names, kept by the compiler)" in message
    assert "annotate where they come from" in message and "nested function" not in message
    events = [{"user": "a", "kind": "x", "ts": "1"}, {"user": "a", "kind": "y", "ts": "2"}]
    for annotation, stored in ((": list[dict[str, str]]", 'e["ts"]'), ("", 'str(e["ts"])')):
        results = assert_same(source.format(annotation=annotation, stored=stored), {"events": events})
        assert results[0]["output"] == {"a": {"kinds": {"x": 1, "y": 1}, "last": "2"}}
