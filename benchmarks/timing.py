"""Timing an emulated execution for the benchmark scripts (best of a few runs, CPU seconds of
this process: other jobs on the machine skew them less than wall-clock time)."""

from __future__ import annotations

import time

import pysfn_emulator


def best_run(compiled, payload, runs: int = 3) -> str:
    """'0.42 s', or '0.42 s (the error)' where the execution did not succeed."""
    best, status = None, ""
    for _ in range(runs):
        started = time.process_time()
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas())
        seconds = time.process_time() - started
        best = seconds if best is None else min(best, seconds)
        status = execution.status if execution.status == "SUCCEEDED" else execution.error
    return f"{best:.2f} s" + ("" if status == "SUCCEEDED" else f" ({status})")
