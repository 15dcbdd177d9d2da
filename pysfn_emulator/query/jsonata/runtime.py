"""The `Runtime` an execution lends its expressions: the seeded random source and the clock."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import attrs


def _wall_clock_ms() -> int:
    return int(time.time() * 1000)


@attrs.define(slots=True, eq=False)
class Runtime:
    """What an execution lends its expressions: a random source and a clock (epoch ms)."""

    rng: random.Random = attrs.field(factory=random.Random)
    now_ms: Callable[[], int] = attrs.field(default=_wall_clock_ms)


DEFAULT_RUNTIME = Runtime()
