"""run(..., context=): the Context object every state sees, given in place of the emulator's
(what TestState's `context` needs)."""

from __future__ import annotations

import pysfn_emulator

CONTEXT = {"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:M:e", "Input": {"n": 1}}, "Custom": [1]}


def test_the_context_is_the_object_given():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"all.$": "$$"}, "Next": "J"},
                                             "J": {"Type": "Pass", "QueryLanguage": "JSONata",
                                                   "Output": "{% $states.context %}", "End": True}}}
    execution = pysfn_emulator.run(definition, {}, context=CONTEXT)
    assert execution.output == CONTEXT
    assert pysfn_emulator.run(definition, {}, context={}).output == {}


def test_without_a_context_the_emulator_builds_its_own():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"name.$": "$$.State.Name"},
                                                   "End": True}}}
    assert pysfn_emulator.run(definition, {}).output == {"name": "P"}


def test_a_map_iteration_and_a_waiting_task_add_their_parts():
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemSelector": {"index.$": "$$.Map.Item.Index", "id.$": "$$.Execution.Id"},
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "Next": "W"},
        "W": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}}
    seen = []

    def worker(token, payload):
        seen.append((token, payload))
        return {"ok": True}

    execution = pysfn_emulator.run(definition, ["a", "b"], context=CONTEXT, callbacks={"W": worker})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"ok": True})
    [(token, payload)] = seen
    assert payload["MessageBody"] == {"token": token}
    exited = [e for e in execution.history if e["type"] == "MapStateExited"][0]
    assert exited["stateExitedEventDetails"]["output"] == (
        '[{"index":0,"id":"arn:aws:states:us-east-1:1:execution:M:e"},'
        '{"index":1,"id":"arn:aws:states:us-east-1:1:execution:M:e"}]')
