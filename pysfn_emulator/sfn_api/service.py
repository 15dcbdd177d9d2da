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

import base64
import json
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import attrs

import pysfn_emulator

from . import arns, diagnostics
from .errors import ApiError, does_not_exist, invalid_arn
from .executions import (
    ExecutionRecord,
    MachineSnapshot,
    child_records,
    dump_json,
    without_data,
)
from .test_state import test_state

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"  # Step Functions Local's account
MOCK_CONFIG_ENVIRONMENT = "SFN_MOCK_CONFIG"
_WAITING_RESOURCES = re.compile(r"\.waitForTaskToken|:activity:|states:::states:startExecution")
_TICK_SECONDS = 0.05  # how often the real clock moves waiting executions on
_POLL_SECONDS = 60  # GetActivityTask waits this long for a task, as AWS's long poll does


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.define(eq=False)
class Version:
    number: int
    definition: str
    role_arn: str
    description: str | None
    creation_date: datetime
    revision_id: str


@attrs.define(eq=False)
class Alias:
    arn: str
    name: str
    description: str | None
    routing: list[dict]
    creation_date: datetime
    update_date: datetime


@attrs.define(eq=False)
class StateMachine:
    arn: str
    name: str
    definition: str
    role_arn: str
    type: str
    creation_date: datetime
    update_date: datetime
    logging: dict
    tracing: dict
    revision_id: str
    tags: dict[str, str] = attrs.field(factory=dict)
    versions: dict[int, Version] = attrs.field(factory=dict)
    next_version: int = 1
    aliases: dict[str, Alias] = attrs.field(factory=dict)


@attrs.define(eq=False)
class Activity:
    arn: str
    name: str
    creation_date: datetime
    tags: dict[str, str] = attrs.field(factory=dict)


class StepFunctionsService:
    """Step Functions in memory (see the module's docstring).

    lambdas: {function name | ARN: handler(event, context)} for Task states that call Lambda.
    mock_config: Step Functions Local's mock file (path, JSON text or dict); default
        $SFN_MOCK_CONFIG.
    clock: "virtual" (a day's Wait takes no time) or "real" (executions are shown as real
        time reaches their events).
    now: where a new execution's clock starts (default: the real time); tests fix it.
    activity_poll_seconds: how long GetActivityTask waits for a task before it answers with
        none (AWS's long poll: 60 s; a test that polls in its own thread may want less).
    """

    def __init__(self, *, lambdas: dict | None = None, mock_config: Any = None, clock: str = "virtual",
                 region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 now: Callable[[], datetime] | None = None, seed: int | None = None,
                 activity_poll_seconds: float = _POLL_SECONDS):
        if clock not in ("virtual", "real"):
            raise ValueError(f"clock must be 'virtual' or 'real', not {clock!r}")
        self.lambdas = dict(lambdas or {})
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
            self._machines: dict[str, StateMachine] = {}
            self._executions: dict[str, ExecutionRecord] = {}
            self._named: dict[tuple[str, str], ExecutionRecord] = {}  # by state machine and name
            self._activities: dict[str, Activity] = {}

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
        method = getattr(self, "_" + _snake(operation), None)
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

    # -- state machines ----------------------------------------------------------------------

    def _create_state_machine(self, params: dict, region: str) -> dict:
        name, definition = params["name"], params["definition"]
        arns.check_name(name)
        machine_type = params.get("type") or "STANDARD"
        diagnostics.check_definition(definition, machine_type)
        arn = arns.state_machine(region, self.account, name)
        logging = params.get("loggingConfiguration") or {"level": "OFF", "includeExecutionData": False}
        tracing = params.get("tracingConfiguration") or {"enabled": False}
        existing = self._machines.get(arn)
        if existing is not None:
            same = (existing.definition, existing.role_arn, existing.type) == (definition, params["roleArn"], machine_type)
            if not same:
                raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": existing.creation_date}
        created = self.now()
        machine = StateMachine(arn, name, definition, params["roleArn"], machine_type, created, created, logging,
                               tracing, str(uuid.uuid4()), tags=_tags_dict(params.get("tags")))
        self._machines[arn] = machine
        result = {"stateMachineArn": arn, "creationDate": created}
        if params.get("publish"):
            result["stateMachineVersionArn"] = self._publish(machine, params.get("versionDescription"))
        return result

    def _machine(self, arn: str) -> StateMachine:
        parsed = arns.parse(arn, "stateMachine")
        machine = self._machines.get(str(attrs.evolve(parsed, rest=parsed.rest[:1])))
        if machine is None:
            raise does_not_exist("StateMachine", arn)
        return machine

    def _plain_machine(self, arn: str) -> StateMachine:
        """A state machine named by its own ARN (no version or alias)."""
        if len(arns.parse(arn, "stateMachine").rest) != 1:
            raise invalid_arn(arn, "Resource type not valid in this context: stateMachine version or alias")
        return self._machine(arn)

    def _describe_state_machine(self, params: dict, region: str) -> dict:
        arn = params["stateMachineArn"]
        machine = self._machine(arn)
        qualifier = _qualifier(arn)
        described = {
            "stateMachineArn": machine.arn, "name": machine.name, "status": "ACTIVE",
            "definition": machine.definition, "roleArn": machine.role_arn, "type": machine.type,
            "creationDate": machine.creation_date, "loggingConfiguration": machine.logging,
            "tracingConfiguration": machine.tracing, "revisionId": machine.revision_id,
        }
        if qualifier is not None:
            version = self._version(machine, arn)
            described.update(stateMachineArn=arn, definition=version.definition, roleArn=version.role_arn,
                             creationDate=version.creation_date, revisionId=version.revision_id,
                             description=version.description)
        if params.get("includedData") == "METADATA_ONLY":
            described.pop("definition")
        return described

    def _update_state_machine(self, params: dict, region: str) -> dict:
        machine = self._plain_machine(params["stateMachineArn"])
        if not any(key in params for key in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration",
                                             "encryptionConfiguration")):
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration "
                           "or the TracingConfiguration must be specified")
        if "definition" in params:
            diagnostics.check_definition(params["definition"], machine.type)
            machine.definition = params["definition"]
        machine.role_arn = params.get("roleArn", machine.role_arn)
        machine.logging = params.get("loggingConfiguration", machine.logging)
        machine.tracing = params.get("tracingConfiguration", machine.tracing)
        machine.update_date = self.now()
        machine.revision_id = str(uuid.uuid4())
        result = {"updateDate": machine.update_date, "revisionId": machine.revision_id}
        if params.get("publish"):
            result["stateMachineVersionArn"] = self._publish(machine, params.get("versionDescription"))
        return result

    def _delete_state_machine(self, params: dict, region: str) -> dict:
        arn = params["stateMachineArn"]
        arns.parse(arn, "stateMachine")
        self._machines.pop(arn, None)  # deleting one that is gone succeeds, as on AWS
        return {}

    def _list_state_machines(self, params: dict, region: str) -> dict:
        machines = sorted(self._machines.values(), key=lambda m: m.name)
        listed = [{"stateMachineArn": m.arn, "name": m.name, "type": m.type, "creationDate": m.creation_date}
                  for m in machines]
        page, token = _page(listed, params, "machines")
        return {"stateMachines": page, "nextToken": token}

    # versions and aliases

    def _publish(self, machine: StateMachine, description: str | None) -> str:
        latest = machine.versions.get(machine.next_version - 1)
        if latest is not None and latest.revision_id == machine.revision_id:
            return f"{machine.arn}:{latest.number}"  # nothing changed: the same version
        number = machine.next_version
        machine.versions[number] = Version(number, machine.definition, machine.role_arn, description, self.now(),
                                           machine.revision_id)
        machine.next_version += 1
        return f"{machine.arn}:{number}"

    def _publish_state_machine_version(self, params: dict, region: str) -> dict:
        machine = self._plain_machine(params["stateMachineArn"])
        revision = params.get("revisionId")
        if revision is not None and revision != machine.revision_id:
            raise ApiError("ConflictException", f"Failed to publish the State Machine version for revision {revision}. "
                           f"The current State Machine revision is {machine.revision_id}.")
        arn = self._publish(machine, params.get("description"))
        return {"creationDate": machine.versions[int(arn.rsplit(":", 1)[1])].creation_date, "stateMachineVersionArn": arn}

    def _version(self, machine: StateMachine, arn: str) -> Version:
        qualifier = _qualifier(arn)
        version = machine.versions.get(int(qualifier)) if qualifier and qualifier.isdigit() else None
        if version is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return version

    def _list_state_machine_versions(self, params: dict, region: str) -> dict:
        machine = self._plain_machine(params["stateMachineArn"])
        listed = [{"stateMachineVersionArn": f"{machine.arn}:{v.number}", "creationDate": v.creation_date}
                  for v in sorted(machine.versions.values(), key=lambda v: -v.number)]
        page, token = _page(listed, params, "versions")
        return {"stateMachineVersions": page, "nextToken": token}

    def _delete_state_machine_version(self, params: dict, region: str) -> dict:
        arn = params["stateMachineVersionArn"]
        machine = self._machines.get(arn.rsplit(":", 1)[0])
        qualifier = _qualifier(arn)
        if machine is not None and qualifier and qualifier.isdigit():
            for alias in machine.aliases.values():
                if any(route["stateMachineVersionArn"] == arn for route in alias.routing):
                    raise ApiError("ConflictException", f"Version to be deleted must not be referenced by an alias. "
                                   f"Current list of aliases referencing this version: [{alias.arn}]")
            machine.versions.pop(int(qualifier), None)
        return {}

    def _create_state_machine_alias(self, params: dict, region: str) -> dict:
        name = params["name"]
        arns.check_name(name)
        routing = self._routing(params["routingConfiguration"])
        machine = self._machine(routing[0]["stateMachineVersionArn"])
        arn = f"{machine.arn}:{name}"
        if name in machine.aliases:
            raise ApiError("ConflictException", f"Alias already exists: '{arn}'")
        created = self.now()
        machine.aliases[name] = Alias(arn, name, params.get("description"), routing, created, created)
        return {"stateMachineAliasArn": arn, "creationDate": created}

    def _routing(self, routing: list[dict]) -> list[dict]:
        for route in routing:
            self._version(self._machine(route["stateMachineVersionArn"]), route["stateMachineVersionArn"])
        if sum(route["weight"] for route in routing) != 100:
            raise ApiError("ValidationException", "Sum of routing configuration weights must equal 100.")
        return [dict(route) for route in routing]

    def _alias(self, arn: str) -> Alias:
        machine = self._machine(arn)
        alias = machine.aliases.get(_qualifier(arn) or "")
        if alias is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return alias

    def _describe_state_machine_alias(self, params: dict, region: str) -> dict:
        alias = self._alias(params["stateMachineAliasArn"])
        return {"stateMachineAliasArn": alias.arn, "name": alias.name, "description": alias.description,
                "routingConfiguration": alias.routing, "creationDate": alias.creation_date,
                "updateDate": alias.update_date}

    def _update_state_machine_alias(self, params: dict, region: str) -> dict:
        alias = self._alias(params["stateMachineAliasArn"])
        if "routingConfiguration" in params:
            alias.routing = self._routing(params["routingConfiguration"])
        alias.description = params.get("description", alias.description)
        alias.update_date = self.now()
        return {"updateDate": alias.update_date}

    def _delete_state_machine_alias(self, params: dict, region: str) -> dict:
        arn = params["stateMachineAliasArn"]
        machine = self._machines.get(arn.rsplit(":", 1)[0])
        if machine is not None:
            machine.aliases.pop(_qualifier(arn) or "", None)
        return {}

    def _list_state_machine_aliases(self, params: dict, region: str) -> dict:
        machine = self._plain_machine(params["stateMachineArn"])
        listed = [{"stateMachineAliasArn": a.arn, "creationDate": a.creation_date}
                  for a in sorted(machine.aliases.values(), key=lambda a: a.name)]
        page, token = _page(listed, params, "aliases")
        return {"stateMachineAliases": page, "nextToken": token}

    # -- executions --------------------------------------------------------------------------

    def _snapshot(self, arn: str) -> MachineSnapshot:
        """What StartExecution runs for a state machine, version or alias ARN."""
        machine = self._machine(arn)
        qualifier = _qualifier(arn)
        snapshot = MachineSnapshot(machine.arn, machine.name, machine.definition, machine.role_arn, machine.type,
                                   machine.logging, machine.tracing, machine.revision_id, machine.update_date)
        if qualifier is None:
            return snapshot
        alias_arn = None
        if not qualifier.isdigit():
            alias = self._alias(arn)
            alias_arn = arn
            arn = _route(alias.routing, self._random)
        version = self._version(machine, arn)
        return attrs.evolve(snapshot, definition=version.definition, role_arn=version.role_arn,
                            revision_id=version.revision_id, version_arn=arn, alias_arn=alias_arn)

    def _start(self, params: dict, region: str, sync: bool) -> ExecutionRecord:
        target, _, test_case = params["stateMachineArn"].partition("#")
        machine = self._snapshot(target)
        if sync != (machine.type == "EXPRESS"):
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
            "lambdas": self.lambdas or None, "state_machine_name": machine.name, "execution_name": name,
            "state_machine_type": machine.type, "role_arn": machine.role_arn, "region": region,
            "account": self.account,
        }
        if self.seed is not None:
            options["seed"] = self._random.getrandbits(32)
        if "states:startExecution" in machine.definition:
            registry = {}
            for other in self._machines.values():
                registry[other.arn] = other.definition
            options["state_machines"] = registry
        if test_case is not None:
            config = self.mock_config if self.mock_config is not None else os.environ.get(MOCK_CONFIG_ENVIRONMENT)
            if config is None:
                raise ApiError("ValidationException", f"Test case '{test_case}' needs a mock config file "
                               f"(--mock-config or ${MOCK_CONFIG_ENVIRONMENT})")
            options.update(mock_config=config, test_case=test_case)
        return options

    def _may_wait(self, definition: str) -> bool:
        """Whether an execution may wait for an answer from outside (then it runs live)."""
        if _WAITING_RESOURCES.search(definition) is None:
            return False
        return True

    def _settle(self, record: ExecutionRecord) -> None:
        """Once an execution has ended, the executions it started become visible too."""
        execution = record.finished()
        if execution is not None and execution.children:
            for child in child_records(execution, self._child_snapshot):
                self._executions.setdefault(child.arn, child)
                self._named.setdefault((child.machine.arn, child.name), child)

    def _child_snapshot(self, arn: str) -> MachineSnapshot | None:
        try:
            return self._snapshot(arn)
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
        machine = self._machine(arn)
        if machine.type == "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
        qualifier = _qualifier(arn)
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
        page, token = _page([r.listing(now) for r in records], params, f"executions {arn} {wanted}")
        return {"executions": page, "nextToken": token}

    def _get_execution_history(self, params: dict, region: str) -> dict:
        record = self._execution(params["executionArn"])
        events = record.events(self._shown_now())
        if params.get("reverseOrder"):
            events = events[::-1]
        if params.get("includeExecutionData") is False:
            events = [without_data(event) for event in events]
        page, token = _page(events, params, f"history {record.arn} {bool(params.get('reverseOrder'))}")
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

    def _create_activity(self, params: dict, region: str) -> dict:
        name = params["name"]
        arns.check_name(name)
        arn = arns.activity(region, self.account, name)
        activity = self._activities.get(arn)
        tags = _tags_dict(params.get("tags"))
        if activity is None:
            activity = self._activities[arn] = Activity(arn, name, self.now(), tags)
        elif tags and tags != activity.tags:
            raise ApiError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'")
        return {"activityArn": arn, "creationDate": activity.creation_date}

    def _activity(self, arn: str) -> Activity:
        arns.parse(arn, "activity")
        activity = self._activities.get(arn)
        if activity is None:
            raise does_not_exist("Activity", arn)
        return activity

    def _describe_activity(self, params: dict, region: str) -> dict:
        activity = self._activity(params["activityArn"])
        return {"activityArn": activity.arn, "name": activity.name, "creationDate": activity.creation_date}

    def _delete_activity(self, params: dict, region: str) -> dict:
        arns.parse(params["activityArn"], "activity")
        self._activities.pop(params["activityArn"], None)
        return {}

    def _list_activities(self, params: dict, region: str) -> dict:
        listed = [{"activityArn": a.arn, "name": a.name, "creationDate": a.creation_date}
                  for a in sorted(self._activities.values(), key=lambda a: a.name)]
        page, token = _page(listed, params, "activities")
        return {"activities": page, "nextToken": token}

    def _get_activity_task(self, params: dict, region: str) -> dict:
        """A task of the activity for a worker, waiting up to a minute (AWS's long poll) for one."""
        arn = params["activityArn"]
        deadline = time.monotonic() + self.activity_poll_seconds
        with self._lock:
            activity = self._activity(arn)
            while True:
                found = self._activity_task(activity)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return {}
                self._work.wait(left)

    def _activity_task(self, activity: Activity) -> dict | None:
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
        resource = self._machines.get(arn) or self._activities.get(arn)
        if resource is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return resource.tags

    def _tag_resource(self, params: dict, region: str) -> dict:
        self._tagged(params["resourceArn"]).update(_tags_dict(params["tags"]))
        return {}

    def _untag_resource(self, params: dict, region: str) -> dict:
        tags = self._tagged(params["resourceArn"])
        for key in params["tagKeys"]:
            tags.pop(key, None)
        return {}

    def _list_tags_for_resource(self, params: dict, region: str) -> dict:
        tags = self._tagged(params["resourceArn"])
        return {"tags": [{"key": key, "value": value} for key, value in tags.items()]}

    def _validate_state_machine_definition(self, params: dict, region: str) -> dict:
        return diagnostics.diagnostics(params["definition"], params.get("type") or "STANDARD",
                                       params.get("maxResults") or 0)

    def _test_state(self, params: dict, region: str) -> dict:
        return test_state(params, lambdas=self.lambdas, region=region, account=self.account, start_time=self.now())


# -- helpers ----------------------------------------------------------------------------------------


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _qualifier(arn: str) -> str | None:
    parsed = arns.parse(arn, "stateMachine")
    return parsed.rest[1] if len(parsed.rest) > 1 else None


def _route(routing: list[dict], rng: random.Random) -> str:
    """The version an alias sends this execution to, by the routing weights."""
    pick = rng.uniform(0, 100)
    for route in routing:
        pick -= route["weight"]
        if pick < 0:
            return route["stateMachineVersionArn"]
    return routing[-1]["stateMachineVersionArn"]


def _to_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _tags_dict(tags: list[dict] | None) -> dict[str, str]:
    return {tag["key"]: tag.get("value", "") for tag in tags or ()}


def _execution_input(text: str) -> Any:
    """The input's JSON value, read as AWS reads it; InvalidExecutionInput for text that is not
    JSON (AWS refuses NaN and Infinity too)."""
    try:
        return pysfn_emulator.loads_json(text)
    except ValueError as error:
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None


_PAGE_DEFAULT = 100
_PAGE_MAX = 1000


def _page(items: list, params: dict, key: str) -> tuple[list, str | None]:
    """One page of `items` and the token of the next (AWS's maxResults: 0 means the default)."""
    size = min(params.get("maxResults") or _PAGE_DEFAULT, _PAGE_MAX)
    start = 0
    token = params.get("nextToken")
    if token is not None:
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            start = int(state["offset"])
            if state["key"] != key:
                raise ValueError(key)
        except (ValueError, KeyError, TypeError):
            raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from None
    end = start + size
    if end >= len(items):
        return items[start:], None
    following = base64.urlsafe_b64encode(json.dumps({"key": key, "offset": end}).encode()).decode()
    return items[start:end], following
