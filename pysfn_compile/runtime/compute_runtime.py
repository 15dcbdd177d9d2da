"""What a block computed in the workflow's Lambda (compute_in_lambda) checks as its values
leave Python for the state machine.

Copied verbatim into the Lambda package next to the generated `pysfn_computed.py`, so it
imports only the standard library. The compiler proves at compile time what it can (the static
type of every variable leaving the block); this module checks at run time that the value is
what was proven, so that a difference between Python and the machine is a loud failure, never
a silent one:

- a value of unknown type must be JSON that means the same on both sides: JSON has one number
  type and the machine reads an integral number of unknown type as an int, so an integral
  float (`2.0`) is refused, and so are tuples, sets, non-str dict keys, ints beyond 2**53 - 1,
  NaN and infinities;
- a value of a known type must be exactly that type (a `float` is a float, not an int);
- a list or dict the block received and changed in place where the compiler could not see it
  (`heapq.heappush(xs, 1)`) would not be changed in the machine: refused.

A refusal raises `pysfn.ComputedValue` (the Lambda error's name); the machine stops with it
(its `except` clauses do not catch it: Python raised nothing there).
"""

from __future__ import annotations

import json
import math

from .dispatch import error_type

SAFE_INTEGER = 2**53 - 1
ERROR = "pysfn.ComputedValue"

ComputedValue = type(ERROR, (Exception,), {"__module__": "pysfn"})

__all__ = ["ERROR", "ComputedValue", "results", "snapshot", "unbound"]


def snapshot(values: dict, names: tuple) -> dict:
    """The lists and dicts a block received, with their JSON text, to tell later whether it
    changed them (through any name: the object itself is kept)."""
    return {name: (values[name], json.dumps(values[name], sort_keys=True)) for name in names
            if isinstance(values.get(name), (list, dict))}


# what a variable holds where Python has not assigned it (the compiler's exprs.UNBOUND: no JSON
# input or callee result is this object, so the machine's read of it raises UnboundLocalError)
UNBOUND = {"@pysfn": "unbound"}


def unbound(value) -> bool:
    """Whether a block's input is the machine's marker of a variable not assigned (the block
    deletes it: a read raises UnboundLocalError there, as in Python)."""
    return type(value) is dict and value == UNBOUND


def results(values: dict, specs: dict, before: dict, where: str, raised: BaseException | None = None,
            known: dict | None = None) -> dict:
    """{"values": {name: value}, "raised": None or {"type", "message"}}: the variables leaving
    the block (UNBOUND for one it left unbound), each checked against its spec (see `problem`),
    and the exception the block raised (the machine raises it again after setting the values
    the block had set: Python's state at the raise), named as dispatch.error_type names it
    (`known`: the workflow module's globals)."""
    for name, (value, text) in before.items():
        if json.dumps(value, sort_keys=True) != text:
            raise ComputedValue(f"{where}: the block changed '{name}' in place where the compiler could not see it; "
                                "the state machine would keep the old value (copy it before changing it, and "
                                "assign the copy)")
    out = {}
    for name, spec in specs.items():
        if name not in values:
            out[name] = dict(UNBOUND)  # a later read raises UnboundLocalError, as in Python
            continue
        value = values[name]
        trouble = problem(value, spec)
        if trouble:
            raise ComputedValue(f"{where}: '{name}' cannot leave the block computed in the Lambda: {trouble}")
        out[name] = value
    record = None if raised is None else {"type": error_type(type(raised), known), "message": str(raised)}
    return {"values": out, "raised": record}


def problem(value, spec, depth: int = 0) -> str | None:
    """What is wrong with `value` as a JSON value of `spec`, or None. A spec is "any" or
    {"kinds": [...], "elem": spec, "value": spec} over the kinds int, float, number, bool,
    str, none, list, dict."""
    if depth > 100:
        return "it is nested too deeply"
    if spec == "any":
        return _any_problem(value, depth)
    kinds = spec["kinds"]
    if value is None:
        return None if "none" in kinds else "it is None"
    if isinstance(value, bool):
        return None if "bool" in kinds else "it is a bool"
    if isinstance(value, int):
        if "int" not in kinds and "number" not in kinds:
            return "it is an int where the compiler expected a float"
        return None if abs(value) <= SAFE_INTEGER else f"the int {value} is beyond 2**53 - 1"
    if isinstance(value, float):
        if "float" not in kinds and "number" not in kinds:
            return "it is a float where the compiler expected an int"
        return None if math.isfinite(value) else f"{value} is not a JSON number"
    if isinstance(value, str):
        return None if "str" in kinds else "it is a str"
    if type(value) is list:
        if "list" not in kinds:
            return "it is a list"
        for item in value:
            trouble = problem(item, spec.get("elem", "any"), depth + 1)
            if trouble:
                return trouble
        return None
    if type(value) is dict:
        if "dict" not in kinds:
            return "it is a dict"
        for key, item in value.items():
            if not isinstance(key, str):
                return f"it has the key {key!r} (JSON keys are strings)"
            trouble = problem(item, spec.get("value", "any"), depth + 1)
            if trouble:
                return trouble
        return None
    return _not_json(value)


def _any_problem(value, depth: int) -> str | None:
    if depth > 100:
        return "it is nested too deeply"
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        return None if abs(value) <= SAFE_INTEGER else f"the int {value} is beyond 2**53 - 1"
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value} is not a JSON number"
        if value == int(value):
            return (f"the float {value!r} is integral, and the machine reads an integral number of unknown "
                    "type as an int; convert it where it is computed (int(...)), or make its type known")
        return None
    if type(value) is list:
        for item in value:
            trouble = _any_problem(item, depth + 1)
            if trouble:
                return trouble
        return None
    if type(value) is dict:
        for key, item in value.items():
            if not isinstance(key, str):
                return f"it has the key {key!r} (JSON keys are strings)"
            trouble = _any_problem(item, depth + 1)
            if trouble:
                return trouble
        return None
    return _not_json(value)


def _not_json(value) -> str:
    name = type(value).__name__
    hint = {"tuple": "list(...)", "set": "sorted(...)", "frozenset": "sorted(...)", "datetime": ".isoformat()",
            "date": ".isoformat()", "time": ".isoformat()", "timedelta": ".total_seconds()"}.get(name)
    return f"it is a {name}, which JSON cannot carry" + (f" (convert it with {hint})" if hint else "")
