"""The Mermaid flowchart of a definition, and of an execution's path over it: shapes, labels,
subgraphs, escaping, the overlay, and that the text parses (graph.parse, no browser needed).

The text was rendered once with @mermaid-js/mermaid-cli in headless Chromium (see the README's
graph section); these tests pin down the subset of Mermaid that rendering accepted.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from machines import (
    AUDIT,
    BIG,
    DONE,
    EACH,
    FAN_OUT,
    KEEP,
    LOAD,
    NOT_FOUND,
    REPORT,
    SPLIT,
    TICK,
    Flaky,
    NotFound,
    loader,
    rich,
)

import pysfn_emulator
from pysfn_emulator import graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_rich(*failures):
    return pysfn_emulator.run(rich(), {}, lambdas={"load": loader(list(failures))})


def node(chart: graph.Flowchart, name: str) -> str:
    return chart.node_id(graph.escape(name))


def edges_between(chart, source, target):
    return [(arrow, label) for s, arrow, label, t in chart.edges if (s, t) == (source, target)]


# --- the machine alone -------------------------------------------------------------------------


def test_every_state_is_a_node_or_a_subgraph_with_its_type_shape():
    chart = graph.parse(graph.to_mermaid(rich()))
    assert chart.direction == "TD"
    shapes = {name: chart.nodes[node(chart, name)][0]
              for name in (LOAD, NOT_FOUND, BIG, SPLIT, TICK, KEEP, AUDIT, REPORT, DONE)}
    assert shapes == {LOAD: "[", NOT_FOUND: "([", BIG: "{", SPLIT: "(", TICK: "[/", KEEP: "(",
                      AUDIT: "(", REPORT: "(", DONE: "(["}
    assert set(chart.subgraphs) >= {node(chart, FAN_OUT), node(chart, EACH)}
    assert chart.classes["succeed"] == {node(chart, DONE)}
    assert chart.classes["fail"] == {node(chart, NOT_FOUND)}
    assert "visited" not in chart.classes and chart.link_styles == ()


def test_parallel_branches_and_the_map_processor_are_nested_subgraphs():
    chart = graph.parse(graph.to_mermaid(rich()))
    fan_out, each = node(chart, FAN_OUT), node(chart, EACH)
    assert chart.subgraphs[fan_out][1] is None
    assert chart.subgraphs[fan_out][0].startswith("Fan out (Parallel)")
    branches = {sub: title for sub, (title, parent) in chart.subgraphs.items() if parent == fan_out}
    assert sorted(branches.values()) == ["branch 1", "branch 2"]
    assert chart.subgraphs[each][0] == "Each item (Map)"
    assert chart.subgraphs[each][1] in branches  # the Map sits in branch 1


def test_start_end_and_next_edges():
    chart = graph.parse(graph.to_mermaid(rich()))
    assert edges_between(chart, graph.START_ID, node(chart, LOAD)) == [("-->", "")]
    assert edges_between(chart, node(chart, LOAD), node(chart, FAN_OUT)) == [("-->", "")]
    assert edges_between(chart, node(chart, DONE), graph.END_ID) == [("-->", "")]
    assert not edges_between(chart, node(chart, NOT_FOUND), graph.END_ID)  # Fail ends nothing
    assert not [e for e in chart.edges if e[0] in (node(chart, SPLIT), node(chart, AUDIT))]


def test_choice_edges_carry_their_rule_abbreviated_and_default():
    chart = graph.parse(graph.to_mermaid(rich()))
    big = node(chart, BIG)
    assert edges_between(chart, big, node(chart, SPLIT)) == [
        ("-->", "$.n is a number and $.n #gt; 10")]
    assert edges_between(chart, big, node(chart, TICK)) == [
        ("-->", "not ($.name matches #quot;a*#quot;)")]
    assert edges_between(chart, big, node(chart, KEEP)) == [("-->", "default")]


def test_catch_and_retry_edges_are_dashed_and_name_their_errors():
    chart = graph.parse(graph.to_mermaid(rich()))
    load = node(chart, LOAD)
    assert edges_between(chart, load, node(chart, NOT_FOUND)) == [
        ("-.->", "catch NotFound, Gone +1")]
    assert edges_between(chart, load, load) == [("-.->", "retry Flaky, max 2")]
    fan_out = node(chart, FAN_OUT)
    assert edges_between(chart, fan_out, node(chart, REPORT)) == [("-.->", "catch States.ALL")]
    # a loop onto a subgraph does not draw: a Parallel's retry is in its title
    assert not edges_between(chart, fan_out, fan_out)
    assert "⟲ retry States.ALL, max 1" in chart.subgraphs[fan_out][0]


def test_names_with_quotes_brackets_and_pipes_are_escaped():
    text = graph.to_mermaid(rich())
    assert '"Load #quot;order#quot; [v2]"' in text
    assert '"Not found #35;404 #lt;x#gt;"' in text
    assert '"Split #124; pipe"' in text and '"Wait #96;tick#96;"' in text
    assert '"Report {failure}"' in text
    for line in text.splitlines():  # quotes only ever delimit labels
        assert line.count('"') % 2 == 0, line


@pytest.mark.parametrize("name", ['a"b', "end", "x]y", "[[z]]", "p|q", "#1;", "a\nb", "é ✓"])
def test_any_state_name_gives_text_that_parses(name):
    definition = {"StartAt": name, "States": {name: {"Type": "Pass", "Next": "end "},
                                              "end ": {"Type": "Succeed"}}}
    chart = graph.parse(graph.to_mermaid(definition))
    assert chart.node_id(graph.escape(name))


def test_pure_and_deterministic():
    definition = rich()
    before = copy.deepcopy(definition)
    execution = run_rich()
    first = graph.to_mermaid(definition, execution)
    assert graph.to_mermaid(json.dumps(definition), execution) == first
    assert definition == before


# --- an execution laid over it -----------------------------------------------------------------


def test_after_a_run_visited_states_are_highlighted_with_their_counts():
    execution = run_rich(Flaky)
    assert execution.status == "SUCCEEDED"
    chart = graph.parse(graph.to_mermaid(rich(), execution))
    assert chart.nodes[node(chart, BIG)][1] == "Big? ×3"
    assert chart.nodes[node(chart, KEEP)][1] == "Keep ×2"
    assert chart.nodes[node(chart, LOAD)][1].endswith("×1")
    visited = {node(chart, n) for n in (LOAD, FAN_OUT, EACH, BIG, SPLIT, TICK, KEEP, AUDIT, DONE)}
    assert chart.classes["visited"] == visited
    assert "failed" not in chart.classes


def test_after_a_run_taken_edges_are_thick_and_counted():
    execution = run_rich(Flaky)
    chart = graph.parse(graph.to_mermaid(rich(), execution))
    taken = {(chart.edges[i][0], chart.edges[i][3]) for i in chart.link_styles}
    load, big = node(chart, LOAD), node(chart, BIG)
    assert (load, load) in taken  # the retry
    assert (big, node(chart, KEEP)) in taken
    assert (load, node(chart, NOT_FOUND)) not in taken
    assert (node(chart, DONE), graph.END_ID) in taken
    assert edges_between(chart, load, load) == [("-.->", "retry Flaky, max 2 ×1")]
    assert edges_between(chart, big, node(chart, KEEP)) == [("-->", "default ×1")]


def test_after_a_failed_run_the_failing_state_is_marked():
    execution = run_rich(NotFound)
    assert (execution.status, execution.error) == ("FAILED", "NotFound")
    chart = graph.parse(graph.to_mermaid(rich(), execution))
    assert chart.classes["failed"] == {node(chart, NOT_FOUND)}
    taken = {(chart.edges[i][0], chart.edges[i][3]) for i in chart.link_styles}
    assert (node(chart, LOAD), node(chart, NOT_FOUND)) in taken
    assert not [i for i in chart.link_styles if chart.edges[i][3] == graph.END_ID]


def test_a_history_list_works_as_well_as_an_execution():
    execution = run_rich()
    assert graph.to_mermaid(rich(), execution.history) == graph.to_mermaid(rich(), execution)


def test_markdown_page_wraps_the_chart_in_a_mermaid_block():
    execution = run_rich(NotFound)
    page = graph.to_markdown(rich(), execution, title="Orders")
    assert page.startswith("# Orders\n\nExecution **FAILED**: `NotFound` (no order).\n")
    block = page.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    graph.parse(block)
    assert "Green: states the execution entered" in page
    plain = graph.to_markdown(rich())
    assert plain.startswith("```mermaid\n") and "Green" not in plain


def test_hello_world_example():
    definition = json.loads((EXAMPLES / "hello_world.asl.json").read_text())
    order = json.loads((EXAMPLES / "hello_world.input.json").read_text())
    chart = graph.parse(graph.to_mermaid(definition, pysfn_emulator.run(definition, order)))
    assert chart.nodes[node(chart, "More amounts?")][1] == "More amounts? ×4"
    assert chart.nodes[node(chart, "Reject empty order")][1] == "Reject empty order"


# --- compiled examples -------------------------------------------------------------------------


def _compiled_examples():
    return sorted(p for p in EXAMPLES.glob("*.py") if not p.name.endswith(".services.py"))


@pytest.mark.parametrize("workflow", _compiled_examples() or [None])
def test_compiled_examples_draw_every_state(workflow):
    import pysfn_compile

    compile_file = getattr(pysfn_compile, "compile_file", None)
    if workflow is None or compile_file is None:
        pytest.skip("no compiled examples yet (needs examples/*.py and pysfn_compile.compile_file)")
    definition = compile_file(str(workflow)).definition
    chart = graph.parse(graph.to_mermaid(definition))
    structure = graph.structure(definition)
    for name, state in structure.states.items():
        assert chart.node_id(graph.escape(name)), name
        if state.type in ("Parallel", "Map"):
            assert chart.node_id(graph.escape(name)) in chart.subgraphs
    dashed = [e for e in chart.edges if e[1] == "-.->"]
    assert len(dashed) == sum(e.kind in ("Catch", "Retry") for e in structure.edges) - sum(
        e.kind == "Retry" and structure.states[e.source].type in ("Parallel", "Map")
        for e in structure.edges)


ORDERS_WORKFLOW = '''\
"""Price each line (a Map), audit and notify at once (a Parallel), catch OutOfStock."""
from pysfn_compile import sfn


class OutOfStock(Exception):
    pass


def price(quantity: int) -> int:
    if quantity > 10:
        raise OutOfStock(f"only 10 in stock, {quantity} ordered")
    return quantity * 3


def audit(order_id: str) -> str:
    return f"audited {order_id}"


def notify(order_id: str) -> str:
    return f"notified {order_id}"


@sfn.workflow
def process(order_id: str, quantities: list[int]) -> dict:
    prices: list[int] = []
    try:
        prices = sfn.map(price, quantities)
    except OutOfStock:
        return {"order": order_id, "error": "out of stock"}
    checks = sfn.parallel(lambda: audit(order_id), lambda: notify(order_id))
    return {"order": order_id, "total": sum(prices), "checks": checks}
'''


@pytest.fixture
def orders(tmp_path):
    """The orders workflow compiled (rendered with mermaid-cli once, see the module doc)."""
    import pysfn_compile

    if getattr(pysfn_compile, "compile_file", None) is None:
        pytest.skip("pysfn_compile.compile_file does not exist yet")
    path = tmp_path / "graph_orders.py"
    path.write_text(ORDERS_WORKFLOW)
    return pysfn_compile.compile_file(str(path))


def test_compiled_map_parallel_and_catch(orders):
    definition = orders.definition
    states = graph.structure(definition).states
    [map_state] = [n for n, s in states.items() if s.type == "Map"]
    [parallel] = [n for n, s in states.items() if s.type == "Parallel"]
    chart = graph.parse(graph.to_mermaid(definition))
    map_id, parallel_id = node(chart, map_state), node(chart, parallel)
    assert chart.subgraphs[map_id][0].startswith(f"{graph.escape(map_state)} (Map)")
    branches = [sub for sub, (_, parent) in chart.subgraphs.items() if parent == parallel_id]
    assert len(branches) == 2
    [(arrow, label)] = [(a, lab) for s, a, lab, _ in chart.edges
                        if s == map_id and "OutOfStock" in lab]
    assert (arrow, label) == ("-.->", "catch OutOfStock")
    drawn = set(chart.nodes) | set(chart.subgraphs)
    assert {node(chart, name) for name in states} <= drawn


def test_compiled_run_shows_the_catch_taken(orders):
    lambdas = orders.local_lambdas()
    caught = pysfn_emulator.run(orders.definition, {"order_id": "A1", "quantities": [2, 11]},
                                lambdas=lambdas)
    assert caught.output == {"order": "A1", "error": "out of stock"}
    chart = graph.parse(graph.to_mermaid(orders.definition, caught))
    taken = [chart.edges[i] for i in chart.link_styles]
    assert any(arrow == "-.->" and label == "catch OutOfStock ×1" for _, arrow, label, _ in taken)
    [parallel] = [n for n, s in graph.structure(orders.definition).states.items()
                  if s.type == "Parallel"]
    assert node(chart, parallel) not in chart.classes["visited"]

    shipped = pysfn_emulator.run(orders.definition, {"order_id": "A1", "quantities": [2, 1]},
                                 lambdas=lambdas)
    assert shipped.output["total"] == 9
    chart = graph.parse(graph.to_mermaid(orders.definition, shipped))
    assert node(chart, parallel) in chart.classes["visited"]


def test_compiled_choice_labels_show_the_test_not_the_helpers(orders):
    labels = [label for _, _, label, _ in graph.parse(graph.to_mermaid(orders.definition)).edges]
    assert labels and not [label for label in labels if ":=" in label]


# --- the checker itself ------------------------------------------------------------------------


@pytest.mark.parametrize("text, complaint", [
    ("graph TD\n", "expected 'flowchart TD'"),
    ('flowchart TD\n    a["x"]\n    subgraph b["y"]\n', "never closed"),
    ("flowchart TD\n    end\n", "'end' without a subgraph"),
    ('flowchart TD\n    a["say "hi""]\n', "not a statement"),
    ('flowchart TD\n    a["x"]\n    a --> b\n', "'b', which is not declared"),
    ('flowchart TD\n    a["x"]\n    a["y"]\n', "declared twice"),
    ('flowchart TD\n    end["x"]\n', "reserved word"),
    ('flowchart TD\n    a["x"}\n', "do not pair"),
    ('flowchart TD\n    a["#1"]\n', "not an entity code"),
    ('flowchart TD\n    a["x"]\n    class a hot\n', "no classDef"),
    ('flowchart TD\n    a["x"]\n    linkStyle 0 stroke:red\n', "linkStyle names edge 0 of 0"),
])
def test_parse_refuses_what_mermaid_would_not_draw(text, complaint):
    with pytest.raises(graph.MermaidSyntaxError, match=complaint.replace("(", r"\(")):
        graph.parse(text)
