"""One execution as the API shows it: DescribeExecution, its history, its place in
ListExecutions. It is either finished (an `Execution`) or live, waiting where AWS waits (a
`LiveExecution` whose task tokens and activity tasks the API's callers answer).

On the real clock an execution is computed ahead on its virtual clock and shown as time
catches up with it: an event is visible once its timestamp has passed, and the execution
is RUNNING until its stop date has.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import attrs

import pysfn_emulator

_CLOSED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@attrs.define(eq=False)
class MachineSnapshot:
    """The state machine (or version) an execution runs, as it was when it started."""

    arn: str  # the state machine's own ARN, without qualifier
    name: str
    definition: str
    role_arn: str
    type: str
    logging: dict
    tracing: dict
    revision_id: str
    update_date: datetime
    version_arn: str | None = None
    alias_arn: str | None = None


@attrs.define(eq=False)
class ExecutionRecord:
    arn: str
    name: str
    machine: MachineSnapshot
    input_text: str
    start_date: datetime
    trace_header: str | None = None
    live: Any = None  # pysfn_emulator.LiveExecution while it may still wait
    done: Any = None  # pysfn_emulator.Execution once it has ended
    delivered: set = attrs.field(factory=set)  # activity task tokens handed to a worker

    @property
    def express(self) -> bool:
        return self.machine.type == "EXPRESS"

    def finished(self) -> Any:
        """The Execution, once it has ended (None while it waits)."""
        if self.done is None and self.live is not None and self.live.done:
            self.done = self.live.result()
            self.live = None
        return self.done

    def status(self, now: datetime | None = None) -> str:
        execution = self.finished()
        if execution is None or now is not None and execution.stop_date > now:
            return "RUNNING"
        return execution.status

    def events(self, now: datetime | None = None) -> list[dict]:
        execution = self.finished()
        events = execution.history if execution is not None else self.live.history
        if now is not None:
            events = [event for event in events if event["timestamp"] <= now]
        return events

    def listing(self, now: datetime | None = None) -> dict:
        """Its entry in ListExecutions."""
        status = self.status(now)
        entry = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine.arn,
            "name": self.name,
            "status": status,
            "startDate": self.start_date,
            "stopDate": self.done.stop_date if status in _CLOSED else None,
            "stateMachineVersionArn": self.machine.version_arn,
            "stateMachineAliasArn": self.machine.alias_arn,
        }
        if not self.express:
            entry["redriveCount"] = 0
        return entry

    def describe(self, now: datetime | None = None, with_data: bool = True) -> dict:
        """DescribeExecution's answer."""
        status = self.status(now)
        described = self.listing(now)
        described["traceHeader"] = self.trace_header
        if with_data:
            described["input"] = self.input_text
            described["inputDetails"] = {"included": True}
        if status in _CLOSED:
            execution = self.done
            if status == "SUCCEEDED" and with_data:
                described["output"] = dump_json(execution.output)
                described["outputDetails"] = {"included": True}
            described["error"] = execution.error
            described["cause"] = execution.cause
        if not self.express:
            redrivable = status in ("FAILED", "TIMED_OUT", "ABORTED")
            described["redriveStatus"] = "REDRIVABLE" if redrivable else "NOT_REDRIVABLE"
            if not redrivable:
                described["redriveStatusReason"] = f"Execution is {status} and cannot be redriven"
        return described

    def sync_result(self, with_data: bool = True) -> dict:
        """StartSyncExecution's answer, once the execution has ended."""
        execution = self.finished()
        result = {
            "executionArn": self.arn,
            "stateMachineArn": self.machine.arn,
            "name": self.name,
            "startDate": self.start_date,
            "stopDate": execution.stop_date,
            "status": execution.status,
            "error": execution.error,
            "cause": execution.cause,
            "traceHeader": self.trace_header,
            "billingDetails": billing(execution),
        }
        if with_data:
            result["input"] = self.input_text
            result["inputDetails"] = {"included": True}
            if execution.status == "SUCCEEDED":
                result["output"] = dump_json(execution.output)
                result["outputDetails"] = {"included": True}
        return result


def billing(execution: Any) -> dict:
    """An Express execution is billed in 64 MB and 100 ms steps (the Developer Guide's pricing
    note); its duration here is its virtual one."""
    milliseconds = max(100, math.ceil(execution.elapsed_seconds * 10) * 100)
    return {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": milliseconds}


def dump_json(value: Any) -> str:
    """A value as the API returns it: compact JSON text, written as the history writes it."""
    return pysfn_emulator.dumps_json(value)


def without_data(event: dict) -> dict:
    """An event as GetExecutionHistory returns it with includeExecutionData false: the
    input and output (and their details) left out."""
    out = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "inputDetails", "outputDetails")}
        out[key] = value
    return out


def child_records(execution: Any, snapshot_for: Any) -> list[ExecutionRecord]:
    """Executions a finished one started through states:startExecution, and theirs."""
    records = []
    for child in execution.children:
        machine = snapshot_for(child.state_machine_arn)
        if machine is None:
            continue
        records.append(ExecutionRecord(child.execution_arn, child.name, machine, dump_json(child.input),
                                       child.start_date, done=child))
        records.extend(child_records(child, snapshot_for))
    return records


