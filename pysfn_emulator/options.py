"""How to run one execution: everything `run` and `start` take besides the definition and input.

    options = ExecutionOptions(lambdas={"charge": handler}, seed=7)
    run(definition, input, options=options)            # or the same fields as keywords:
    run(definition, input, lambdas={"charge": handler}, seed=7)
    run(definition, input, options=options, seed=8)    # keywords override the object's fields
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .core.limits import DEFAULT_MAX_SECONDS, DEFAULT_MAX_TRANSITIONS
from .integrations.local_aws import LocalAws
from .virtual_time.clock import EPOCH

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "111111111111"
DEFAULT_STATE_MACHINE_NAME = "pysfn-state-machine"
MACHINE_TYPES = ("STANDARD", "EXPRESS")


@attrs.frozen(kw_only=True)
class ExecutionOptions:
    """What one execution is run with.

    lambdas: {function name | ARN (qualified or not) | integration ARN: handler(event, context)}.
    services: local AWS services for the Tasks that call AWS (`arn:aws:states:::dynamodb:putItem`,
        `arn:aws:states:::aws-sdk:s3:getObject`, a distributed Map's ItemReader and ResultWriter):
        a `LocalAws`, or a mapping {"service:action": handler(params) -> response} made into one.
        Its handlers come after `lambdas`' entries (an ARN given there wins); child executions
        share it.
    callbacks: {state name | resource ARN | activity ARN or name: responder(token, payload)}
        answers `.waitForTaskToken` tasks and activities (integrations/callbacks.py).
    state_machines: {name | ARN: definition} that `states:startExecution` tasks start.
    mock_config, test_case: a Step Functions Local mock file (dict, JSON text or path; without
        one, SFN_MOCK_CONFIG names it) and the test case to use; the state machine is looked up
        by `state_machine_name` (or is the file's only one).
    start_time: the virtual clock's start; seed: UUIDs, random numbers and jitter repeat.
    max_transitions, max_seconds: pysfn's guard against a runaway machine (core/limits.py):
        once the run (its branches, iterations and child executions together) has entered more
        states, or taken more real seconds, it ends FAILED with pysfn.TransitionLimitExceeded or
        pysfn.TimeLimitExceeded. None: no limit.
    context: the Context object every state sees (`$$`, `$states.context`) in place of the one
        the emulator builds (Execution, StateMachine, State, Task), as TestState's `context`
        replaces it: nothing is merged in, except a Map iteration's `Map` and a waiting Task's
        `Task.Token` when the object has no `Task`.
    """

    lambdas: dict | None = None
    services: Any = None
    callbacks: dict | None = None
    state_machines: dict | None = None
    mock_config: Any = None
    test_case: str | None = None
    state_machine_name: str | None = None
    execution_name: str | None = None
    state_machine_type: str = "STANDARD"
    start_time: datetime | None = None
    seed: int | None = None
    role_arn: str | None = None
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    max_transitions: int | None = DEFAULT_MAX_TRANSITIONS
    max_seconds: float | None = DEFAULT_MAX_SECONDS
    context: dict | None = None

    @classmethod
    def of(cls, options: ExecutionOptions | None, keywords: dict[str, Any]) -> ExecutionOptions:
        """`options` (or the defaults) with `keywords` in place of its fields; a TypeError names
        a keyword that is not a field, as a function's signature would."""
        unknown = sorted(set(keywords) - set(attrs.fields_dict(cls)))
        if unknown:
            raise TypeError(f"unexpected keyword argument{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
        base = options if options is not None else cls()
        options = attrs.evolve(base, **keywords) if keywords else base
        if options.services is not None and not isinstance(options.services, (LocalAws, Mapping)):
            raise TypeError("services must be a LocalAws or a mapping {'service:action': handler}, not "
                            f"{type(options.services).__name__}")
        if options.state_machine_type not in MACHINE_TYPES:
            raise ValueError(f"state_machine_type must be 'STANDARD' or 'EXPRESS', not {options.state_machine_type!r}")
        if options.start_time is not None:
            options = attrs.evolve(options, start_time=start_moment(options.start_time))
        return options

    def all_lambdas(self) -> dict | None:
        """`lambdas` with the `services` registry's handlers under them (an entry of `lambdas` wins)."""
        if self.services is None:
            return self.lambdas
        aws = LocalAws.of(self.services, region=self.region, account=self.account)
        return {**aws.handlers(), **(self.lambdas or {})}


LATEST_START = datetime(9000, 1, 1, tzinfo=UTC)


def start_moment(value: Any) -> datetime:
    """A start time as the clock takes it: a datetime (naive means UTC) or ISO 8601 text (a
    trailing Z allowed), from 1970 to 9000 (the clock counts milliseconds from 1970, and waits
    after it must not pass the year 9999). TypeError or ValueError, naming it, otherwise."""
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"start_time {value!r} is not an ISO 8601 time (e.g. 2024-01-01T00:00:00Z)") from None
    if not isinstance(value, datetime):
        raise TypeError(f"start_time must be a datetime or ISO 8601 text, not {type(value).__name__}")
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not EPOCH <= moment < LATEST_START:
        raise ValueError(f"start_time {value.isoformat()} is outside 1970-01-01 to 9000-01-01")
    return moment
