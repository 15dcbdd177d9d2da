"""Identifiers the fakes hand out (message ids, event ids, ETags' inputs, sequence numbers):
drawn from one seeded generator per LocalAws, so two runs that make the same calls in the same
order see the same ids. Never uuid4 or the clock."""

from __future__ import annotations

import random
import uuid


class Ids:
    """A LocalAws's source of identifiers."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._sequence = 10_000_000_000_000_000_000

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex(self, digits: int) -> str:
        return f"{self._rng.getrandbits(digits * 4):0{digits}x}"

    def sequence_number(self) -> str:
        """The next FIFO sequence number (a 20-digit decimal string, increasing)."""
        self._sequence += 1
        return str(self._sequence)
