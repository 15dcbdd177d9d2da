"""Intrinsic functions (`States.Format(...)` and the 17 others), parsed once with lark.

    call = parse_intrinsic("States.Format('Hello {}', $.name)")  # IntrinsicSyntaxError if AWS
    value = call.evaluate(data, context, variables)               # would refuse the definition
    call.returns_string   # allowed in a Fail state's ErrorPath / CausePath

A failure at run time raises `errors.StatesError("States.Runtime", cause)`, as AWS reports it.

Randomness (MathRandom without a seed, UUID) comes from `evaluate(..., rng=...)`: an
execution passes its own generator down every payload template (query/payload.py), so two
executions never draw from each other's; without one, a fresh unseeded generator. Seed the
execution's generator to make a run repeatable. A seeded MathRandom uses java.util.Random, as AWS does, and needs no source.
"""

from __future__ import annotations

from .functions import FUNCTIONS
from .parser import MAX_DEPTH, IntrinsicCall, IntrinsicSyntaxError, parse_intrinsic

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "IntrinsicCall",
    "IntrinsicSyntaxError",
    "parse_intrinsic",
]
