"""`sfn.aws.<service>.<method>(...)`: an AWS service call is one Task state.

- Resource: Step Functions' optimized integration where it has one for the action
  (`arn:aws:states:::dynamodb:putItem`), else `arn:aws:states:::aws-sdk:<service>:<action>`
  (analysis/aws_models.py, which also checks the call against botocore's model).
- Arguments: the keyword arguments as JSONata, evaluated in Python's order (before the Task,
  their guards in a Choice, as for a callee). Step Functions writes an API's members with a
  capital first letter (Step Functions' own API: `stateMachineArn` is `StateMachineArn`): the top
  level is renamed both ways; a nested structure of such an API is refused.
- Result: the API's response as boto3 gives it, less its metadata (`SdkHttpMetadata`,
  `SdkResponseMetadata`; boto3's `ResponseMetadata` is dropped in plain runs). Lambda's Payload
  is the function's parsed result; an S3 object's Body is text; timestamps are ISO text.
- Errors: `except sfn.aws.<service>.<Code>` is a Catch on the name the machine sees for that
  integration (`DynamoDB.ConditionalCheckFailedException`); `except sfn.aws.ServiceError` (and
  `except Exception`) catch every error of the call (States.ALL: a service Task fails only with
  the service's errors). The caught exception's class name is the code and `str(e)` the
  service's message, as the facade's exception in a plain run; one nobody catches ends the
  execution with error = the code, cause = the message (as any Python exception).
- No retries: `@sfn.retry` decorates callees; a service call is made once, as in Python.
"""

from __future__ import annotations

import ast

from ..analysis import aws_models, pytypes
from ..errors import Refusal
from ..graph import ir, jsonata_lib
from ..graph.exprs import Expr
from ..runtime import aws
from .evaluation import operands
from .operations import no_int_keys

_METADATA = '["SdkHttpMetadata", "SdkResponseMetadata"]'
_RESPONSE = f"$merge([{{}}, $sift($states.result, function($v, $k) {{ $not($k in {_METADATA}) }})])"
# the top level's members as the API names them (Step Functions capitalizes the first letter)
_UNCAPITALIZED = ("$merge([{}, $each(" + _RESPONSE + ", function($v, $k) "
                  "{ {$lowercase($substring($k, 0, 1)) & $substring($k, 1): $v} })])")


def call_service(b, node: ast.Call, operation: aws.Operation, target: str | None = None) -> Expr:
    service, method = operation.service, operation.method
    label = f"{'lambda_' if service == 'lambda' else service}.{method}"
    if node.args:
        raise Refusal(node.args[0], f"{label}() only accepts keyword arguments (as boto3's client)",
                      "name each parameter: TableName=..., Item=...")
    for keyword in node.keywords:
        if keyword.arg is None:
            raise Refusal(keyword.value, "**kwargs in a service call is not supported",
                          "pass each parameter by name, so the compiler can check it against the API")
    op = aws_models.operation(service, method, node.func)
    options = {k.arg: k for k in node.keywords if k.arg in aws_models.OPTIONS.get((service, method), ())}
    keywords = [k for k in node.keywords if k.arg not in options]
    aws_models.check_parameters(service, method, op, keywords, node)
    wait = _wait(options.get("wait"), label)
    integration = aws_models.integration(service, op, wait)
    if integration.camel_case:
        members = op.input_shape.members
        for keyword in keywords:
            if aws_models.nested_camel_case(members[keyword.arg]):
                raise Refusal(keyword.value, f"{label}(): {keyword.arg} holds members that Step Functions names "
                              "with a capital letter (the API names them in camelCase)",
                              f"call {label} in a callee (boto3, run as a Lambda)")
    exprs = operands(b, [k.value for k in keywords])
    for keyword, value in zip(keywords, exprs, strict=True):
        if value.ty.may("exc"):
            raise Refusal(keyword.value, "an exception cannot be passed to an AWS service", "pass str(e)")
    b.check([no_int_keys(b, e, label + "()") for e in exprs], f"Check arguments of {label}")
    arguments = {(k.arg[:1].upper() + k.arg[1:] if integration.camel_case else k.arg): b.field(e)
                 for k, e in zip(keywords, exprs, strict=True)}
    var = target or b.temp("r")
    result = _UNCAPITALIZED if integration.camel_case else _RESPONSE
    task = ir.Task(title=f"Call {label}", resource=integration.resource, arguments=arguments,
                   assign={var: ir.Code(result)},
                   catch=b.catchers("service", _error_names(integration), _record(integration, op)))
    b.add(task, frozenset([var]))
    return Expr("$" + var, pytypes.dict_of(None), reads=frozenset([var]))


def _wait(keyword: ast.keyword | None, label: str) -> bool:
    """states.start_execution(..., wait=True): the `.sync:2` integration (the Task ends when the
    execution does; its result is DescribeExecution's, `output` parsed)."""
    if keyword is None:
        return False
    if not (isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, bool)):
        raise Refusal(keyword.value, f"{label}(wait=...) must be True or False, written as such",
                      "wait=True waits for the execution to end")
    return keyword.value.value


def _error_names(integration: aws_models.Integration):
    """For an except clause's classes: the names this call's Task fails with that it catches."""

    def names(classes: tuple) -> list[str]:
        if not classes or any(cls in (Exception, BaseException) or cls is aws.ServiceError for cls in classes):
            return ["States.ALL"]
        out: list[str] = []
        for cls in classes:
            if issubclass(cls, aws.ServiceError) and cls.service == integration.service:
                name = aws_models.error_name(integration, cls.code)
                if name not in out:
                    out.append(name)
        return out  # another service's errors, KeyError...: this call raises none of them

    return names


def _record(integration: aws_models.Integration, op) -> dict:
    """The caught exception as Python names it: the class is the modeled error (the machine's
    name less its service prefix and any `Exception` suffix Step Functions added), `str(e)` the
    service's message (the cause less the `(Service: ...)` AWS appends). An error the model does
    not declare reaches the machine as the client's base exception
    (`DynamoDB.AmazonDynamoDBException`): its code is read from the cause where the cause names it
    (`Error Code: ValidationException;`, optimized integrations), else the base name stays."""
    names = [(aws_models.error_name(integration, code), code)
             for code in [*aws_models.operation_errors(op), *aws_models.step_functions_errors(integration)]]
    shared = {name for name, _ in names if sum(1 for other, _ in names if other == name) > 1}
    known = {name: code for name, code in names if name not in shared}  # a base exception's name tells no code
    return {"type": ir.Code(_error_type(known)), "message": ir.Code(_MESSAGE)}


_MESSAGE = ("($c := $states.errorOutput.Cause; $type($c) != 'string' ? '' : "
            "$contains($c, ' (Service: ') ? $substringBefore($c, ' (Service: ') : $c)")


def _error_type(known: dict) -> str:
    """JSONata of the caught error's class name. A declared error whose class is the machine's
    name less its prefix (most) is listed by that class alone, in one `in` test of the prefix
    they share; the few that differ (`SNS.KMSOptInRequiredException` is `KMSOptInRequired`) map."""
    prefixes = {name.split(".", 1)[0] for name in known}
    plain = [name for name, code in known.items() if name.split(".", 1)[-1] == code]
    if len(prefixes) != 1 or not plain:
        renamed, test = known, "false"  # (no declared error, or names of several prefixes: a table)
    else:
        renamed = {name: code for name, code in known.items() if name not in plain}
        listed = ", ".join(jsonata_lib.string(name.split(".", 1)[1]) for name in plain)
        test = f"($substringBefore($e, '.') = {jsonata_lib.string(prefixes.pop())} and $n in [{listed}])"
    lookup = ""
    if renamed:
        table = ", ".join(f"{jsonata_lib.string(k)}: {jsonata_lib.string(v)}" for k, v in renamed.items())
        lookup = f"$t := $lookup({{{table}}}, $e); $exists($t) ? $t : "
    return ("($e := $states.errorOutput.Error; $c := $string($states.errorOutput.Cause); "
            f"$n := $substringAfter($e, '.'); {lookup}{test} ? $n : "
            "$substringBefore($e, '.') = 'States' ? $e : "
            "$contains($c, '; Error Code: ') ? $substringBefore($substringAfter($c, '; Error Code: '), ';') : $n)")


__all__ = ["call_service"]
