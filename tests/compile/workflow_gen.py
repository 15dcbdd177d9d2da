"""Random Python workflows for differential testing (plain Python vs the compiled machine).

`programs()` is a hypothesis strategy of `Program`s: the source text of a module with callees
that log their calls in the module-level list CALLS, and one `@sfn.workflow main(...)` built
from the constructs users write (see pysfn_compile/README.md); `inputs(program)` draws inputs
for it. Programs are well-formed Python that always ends (loops are bounded, values cannot
grow without bound); they may raise, which both runs must do alike.

Flags (module constants, set from the environment) exclude known mismatch classes from the
default strategies, so the CI run is green on main while the class is being fixed; the long
run can switch them back on.
"""

from __future__ import annotations

import os

import attrs
from hypothesis import strategies as st

# Loops over thousands of items (a machine state per iteration until pure loops are lowered to
# JSONata: slow in the emulator, so only in long runs).
BIG_LOOPS = os.environ.get("PYSFN_DIFF_BIG_LOOPS") == "1"

# A callee in an operand Python evaluates only sometimes (`flag and check(n)`, `bump(n) if c
# else 0`, `assert ok, label(n)`) was called by the machine regardless until the exactness work
# landed on main (regressions in test_differential_regressions.py). On by default;
# PYSFN_DIFF_LAZY_CALLEES=0 leaves such callees out.
LAZY_CALLEES = os.environ.get("PYSFN_DIFF_LAZY_CALLEES", "1") == "1"

# min()/max() inside an operand of + - * or unary minus once made the machine fail (T1006: the
# overflow guard called a helper its field did not define); fixed, so they are generated there by
# default. PYSFN_DIFF_MINMAX_ARITH=0 leaves them out.
MINMAX_ARITH = os.environ.get("PYSFN_DIFF_MINMAX_ARITH", "1") == "1"

# `v = p; v += y` with p a parameter (a list of unknown type extends in place with any iterable,
# seen through every name for it: the machine extends, or stops loudly where the list may be
# shared) and a `return` inside a try whose finally changes what it returns (refused until
# session 19; now written into the result again where the return places it at constant dict
# keys, as `return {"out": out, ...}` does). Both were mismatches until the exactness branch; on
# by default, PYSFN_DIFF_IN_PLACE_ADD=0 leaves the first out.
IN_PLACE_ADD = os.environ.get("PYSFN_DIFF_IN_PLACE_ADD", "1") == "1"

# A name for an item of a dict, changed through it (`g = groups.setdefault(k, []);
# g.append(v)`, analysis/element_aliases.py), sometimes with the dict changed or read in between
# (then refused, or read through the dict). On by default; PYSFN_DIFF_ITEM_ALIASES=0 leaves it out.
ITEM_ALIASES = os.environ.get("PYSFN_DIFF_ITEM_ALIASES", "1") == "1"

# Nested helper functions called on a line of their own (analysis/inline_functions.py: run
# inline): `helper` returns early or reads the enclosing `out` when it runs, `tally` changes the
# enclosing `counts` in place. On by default; PYSFN_DIFF_NESTED_HELPERS=0 leaves them out.
NESTED_HELPERS = os.environ.get("PYSFN_DIFF_NESTED_HELPERS", "1") == "1"

# Keys put in and taken out of `d` (a literal `{"a": 1}` when it is no parameter): a dict's type
# knows the keys a literal gives it (Ty.present) only while nothing in the function can take
# one out. On by default; PYSFN_DIFF_RECORD_KEYS=0 leaves them out.
RECORD_KEYS = os.environ.get("PYSFN_DIFF_RECORD_KEYS", "1") == "1"

# An if or elif test that sets `acc` first (`if (acc := e) > k:`, analysis/walrus.py). On by
# default; PYSFN_DIFF_WALRUS=0 leaves it out.
WALRUS = os.environ.get("PYSFN_DIFF_WALRUS", "1") == "1"

# Sets (lowering/sets.py): built from lists, literals with bools among ints ({1, True} holds 1)
# and comprehensions, changed in place (add, discard, remove, |=, &=, -=, ^=, update), and read
# where their order cannot show (len, in, sorted, ==, <=). On by default; PYSFN_DIFF_SETS=0
# leaves them out.
SETS = os.environ.get("PYSFN_DIFF_SETS", "1") == "1"

# What new-user trials of 2026-12-04 brought in: `**` with a computed exponent (an int power;
# negative: a loud stop), a for loop unpacking items whose length only the run knows
# (`for x, y in [[...], ...]`, ValueError when one does not fit), and `key=` as a builtin.
# On by default; PYSFN_DIFF_POWERS_UNPACKING=0 leaves them out.
POWERS_UNPACKING = os.environ.get("PYSFN_DIFF_POWERS_UNPACKING", "1") == "1"

# A nested helper called inside expressions (an f-string's part, an operand, an argument), not
# only as a statement's value: new-user trials of session 12 found an internal compiler error
# there. (`seek`, a helper returning from inside its loop and from a try, is in HELPERS.) On by default; PYSFN_DIFF_HELPER_EXPRESSIONS=0 leaves them out.
HELPER_EXPRESSIONS = os.environ.get("PYSFN_DIFF_HELPER_EXPRESSIONS", "1") == "1"

# ... and where Python may not evaluate it (session 13): an operand of `and`/`or`, a branch of
# a conditional expression (made `if` statements: the helper runs only where Python runs it).
# On by default; PYSFN_DIFF_LAZY_HELPERS=0 leaves them out.
LAZY_HELPERS = os.environ.get("PYSFN_DIFF_LAZY_HELPERS", "1") == "1"

# defaultdict and Counter (session 13: plain dicts, their reads written out). On by default;
# PYSFN_DIFF_COLLECTIONS=0 leaves them out.
COLLECTIONS = os.environ.get("PYSFN_DIFF_COLLECTIONS", "1") == "1"

# A loop body whose control flow joins again before it ends (session 14: an `if`, `elif`
# chain or `try`, then more statements): a `for` over a list runs such a body as steps in
# order inside its `$reduce`. On by default; PYSFN_DIFF_JOINS=0 leaves them out.
JOINS = os.environ.get("PYSFN_DIFF_JOINS", "1") == "1"

# What new-user trials of session 14 brought in: assignment to a slice of a list
# (`out[lo:hi] = ...`, any iterable), a for loop's nested target (`for i, (a, b) in
# enumerate(...)`). On by default; PYSFN_DIFF_SLICES_TARGETS=0 leaves them out.
SLICES_TARGETS = os.environ.get("PYSFN_DIFF_SLICES_TARGETS", "1") == "1"

# Callees as keys and in dict comprehensions (session 14): `max(xs, key=risky, default=0)`,
# `sorted(xs, key=bump)`, `{w: risky(len(w)) for w in words}`: the calls one at a time, as
# Python makes them (risky raises at some items). On by default; PYSFN_DIFF_CALLEE_KEYS=0
# leaves them out.
CALLEE_KEYS = os.environ.get("PYSFN_DIFF_CALLEE_KEYS", "1") == "1"

# next((element for x in xs if test), default) (session 12): lazy up to the first item that
# passes, StopIteration without a default. On by default; PYSFN_DIFF_NEXT=0 leaves it out.
NEXT = os.environ.get("PYSFN_DIFF_NEXT", "1") == "1"

# ord()/chr(), float(text), fixed decimals f"{x:.2f}" and round(x, n), sum(lists, []), a sum of a
# generator with a start, del of a stepped slice (session 15). On by default; PYSFN_DIFF_NEW_BUILTINS=0 leaves them out.
NEW_BUILTINS = os.environ.get("PYSFN_DIFF_NEW_BUILTINS", "1") == "1"

# float printing (str() of a quotient), json.dumps, %-formatting with widths and %.Nf, hex(),
# math.ceil/floor (session 17). On by default; PYSFN_DIFF_TEXT=0 leaves them out.
TEXT = os.environ.get("PYSFN_DIFF_TEXT", "1") == "1"

# a list of lists (`grid`, its rows copies of the inputs) read item by item by computed
# positions, in comprehensions too, json.loads of texts made from the workflow's values,
# `match` statements, dict `|` and `|=`, str.format(**mapping) (session 18). On by default; PYSFN_DIFF_GRID=0 leaves them out.
GRID = os.environ.get("PYSFN_DIFF_GRID", "1") == "1"

# A dict of callees read as a dispatch table (`ops[key](x)`, `key in ops`: analysis/
# callee_tables.py), its key a constant (one missing: KeyError) or a variable. On by default;
# PYSFN_DIFF_TABLES=0 leaves it out.
TABLES = os.environ.get("PYSFN_DIFF_TABLES", "1") == "1"
TABLE_KEYS = ('"b"', '"r"', "3", '"zz"', "s", "n")

# Floats passed to a callee with no annotations (session 20): `shown(n / 2, parts={"h": n / 4})`,
# the payload's "floats" turning JSON's integral numbers back into floats; the callee logs and
# returns their repr. On by default; PYSFN_DIFF_FLOAT_ARGS=0 leaves them out.
FLOAT_ARGS = os.environ.get("PYSFN_DIFF_FLOAT_ARGS", "1") == "1"
SHOWN_PARTS = ("", ", [n / 2, 1.5]", ', parts={"h": n / 4, "k": [0.5]}')

# Logging through a module-level Logger, its arguments evaluated as Python does
# (`log.info("%s %d", text, risky(n))`), and a TypedDict called as a dict
# (`rec = Rec(k=..., tags=out)`, sharing `out`) (session 20). On by default;
# PYSFN_DIFF_RECORDS_AND_LOGS=0 leaves them out.
RECORDS_AND_LOGS = os.environ.get("PYSFN_DIFF_RECORDS_AND_LOGS", "1") == "1"

# Unpacking in displays (session 20): `[*xs, n]`, `[*xs[1:], *ys]`, `(*xs, n)` read as lists,
# a str's characters `[*s]`, a dict's keys `[*d]`, dict(**d) and dict(k=v). On by default;
# PYSFN_DIFF_STARS=0 leaves them out.
STARS = os.environ.get("PYSFN_DIFF_STARS", "1") == "1"

# A number that may be an int or a float (session 21): `num = 0`, then `num += x * 0.5`,
# `num = a / 2 if c else b`, `num = -num`, printed, formatted, json.dumps'd, its type asked and
# passed to a callee (its hidden companion says which kind it holds). On by default;
# PYSFN_DIFF_MIXED_NUMBERS=0 leaves it out.
MIXED_NUMBERS = os.environ.get("PYSFN_DIFF_MIXED_NUMBERS", "1") == "1"

# dicts with int keys (session 15): made, counted into by int key, read every way keys come out
# (iteration, items(), sorted, repr, get, in, pop), passed back as the result. On by default;
# PYSFN_DIFF_INT_KEYS=0 leaves them out.
INT_KEYS = os.environ.get("PYSFN_DIFF_INT_KEYS", "1") == "1"

# `out` changed at a computed position (`out[k % len(out)] += n`: a loop holds it by position)
# beside a dict display naming it (`{"out": list(out)}`, which must read the list itself: a
# silent difference of session 33 found by reading the code), and loops over lists of lists
# (`for row in grid`, the inner list held with its positions). On by default;
# PYSFN_DIFF_POSITIONS=0 leaves them out.
POSITIONS = os.environ.get("PYSFN_DIFF_POSITIONS", "1") == "1"
HELPERS = """\
    def helper(v, k=2):
        if v > k:
            return v - k
        w = v * 3
        return w + len(out)

    def tally(v):
        counts["h"] = counts.get("h", 0) + v

    def scale(v, k=1):
        return v * k + len(out) - acc

    def seek(v):
        for x in out:
            if x > v:
                return x
        try:
            return 100 // v
        except ZeroDivisionError:
            return -1
"""

# What JSONata cannot compute exactly (float formatting, round(x, n), math, sets, bitwise
# operators), for programs compiled with compute_in_lambda (PYSFN_DIFF_COMPUTE_IN_LAMBDA=1: the
# compiler runs it as Python in the workflow's Lambda). Off by default: refused without it.
COMPUTE_IN_LAMBDA = os.environ.get("PYSFN_DIFF_COMPUTE_IN_LAMBDA") == "1"

CALLEES = '''
import json
import logging
import math
from collections import Counter, defaultdict
from typing import TypedDict

log = logging.getLogger("pysfn.fuzz")


class Rec(TypedDict):
    k: int
    tags: list

CALLS = []


class Oops(Exception):
    pass


def bump(x: int) -> int:
    CALLS.append(["bump", x])
    return x + 1


def check(x: int) -> bool:
    CALLS.append(["check", x])
    return x % 3 == 0


def label(x: int) -> str:
    CALLS.append(["label", x])
    return "L" + str(x)


def risky(x: int) -> int:
    CALLS.append(["risky", x])
    if x < 0:
        raise ValueError(f"negative: {x}")
    if x == 7:
        raise Oops("seven")
    return x * 2


def note(msg: str) -> None:
    CALLS.append(["note", msg])


def triple(x):
    CALLS.append(["triple", x])
    return x * 3


def shown(x, parts=None):
    CALLS.append(["shown", repr(x), repr(parts)])
    return repr(x) + repr(parts)
'''

# parameter name -> kind; kinds: int, str, bool, list (of int), words (list of str), dict (str -> int)
PARAMS = {"n": "int", "s": "str", "flag": "bool", "xs": "list", "words": "words", "d": "dict"}
ANNOTATION = {"int": "int", "str": "str", "bool": "bool", "list": "list[int]",
              "words": "list[str]", "dict": "dict[str, int]"}
# locals, all set at the top of main: name -> (kind, initial value)
LOCALS = {"acc": ("int", "0"), "text": ("str", '""'), "out": ("list", "[]"), "counts": ("dict", "{}"),
          "groups": ("groups", "{}")}
# locals that may grow in loops: read only through len(), `in`, sum() and the like
GROWING = {"text", "out"}

SMALL_INTS = st.integers(-3, 12)
WORDS = st.text(alphabet="ab ,-1", max_size=5)
KEYS = st.sampled_from(["a", "b", "c", "x"])
STR_LITERALS = ["a", "b", "", "a,b", " ab ", "x-1"]
EXCEPTIONS = ["ValueError", "KeyError", "IndexError", "ZeroDivisionError", "TypeError", "Oops"]


@attrs.frozen
class Program:
    source: str
    params: tuple  # ((name, kind, annotated), ...)


class _Gen:
    """One program's generator: draws choices, tracks which names hold which kind."""

    def __init__(self, draw):
        self.draw = draw
        self.vars: dict[str, list[str]] = {k: [] for k in ("int", "str", "bool", "list", "words", "dict", "groups")}
        self.loop_depth = 0
        self.lazy_depth = 0
        self.arith_operand = 0  # depth of operands of + - * being generated
        self.frozen: set[str] = set()  # lists being iterated: not changed in the loop's body
        self.fresh = 0
        self.grouped = False  # an item_alias statement made: groups' items are lists
        self.params: dict[str, tuple[str, bool]] = {}  # parameter -> (kind, annotated)

    def choice(self, options):
        return self.draw(st.sampled_from(options))

    def chance(self, p_in_10: int) -> bool:
        return self.draw(st.integers(0, 9)) < p_in_10

    def name(self, prefix: str) -> str:
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    def lazy(self, expr, depth: int) -> str:
        """An operand Python evaluates only sometimes: the right of and/or, a branch of a
        conditional expression, an assert's message."""
        self.lazy_depth += 1
        try:
            return expr(depth)
        finally:
            self.lazy_depth -= 1

    def callees_allowed(self) -> bool:
        return LAZY_CALLEES or not self.lazy_depth

    def readable(self, kind: str) -> list[str]:
        return [v for v in self.vars[kind] if v not in GROWING]

    # ----------------------------------------------------------------- expressions
    def expr(self, kind: str, depth: int) -> str:
        return getattr(self, "expr_" + kind)(depth)

    def operand(self, depth: int) -> str:
        """An operand of + - * or unary minus."""
        self.arith_operand += 1
        try:
            return self.expr_int(depth)
        finally:
            self.arith_operand -= 1

    def expr_int(self, depth: int) -> str:
        direct_operand = self.arith_operand > 0
        leaves = [lambda: str(self.draw(SMALL_INTS))]
        if self.readable("int"):
            leaves.append(lambda: self.choice(self.readable("int")))
        if depth <= 0:
            return self.choice(leaves)()
        d = depth - 1
        options = leaves + [
            lambda: f"({self.operand(d)} {self.choice(['+', '-'])} {self.operand(d)})",
            lambda: f"({self.operand(d)} * {self.draw(st.integers(-2, 4))})",
            lambda: f"({self.expr_int(d)} {self.choice(['//', '%'])} {self.expr_int(d)})",
            lambda: f"-{self.operand(d)}",
            lambda: f"len({self.choice(self.vars['list'] + self.vars['str'] + self.vars['words'] + self.vars['dict'])})",
            lambda: f"{self.list_ref()}[{self.expr_int(d)}]",
            lambda: f"{self.choice(self.vars['dict'])}[{self.expr_str(d)}]",
            lambda: f"{self.choice(self.vars['dict'])}.get({self.expr_str(d)}, {self.expr_int(d)})",
            lambda: f"sum({self.list_ref()})",
            lambda: self.genexp_int(d, minmax=MINMAX_ARITH or not direct_operand),
            lambda: f"abs({self.expr_int(d)})",
            lambda: f"({self.lazy(self.expr_int, d)} if {self.expr_bool(d)} else {self.lazy(self.expr_int, d)})",
            lambda: f"({self.expr_int(d)} {self.choice(['and', 'or'])} {self.lazy(self.expr_int, d)})",
            lambda: f"int({self.expr_str(d)})",
            lambda: f"{self.list_ref()}.count({self.expr_int(d)})",
            lambda: f"{self.list_ref()}.index({self.expr_int(d)})",
            lambda: f"{self.expr_str(d)}.find({self.expr_str(0)})",
            lambda: f"{self.expr_str(d)}.count({self.expr_str(0)})",
            lambda: f"{self.expr_str(d)}.{self.choice(['find', 'rfind'])}({self.expr_str(0)}, {self.expr_int(0)})",
            lambda: f"divmod({self.expr_int(d)}, {self.expr_int(d)})[{self.choice(['0', '1'])}]",
            lambda: f"len({self.expr_list(d)})",
            lambda: f"len({self.expr_str(d)})",
        ]
        if self.callees_allowed():
            options += 2 * [lambda: f"{self.choice(['bump', 'risky', 'triple'])}({self.expr_int(d)})"]
            if TABLES:
                options.append(lambda: f"ops[{self.choice(TABLE_KEYS)}]({self.expr_int(d)})")
            if CALLEE_KEYS:
                # (a literal default: one Python evaluates before the calls keeps the key refused)
                options.append(lambda: f"{self.choice(['min', 'max'])}({self.list_ref()}, "
                                       f"key={self.choice(['bump', 'risky'])}, default={self.draw(SMALL_INTS)})")
        if NESTED_HELPERS and HELPER_EXPRESSIONS and (LAZY_HELPERS or not self.lazy_depth):
            options.append(lambda: f"{self.choice(['helper', 'seek'])}({self.expr_int(0)})")  # f-strings, operands
            # one expression: inside a comprehension or generator, the expression itself
            # (inline_functions._expressions_in_scopes), its enclosing names read at the call
            options.append(lambda: f"scale({self.expr_int(0)}{self.choice(['', ', 2', ', n'])})")
        if SETS:
            options.append(lambda: f"len({self.set_expr(d)})")
        if POWERS_UNPACKING:
            options += [lambda: f"({self.operand(d)} ** ({self.expr_int(0)} % {self.draw(st.integers(1, 5))}))",
                        lambda: f"(2 ** {self.expr_int(0)})",
                        lambda: f"max({self.list_ref()}, key={self.choice(['abs', 'str', 'int'])}, default=0)"]
        if NEW_BUILTINS:
            options += [lambda: f"ord(({self.expr_str(d)} + 'x')[0])",
                        lambda: f"int(round({self.expr_int(d)} / {self.draw(st.integers(1, 9))}, "
                                f"{self.draw(st.integers(0, 3))}) * 100)",
                        lambda: f"int(float(str({self.expr_int(d)}) + '.5') * 2)",
                        lambda: f"len(sum([[{self.expr_int(d)}], {self.list_ref()}], []))",
                        lambda: f"sum((v * 2 for v in {self.list_ref()}), {self.expr_int(0)})"]
        if TEXT:
            options += [lambda: f"math.{self.choice(['ceil', 'floor'])}({self.expr_int(d)} / {self.draw(st.integers(1, 7))})",
                        # sqrt (session 19): a float printed, and its ValueError below 0
                        lambda: f"len(str(math.sqrt({self.expr_int(d)})))",
                        lambda: f"math.floor(math.sqrt({self.expr_int(d)}) * math.pi)"]
        if GRID:
            options += [lambda: f"grid[{self.expr_int(0)} % 3][{self.expr_int(d)}]",
                        lambda: f"len('{{a}}{{b}}'.format(**({self.expr_dict(0)} | {{'a': 1, 'b': 2}})))",
                        lambda: f"grid[{self.expr_int(0)}][{self.expr_int(0)}]",
                        lambda: f"len(json.loads({self.choice(['json.dumps', 'str'])}({self.list_ref()})))"]
        if COMPUTE_IN_LAMBDA:
            options += [lambda: f"math.floor({self.expr_int(d)} / {self.draw(st.integers(1, 4))}.5)",
                        lambda: f"len(set({self.list_ref()}))",
                        lambda: f"({self.expr_int(d)} {self.choice(['<<', '&', '|', '^'])} {self.draw(st.integers(0, 3))})",
                        lambda: f"math.gcd({self.expr_int(d)}, {self.expr_int(d)})"]
        if MINMAX_ARITH or not direct_operand:
            options += [lambda: f"{self.choice(['min', 'max'])}({self.list_ref()})",
                        lambda: f"{self.choice(['min', 'max'])}({self.expr_int(d)}, {self.expr_int(d)})"]
        return self.choice(options)()

    def genexp_int(self, d: int, minmax: bool = True) -> str:
        fn = self.choice(["sum", "min", "max", "len"] if minmax else ["sum", "len"])
        source = self.list_ref()
        with self.scoped("int") as x:
            element = self.expr_int(d)
            cond = f" if {self.expr_bool(d)}" if self.chance(5) else ""
        if fn == "len":
            return f"len([{element} for {x} in {source}{cond}])"
        if NEXT and self.chance(2):  # the first that passes: its test runs up to it only
            default = f", {self.expr_int(0)}" if self.chance(7) else ""
            return f"next(({element} for {x} in {source}{cond}){default})"
        default = f", default={self.expr_int(0)}" if fn in ("min", "max") and self.chance(5) else ""
        return f"{fn}(({element} for {x} in {source}{cond}){default})"

    def expr_str(self, depth: int) -> str:
        leaves = [lambda: repr(self.choice(STR_LITERALS))]
        if self.readable("str"):
            leaves.append(lambda: self.choice(self.readable("str")))
        if depth <= 0:
            return self.choice(leaves)()
        d = depth - 1
        options = leaves + [
            lambda: f"({self.expr_str(d)} + {self.expr_str(d)})",
            lambda: f"({self.expr_str(d)} * {self.draw(st.integers(0, 3))})",
            lambda: self.fstring(d),
            lambda: f"{self.expr_str(d)}.{self.choice(['upper', 'lower', 'strip', 'title', 'capitalize'])}()",
            lambda: f"{self.expr_str(d)}.replace({self.expr_str(0)}, {self.expr_str(0)})",
            lambda: f"{self.expr_str(d)}[{self.expr_int(d)}]",
            lambda: f"{self.expr_str(d)}[{self.slice(d)}]",
            lambda: f"str({self.expr_int(d)})",
            lambda: f"str({self.expr_bool(d)})",
            lambda: f"{self.expr_str(0)}.join({self.choice(self.vars['words'])})",
            lambda: self.join_ints(d),
            lambda: f"{self.expr_str(d)}.split({self.expr_str(0)})[{self.expr_int(0)}]",
            lambda: f"({self.lazy(self.expr_str, d)} if {self.expr_bool(d)} else {self.lazy(self.expr_str, d)})",
            lambda: f"({self.expr_str(d)} or {self.lazy(self.expr_str, d)})",
            lambda: f"{self.choice(self.vars['words'])}[{self.expr_int(d)}]",
            lambda: f"{self.expr_str(d)}.zfill({self.draw(st.integers(0, 6))})",
            lambda: f"repr({self.expr(self.choice(['int', 'str', 'list', 'dict']), d)})",
            lambda: f"(\"%s:%r\" % ({self.expr_str(d)}, {self.expr_int(d)}))",
            lambda: f"{self.expr_str(d)}.rsplit({self.choice([repr(','), repr('-')])}, 1)[{self.choice(['0', '-1'])}]",
            lambda: self.max_by_value(),
            lambda: f"type({self.expr(self.choice(['int', 'str', 'list', 'dict']), d)}).__name__",
        ]
        if self.callees_allowed():
            options += 2 * [lambda: f"label({self.expr_int(d)})"]
            if FLOAT_ARGS:
                options += 3 * [lambda: f"shown({self.expr_int(d)} / {self.choice(['2', '4', '5'])}"
                                       f"{self.choice(SHOWN_PARTS)})"]
        if NEW_BUILTINS:
            options += [lambda: f'f"{{{self.expr_int(d)} / {self.draw(st.integers(1, 7))}:.{self.draw(st.integers(0, 3))}f}}"',
                        lambda: f"chr(65 + {self.expr_int(d)} % 26)",
                        lambda: f'format({self.expr_int(d)} / {self.draw(st.integers(1, 9))}, ">8,.2f")']
        if TEXT:
            options += [lambda: f"str({self.expr_int(d)} / {self.choice(['2', '4', '8', '5', '10'])})",
                        lambda: f"json.dumps({self.expr(self.choice(['int', 'str', 'list', 'dict']), d)}"
                                f"{self.choice(['', ', sort_keys=True', ', indent=2', ', ensure_ascii=False'])})",
                        lambda: f"(\"%4d|%-3s|%.{self.draw(st.integers(0, 2))}f\" % ({self.expr_int(d)}, "
                                f"{self.expr_str(d)}, {self.expr_int(d)} / {self.choice(['2', '4', '5'])}))",
                        lambda: f"{self.choice(['hex', 'bin', 'oct'])}({self.expr_int(d)})",
                        lambda: f'f"{{{self.expr_int(d)}:{self.choice(["x", "X", "04b", ">5o"])}}}"']
        if MIXED_NUMBERS:
            options += [lambda: self.choice(['str(num)', 'repr(num)', 'f"{num}|{num:>7}|{num:+}"', 'json.dumps(num)',
                                             'type(num).__name__', 'str(isinstance(num, float))'])]
            if self.callees_allowed() and FLOAT_ARGS:
                options.append(lambda: "shown(num)")
        if COMPUTE_IN_LAMBDA:
            options += [lambda: f'f"{{{self.expr_int(d)} / {self.draw(st.integers(1, 7))}:.{self.draw(st.integers(0, 3))}f}}"',
                        lambda: f"str(round({self.expr_int(d)} / {self.draw(st.integers(1, 9))}, {self.draw(st.integers(0, 3))}))",
                        lambda: f"str(math.sqrt(abs({self.expr_int(d)})))",
                        lambda: f"repr(sorted({{{self.expr_str(d)}, {self.expr_str(d)}}}))"]
        return self.choice(options)()

    def max_by_value(self) -> str:
        d = self.choice(self.vars["dict"])
        return f"max({d}, key={d}.get)"

    def join_ints(self, d: int) -> str:
        source = self.list_ref()
        with self.scoped("int") as x:
            element = self.expr_int(d)
        return f"{self.expr_str(0)}.join(str({element}) for {x} in {source})"

    def fstring(self, d: int) -> str:
        parts = []
        for _ in range(self.draw(st.integers(1, 3))):
            kind = self.choice(["int", "str", "lit"])
            if kind == "lit":
                parts.append(self.choice(["-", ":", "x", " "]))
            elif kind == "int":
                spec = self.choice(["", "", ":>4", ":03d", ":,", ":+"])
                parts.append("{" + self.expr_int(d).replace('"', "'") + spec + "}")
            else:
                spec = self.choice(["", "", "!r", ":^5", ":<3"])
                parts.append("{" + self.expr_str(d).replace('"', "'") + spec + "}")
        return 'f"' + "".join(parts) + '"'

    def slice_bounds(self) -> str:
        """`lo:hi` of a slice assigned to: absent, small, negative or past the end."""
        def bound() -> str:
            return self.choice(["", "0", "1", "-1", "-3", "9", "acc % 4"])
        return f"{bound()}:{bound()}"

    def slice(self, d: int) -> str:
        lo = self.expr_int(0) if self.chance(6) else ""
        hi = self.expr_int(0) if self.chance(6) else ""
        step = ":" + self.choice(["1", "2", "-1", "3"]) if self.chance(3) else ""
        return f"{lo}:{hi}{step}"

    def expr_bool(self, depth: int) -> str:
        leaves = [lambda: self.choice(["True", "False"])]
        if self.readable("bool"):
            leaves.append(lambda: self.choice(self.readable("bool")))
        if depth <= 0:
            return self.choice(leaves)()
        d = depth - 1
        ops = ["<", "<=", "==", "!=", ">", ">="]
        options = leaves + [
            lambda: f"({self.expr_int(d)} {self.choice(ops)} {self.expr_int(d)})",
            lambda: f"({self.expr_int(d)} {self.choice(ops)} {self.expr_int(d)} {self.choice(ops)} {self.expr_int(d)})",
            # a bool is an int to an ordering (`flag < n`; JSONata orders no booleans)
            lambda: f"({self.expr_bool(d)} {self.choice(ops)} {self.expr_int(d)})",
            lambda: f"({self.expr_int(d)} {self.choice(ops)} {self.expr_bool(d)})",
            lambda: f"({self.expr_str(d)} {self.choice(['==', '<', 'in', 'not in'])} {self.expr_str(d)})",
            lambda: f"({self.expr_int(d)} in {self.choice(self.vars['list'])})",
            lambda: f"({self.expr_str(d)} in {self.choice(self.vars['dict'] + self.vars['words'])})",
            lambda: f"(not {self.expr_bool(d)})",
            lambda: f"({self.expr_bool(d)} {self.choice(['and', 'or'])} {self.lazy(self.expr_bool, d)})",
            lambda: f"{self.expr_str(d)}.{self.choice(['startswith', 'endswith'])}({self.expr_str(0)})",
            lambda: self.any_all(d),
            lambda: f"bool({self.expr(self.choice(['int', 'str', 'list', 'dict']), d)})",
            lambda: f"{self.expr_str(d)}.{self.choice(['isdigit', 'isalpha', 'isspace', 'isupper', 'islower'])}()",
            lambda: f"isinstance({self.expr(self.choice(['int', 'str', 'list']), d)}, {self.choice(['int', 'str', 'list'])})",
            lambda: f"({self.lazy(self.expr_bool, d)} if {self.expr_bool(d)} else {self.lazy(self.expr_bool, d)})",
        ]
        if self.callees_allowed():
            options += 2 * [lambda: f"check({self.expr_int(d)})"]
        if TABLES:
            options.append(lambda: f"({self.choice(TABLE_KEYS)} {self.choice(['in', 'not in'])} ops)")
        if SETS:
            options += [lambda: f"({self.expr_int(d)} {self.choice(['in', 'not in'])} {self.set_expr(d)})",
                        lambda: f"({self.set_expr(d)} {self.choice(['==', '!=', '<=', '<', '>='])} {self.set_expr(d)})",
                        lambda: f"{self.set_expr(d)}.{self.choice(['issubset', 'isdisjoint'])}({self.list_ref()})"]
        return self.choice(options)()

    def set_expr(self, d: int) -> str:
        """A set built where it is read."""
        return self.choice([
            lambda: f"set({self.list_ref()})",
            lambda: f"{{{self.expr_int(0)}, {self.choice(['True', 'False', '1', '0'])}}}",
            lambda: f"{{x % 3 for x in {self.list_ref()}}}",
            lambda: f"(set({self.list_ref()}) {self.choice(['|', '&', '-', '^'])} set({self.expr_list(max(d - 1, 0))}))",
        ])()

    def _made_changed_read(self, pad: str, v: str, made: str, changes: list, reads: list) -> list[str]:
        """A variable `v` made, changed one to three times (a choice of `changes` each), then
        read once (a choice of `reads`): each a function of no arguments giving the line."""
        lines = [f"{pad}{v} = {made}"]
        lines += [f"{pad}{self.choice(changes)()}" for _ in range(self.draw(st.integers(1, 3)))]
        return lines + [f"{pad}{self.choice(reads)()}"]

    def set_block(self, pad: str, e: int) -> list[str]:
        """A set variable made, changed in place, then read."""
        v = self.name("v")
        reads = [lambda: f"acc += len({v})",
                 lambda: f"acc = {self.expr_int(0)} if {self.expr_int(0)} in {v} else len({v} & set({self.list_ref()}))",
                 lambda: f"text += str(sorted({v}, reverse=True))"]
        if "out" not in self.frozen:
            reads.append(lambda: f"out = sorted({v})")
        return self._made_changed_read(pad, v, self.choice([lambda: "set()", lambda: self.set_expr(e)])(), [
            lambda: f"{v}.add({self.expr_int(e)})",
            lambda: f"{v}.add({self.choice(['True', 'False'])})",
            lambda: f"{v}.discard({self.expr_int(0)})",
            lambda: f"{v}.remove({self.expr_int(0)})",
            lambda: f"{v} {self.choice(['|=', '&=', '-=', '^='])} set({self.expr_list(e)})",
            lambda: f"{v}.update({self.list_ref()})",
        ], reads)

    def pair(self, e: int) -> str:
        """A tuple as a set's item: ints and bools (1 == True: one item), an int list's items."""
        return self.choice([
            lambda: f"({self.expr_int(e)}, {self.choice(['True', 'False', '1', '0', '2'])})",
            lambda: f"({self.expr_int(0)}, {self.expr_int(0)})",
        ])()

    def pairs_block(self, pad: str, e: int) -> list[str]:
        """A set of tuples made, changed in place, then read (tuples compared item by item)."""
        v = self.name("v")
        made = self.choice([
            lambda: "set()",
            lambda: f"{{(x % 3, x > 1) for x in {self.list_ref()}}}",
            lambda: f"set(zip({self.list_ref()}, {self.list_ref()}))",
            lambda: f"{{{self.pair(0)}, {self.pair(0)}}}",
        ])()
        reads = [lambda: f"acc += len({v})",
                 lambda: f"acc = 1 if {self.pair(0)} in {v} else len({v} & {{{self.pair(0)}}})",
                 lambda: f"text += str(sorted({v}))"]
        if "out" not in self.frozen:
            reads.append(lambda: f"out = [a for a, b in sorted({v}) if b]")
        return self._made_changed_read(pad, v, made, [
            lambda: f"{v}.add({self.pair(e)})",
            lambda: f"{v}.discard({self.pair(0)})",
            lambda: f"{v}.remove({self.pair(0)})",
            lambda: f"{v} {self.choice(['|=', '&=', '-=', '^='])} {{{self.pair(0)}}}",
        ], reads)

    def collections_block(self, pad: str, e: int) -> list[str]:
        """A defaultdict or Counter made, counted into, read (a defaultdict's read inserts)."""
        v = self.name("v")
        kind = self.choice(["defaultdict(int)", "defaultdict(list)", "Counter()",
                            f"Counter(str(x) for x in {self.list_ref()})"])

        def key() -> str:
            return f"str({self.expr_int(0)} % 3)"  # (keys are strings in JSON)
        if kind == "defaultdict(list)":
            changes = [lambda: f"{v}[{key()}].append({self.expr_int(e)})"]
            reads = [lambda: f"acc = len({v}[{key()}]) if {v} else 0"]
        else:
            changes = [lambda: f"{v}[{key()}] += {self.expr_int(e)}"]
            reads = [lambda: f"acc = {v}[{key()}]"]
        reads += [lambda: f"acc += len({v})", lambda: f"text += ','.join(sorted({v}))"]
        if kind.startswith("Counter"):
            reads.append(lambda: f"text += str({v}.most_common({self.draw(st.integers(1, 3))}))")
        return self._made_changed_read(pad, v, kind, changes, reads)

    def int_keys_block(self, pad: str, e: int) -> list[str]:
        """A dict with int keys made, counted into, then read the ways its keys come out."""
        v = self.name("v")

        def key() -> str:
            return self.choice([lambda: f"{self.expr_int(0)} % 4", lambda: str(self.draw(st.integers(-2, 3))),
                                lambda: f"len({self.expr_str(0)})"])()
        reads = [lambda: f"acc += sum({v}) + len({v})", lambda: f"text += str(sorted({v}.items()))",
                 lambda: f"text += repr({v})", lambda: f"acc = {v}.get({key()}, -1)",
                 lambda: f"acc = 1 if {key()} in {v} else 0", lambda: f"acc = {v}.pop({key()}, 7)",
                 lambda: f"text += ','.join(f'{{k}}={{n}}' for k, n in {v}.items())",
                 lambda: f"acc = max({v}, key={v}.get) if {v} else 0", lambda: f"acc = {v}[{key()}]"]
        if "out" not in self.frozen:
            reads.append(lambda: f"out = [k * 2 for k in {v}]")
        return self._made_changed_read(pad, v, self.choice(["{}", "{0: 1}", "{1: 2, -1: 3}"]), [
            lambda: f"{v}[{key()}] = {v}.get({key()}, 0) + {self.expr_int(e)}",
            lambda: f"{v}.setdefault({key()}, {self.expr_int(e)})",
            lambda: f"{v}.update({{{key()}: {self.expr_int(e)}}})",
        ], reads)

    def search_loop(self, pad: str, e: int) -> list[str]:
        """A pure `for` over a list that stops at a break (or skips an item), with or without an
        `else` (folded: a `$reduce` over the items; a break with no `else` once ran the items
        after it)."""
        with self.scoped("int") as x:
            test = self.choice([lambda: f"{x} == {self.draw(st.integers(0, 3))}", lambda: self.expr_bool(e)])()
            source = self.choice(["xs", "xs", self.list_ref()])  # (xs: [1, 2, 3] unless the program changed it)
            stop = self.choice(["break", "break", "continue"])
            lines = [f"{pad}for {x} in {source}:", f"{pad}    if {test}:", f"{pad}        {stop}",
                     f"{pad}    text += str({x})"]
        if self.chance(3):
            lines += [f"{pad}else:", f"{pad}    text += '.'"]
        if "out" not in self.frozen:
            lines.append(f"{pad}out.append(len(text))")  # (out is in most results)
        return lines

    def any_all(self, d: int) -> str:
        """any()/all() of a generator; its test may raise on an item past the one that decides
        (`9 // x` of a 0 after it: Python never evaluates it, and the machine must not either,
        even as JSONata; a new-user trial, session 30)."""
        source = self.list_ref()
        with self.scoped("int") as x:
            cond = self.choice([lambda: self.expr_bool(d),
                                lambda: f"{self.draw(st.integers(1, 9))} // {x} > {self.draw(st.integers(0, 3))}"])()
        return f"{self.choice(['any', 'all'])}({cond} for {x} in {source})"

    def list_ref(self) -> str:
        return self.choice(self.vars["list"])

    def expr_list(self, depth: int) -> str:
        leaves = [lambda: self.choice(self.readable("list")), lambda: f"[{self.expr_int(0)}, {self.expr_int(0)}]"]
        if depth <= 0:
            return self.choice(leaves)()
        d = depth - 1
        options = leaves + [
            lambda: self.comprehension(d),
            lambda: f"({self.choice(self.readable('list'))} + {self.expr_list(d)})",
            lambda: f"{self.list_ref()}[{self.slice(d)}]",
            lambda: f"sorted({self.list_ref()}{self.choice(['', ', reverse=True'])})",
            *([lambda: f"sorted({self.list_ref()}, key={self.choice(['bump', 'risky', 'label'])}"
                       f"{self.choice(['', ', reverse=True'])})"] if CALLEE_KEYS and self.callees_allowed() else []),
            lambda: f"[len(w) for w in sorted({self.choice(self.vars['words'])}, key=lambda w: (len(w), w))]",
            lambda: f"list(range({self.expr_int(0)}, {self.expr_int(0)}))",
            lambda: f"list({self.list_ref()})",
            self.word_lengths,
            lambda: f"list({self.choice(self.vars['dict'])}.values())",
        ]
        if SETS:
            options.append(lambda: f"sorted({self.set_expr(d)})")
        if STARS:
            options += [lambda: f"[*{self.list_ref()}, {self.expr_int(d)}]",
                        lambda: f"[*{self.list_ref()}[{self.slice(d)}], *{self.choice(self.readable('list'))}]",
                        lambda: f"list((*{self.list_ref()}, {self.expr_int(0)}))",
                        self.unpacked_lengths]
        return self.choice(options)()

    def unpacked_lengths(self) -> str:
        """A str's characters and a dict's keys unpacked: `[len([*s]), *[len(k) for k in [*d]]]`."""
        text, mapping = self.expr_str(0), self.choice(self.vars["dict"])
        with self.scoped("str") as k:
            return f"[len([*{text}]), *[len({k}) for {k} in [*{mapping}]]]"

    def word_lengths(self) -> str:
        source = self.choice(self.vars["words"])
        with self.scoped("str") as w:
            element = self.choice([f"len({w})", f"{w}.count('a')"])
        return f"[{element} for {w} in {source}]"

    def comprehension(self, d: int) -> str:
        source = self.list_ref()
        with self.scoped("int") as x:
            if self.chance(2):  # nested: two fors
                inner = self.list_ref()
                with self.scoped("int") as y:
                    element = self.expr_int(d)
                    cond = f" if {self.expr_bool(d)}" if self.chance(5) else ""
                return f"[{element} for {x} in {source} for {y} in {inner}{cond}]"
            element = self.expr_int(d)
            cond = f" if {self.expr_bool(d)}" if self.chance(5) else ""
        return f"[{element} for {x} in {source}{cond}]"

    def expr_words(self, depth: int) -> str:
        if depth > 0 and self.chance(5):
            return f"{self.expr_str(depth - 1)}.split({self.choice([repr(','), repr(' '), ''])})"
        return self.choice(self.vars["words"])

    def expr_dict(self, depth: int) -> str:
        options = [lambda: self.choice(self.vars["dict"]),
                   lambda: f"{{{self.expr_str(0)}: {self.expr_int(0)}}}"]
        if depth > 0:
            options.append(self.dict_comprehension)
            if GRID:  # Python 3.9's merge
                options.append(lambda: f"({self.choice(self.vars['dict'])} | {self.expr_dict(depth - 1)})")
            if STARS:
                options += [lambda: f"dict(**{self.choice(self.vars['dict'])})",
                            lambda: f"dict(k={self.expr_int(0)}, zz={self.expr_int(0)})"]
        return self.choice(options)()

    def dict_comprehension(self) -> str:
        source = self.choice(self.vars["words"])
        with self.scoped("str") as w:
            value = self.expr_int(1)
            if CALLEE_KEYS and self.callees_allowed() and self.chance(3):  # a Map of the pairs
                value = f"{self.choice(['bump', 'risky'])}(len({w}) + {self.expr_int(0)})"
        return f"{{{w}: {value} for {w} in {source}}}"

    def scoped(self, kind: str):
        gen = self

        class _Scope:
            def __enter__(self):
                self.name = gen.name({"int": "x", "str": "w"}[kind])
                gen.vars[kind].append(self.name)
                return self.name

            def __exit__(self, *exc):
                gen.vars[kind].remove(self.name)

        return _Scope()

    # ----------------------------------------------------------------- statements
    def block(self, indent: int, depth: int, size: int) -> list[str]:
        lines: list[str] = []
        for _ in range(self.draw(st.integers(1, size))):
            lines += self.statement(indent, depth)
        return lines

    def statement(self, indent: int, depth: int) -> list[str]:
        pad = "    " * indent
        e = 2 if depth > 0 else 1
        simple = [
            lambda: [f"{pad}acc = {self.expr_int(e)}"],
            lambda: [f"{pad}acc += {self.expr_int_no_locals(e)}"],
            lambda: [f"{pad}text += {self.expr_str(e)}"],
            lambda: [f"{pad}text = {self.expr_str(e)}"],
            lambda: [f"{pad}out = {self.expr_list(e)}"] if "out" not in self.frozen else [f"{pad}pass"],
            lambda: [f"{pad}out.append({self.expr_int(e)})"] if "out" not in self.frozen else [f"{pad}pass"],
            lambda: [f"{pad}out.{self.choice(['sort()', 'reverse()', 'pop()', 'clear()'])}"] if "out" not in self.frozen else [f"{pad}pass"],
            lambda: [f"{pad}out.extend({self.expr_list(e)})"] if "out" not in self.frozen else [f"{pad}pass"],
            lambda: [f"{pad}counts[{self.expr_str(e)}] = counts.get({self.expr_str(0)}, 0) + {self.expr_int(0)}"],
            lambda: [f"{pad}counts[{self.expr_str(e)}] = {self.expr_int(e)}"],
            lambda: [f"{pad}del counts[{self.expr_str(e)}]"],
            lambda: [f"{pad}note({self.expr_str(e)})"],
            lambda: ([f"{pad}acc = helper({self.expr_int(e)})"] if NESTED_HELPERS else [f"{pad}pass"]),
            lambda: ([f"{pad}acc = {self.expr_int(1)} - helper({self.expr_int(0)})"] if NESTED_HELPERS
                     else [f"{pad}pass"]),
            lambda: ([f"{pad}tally({self.expr_int(0)})"] if NESTED_HELPERS else [f"{pad}pass"]),
            lambda: ([f"{pad}acc = seek({self.expr_int(e)})"] if NESTED_HELPERS else [f"{pad}pass"]),
            lambda: [f"{pad}assert {self.expr_bool(e)}, {self.lazy(self.expr_str, e)}"],
            lambda: [f"{pad}{self.choice(['acc', 'n'])} = {self.lazy(self.expr_int, e)} if {self.expr_bool(e)} else {self.lazy(self.expr_int, e)}"],
        ]
        if IN_PLACE_ADD and not self.loop_depth and self.addable():  # not in a loop: growth without bound
            simple.append(lambda: self.in_place_add(pad, e))
        if ITEM_ALIASES:
            simple.append(lambda: self.item_alias(pad, e))
        if SETS:
            simple.append(lambda: self.set_block(pad, e))
            simple.append(lambda: self.pairs_block(pad, e))
        if COLLECTIONS:
            simple.append(lambda: self.collections_block(pad, e))
        if INT_KEYS:
            simple.append(lambda: self.int_keys_block(pad, e))
        if MIXED_NUMBERS:
            simple.append(lambda: [pad + self.choice([
                lambda: f"num += {self.expr_int(e)} * {self.choice(['0.5', '1.5', '2'])}",
                lambda: f"num = {self.expr_int(e)}",
                lambda: f"num = {self.expr_int(0)} / {self.choice(['2', '4'])} if {self.expr_bool(e)} else "
                        f"{self.expr_int(0)}",
                lambda: "num = -num",
                lambda: f"num, acc = acc, {self.expr_int(0)}",
                lambda: "num = round(num, 1)"])()])
        simple.append(lambda: self.search_loop(pad, e))
        if POSITIONS and "out" not in self.frozen:
            simple.append(lambda: [f"{pad}if out:", f"{pad}    out[{self.expr_int(e)} % len(out)] += {self.expr_int(0)}"])
            simple.append(lambda: [f"{pad}acc = len({{'out': list(out), 'n': acc}}['out'])"])
            simple.append(lambda: self.rows_loop(pad))
        if RECORD_KEYS and "d" in self.vars["dict"]:
            simple.append(lambda: [f"{pad}d[{self.expr_str(0)}] = {self.expr_int(e)}"])
            simple.append(lambda: [f"{pad}del d[{self.expr_str(0)}]" if self.draw(st.booleans())
                                   else f"{pad}d.pop({self.expr_str(0)}, 0)"])
        if NEW_BUILTINS and "out" not in self.frozen:
            simple.append(lambda: [f"{pad}del out[::{self.choice(['2', '-1', '3', '-2'])}]"])
        if SLICES_TARGETS and "out" not in self.frozen:  # any iterable in place of the slice's items
            simple.append(lambda: [f"{pad}out[{self.slice_bounds()}] = "
                                   f"{self.choice([lambda: self.expr_list(e), lambda: self.expr_str(0)])()}"])
        if "out" not in self.frozen:  # starred unpacking: ValueError when the list is empty
            simple.append(lambda: [f"{pad}{self.choice(['acc, *out', '*out, acc', 'acc, *out, n'])} = "
                                   f"{self.expr_list(e)}"])
        if RECORDS_AND_LOGS:
            simple.append(lambda: [f"{pad}log.{self.choice(['info', 'debug'])}(\"%s and %d\", {self.expr_str(e)}, "
                                   f"{self.expr_int(e)})"])
            if "out" not in self.frozen:
                simple.append(lambda: self.record_block(pad, e))
        if self.loop_depth:
            simple += 3 * [lambda: [f"{pad}if {self.expr_bool(1)}:", f"{pad}    {self.choice(['break', 'continue'])}"]]
        if depth <= 0:
            return self.choice(simple)()
        d = depth - 1
        compound = [
            lambda: self.if_stmt(indent, d),
            lambda: self.for_stmt(indent, d),
            lambda: self.while_stmt(indent, d),
            lambda: self.try_stmt(indent, d),
            lambda: [f"{pad}if {self.expr_bool(1)}:",
                     f"{pad}    raise {self.choice(EXCEPTIONS)}({self.expr_str(1)})"],
            lambda: [f"{pad}if {self.expr_bool(1)}:", f"{pad}    return {self.result()}"],
            lambda: self.group_by(indent),
        ]
        if GRID:
            compound.append(lambda: self.match_stmt(indent, d))
            simple.append(lambda: [f"{pad}counts |= {self.expr_dict(1)}"])
            # a copy of a display holds what it holds: grid's first item is out itself (session 19)
            if "out" not in self.frozen and self.chance(1):  # (rarely: what changes out after it is refused)
                simple.append(lambda: [f"{pad}grid = {self.choice(['list', 'tuple'])}([out, [n]])"])
        return self.choice(simple + compound)()

    def rows_loop(self, pad: str) -> list[str]:
        """A loop over a list of lists, each walked by a loop inside (held with its positions)."""
        row, v = self.name("row"), self.name("v")
        return [f"{pad}for {row} in [out, [acc], out[:2]]:", f"{pad}    for {v} in {row}:",
                f"{pad}        acc += {v} % 7"]

    def match_stmt(self, indent: int, d: int) -> list[str]:
        """A `match` over an int, a list or a dict: literals, `|`, captures with guards (their
        names stay bound where the guard fails), sequences with a star, mappings."""
        pad = "    " * indent
        lines = [f"{pad}match {self.choice([lambda: self.expr_int(1), self.list_ref, lambda: 'd'])()}:"]
        cases = [
            lambda: f"case {self.draw(SMALL_INTS)} | {self.draw(SMALL_INTS)}:",
            lambda: f"case int(k) if k > {self.expr_int(0)}:",
            lambda: "case []:",
            lambda: f"case [{self.draw(SMALL_INTS)}, *rest]:",
            lambda: "case [first, *_] if first:",
            lambda: "case {" + self.choice(['"a"', '"b"']) + ": int(v)}:",
            lambda: "case {}:",
        ]
        for _ in range(self.draw(st.integers(1, 3))):
            lines.append(f"{pad}    {self.choice(cases)()}")
            lines += self.block(indent + 2, d, 2)
        if self.draw(st.booleans()):
            lines.append(f"{pad}    case _:")
            lines += self.block(indent + 2, d, 1)
        return lines

    def addable(self) -> list[str]:
        """Parameters for in_place_add: not walked by an enclosing for; not an annotated dict
        (`+=` on it is a TypeError the compiler refuses)."""
        return sorted(p for p, (kind, annotated) in self.params.items()
                      if p not in self.frozen and not (annotated and kind == "dict"))

    def in_place_add(self, pad: str, e: int) -> list[str]:
        """`v = p` (a copy of an annotated list), `v += y`, then v is read: with p a list at run
        time, += extends it in place with any iterable, and p (if read later) sees it."""
        name = self.choice(self.addable())
        kind, annotated = self.params[name]
        v = self.name("v")
        if kind in ("list", "words"):
            source = f"list({name})" if annotated else name
            rhs = self.choice([lambda: self.expr_list(e), lambda: self.expr_str(e), lambda: self.choice(self.vars["words"]),
                               lambda: self.choice(self.vars["dict"]), lambda: self.choice(sorted(self.params))])()
        else:
            source = name
            rhs = (self.expr(kind, e) if kind in ("int", "str") else self.expr_int(e) if kind == "bool"
                   else self.choice(sorted(self.params)))
        return [f"{pad}{v} = {source}", f"{pad}{v} += {rhs}", f"{pad}text += repr({v})"]

    def expr_int_no_locals(self, depth: int) -> str:
        saved = self.vars["int"]
        self.vars["int"] = [v for v in saved if v not in LOCALS]
        try:
            return self.operand(depth)  # of +=
        finally:
            self.vars["int"] = saved

    def record_block(self, pad: str, e: int) -> list[str]:
        """A TypedDict built by its call, holding `out` itself or a copy, then read (and `out`
        changed: the record must show it where it holds `out`)."""
        tags = self.choice(["out", "list(out)", "[*out]"])
        rec = self.name("r")
        return [f"{pad}{rec} = Rec(k={self.expr_int(e)}, tags={tags})",
                f"{pad}out.append({self.expr_int(0)})",
                f"{pad}acc += {rec}['k'] + len({rec}['tags'])"]

    def if_stmt(self, indent: int, d: int) -> list[str]:
        pad = "    " * indent
        lines = [f"{pad}if {self.test(2)}:"] + self.block(indent + 1, d, 3)
        for _ in range(self.draw(st.integers(0, 2))):
            lines += [f"{pad}elif {self.test(2)}:"] + self.block(indent + 1, d, 2)
        if self.chance(5):
            lines += [f"{pad}else:"] + self.block(indent + 1, d, 2)
        return lines

    def test(self, depth: int) -> str:
        """An if's test; with WALRUS sometimes one that sets `acc` first: `(acc := e) > k`."""
        if WALRUS and self.chance(4):
            return f"(acc := {self.expr_int_no_locals(1)}) {self.choice(['<', '>', '==', '!='])} {self.expr_int(1)}"
        return self.expr_bool(depth)

    def loop_body(self, indent: int, d: int) -> list[str]:
        self.loop_depth += 1
        try:
            if JOINS and self.chance(3):  # a join, then more: steps run in order inside a `$reduce`
                joined = self.choice([lambda: self.if_stmt(indent + 1, 0), lambda: self.try_stmt(indent + 1, 0)])()
                return joined + self.block(indent + 1, 0, 2)
            return self.block(indent + 1, d, 3)
        finally:
            self.loop_depth -= 1

    def for_stmt(self, indent: int, d: int) -> list[str]:
        pad = "    " * indent
        sizes = [3, 10, 100, 300] + ([1000, 3000] if BIG_LOOPS else [])
        kind = self.choice(["list", "range", "words", "items", "enumerate", "str", "keys"]
                           + (["pairs"] if POWERS_UNPACKING else []))
        if SLICES_TARGETS and self.chance(2):  # (drawn apart: the last kinds of a choice come rarely)
            kind = "nested"
        frozen = None
        if kind == "list":
            source = self.choice(self.vars["list"])
            frozen = source
            header, binds = ("{x}", source), [("int", "x")]
        elif kind == "range":
            header, binds = ("{x}", f"range({self.choice(sizes)})"), [("int", "x")]
        elif kind == "words":
            header, binds = ("{w}", self.choice(self.vars["words"])), [("str", "w")]
        elif kind == "items":
            header, binds = ("{w}, {x}", "sorted(d.items())"), [("str", "w"), ("int", "x")]
        elif kind == "keys":  # `d[w]` in the body needs no key check unless the body may remove keys
            source = self.choice(self.vars["dict"])
            header, binds = ("{w}", self.choice([f"sorted({source})", f"list({source})",
                                                  f"list({source}.keys())"])), [("str", "w")]
        elif kind == "enumerate":
            source = self.choice(self.vars["list"])
            frozen = source
            header, binds = ("{x}, {y}", f"enumerate({source})"), [("int", "x"), ("int", "y")]
        elif kind == "nested":  # `for i, (x, y) in enumerate(...)`: the inner pair unpacked before the body
            source = self.list_ref()
            with self.scoped("int") as v:
                pairs = f"[[{v}, {self.expr_int(0)}] if {self.expr_bool(0)} else [{v}] for {v} in {source}]"
            header, binds = ("{i}, ({x}, {y})", f"enumerate({pairs})"), [("int", "i"), ("int", "x"), ("int", "y")]
        elif kind == "pairs":  # items of unknown length: unpacked when the loop runs
            source = self.list_ref()
            with self.scoped("int") as v:
                pairs = f"[[{v}, {self.expr_int(0)}] if {self.expr_bool(0)} else [{v}] for {v} in {source}]"
            header, binds = ("{x}, {y}", pairs), [("int", "x"), ("int", "y")]
        else:
            header, binds = ("{w}", self.expr_str(1)), [("str", "w")]
        names = {}
        for kind_, slot in binds:
            names[slot] = self.name(slot)
            self.vars[kind_].append(names[slot])
        if frozen:
            self.frozen.add(frozen)
        try:
            # only the targets are a template: the iterable may hold an f-string's braces
            lines = [f"{pad}for {header[0].format(**names)} in {header[1]}:"] + self.loop_body(indent, d)
            if self.chance(3):
                lines += [f"{pad}else:"] + self.block(indent + 1, d, 2)
        finally:
            self.frozen.discard(frozen)
            for kind_, slot in binds:
                self.vars[kind_].remove(names[slot])
        return lines

    def while_stmt(self, indent: int, d: int) -> list[str]:
        pad = "    " * indent
        i = self.name("i")
        limit = self.choice([3, 10, 50] + ([1000] if BIG_LOOPS else []))
        cond = f" and {self.lazy(self.expr_bool, 1)}" if self.chance(5) else ""
        lines = [f"{pad}{i} = 0", f"{pad}while {i} < {limit}{cond}:", f"{pad}    {i} += 1"]
        self.vars["int"].append(i)
        try:
            lines += self.loop_body(indent, d)
        finally:
            self.vars["int"].remove(i)
        if self.chance(3):
            lines += [f"{pad}else:"] + self.block(indent + 1, d, 2)
        return lines

    def try_stmt(self, indent: int, d: int) -> list[str]:
        pad = "    " * indent
        lines = [f"{pad}try:"] + self.block(indent + 1, d, 3)
        handlers = self.draw(st.integers(0, 2))
        finally_ = self.chance(3) or handlers == 0
        for _ in range(handlers):
            classes = self.choice(EXCEPTIONS + ["(KeyError, IndexError)", "LookupError", "ArithmeticError", "Exception"])
            if self.chance(5):
                shown = self.choice(["str(e)", "str(e)", "type(e).__name__"])
                lines += [f"{pad}except {classes} as e:", f"{pad}    text += {shown}"]
                lines += self.block(indent + 1, d, 1) if self.chance(3) else []
            else:
                lines += [f"{pad}except {classes}:"] + self.block(indent + 1, d, 2)
        if handlers and self.chance(3):
            lines += [f"{pad}else:"] + self.block(indent + 1, d, 2)
        if finally_:
            lines += [f"{pad}finally:"] + self.block(indent + 1, d, 2)
        return lines

    def item_alias(self, pad: str, e: int) -> list[str]:
        """`g = groups.setdefault(key, [])` (or `groups[key]`: KeyError when missing), then `g`
        changed in place, with `groups` read, changed or set again in between now and then."""
        g = self.name("g")
        key = self.choice([f'"{k}"' for k in "abc"] + [self.expr_str(e)])
        # groups[key] only after a setdefault: else groups' items never exist (type "nothing", refused)
        bind = self.choice([f"groups.setdefault({key}, [])"] + ([f"groups[{key}]"] if self.grouped else []))
        self.grouped = True
        lines = [f"{pad}{g} = {bind}", f"{pad}{g}.append({self.expr_int(e)})"]
        between = self.choice([  # the last one (refused) rarely: it would dominate the refusals
            [], [], [], [], [],
            [f"{pad}acc += len(groups.get({self.expr_str(0)}, []))"],
            [f"{pad}other = groups.setdefault({self.expr_str(0)}, [])", f"{pad}other.append(0)"],
            [f"{pad}groups[{self.expr_str(0)}] = [{self.expr_int(0)}]"],  # refused: may replace g's list
        ])
        lines += between
        lines.append(f"{pad}{g}.{self.choice(['append(acc)', 'sort()', 'reverse()', 'pop()', 'extend(out)'])}")
        return lines + [f"{pad}acc += len({g})"]

    def group_by(self, indent: int) -> list[str]:
        pad = "    " * indent
        source = self.choice(self.vars["words"])
        w = self.name("w")
        key = self.choice([f"{w}[:1]", f"str(len({w}))", f"{w}.strip()"])
        return [f"{pad}for {w} in {source}:",
                f"{pad}    counts[{key}] = counts.get({key}, 0) + 1"]

    def result(self) -> str:
        """Every local, so that what any statement computed shows (a subset let a loop that ran
        the wrong items go unseen: the break bug of session 13)."""
        return "{" + ", ".join(f'"{v}": {v}' for v in LOCALS) + "}"


@st.composite
def programs(draw) -> Program:
    gen = _Gen(draw)
    chosen = draw(st.lists(st.sampled_from(list(PARAMS)), min_size=1, max_size=4, unique=True))
    params = []
    # every kind has at least one variable to draw from
    for name, kind in PARAMS.items():
        if name in chosen:
            params.append((name, kind, draw(st.booleans())))
    for name, (kind, _) in LOCALS.items():
        gen.vars[kind].append(name)
    for name, kind, annotated in params:
        gen.vars[kind].append(name)
        gen.params[name] = (kind, annotated)
    prelude = []
    for kind, default in (("int", "n"), ("str", "s"), ("bool", "flag"), ("list", "xs"),
                          ("words", "words"), ("dict", "d")):
        if default not in chosen:
            value = {"int": "3", "str": '"a,b"', "bool": "False", "list": "[1, 2, 3]",
                     "words": '["a", "bb"]', "dict": '{"a": 1}'}[kind]
            prelude.append(f"    {default} = {value}")
            gen.vars[kind].append(default)
    if GRID:
        prelude.append("    grid = [list(xs), [n, len(s)], []]")
    if TABLES:
        prelude.append('    ops = {"b": bump, "r": risky, 3: triple}')
    body = gen.block(1, 2, 5)
    signature = ", ".join(f"{name}: {ANNOTATION[kind]}" if annotated else name
                          for name, kind, annotated in params)
    lines = ["@sfn.workflow", f"def main({signature}):"]
    lines += [f"    {name} = {init}" for name, (_, init) in LOCALS.items()]
    if MIXED_NUMBERS:
        lines.append("    num = 0")
    if NESTED_HELPERS:
        lines += HELPERS.rstrip("\n").split("\n")
    lines += prelude + body + [f"    return {gen.result()}"]
    return Program(CALLEES + "\n\n" + "\n".join(lines) + "\n", tuple(params))


def _value(kind: str):
    return {"int": st.integers(-5, 30), "str": WORDS, "bool": st.booleans(),
            "list": st.lists(SMALL_INTS, max_size=6), "words": st.lists(WORDS, max_size=5),
            "dict": st.dictionaries(KEYS, SMALL_INTS, max_size=3)}[kind]


def inputs(program: Program) -> st.SearchStrategy:
    """An input for the program: mostly of the declared kinds; an unannotated parameter gets a
    value of another kind now and then (Python's TypeErrors at run time)."""
    fields = {}
    for name, kind, annotated in program.params:
        strategy = _value(kind)
        if not annotated:
            others = [k for k in ("int", "str", "list", "dict") if k != kind]
            strategy = st.integers(0, 9).flatmap(
                lambda roll, usual=strategy, others=others: usual if roll else st.sampled_from(others).flatmap(_value))
        fields[name] = strategy
    return st.fixed_dictionaries(fields)
