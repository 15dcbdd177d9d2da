"""The emulator's robustness fuzzing (issue 9): whatever the definition and input,

- `validate` returns a list of problems and never raises;
- `run` raises nothing but `DefinitionError`, and that exactly when `validate` reports problems
  (its documented other refusals: NotSupportedError, a valid definition using what the emulator
  cannot run yet, and InvalidExecutionInput, exactly for an input that is not JSON);
- every execution ends (a wall-clock watchdog detects one that does not; it asserts nothing
  about speed);
- the same definition, input, seed and start time give the same status, output, error, cause
  and history twice;
- the status is one of the four, and the output is JSON (no NaN, nothing Python-only).

CI runs a fixed, derandomized set of examples. `PYSFN_FUZZ_EXAMPLES=N` runs N per test,
`PYSFN_FUZZ_SEED=S` explores other examples, `PYSFN_FUZZ_LOG=file.jsonl` records the first
example of each distinct failure class and keeps going instead of stopping at the first, and
`PYSFN_FUZZ_KNOWN_TRIGGERS=0` leaves out the triggers of the classes issue 9 listed
(fuzz_strategies.py), and the check that nothing is printed.
docs/fuzzing.md has the long run and what it found.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import traceback
from pathlib import Path

import pytest
from fuzz_strategies import (
    KNOWN_TRIGGERS,
    Trial,
    corpus_cases,
    expression_trials,
    generated_trials,
    mutated_corpus_trials,
)
from hypothesis import HealthCheck, given, seed, settings

import pysfn_emulator
from conformance.runner import CaseTimeout, time_limit

EXAMPLES = int(os.environ.get("PYSFN_FUZZ_EXAMPLES", "0") or 0)
SEED = os.environ.get("PYSFN_FUZZ_SEED")
LOG = os.environ.get("PYSFN_FUZZ_LOG")
# Wall-clock seconds one run may take before it counts as hung (a detector, not a speed check:
# the slowest trial of the CI run takes well under a second).
WATCHDOG_SECONDS = float(os.environ.get("PYSFN_FUZZ_WATCHDOG", "120"))
STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
RUN_SEED = 7


def fuzz_settings(ci_examples: int):
    """Bounded and deterministic in CI; scaled and reseeded from the environment for a long run."""
    chosen = settings(
        max_examples=EXAMPLES or ci_examples,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )

    def decorate(test):
        test = chosen(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return decorate


# -- one trial -------------------------------------------------------------------------------------


class Refused(Exception):
    """`run` raised DefinitionError (the outcome compared, not a failure)."""


def outcome(trial: Trial) -> tuple:
    """What one run gives: ('refused', kind) or (status, output, error, cause, history)."""
    try:
        with time_limit(WATCHDOG_SECONDS):
            execution = pysfn_emulator.run(
                trial.definition,
                trial.input,
                lambdas=trial.all_handlers(),
                state_machine_type=trial.state_machine_type,
                start_time=trial.start_time,
                seed=RUN_SEED,
            )
    except pysfn_emulator.DefinitionError:
        return ("refused", "DefinitionError")
    except pysfn_emulator.NotSupportedError:
        return ("refused", "NotSupportedError")
    except pysfn_emulator.InvalidExecutionInput:
        return ("refused", "InvalidExecutionInput")
    return (execution.status, execution.output, execution.error, execution.cause, execution.history)


def check(trial: Trial) -> None:
    """Every property of the module for one trial; raises AssertionError (or what escaped)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        problems = pysfn_emulator.validate(trial.definition, state_machine_type=trial.state_machine_type)
        assert isinstance(problems, list), f"validate returned {problems!r}"
        first = outcome(trial)
        second = outcome(trial)
    refused = first[0] == "refused"
    if problems:
        assert first == ("refused", "DefinitionError"), f"run accepts what validate refuses: {problems[:3]}, run gave {first[:4]}"
    else:
        assert first != ("refused", "DefinitionError"), "run refuses what validate accepts"
        if first == ("refused", "InvalidExecutionInput"):
            assert not is_json(trial.input) or depth(trial.input) > 900, "run refuses a JSON input"
        elif depth(trial.input) < 500:
            assert is_json(trial.input), "run accepts an input that is not JSON"
    if not refused:
        status, output, error, cause, history = first
        assert status in STATUSES, f"unknown status: {status!r}"
        assert is_json(output), f"output is not JSON: {output!r:.200}"
        assert error is None or isinstance(error, str), f"error is not a string: {error!r:.200}"
        assert cause is None or isinstance(cause, str), f"cause is not a string: {cause!r:.200}"
        assert is_json(history), "history is not JSON"
    assert first[:4] == second[:4], f"two runs differ: {first[:4]!r:.300} then {second[:4]!r:.300}"
    assert first == second, "two runs differ in their history"
    if KNOWN_TRIGGERS:
        assert printed.getvalue() == "", f"something printed: {printed.getvalue()[:200]!r}"


def is_json(value: object) -> bool:
    """Strict JSON (no NaN or Infinity; timestamps of history events as text)."""
    try:
        json.dumps(value, allow_nan=False, default=lambda v: v.isoformat())
    except (TypeError, ValueError, AttributeError, RecursionError):
        return False
    return True


def depth(value: object) -> int:
    """How deep lists and objects nest in `value` (without recursion: it may be very deep)."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            todo.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            todo.extend((child, level + 1) for child in node)
    return deepest


# -- failure classes (PYSFN_FUZZ_LOG) --------------------------------------------------------------


def failure_class(failure: BaseException) -> str:
    """`Type at file:function` of the deepest frame in the emulator or a library it calls."""
    frames = [f for f in traceback.extract_tb(failure.__traceback__) if "test_fuzz" not in f.filename]
    where = ""
    for frame in reversed(frames):
        if "pysfn_emulator" in frame.filename or "site-packages" in frame.filename:
            where = f" at {Path(frame.filename).name}:{frame.name}"
            break
    if isinstance(failure, AssertionError):  # our messages say the class before the first colon
        return f"AssertionError: {str(failure).split(':')[0]}"
    return f"{type(failure).__name__}{where}"


_seen: dict[str, int] = {}


def record(trial: Trial, failure: BaseException) -> None:
    """Append the trial to the log if it is the smallest example of its class so far."""
    name = failure_class(failure)
    size = len(trial.reproducer())
    if name in _seen and _seen[name] <= size:
        return
    _seen[name] = size
    try:
        text = str(failure)[:500]
    except Exception as inner:  # an exception whose str() raises is itself a finding
        text = f"<str() raised {inner!r}>"
    entry = {"class": name, "message": text, "origin": trial.origin, "type": trial.state_machine_type,
             "reproducer": trial.reproducer(), "traceback": traceback.format_exception(failure)[-6:]}
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry, default=repr) + "\n")


_examples_run = [0]


def check_or_record(trial: Trial, well_formed: bool = False) -> None:
    """`check` (and, for a generated machine, that AWS would accept it); with PYSFN_FUZZ_LOG a
    failure is logged and the run goes on (and `LOG.count` says how many examples ran)."""
    if LOG:
        _examples_run[0] += 1
        if _examples_run[0] % 50 == 0:
            Path(f"{LOG}.count").write_text(f"{_examples_run[0]}\n", encoding="utf-8")
    try:
        if well_formed:
            problems = pysfn_emulator.validate(trial.definition, state_machine_type=trial.state_machine_type)
            assert problems == [], f"a generated machine is refused: {problems[:3]}"
        check(trial)
    except (Exception, CaseTimeout) as failure:
        if not LOG:
            raise
        record(trial, failure)


# -- the tests --------------------------------------------------------------------------------------


@fuzz_settings(ci_examples=150)
@given(trial=generated_trials())
def test_random_well_formed_machines_run_cleanly(trial: Trial) -> None:
    check_or_record(trial, well_formed=True)


@fuzz_settings(ci_examples=150)
@given(trial=expression_trials())
def test_random_expressions_evaluate_cleanly(trial: Trial) -> None:
    check_or_record(trial)


needs_corpus = pytest.mark.skipif(not corpus_cases(), reason="the AWS-recorded corpus is not there")


@needs_corpus
@fuzz_settings(ci_examples=250)
@given(trial=mutated_corpus_trials())
def test_mutated_corpus_machines_run_cleanly(trial: Trial) -> None:
    check_or_record(trial)
