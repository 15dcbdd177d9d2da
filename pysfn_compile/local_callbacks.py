"""The plain run's responders answering the compiled machine's callbacks in the emulator.

A workflow's `sfn.wait_for_callback(notify, payload, ...)` is, compiled, a Task
`arn:aws:states:::lambda:invoke.waitForTaskToken` whose Lambda payload is the dispatcher's
`{"function": "notify", "args": [payload, token]}`. A plain run's responders are keyed by the
callee's name (`sfn.using_callbacks({"notify": responder})`, `responder(token, payload)`);
the emulator's `callbacks=` option is keyed by state name or resource and calls its responder
with the Task's whole arguments. `emulator_callbacks` turns the one into the other, so that the
same responder answers both runs with the same payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pysfn_emulator

from .graph.asl_states import DISPATCHER_RESOURCES, every_state
from .runtime import sfn

CALLBACK_RESOURCE = DISPATCHER_RESOURCES[1]


def callback_callees(definition: Mapping[str, Any]) -> list[str]:
    """The callees the machine waits on (the `function` of each callback Task), in order."""
    found: list[str] = []
    for state in every_state(definition):
        if state.get("Resource") != CALLBACK_RESOURCE:
            continue
        payload = (state.get("Arguments") or {}).get("Payload")
        name = payload.get("function") if isinstance(payload, dict) else None
        if isinstance(name, str) and name not in found:
            found.append(name)
    return found


def emulator_callbacks(definition: Mapping[str, Any], responders: Mapping[str, Any] | None) -> dict:
    """{resource: responder} for `pysfn_emulator.run(..., callbacks=...)`: each callback Task
    calls `responders[its callee](token, payload)`; `sfn.NO_ANSWER` leaves the token unanswered;
    an exception the responder raises is the failure answer (the emulator sends its class name
    and str(); `sfn.Fail(error, cause)` sends exactly that error and cause). A name that is no callback's callee raises LookupError."""
    responders = dict(responders or {})
    if not responders:
        return {}
    waited_on = callback_callees(definition)
    unknown = [name for name in responders if name not in waited_on]
    if unknown:
        raise LookupError(f"callbacks: {', '.join(map(repr, unknown))} is not a callee the workflow waits on with "
                          f"sfn.wait_for_callback; it waits on {', '.join(map(repr, waited_on)) or 'none'}")

    def answer(token: str, parameters: Any) -> Any:
        payload = parameters.get("Payload") if isinstance(parameters, dict) else None
        name = payload.get("function") if isinstance(payload, dict) else None
        responder = responders.get(name)
        if responder is None:  # nobody answers: the Task times out, as on AWS
            return pysfn_emulator.NO_ANSWER
        args = payload.get("args") or [None]
        try:
            answered = responder(token, sfn.as_machine_sees(None, args[0]))
        except sfn.Fail as failure:  # SendTaskFailure with exactly this error and cause
            raise pysfn_emulator.TaskFailure(failure.error, failure.cause) from failure
        return pysfn_emulator.NO_ANSWER if answered is sfn.NO_ANSWER else answered

    return {CALLBACK_RESOURCE: answer}
