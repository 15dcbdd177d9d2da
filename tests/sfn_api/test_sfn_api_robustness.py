"""No request makes the service fail inside: whatever the body, every operation answers
with its result or one of AWS's refusals (a 400), never an InternalFailure (500)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_emulator.sfn_api import StepFunctionsService
from pysfn_emulator.sfn_api.wire import handle, service_model

MODEL = service_model()
ROLE = "arn:aws:iam::123456789012:role/test"
ARNS = ["arn:aws:states:us-east-1:123456789012:stateMachine:m", "arn:aws:states:us-east-1:123456789012:stateMachine:m:1",
        "arn:aws:states:us-east-1:123456789012:stateMachine:m:live", "arn:aws:states:us-east-1:123456789012:execution:m:e",
        "arn:aws:states:us-east-1:123456789012:express:m:e:1", "arn:aws:states:us-east-1:123456789012:activity:a",
        "arn:aws:states:us-east-1:123456789012:stateMachine:m#Case", "arn:aws:lambda:us-east-1:1:function:f", "nope", ""]
DEFINITIONS = ['{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}', "{", "[]", '{"StartAt":"A"}',
               '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",'
               '"Parameters":{"FunctionName":"f","Payload":{"t.$":"$$.Task.Token"}},"End":true}}}']
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 2000), st.sampled_from(ARNS), st.sampled_from(DEFINITIONS),
                    st.text(max_size=12), st.sampled_from(["STANDARD", "EXPRESS", "RUNNING", "INFO", "DEBUG", "{}", "null"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def _of_shape(shape, depth: int = 0):
    """Mostly values of the member's type (so requests reach the operations), now and then
    anything at all."""
    kind = shape.type_name
    if kind == "string":
        typed = st.one_of(st.sampled_from(ARNS), st.sampled_from(DEFINITIONS), st.text(max_size=12),
                          st.sampled_from(shape.enum or ['{"a": 1}', "42", "AQnot-a-token"]))
    elif kind in ("integer", "long"):
        typed = st.integers(-1, 1001)
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "list" and depth < 3:
        typed = st.lists(_of_shape(shape.member, depth + 1), max_size=3)
    elif kind == "map" and depth < 3:
        typed = st.dictionaries(st.text(max_size=6), _of_shape(shape.value, depth + 1), max_size=2)
    elif kind == "structure" and depth < 3:
        typed = _structure(shape, depth + 1)
    else:
        typed = values
    return st.one_of(typed, typed, typed, typed, typed, typed, typed, typed, typed, values)


def _structure(shape, depth: int = 0):
    required = {name: _of_shape(shape.members[name], depth) for name in shape.required_members}
    optional = {name: _of_shape(member, depth) for name, member in shape.members.items() if name not in required}
    return st.fixed_dictionaries(required, optional=optional)


def _params(operation: str):
    return _structure(MODEL.operation_model(operation).input_shape)


requests = st.sampled_from(sorted(MODEL.operation_names)).flatmap(lambda op: st.tuples(st.just(op), _params(op)))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(requests, min_size=1, max_size=6))
def test_every_request_gets_a_result_or_a_refusal(sequence):
    service = StepFunctionsService(lambdas={"f": lambda event, context: None}, activity_poll_seconds=0)
    service.call("CreateStateMachine", {"name": "m", "definition": DEFINITIONS[0], "roleArn": ROLE})
    try:
        for operation, params in sequence:
            answer = handle(service.call, f"AWSStepFunctions.{operation}", json.dumps(params).encode())
            body = json.loads(answer.body)
            assert answer.status in (200, 400), (operation, params, body)
            if answer.status == 400:
                assert set(body) == {"__type", "message"}
    finally:
        service.close()
