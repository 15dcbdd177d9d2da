"""The Step Functions service, in memory: state machines (with versions and aliases),
executions, activities and tags, behind the operations of the API.

    service = StepFunctionsService(lambdas={"charge": handler}, mock_config="MockConfigFile.json")
    service.call("CreateStateMachine", {"name": ..., "definition": ..., "roleArn": ...}, {})

`call` takes the operation's parameters as the API names them and returns its result (dates
as datetimes); it raises ApiError with AWS's code and message. Every operation holds one lock,
so executions run one at a time and every run is as deterministic as a plain `run`.

Executions run on the virtual clock: StartExecution returns once the execution has ended or
waits where AWS waits (a `.waitForTaskToken` task, an activity), and SendTaskSuccess and the
others answer it. A test case of the mock file is chosen as Step Functions Local chooses
it: `stateMachineArn#TestCaseName` in StartExecution.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pysfn_emulator

from . import arns, diagnostics
from .activities import Activities
from .errors import ApiError, does_not_exist, invalid_arn
from .executions import (
    ExecutionRecord,
    MachineSnapshot,
    child_records,
    dump_json,
    without_data,
)
from .machines import StateMachines, qualifier_of
from .paging import paginate
from .tags import tags_dict, tags_list
from .test_state import test_state

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"  # Step Functions Local's account
MOCK_CONFIG_ENVIRONMENT = "SFN_MOCK_CONFIG"
_WAITING_RESOURCES = re.compile(r"\.waitForTaskToken|:activity:|states:::states:startExecution")
_TICK_SECONDS = 0.05  # how often the real clock moves waiting executions on
_POLL_SECONDS = 60  # GetActivityTask waits this long for a task, as AWS's long poll does


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StepFunctionsService:
    """Step Functions in memory (see the module's docstring).

    lambdas: {function name | ARN: handler(event, context)} for Task states that call Lambda.
    services: local AWS services for Task states that call them (a pysfn_emulator.LocalAws, or a
        mapping {"service:action": handler(params)} made into one), shared by every execution.
    mock_config: Step Functions Local's mock file (path, JSON text or dict); default
        $SFN_MOCK_CONFIG.
    clock: "virtual" (a day's Wait takes no time) or "real" (executions are shown as real
        time reaches their events).
    now: where a new execution's clock starts (default: the real time); tests fix it.
    activity_poll_seconds: how long GetActivityTask waits for a task before it answers with
        none (AWS's long poll: 60 s; a test that polls in its own thread may want less).
    """

    def __init__(self, *, lambdas: dict | None = None, services: Any = None, mock_config: Any = None, clock: str = "virtual",
                 region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 now: Callable[[], datetime] | None = None, seed: int | None = None,
                 activity_poll_seconds: float = _POLL_SECONDS):
        if clock not in ("virtual", "real"):
            raise ValueError(f"clock must be 'virtual' or 'real', not {clock!r}")
        self.lambdas = dict(lambdas or {})
        self.services = pysfn_emulator.LocalAws.of(services, region=region, account=account) if services is not None else None
        self.mock_config = mock_config
        self.clock = clock
        self.region = region
        self.account = account
        self.now = now or _utc_now
        self.seed = seed
        self.activity_poll_seconds = activity_poll_seconds
        self._lock = threading.RLock()
        self._work = threading.Condition(self._lock)
        self._random = random.Random(seed)
        self._closed = threading.Event()
        self.reset()
        if clock == "real":
            threading.Thread(target=self._keep_time, name="pysfn real clock", daemon=True).start()

    def reset(self) -> None:
        """Forget every state machine, execution and activity (stopping those that wait)."""
        with self._lock:
            for record in getattr(self, "_executions", {}).values():
                if record.live is not None and not record.live.done:
                    record.live.stop()
            self.machines = StateMachines(lambda: self.now(), lambda: self.account, self._random)
            self._executions: dict[str, ExecutionRecord] = {}
            self._named: dict[tuple[str, str], ExecutionRecord] = {}  # by state machine and name
            self.activities = Activities(lambda: self.now(), lambda: self.account)

    def close(self) -> None:
        self._closed.set()
        self.reset()

    def _keep_time(self) -> None:
        """On the real clock, executions that wait for an answer move with real time: their
        heartbeats and timeouts run out when they would on AWS."""
        while not self._closed.wait(_TICK_SECONDS):
            with self._lock:
                now = self.now()
                for record in list(self._executions.values()):
                    live = record.live
                    if live is not None and not live.done and live.now < now:
                        live.advance((now - live.now).total_seconds())
                        self._settle(record)
                self._work.notify_all()

    # -- dispatch ----------------------------------------------------------------------------

    def call(self, operation: str, params: dict, context: dict | None = None) -> dict:
        """Run one operation (its API name and parameters); raises ApiError to refuse."""
        name = _snake(operation)
        method = getattr(self.machines, name, None) or getattr(self.activities, name, None) \
            or getattr(self, "_" + name, None)
        if method is None:
            raise ApiError("UnsupportedOperation", f"pysfn does not emulate {operation} yet")
        region = (context or {}).get("region") or self.region
        if operation == "GetActivityTask":  # long polls outside the lock
            return method(params, region)
        with self._lock:
            return method(params, region)

    def _shown_now(self) -> datetime | None:
        """The moment up to which executions are shown: None on the virtual clock (all of it)."""
        return self.now() if self.clock == "real" else None

    # -- executions --------------------------------------------------------------------------

    def _start(self, params: dict, region: str, sync: bool) -> ExecutionRecord:
        target, _, test_case = params["stateMachineArn"].partition("#")
        machine = self.machines.snapshot(target)
        if sync and machine.type != "EXPRESS":  # StartExecution takes both types
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        name = params.get("name")
        if name is not None:
            arns.check_name(name)
        input_text = params.get("input") or "{}"
        input_value = _execution_input(input_text)
        record = self._named.get((machine.arn, name))
        if record is not None:
            if record.status() == "RUNNING" and record.input_text == input_text:
                return record  # StartExecution is idempotent for a running STANDARD execution
            raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{record.arn}'")
        options = self._run_options(machine, name, test_case or None, region)
        started = _to_millisecond(self.now())  # the emulator's clock counts milliseconds
        waits = machine.type == "STANDARD" and self._may_wait(machine.definition)
        try:
            if waits:
                live = pysfn_emulator.start(machine.definition, input_value, start_time=started, **options)
                execution_arn, done = live.execution_arn, None
            else:
                live, done = None, pysfn_emulator.run(machine.definition, input_value, start_time=started, **options)
                execution_arn = done.execution_arn
        except pysfn_emulator.InvalidExecutionInput as error:
            raise ApiError("InvalidExecutionInput", str(error)) from None
        except pysfn_emulator.MockConfigError as error:
            raise ApiError("ValidationException", f"Mock config: {error}") from None
        except pysfn_emulator.NotSupportedError as error:
            raise ApiError("UnsupportedOperation", f"pysfn does not run this definition yet: {error}") from None
        except pysfn_emulator.DefinitionError as error:  # a state machine a startExecution task starts
            raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'") from None
        record = ExecutionRecord(execution_arn, execution_arn.split(":")[7], machine, input_text, started,
                                 trace_header=params.get("traceHeader"), live=live, done=done)
        if not record.express:  # AWS keeps no Express execution to describe or list
            self._executions[record.arn] = record
            self._named[(machine.arn, record.name)] = record
        self._settle(record)
        self._work.notify_all()
        return record

    def _run_options(self, machine: MachineSnapshot, name: str | None, test_case: str | None, region: str) -> dict:
        options: dict[str, Any] = {
            "lambdas": self.lambdas or None, "services": self.services, "state_machine_name": machine.name, "execution_name": name,
            "state_machine_type": machine.type, "role_arn": machine.role_arn, "region": region,
            "account": self.account,
        }
        if self.seed is not None:
            options["seed"] = self._random.getrandbits(32)
        if "states:startExecution" in machine.definition:
            options["state_machines"] = self.machines.definitions()
        if test_case is not None:
            config = self.mock_config if self.mock_config is not None else os.environ.get(MOCK_CONFIG_ENVIRONMENT)
            if config is None:
                raise ApiError("ValidationException", f"Test case '{test_case}' needs a mock config file "
                               f"(--mock-config or ${MOCK_CONFIG_ENVIRONMENT})")
            options.update(mock_config=config, test_case=test_case)
        return options

    def _may_wait(self, definition: str) -> bool:
        """Whether an execution may wait for an answer from outside (then it runs live)."""
        return _WAITING_RESOURCES.search(definition) is not None

    def _settle(self, record: ExecutionRecord) -> None:
        """Once an execution has ended, the executions it started become visible too."""
        execution = record.finished()
        if execution is not None and execution.children:
            for child in child_records(execution, self._child_snapshot):
                self._executions.setdefault(child.arn, child)
                self._named.setdefault((child.machine.arn, child.name), child)

    def _child_snapshot(self, arn: str) -> MachineSnapshot | None:
        try:
            return self.machines.snapshot(arn)
        except ApiError:
            return None

    def _start_execution(self, params: dict, region: str) -> dict:
        record = self._start(params, region, sync=False)
        return {"executionArn": record.arn, "startDate": record.start_date}

    def _start_sync_execution(self, params: dict, region: str) -> dict:
        record = self._start(params, region, sync=True)
        return record.sync_result(params.get("includedData") != "METADATA_ONLY")

    def _execution(self, arn: str) -> ExecutionRecord:
        parsed = arns.parse(arn, "execution", "express")
        if parsed.kind == "express":
            raise invalid_arn(arn, "Resource type not valid in this context: express")
        record = self._executions.get(arn)
        if record is None:
            raise does_not_exist("Execution", arn)
        self._settle(record)
        return record

    def _describe_execution(self, params: dict, region: str) -> dict:
        record = self._execution(params["executionArn"])
        return record.describe(self._shown_now(), params.get("includedData") != "METADATA_ONLY")

    def _describe_state_machine_for_execution(self, params: dict, region: str) -> dict:
        machine = self._execution(params["executionArn"]).machine
        return {"stateMachineArn": machine.version_arn or machine.arn, "name": machine.name,
                "definition": machine.definition, "roleArn": machine.role_arn, "updateDate": machine.update_date,
                "loggingConfiguration": machine.logging, "tracingConfiguration": machine.tracing,
                "revisionId": machine.revision_id, "stateMachineVersionArn": machine.version_arn,
                "stateMachineAliasArn": machine.alias_arn}

    def _list_executions(self, params: dict, region: str) -> dict:
        arn = params.get("stateMachineArn")
        if arn is None:
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        machine = self.machines.machine(arn)
        if machine.type == "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
        qualifier = qualifier_of(arn)
        now = self._shown_now()
        wanted = params.get("statusFilter")
        records = []
        for record in self._executions.values():
            if record.machine.arn != machine.arn or record.express:
                continue
            if qualifier is not None and arn not in (record.machine.version_arn, record.machine.alias_arn):
                continue
            if wanted is None or record.status(now) == wanted:
                records.append(record)
        records.reverse()  # the newest first, as AWS lists them
        page, token = paginate([r.listing(now) for r in records], params, f"executions {arn} {wanted}")
        return {"executions": page, "nextToken": token}

    def _get_execution_history(self, params: dict, region: str) -> dict:
        record = self._execution(params["executionArn"])
        events = record.events(self._shown_now())
        if params.get("reverseOrder"):
            events = events[::-1]
        if params.get("includeExecutionData") is False:
            events = [without_data(event) for event in events]
        page, token = paginate(events, params, f"history {record.arn} {bool(params.get('reverseOrder'))}")
        return {"events": page, "nextToken": token}

    def _stop_execution(self, params: dict, region: str) -> dict:
        record = self._execution(params["executionArn"])
        if record.live is not None and not record.live.done:
            record.live.stop(params.get("error"), params.get("cause"))
        execution = record.finished()
        self._settle(record)
        return {"stopDate": execution.stop_date if execution is not None else self.now()}

    # -- task tokens and activities ------------------------------------------------------------

    def _owner(self, token: str) -> ExecutionRecord | None:
        for record in self._executions.values():
            if record.live is not None and not record.live.done and token in record.live.pending_tokens:
                return record
        return None

    def _answer(self, token: str, send: Callable[[Any], None]) -> dict:
        record = self._owner(token)
        try:
            send(record.live if record is not None else pysfn_emulator)
        except pysfn_emulator.TaskTokenError as error:
            message = str(error).split(": ", 1)[-1]
            raise ApiError(error.code, message) from None
        if record is not None:
            self._settle(record)
        return {}

    def _send_task_success(self, params: dict, region: str) -> dict:
        try:
            output = pysfn_emulator.loads_json(params["output"])
        except ValueError as error:
            raise ApiError("InvalidOutput", f"Invalid Output: '{error}'") from None
        return self._answer(params["taskToken"], lambda on: on.send_task_success(params["taskToken"], output))

    def _send_task_failure(self, params: dict, region: str) -> dict:
        return self._answer(params["taskToken"], lambda on: on.send_task_failure(
            params["taskToken"], params.get("error"), params.get("cause")))

    def _send_task_heartbeat(self, params: dict, region: str) -> dict:
        return self._answer(params["taskToken"], lambda on: on.send_task_heartbeat(params["taskToken"]))

    def _get_activity_task(self, params: dict, region: str) -> dict:
        """A task of the activity for a worker, waiting up to a minute (AWS's long poll) for one."""
        arn = params["activityArn"]
        deadline = time.monotonic() + self.activity_poll_seconds
        with self._lock:
            activity = self.activities.activity(arn)
            while True:
                found = self._activity_task(activity)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return {}
                self._work.wait(left)

    def _activity_task(self, activity: Any) -> dict | None:
        for record in list(self._executions.values()):
            if record.live is None or record.live.done:
                continue
            for task in record.live.pending:
                if task.kind != "activity" or task.token in record.delivered:
                    continue
                if task.resource == activity.arn or task.resource.rsplit(":", 1)[-1] == activity.name:
                    record.delivered.add(task.token)
                    return {"taskToken": task.token, "input": dump_json(task.payload)}
        return None

    # -- tags, validation, TestState ------------------------------------------------------------

    def _tagged(self, arn: str) -> dict[str, str]:
        resource = self.machines.get(arn) or self.activities.get(arn)
        if resource is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return resource.tags

    def _tag_resource(self, params: dict, region: str) -> dict:
        self._tagged(params["resourceArn"]).update(tags_dict(params["tags"]))
        return {}

    def _untag_resource(self, params: dict, region: str) -> dict:
        tags = self._tagged(params["resourceArn"])
        for key in params["tagKeys"]:
            tags.pop(key, None)
        return {}

    def _list_tags_for_resource(self, params: dict, region: str) -> dict:
        tags = self._tagged(params["resourceArn"])
        return {"tags": tags_list(tags)}

    def _validate_state_machine_definition(self, params: dict, region: str) -> dict:
        return diagnostics.diagnostics(params["definition"], params.get("type") or "STANDARD",
                                       params.get("maxResults") or 0)

    def _test_state(self, params: dict, region: str) -> dict:
        return test_state(params, lambdas=self.lambdas, region=region, account=self.account, start_time=self.now())


# -- helpers ----------------------------------------------------------------------------------------


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _to_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _execution_input(text: str) -> Any:
    """The input's JSON value, read as AWS reads it; InvalidExecutionInput for text that is not
    JSON (AWS refuses NaN and Infinity too)."""
    try:
        return pysfn_emulator.loads_json(text)
    except ValueError as error:
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None


