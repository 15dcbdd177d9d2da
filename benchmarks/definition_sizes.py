"""Definition sizes: how large the compiled state machine of every examples/*.py is.

Not a test: run it by hand and paste its table into benchmarks/README.md (issue 10 item 5,
"readable output": the seed example in at most 8 states and 4 KB, no field over 1,000
characters unless the user's own expression is that large).

    python benchmarks/definition_sizes.py            # the Markdown table
    python benchmarks/definition_sizes.py --fields   # also each example's five largest fields

"states" counts every state, those inside Parallel branches and Map item processors too;
"bytes" is the definition as compact JSON (UTF-8, no spaces after separators), what AWS's
definition size quota measures; "largest field" is the longest string value in it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's compiler, not an installed one

from pysfn_compile import compile_file  # noqa: E402

EXAMPLES = ROOT / "examples"


def count_states(graph: dict) -> int:
    """States of a machine, a branch or an item processor, nested ones included."""
    total = 0
    for state in graph.get("States", {}).values():
        total += 1
        for branch in state.get("Branches", []):
            total += count_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                total += count_states(state[key])
    return total


def fields(value, where: str = ""):
    """(JSON pointer, text) of every string in the definition."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from fields(item, f"{where}/{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from fields(item, f"{where}/{position}")


def measure(path: Path) -> dict:
    definition = compile_file(path).definition
    text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    strings = sorted(fields(definition), key=lambda pair: -len(pair[1]))
    return {"name": path.stem, "states": count_states(definition), "bytes": len(text.encode("utf-8")),
            "largest": len(strings[0][1]) if strings else 0, "fields": strings[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", action="store_true", help="print each example's largest fields")
    options = parser.parse_args()
    rows = [measure(path) for path in sorted(EXAMPLES.glob("*.py")) if not path.name.endswith(".services.py")]
    print("| example | states | bytes | largest field |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['name']} | {row['states']} | {row['bytes']:,} | {row['largest']:,} |")
    print(f"| total | {sum(r['states'] for r in rows)} | {sum(r['bytes'] for r in rows):,} | "
          f"{max(r['largest'] for r in rows):,} |")
    if options.fields:
        for row in rows:
            print(f"\n{row['name']}:")
            for pointer, text in row["fields"]:
                print(f"  {len(text):6,}  {pointer}")


if __name__ == "__main__":
    main()
