"""Field sizes: every field of the compiled examples over 1,000 characters, and what made it.

Issue 10 item 5 asks for "no helper text repeated within a field and no field over 1,000
characters unless the user's own expression is that large". This lists each such field of
every examples/*.py with its state and size, split into:

- helpers: the JSONata helper definitions at the field's start (`$__truthy := function...`;
  a state machine has no place for shared functions, so each field defines what it calls),
  and how many of them are repeated within the field (the issue wants none);
- source: the Python text of the lines the field's state runs (its Comment names them): the
  user's own expression, as written;
- plumbing: a folded block's or loop's carried variables (the `{"@step": ...}` objects naming
  what a way out sets, `$x := $lookup($s, "x")` unpacking them, the step driver);
- guards and the rest: everything else the compiler wrote (the checks Python's exceptions
  need, type dispatch on values of unknown type, the compiled expression itself).

The rule (tests/compile/test_readable_output.py checks it): a field may pass 1,000 characters
only when the source text its state runs is itself over 1,000 characters ("user").

    python benchmarks/field_sizes.py            # the Markdown table of fields over the limit
    python benchmarks/field_sizes.py --all      # every example's largest field, over or not
    python benchmarks/field_sizes.py --ratchet  # the test's FIELDS_OVER_THE_LIMIT as they are now
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's compiler, not an installed one

from pysfn_compile import compile_file  # noqa: E402
from pysfn_compile.graph import jsonata_lib  # noqa: E402

EXAMPLES = ROOT / "examples"
LIMIT = 1000
_LINES = re.compile(r"lines? (\d+)(?:-(\d+))?: ")
# the carried variables of a folded loop or block: the step objects, their unpacking and the driver
# (the locals are `$s`, `$n`, ... or, where the machine mentions that name, `$__pl_s`, `$__pl_n`, ...)
_PLUMBING = (
    # a step's end: `{"@step": 3, "x": $x, ...}`, or its head where the last field holds a
    # value in place of a variable (`{"@step": 3, "__exc": ` of `{"@step": 3, "__exc": {...}}`)
    re.compile(r'\{"@step": \d+(?:, "[^"]*": \$[A-Za-z_][A-Za-z0-9_]*)*(?:\}|, "[^"]*": )'),
    re.compile(r'\$[A-Za-z_][A-Za-z0-9_]* := \$lookup\(\$(?:__pl_*_)?s, "[^"]*"\); '),
    re.compile(r"\$reduce\(\[\d+(?:, \d+)*\], function\(\$(?:__pl_*_)?s, \$(?:__pl_*_)?n\) \{ [^{}]* \}, "),
    # a `for` loop's `$reduce` over its items: the last position of this evaluation, the
    # function's head (before its first item, after its last, the budget's stop)
    re.compile(r"\$(?:__pl_*_)?k := \$\w+ \+ [^;]*; "),
    re.compile(r'\$reduce\(\$\w+, function\((\$\w+), \$\w+, (\$\w+)\) \{ \2 < \$\w+ or \$lookup\(\1, "@step"\) '
               r'!= \d+ \? \1 : \2 >= \$\w+(?: \+ \d+)? \? \$merge\(\[\1, \{"@step": 0, "\w+": \2\}\]\) : \('),
)


@attrs.frozen
class Field:
    """One string of a definition, measured."""

    example: str
    state: str  # the state holding it (the innermost, for states inside a Map or Parallel)
    pointer: str  # its JSON pointer
    size: int
    helpers: int  # characters of helper definitions
    repeated_helpers: int  # helper definitions that occur more than once in it
    source: int  # characters of the Python source lines its state runs
    plumbing: int

    @property
    def rest(self) -> int:
        return max(0, self.size - self.helpers - self.plumbing)

    @property
    def users(self) -> bool:
        """Over the limit because the user's own source is: allowed by the rule."""
        return self.source > LIMIT


def _definition(name: str) -> str:
    """A helper's definition as a field writes it (jsonata_lib.prelude)."""
    text = jsonata_lib.prelude([name])
    start = text.find(f"$__{name} := function(")
    return text[start:]


def strings(value, where: str = "", state: str = ""):
    """(JSON pointer, the state holding it, text) of every string of a definition."""
    if isinstance(value, str):
        yield where, state, value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = key if where.endswith("/States") else state
            yield from strings(item, f"{where}/{key}", inner)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from strings(item, f"{where}/{position}", state)


def states(value) -> dict[str, dict]:
    """Every state of a definition by name, nested ones included (names are unique)."""
    found: dict[str, dict] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "States" and isinstance(item, dict):
                found.update(item)
            found.update(states(item))
    elif isinstance(value, list):
        for item in value:
            found.update(states(item))
    return found


def source_size(comment: str | None, source_lines: list[str]) -> int:
    """Characters of the source lines a state's Comment names (stripped of indentation)."""
    match = _LINES.match(comment or "")
    if match is None:
        return 0
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    return sum(len(source_lines[n - 1].strip()) for n in range(first, last + 1) if 0 < n <= len(source_lines))


def measure(example: str, definition: dict, source: str) -> list[Field]:
    """Every field of a definition, measured."""
    definitions = {name: _definition(name) for name in jsonata_lib.HELPERS}
    by_name = states(definition)
    lines = source.splitlines()
    out = []
    for pointer, state, text in strings(definition):
        helpers = repeated = 0
        for written in definitions.values():
            times = text.count(written)
            helpers += times * len(written)
            repeated += max(0, times - 1)
        plumbing = _covered(text, _PLUMBING)
        comment = by_name.get(state, {}).get("Comment")
        out.append(Field(example, state, pointer, len(text), helpers, repeated,
                         source_size(comment, lines), plumbing))
    return out


def _covered(text: str, patterns) -> int:
    """Characters of `text` some pattern matches (each counted once where matches overlap)."""
    spans = sorted(m.span() for pattern in patterns for m in pattern.finditer(text))
    total, end = 0, 0
    for start, stop in spans:
        total += max(0, stop - max(start, end))
        end = max(end, stop)
    return total


def example_fields(path: Path) -> list[Field]:
    return measure(path.stem, compile_file(path).definition, path.read_text())


def over_limit(fields: list[Field]) -> list[Field]:
    return sorted((f for f in fields if f.size > LIMIT), key=lambda f: -f.size)


def table(rows: list[Field]) -> str:
    out = ["| example | state / field | size | helpers (repeated) | plumbing | guards and the rest | source | user's? |",
           "|---|---|---:|---:|---:|---:|---:|---|"]
    for f in rows:
        where = f.pointer.rsplit("/States/", 1)[-1]
        where = where if len(where) <= 70 else where[:69] + "…"
        out.append(f"| {f.example} | {where} | {f.size:,} | {f.helpers:,} ({f.repeated_helpers}) | "
                   f"{f.plumbing:,} | {f.rest:,} | {f.source:,} | {'yes' if f.users else 'no'} |")
    return "\n".join(out)


def example_workflows() -> list[Path]:
    """The examples' workflows (not their `NAME.services.py` seeds of local AWS services)."""
    return [p for p in sorted(EXAMPLES.glob("*.py")) if not p.name.endswith(".services.py")]


def ratchet(fields_by_example: dict[str, list[Field]] | None = None) -> dict[str, tuple[int, int]]:
    """Per example, (how many, the largest) of its fields over the limit that the user's source
    does not explain: what tests/compile/test_readable_output.py's FIELDS_OVER_THE_LIMIT holds."""
    if fields_by_example is None:
        fields_by_example = {path.stem: example_fields(path) for path in example_workflows()}
    found = {}
    for name, fields in fields_by_example.items():
        over = [f for f in over_limit(fields) if not f.users]
        if over:
            found[name] = (len(over), max(f.size for f in over))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="each example's largest field, over the limit or not")
    parser.add_argument("--json", action="store_true", help="the rows as JSON")
    parser.add_argument("--ratchet", action="store_true",
                        help="the per-example figures for the test's FIELDS_OVER_THE_LIMIT, as a Python dict")
    options = parser.parse_args()
    if options.ratchet:
        print(ratchet())
        return
    rows: list[Field] = []
    for path in example_workflows():
        fields = example_fields(path)
        rows += [max(fields, key=lambda f: f.size)] if options.all else over_limit(fields)
    if options.json:
        print(json.dumps([attrs.asdict(r) for r in rows], indent=1))
        return
    print(table(rows))
    over = [r for r in rows if r.size > LIMIT]
    print(f"\n{len(over)} fields over {LIMIT:,} characters, {sum(1 for r in over if not r.users)} of them "
          f"not the user's own expression; {sum(r.size for r in over):,} characters, of which helpers "
          f"{sum(r.helpers for r in over):,}, plumbing {sum(r.plumbing for r in over):,}, "
          f"guards and the rest {sum(r.rest for r in over):,}; repeated helper definitions "
          f"{sum(r.repeated_helpers for r in over)}")


if __name__ == "__main__":
    main()
