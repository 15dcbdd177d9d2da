"""Differential testing of the compiler: random workflows (workflow_gen.py) run as plain Python
and as the compiled machine in the emulator must give the same status, output, error and cause,
and call the same callees with the same arguments in the same order.

The CI run is bounded and derandomized. Environment variables for longer runs (see
docs/fuzzing-compiler.md):
  PYSFN_DIFF_EXAMPLES  the number of programs (default 100)
  PYSFN_DIFF_SEED      a seed for a randomized run (default: derandomized, so CI is deterministic)
  PYSFN_DIFF_COLLECT   a path: record every mismatch there (JSON lines) and go on, instead of
                       failing at the first one (and write refusal statistics to PATH.stats.json)
  PYSFN_DIFF_BIG_LOOPS "1": loops over thousands of items too (workflow_gen.py)
  PYSFN_DIFF_COMPUTE_IN_LAMBDA "1": compile with compute_in_lambda (what JSONata cannot compute
                       runs as Python in the workflow's Lambda)
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import textwrap
import types

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pysfn_compile import CompileError

from .helpers import compile_text, emulate, same
from .workflow_gen import COMPUTE_IN_LAMBDA, inputs, programs

EXAMPLES = int(os.environ.get("PYSFN_DIFF_EXAMPLES", "100"))
SEED = os.environ.get("PYSFN_DIFF_SEED")
COLLECT = os.environ.get("PYSFN_DIFF_COLLECT")
INPUTS_PER_PROGRAM = 3
# a collecting run's limit on one input's two runs (real seconds): past it the input is recorded
# as a hang (a computed block looping in the local Lambda, where no timeout applies) and the run
# goes on; and the program being run is in COLLECT + ".current.json", for one that never returns
HANG_SECONDS = int(os.environ.get("PYSFN_DIFF_HANG_SECONDS", "120"))

# The machine stops with these where it cannot follow Python exactly and says so (README,
# "Values of unknown type"): a loud stop, never a silent difference, so not a mismatch.
LOUD_STOPS = {"pysfn.IntegerOverflow", "pysfn.Unsupported", "pysfn.UnprintableNumber",
              "pysfn.AmbiguousNumber", "pysfn.NonStringKey", "pysfn.ComputedValue"}

# AWS's limits, which plain Python does not have: the 25,000 history events of a STANDARD
# execution (a loop of thousands of iterations, until pure loops are lowered to JSONata) and
# the step budget of one JSONata evaluation (quadratic work over lists of thousands of items).
# Not a silent difference either; counted apart. So is States.DataLimitExceeded (a value over
# Step Functions' 256 KiB, e.g. a list doubled in a loop; a long run under `ulimit -v` may see
# Python's MemoryError for the same program).
LIMITS = ("history events.", "Expression evaluation timeout")
# So is pysfn.TimeLimitExceeded, the emulator's own guard against runaway executions (300 real
# seconds): a program of 15,000 callee calls met it on a machine busy with two other runs.
LIMIT_ERRORS = {"States.DataLimitExceeded", "pysfn.TimeLimitExceeded"}

STATS: collections.Counter = collections.Counter()
REASONS: collections.Counter = collections.Counter()
LOUD: collections.Counter = collections.Counter()  # the loud stops' causes, as reason() shortens them


def reason(message: str) -> str:
    """A refusal message without the names and values that vary between programs."""
    message = re.sub(r" \(`[^`]*` is any JSON value: .*\)$", "", message)  # where the value comes from
    message = re.sub(r"'[^']*'|`[^`]*`|\"[^\"]*\"", "…", message)
    return re.sub(r"\d+", "N", message)


class PythonOutOfMemory(Exception):
    """Plain Python ran out of memory (a list doubled in a loop of 50: millions of callee
    calls recorded), under a long run's `ulimit -v`: nothing to compare the machine with."""


def run_both(compiled, payload) -> tuple[dict, list, dict, list]:
    """(python result, python's callee calls, machine result, the machine's callee calls)."""
    calls = compiled.module.CALLS
    calls.clear()
    try:
        python = compiled.run_python(payload)
        python_calls = json.loads(json.dumps(calls))
    except MemoryError:
        calls.clear()
        raise PythonOutOfMemory from None
    calls.clear()
    machine = emulate(compiled, payload)
    machine_calls = json.loads(json.dumps(calls))
    return python, python_calls, machine, machine_calls


def mismatch(python: dict, python_calls: list, machine: dict, machine_calls: list) -> str | None:
    """What differs, or None. A loud stop must still have called a prefix of Python's calls."""
    if machine["status"] == "FAILED" and machine["error"] in LOUD_STOPS and python["error"] not in LOUD_STOPS:
        STATS["loud stops"] += 1
        STATS["loud stops: " + machine["error"]] += 1
        LOUD[reason((machine["cause"] or "").split(";")[0])[:160]] += 1
        if machine_calls != python_calls[:len(machine_calls)]:
            return "calls before a loud stop"
        return None
    if machine["status"] == "FAILED" and (machine["error"] in LIMIT_ERRORS
                                          or any(limit in (machine["cause"] or "") for limit in LIMITS)):
        STATS["limits"] += 1
        if machine_calls != python_calls[:len(machine_calls)]:
            return "calls before a limit"
        return None
    if machine_calls != python_calls:
        return "calls"
    if not same(machine, python):  # (true is not 1)
        return "result"
    return None


def record(program, payload, what, python, python_calls, machine, machine_calls) -> None:
    text = (f"{what} differ for input {payload!r}\n{program.source.split(chr(10) + '@sfn.workflow')[1]}\n"
            f"  python:  {python}\n  calls:   {python_calls}\n"
            f"  machine: {machine}\n  calls:   {machine_calls}")
    if not COLLECT:
        raise AssertionError(text)
    STATS["mismatches"] += 1
    with open(COLLECT, "a") as out:
        out.write(json.dumps({"what": what, "source": program.source, "input": payload, "python": python,
                              "python_calls": python_calls, "machine": machine,
                              "machine_calls": machine_calls}) + "\n")


class Hang(Exception):
    pass


def _hang(signum, frame):
    raise Hang(f"no result after {HANG_SECONDS} s")


def write_stats() -> None:
    if COLLECT:
        with open(COLLECT + ".stats.json", "w") as out:
            json.dump({"stats": dict(STATS), "reasons": REASONS.most_common(40), "loud stops": LOUD.most_common(20)},
                      out, indent=1)


def fuzz_settings(test):
    test = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=True)(test)
    return seed(int(SEED))(test) if SEED is not None else test


@fuzz_settings
@given(st.data())
def test_random_workflows_agree_both_ways(data):
    program = data.draw(programs(), label="program")
    STATS["programs"] += 1
    try:
        compiled = compile_text(program.source, compute_in_lambda=COMPUTE_IN_LAMBDA)
    except CompileError as error:
        crashed = [p for p in error.problems if p.message.startswith("internal compiler error")]
        if crashed:  # a located report of a compiler bug is a defect, not a refusal
            if not COLLECT:
                raise
            record(program, None, f"compiler crash: {crashed[0].message}", {}, [], {}, [])
            return
        STATS["refused"] += 1
        for message in sorted({reason(p.message) for p in error.problems}):
            REASONS[message] += 1
        write_stats()
        return
    except Exception as error:  # a crash of the compiler is a defect too
        if not COLLECT:
            raise
        record(program, None, f"compiler crash {type(error).__name__}: {error}", {}, [], {}, [])
        return
    if getattr(compiled, "computed", None):
        STATS["programs with blocks computed in the Lambda"] += 1
    for _ in range(INPUTS_PER_PROGRAM):
        payload = data.draw(inputs(program), label="input")
        STATS["inputs"] += 1
        try:
            if COLLECT:
                with open(COLLECT + ".current.json", "w") as out:
                    json.dump({"source": program.source, "input": payload}, out)
                signal.signal(signal.SIGALRM, _hang)
                signal.alarm(HANG_SECONDS)
            try:
                results = run_both(compiled, payload)
            finally:
                if COLLECT:
                    signal.alarm(0)
        except PythonOutOfMemory:
            STATS["inputs Python ran out of memory on"] += 1
            continue
        except Exception as error:  # run() raises only DefinitionError, never for an execution
            if not COLLECT:
                raise
            record(program, payload, f"crash {type(error).__name__}: {error}", {}, [], {}, [])
            continue
        what = mismatch(*results)
        if what:
            record(program, payload, what, *results)
    write_stats()


def test_the_generator_covers_the_constructs():
    """The default strategies produce each construct the brief lists (a guard against a
    generator that silently stops producing some of them)."""
    wanted = ["for ", "while ", "break", "continue", "try:", "except", "finally:", "raise ",
              "assert ", " if ", " and ", " or ", "not ", "f\"", "sum(", "any(", "all(", "[", "{",
              ".append(", ".get(", "sorted(", "bump(", "risky(", "note(", "label(", "check(",
              "triple(", "else:", "elif ", " += repr(v"]
    seen: set[str] = set()

    # up to 4 x 500 programs, each batch from a fixed seed, until every construct came out: the
    # rarest (any(, all(, bump() come out about a dozen times in 500, and one 1,000-program run
    # left `any(` out in a full CI run once (session 16) though it never did alone
    for batch in range(4):
        @seed(batch)
        @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(programs())
        def collect(program):
            body = program.source.split("@sfn.workflow")[1]
            seen.update(w for w in wanted if w in body)

        collect()
        if set(wanted) <= seen:
            break
    assert set(wanted) - seen == set()


def test_a_refusal_reason_drops_what_varies():
    assert reason("'out' may share its value with 'xs' (line 12)") == "… may share its value with … (line N)"
    assert reason("int() of any JSON value is not supported (`s` is any JSON value: it comes from parameter `s` "
                  "(line 3), which has no annotation)") == "int() of any JSON value is not supported"
    assert textwrap.dedent("  a") == "a"


def test_aws_data_limit_is_a_limit_not_a_mismatch():
    """A value past Step Functions' 256 KiB fails the machine where Python goes on (or, under a
    memory limit, raises MemoryError): counted as a limit, as long as the calls before agree."""
    python = {"status": "FAILED", "output": None, "error": "MemoryError", "cause": ""}
    machine = {"status": "FAILED", "output": None, "error": "States.DataLimitExceeded", "cause": "too large"}
    assert mismatch(python, [["bump", 1]], machine, [["bump", 1]]) is None
    assert mismatch(python, [["bump", 1]], machine, [["bump", 2]]) == "calls before a limit"
    assert mismatch(python, [], dict(machine, error="States.Runtime"), []) == "result"


def test_the_emulators_time_guard_is_a_limit_not_a_mismatch():
    """pysfn.TimeLimitExceeded (the emulator's 300 real seconds) after the calls Python made
    first: a limit, as the history-event limit is."""
    python = {"status": "SUCCEEDED", "output": 1, "error": None, "cause": None}
    machine = {"status": "FAILED", "output": None, "error": "pysfn.TimeLimitExceeded", "cause": "took more than 300"}
    assert mismatch(python, [["label", 1], ["label", 2]], machine, [["label", 1]]) is None
    assert mismatch(python, [["label", 1]], machine, [["label", 2]]) == "calls before a limit"


def test_pythons_own_memory_error_is_no_crash_record():
    """A generated program whose plain run (or the copy of its callee calls) runs out of memory
    under a long run's `ulimit -v` has nothing to compare the machine with: run_both says so
    (the input is counted apart) instead of a crash record (seed 2201: a list doubled 50 times)."""
    class OutOfMemory:
        module = types.SimpleNamespace(CALLS=[["label", 1]])

        def run_python(self, payload):
            raise MemoryError

    with pytest.raises(PythonOutOfMemory):
        run_both(OutOfMemory(), {})
