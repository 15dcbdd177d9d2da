"""Hand-written definitions the graph, coverage and CLI tests share: one with every shape a
flowchart draws (Task with Retry and Catch, Parallel, Map, Choice with combinators, Wait,
Succeed, Fail) and state names full of characters Mermaid treats specially."""

from __future__ import annotations

import copy

LOAD = 'Load "order" [v2]'
NOT_FOUND = "Not found #404 <x>"
FAN_OUT = "Fan out"
EACH = "Each item"
BIG = "Big?"
SPLIT = "Split | pipe"
TICK = "Wait `tick`"
KEEP = "Keep"
AUDIT = "Audit"
REPORT = "Report {failure}"
DONE = "Done"

RICH = {
    "Comment": "Load an order, then look at each item while auditing it.",
    "StartAt": LOAD,
    "States": {
        LOAD: {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "load", "Payload.$": "$"},
            "ResultSelector": {"items.$": "$.Payload"},
            "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 2, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["NotFound", "Gone", "Lost"], "Next": NOT_FOUND}],
            "Next": FAN_OUT,
        },
        NOT_FOUND: {"Type": "Fail", "Error": "NotFound", "Cause": "no order"},
        FAN_OUT: {
            "Type": "Parallel",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": REPORT}],
            "Branches": [
                {
                    "StartAt": EACH,
                    "States": {
                        EACH: {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {
                                "StartAt": BIG,
                                "States": {
                                    BIG: {
                                        "Type": "Choice",
                                        "Choices": [
                                            {"And": [{"Variable": "$.n", "IsNumeric": True},
                                                     {"Variable": "$.n", "NumericGreaterThan": 10}],
                                             "Next": SPLIT},
                                            {"Not": {"Variable": "$.name", "StringMatches": "a*"},
                                             "Next": TICK},
                                        ],
                                        "Default": KEEP,
                                    },
                                    SPLIT: {"Type": "Pass", "End": True},
                                    TICK: {"Type": "Wait", "Seconds": 5, "Next": KEEP},
                                    KEEP: {"Type": "Pass", "End": True},
                                },
                            },
                            "End": True,
                        }
                    },
                },
                {"StartAt": AUDIT, "States": {AUDIT: {"Type": "Pass", "Result": "ok", "End": True}}},
            ],
            "Next": DONE,
        },
        REPORT: {"Type": "Pass", "Next": DONE},
        DONE: {"Type": "Succeed"},
    },
}

ITEMS = [{"n": 20, "name": "b"}, {"n": 1, "name": "z"}, {"n": 1, "name": "abc"}]


class Flaky(Exception):
    pass


class NotFound(Exception):
    pass


def loader(failures: list[type[Exception]], items=None):
    """A `load` Lambda handler that raises the given exceptions in turn, then returns items."""
    pending = list(failures)

    def load(event, context):
        if pending:
            raise pending.pop(0)("try again")
        return copy.deepcopy(ITEMS if items is None else items)

    return load


def rich() -> dict:
    return copy.deepcopy(RICH)
