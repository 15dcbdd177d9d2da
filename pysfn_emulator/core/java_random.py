"""java.util.Random, bit for bit: AWS seeds States.MathRandom and JSONata's $random(seed)
with it, so the same seed gives the same numbers here as there."""

from __future__ import annotations


class JavaRandom:
    _MULTIPLIER = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int):
        self._seed = (seed ^ self._MULTIPLIER) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULTIPLIER + 0xB) & self._MASK
        return self._seed >> (48 - bits)

    def next_int(self, bound: int) -> int:
        """Random.nextInt(bound) for 0 < bound < 2**31."""
        value = self._next(31)
        if bound & (bound - 1) == 0:
            return (bound * value) >> 31
        while True:
            result = value % bound
            if value - result + bound - 1 < 2**31:
                return result
            value = self._next(31)

    def next_double(self) -> float:
        """Random.nextDouble()."""
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53
