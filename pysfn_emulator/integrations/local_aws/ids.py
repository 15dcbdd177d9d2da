"""Identifiers the fakes hand out (message ids, event ids, sequence numbers): drawn from one
seeded generator per LocalAws, so two runs that make the same calls in the same order see the
same ids, never uuid4 or the clock. And the byte budget that bounds what the fakes hold."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable


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


MAX_BYTES = 256 * 1024 * 1024  # what one LocalAws holds at most, all services together


class Budget:
    """The bytes a LocalAws's fakes hold (items, objects, messages, events), bounded: a write
    past the bound is refused with the service's own throttling or limit error."""

    def __init__(self, limit: int = MAX_BYTES) -> None:
        self.limit = limit
        self.used = 0

    def charge(self, added: int, freed: int, failure: Callable[[str], Exception]) -> None:
        """Account for a write of `added` bytes replacing `freed`; raises `failure(message)` past the bound."""
        if self.used + added - freed > self.limit:
            raise failure(f"pysfn's local AWS holds at most {self.limit} bytes; this write would exceed it")
        self.used += added - freed

    def release(self, freed: int) -> None:
        self.used = max(0, self.used - freed)
