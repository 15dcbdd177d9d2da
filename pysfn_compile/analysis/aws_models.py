"""`sfn.aws` calls checked against botocore's service models (the shapes AWS publishes; no
parameter list is written here), and what Step Functions calls each operation.

- `operation(service, method, node)`: the botocore OperationModel of `sfn.aws.<service>.<method>`,
  or a located Refusal for an unknown service or operation ("did you mean ...?").
- `check_parameters(...)`: unknown and missing required parameters, and literals of the wrong type
  (recursively into literal dicts and lists), each a Refusal at the argument.
- `check_exception(service, code, node)`: an `except sfn.aws.<service>.<Code>` that the service
  does not define.
- `integration(...)`: the Task's Resource (the optimized integration where Step Functions has one
  for the action, else `aws-sdk:`), and `error_name(...)`: the Error the machine sees (the
  emulator's table, `pysfn_emulator.local_aws.error_name`).
"""

from __future__ import annotations

import ast
import difflib
import functools
import re
from typing import TYPE_CHECKING

import attrs

from pysfn_emulator import local_aws

from ..errors import Refusal
from ..runtime import aws, sfn

if TYPE_CHECKING:
    import botocore.session
    from botocore.model import OperationModel, ServiceModel, Shape

# The facade's service names are botocore's, but for Step Functions (`states`, as its optimized
# integration and ARNs name it; botocore calls it `stepfunctions`).
_BOTOCORE = {"states": "stepfunctions"}

# Optimized integrations: (botocore service, operation) -> `service:action` of
# arn:aws:states:::service:action. Step Functions Developer Guide, "Integrating optimized
# services": DynamoDB's item actions, SNS Publish, SQS SendMessage, EventBridge PutEvents, Step
# Functions StartExecution, Lambda Invoke (the others it optimizes, ECS/Batch/Glue/Athena/...,
# are called through aws-sdk here: same API, the SDK's result).
OPTIMIZED = {
    ("dynamodb", "GetItem"): "dynamodb:getItem",
    ("dynamodb", "PutItem"): "dynamodb:putItem",
    ("dynamodb", "UpdateItem"): "dynamodb:updateItem",
    ("dynamodb", "DeleteItem"): "dynamodb:deleteItem",
    ("sns", "Publish"): "sns:publish",
    ("sqs", "SendMessage"): "sqs:sendMessage",
    ("events", "PutEvents"): "events:putEvents",
    ("stepfunctions", "StartExecution"): "states:startExecution",
    ("lambda", "Invoke"): "lambda:invoke",
}
_ARN = "arn:aws:states:::"
# Errors Step Functions' optimized integrations raise that the API does not: events:putEvents
# fails with EventBridge.FailedEntry when an entry failed (the facade raises it in plain runs too)
STEP_FUNCTIONS_ERRORS = {"events": ["FailedEntry"]}


@attrs.frozen
class Integration:
    resource: str          # the Task's Resource
    optimized: bool        # an optimized integration (else aws-sdk)
    service: str           # the facade's service name
    operation: str         # the API's operation name (PutItem)
    camel_case: bool       # the API's member names start lower-case (Step Functions' own API):
    #                        Step Functions writes them capitalized (PascalCase)


@functools.cache
def _session() -> botocore.session.Session:
    # botocore loads when a workflow calls sfn.aws (~0.25 s), not with every compile
    import botocore.session  # noqa: PLC0415

    return botocore.session.get_session()


@functools.cache
def _available() -> tuple[str, ...]:
    return tuple(sorted({*_session().get_available_services(), *_BOTOCORE} - set(_BOTOCORE.values())))


@functools.cache
def service_model(service: str) -> ServiceModel | None:
    name = _BOTOCORE.get(service, service)
    if name in _BOTOCORE.values() and service not in _BOTOCORE:
        return None  # `stepfunctions` is spelled `states` in the facade
    session = _session()
    if name not in session.get_available_services():
        return None
    return session.get_service_model(name)


@functools.cache
def methods(service: str) -> dict[str, str]:
    """{boto3 method name: operation name} of a service."""
    from botocore import xform_name  # noqa: PLC0415 (deferred with the session)

    model = service_model(service)
    return {xform_name(name): name for name in model.operation_names} if model is not None else {}


def _attribute(service: str) -> str:
    return "lambda_" if service == "lambda" else service


def facade_object(b, node: ast.AST):
    """What a dotted name under sfn.aws denotes (`sfn.aws.dynamodb.put_item`: an Operation;
    `sfn.aws.dynamodb.ConditionalCheckFailedException`: a class), or None. Only the sfn module,
    the facade and its services are walked (no other object's attributes run at compile time)."""
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or b.comprehension_binding(node.id) is not None \
            or b.lookup(node.id, record=False)[0] is not None:
        return None
    obj = b.info.objects.get(node.id)
    if not (obj is sfn or obj is aws or isinstance(obj, (aws.Service, aws.Operation))):
        return None
    for attribute in reversed(chain):
        if not (obj is sfn or obj is aws or isinstance(obj, aws.Service)):
            return None
        obj = getattr(obj, attribute, None)
    return obj if obj is not sfn and obj is not aws else None


def facade_exception(b, node: ast.AST) -> type | None:
    found = facade_object(b, node)
    return found if isinstance(found, type) and issubclass(found, aws.ServiceError) else None


def facade_operation(b, func: ast.AST) -> aws.Operation | None:
    found = facade_object(b, func)
    return found if isinstance(found, aws.Operation) else None


def _suggest(word: str, choices, what: str) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return what


def operation(service: str, method: str, node: ast.AST) -> OperationModel:
    """The operation `sfn.aws.<service>.<method>` calls, or a Refusal at `node`."""
    model = service_model(service)
    if model is None:
        raise Refusal(node, f"sfn.aws.{_attribute(service)}: '{service}' is not an AWS service botocore knows",
                      _suggest(service, _available(), "name the service as boto3.client() does (dynamodb, "
                                                       "sqs, sns, events, s3, states, lambda_, ...)"))
    known = methods(service)
    if method not in known:
        raise Refusal(node, f"sfn.aws.{_attribute(service)}.{method}: {service} has no operation '{method}'",
                      _suggest(method, known, f"write the operation as boto3's {service} client names it "
                                              "(snake_case, e.g. " + next(iter(sorted(known)), "") + ")"))
    return model.operation_model(known[method])


def integration(service: str, op: OperationModel, wait: bool = False) -> Integration:
    name = _BOTOCORE.get(service, service)
    camel = _camel_case_members(op)
    optimized = OPTIMIZED.get((name, op.name))
    if optimized is not None:
        suffix = ".sync:2" if wait else ""
        return Integration(_ARN + optimized + suffix, True, service, op.name, camel)
    action = op.name[:1].lower() + op.name[1:]
    return Integration(f"{_ARN}aws-sdk:{sdk_service_name(op.service_model)}:{action}", False, service, op.name, camel)


def sdk_service_name(model: ServiceModel) -> str:
    """The AWS SDK integration's service name: the service's id in lower case, without spaces
    or hyphens (the Java SDK's: DynamoDB -> dynamodb, EventBridge -> eventbridge, SFN -> sfn)."""
    return re.sub(r"[\s-]", "", model.metadata.get("serviceId", model.service_name)).lower()


def error_name(integration_: Integration, code: str) -> str:
    """The Error a machine's Catch sees when the service refuses with `code`: the emulator's one
    table (s5_contract Seam 1; from AWS's recordings and the Developer Guide), e.g.
    `DynamoDB.ConditionalCheckFailedException` (optimized), `S3.NoSuchKeyException` (aws-sdk)."""
    if integration_.optimized and code in STEP_FUNCTIONS_ERRORS.get(integration_.service, ()):
        return "EventBridge." + code
    return local_aws.error_name(integration_.resource, code)


def error_shape(service: str, code: str) -> str:
    """The modeled error (its shape's name, the facade's class name) of a wire error `code`
    (SNS answers `NotFound` for NotFoundException); an unmodeled code is itself."""
    model = service_model(service)
    if model is None:
        return code
    for shape in model.error_shapes:
        if shape.name == code or (shape.metadata.get("error") or {}).get("code") == code:
            return shape.name
    return code


def operation_errors(op: OperationModel) -> list[str]:
    return [shape.name for shape in op.error_shapes]


def check_exception(service: str, code: str, node: ast.AST) -> None:
    """`except sfn.aws.<service>.<code>`: a Refusal unless the service defines that error."""
    model = service_model(service)
    if model is None:
        operation(service, "", node)  # the unknown service's refusal
        return
    errors = [shape.name for shape in model.error_shapes] + STEP_FUNCTIONS_ERRORS.get(service, [])
    if code not in errors:
        raise Refusal(node, f"sfn.aws.{_attribute(service)}.{code}: {service} defines no error '{code}'",
                      _suggest(code, errors, f"the errors {service} defines are in its API reference"))


# -- parameters ------------------------------------------------------------------------------
def _camel_case_members(op: OperationModel) -> bool:
    shape = op.input_shape
    return shape is not None and any(name[:1].islower() for name in shape.members)


def check_parameters(service: str, method: str, op: OperationModel, keywords: list[ast.keyword],
                     node: ast.AST) -> None:
    """Unknown or missing parameters, and literal values of the wrong type."""
    shape = op.input_shape
    members = dict(shape.members) if shape is not None else {}
    given = [k.arg for k in keywords]
    for keyword in keywords:
        if keyword.arg not in members:
            raise Refusal(keyword.value, f"{service}.{method}() has no parameter '{keyword.arg}'",
                          _suggest(keyword.arg, members, f"its parameters: {', '.join(members) or '(none)'}"))
        _check_value(members[keyword.arg], keyword.value, keyword.arg)
    missing = [name for name in (shape.required_members if shape is not None else []) if name not in given]
    if missing:
        raise Refusal(node, f"{service}.{method}() needs the parameter{'s' if len(missing) > 1 else ''} "
                      f"{', '.join(missing)}", f"pass {', '.join(f'{m}=...' for m in missing)}")


_KINDS = {"string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,), "double": (int, float),
          "float": (int, float), "timestamp": (str, int, float), "blob": (str, bytes)}
_NAMES = {"string": "a str", "integer": "an int", "long": "an int", "boolean": "a bool", "double": "a number",
          "float": "a number", "timestamp": "a timestamp (ISO text or seconds)", "blob": "text or bytes",
          "structure": "a dict", "map": "a dict", "list": "a list"}


def _check_value(shape: Shape, value: ast.AST, where: str) -> None:
    """A literal whose type the shape excludes is refused; anything computed is left to the
    service (a run-time error there, as in Python)."""
    kind = shape.type_name
    wrong = None
    if isinstance(value, ast.Constant) and value.value is None:
        raise Refusal(value, f"{where} cannot be None (boto3 refuses it; Step Functions would send null)",
                      f"leave {where} out")
    if isinstance(value, ast.Constant):
        accepted = _KINDS.get(kind)
        literal = value.value
        if accepted is None or not isinstance(literal, accepted) or (isinstance(literal, bool) and bool not in accepted):
            wrong = type(literal).__name__
    elif isinstance(value, (ast.List, ast.Tuple, ast.ListComp)) and kind != "list":
        wrong = "list"
    elif isinstance(value, (ast.Dict, ast.DictComp)) and kind not in ("structure", "map"):
        wrong = "dict"
    elif isinstance(value, ast.JoinedStr) and kind not in ("string", "timestamp", "blob"):
        wrong = "str"
    if wrong is not None:
        raise Refusal(value, f"{where} must be {_NAMES.get(kind, kind)}, not {wrong}",
                      f"pass {_NAMES.get(kind, kind)} ({where} is a {kind} in the API)")
    if isinstance(value, ast.Dict) and kind == "structure":
        members = dict(shape.members)
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if key.value not in members:
                    raise Refusal(key, f"{where} has no member '{key.value}'",
                                  _suggest(key.value, members, f"its members: {', '.join(members)}"))
                _check_value(members[key.value], item, f"{where}.{key.value}")
    elif isinstance(value, ast.Dict) and kind == "map":
        for key, item in zip(value.keys, value.values, strict=True):
            if key is not None:
                label = repr(key.value) if isinstance(key, ast.Constant) else "..."
                _check_value(shape.value, item, f"{where}[{label}]")
    elif isinstance(value, (ast.List, ast.Tuple)) and kind == "list":
        for item in value.elts:
            _check_value(shape.member, item, f"{where}[...]")


def nested_camel_case(shape: Shape | None, seen: frozenset = frozenset()) -> bool:
    """Whether a structure below the top level names members in lower camelCase (Step Functions
    writes them capitalized; only the top level is renamed, see lowering/service_calls.py)."""
    if shape is None or shape.name in seen:
        return False
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        return any(name[:1].islower() or nested_camel_case(member, seen) for name, member in shape.members.items())
    if shape.type_name == "list":
        return nested_camel_case(shape.member, seen)
    if shape.type_name == "map":
        return nested_camel_case(shape.value, seen)
    return False
