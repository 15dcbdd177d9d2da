"""Calls that become states: a callee is a Lambda Task; sfn.parallel / sfn.map / sfn.sleep are
Parallel, Map and Wait states; a comprehension that calls a callee is a Map state. (Builtins and
methods are JSONata: builtins.py; which of them a call is, the visitor decides.)"""

from __future__ import annotations

import ast
import dataclasses
import datetime
import inspect
import time
import typing
from typing import Any

import attrs

from ..analysis import callee_returns, pytypes
from ..analysis.ast_edits import short_text
from ..analysis.effects import EFFECTFUL_MODULES, effects
from ..analysis.exceptions import ALL, caught_names
from ..analysis.fresh_names import fresh_name
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import ir, jsonata_lib
from ..graph.exprs import Expr, carried_kind, combine, float_kind, guard, mixed_number
from ..runtime import sfn
from . import distributed_map, operations
from .evaluation import bind_target, condition, materialize, operands
from .operations import iterable_of, iteration_source

RESULT = "$states.result.Payload"


# what a workflow writes instead of a standard-library call it cannot make
_INSTEAD = {
    ("time", "sleep"): "did you mean sfn.sleep(seconds)? It is a Wait state (instant in the emulator)",
    ("asyncio", "sleep"): "did you mean sfn.sleep(seconds)? It is a Wait state (instant in the emulator)",
}

# the standard library's clock reads, which a state machine cannot make (sfn.now() is its own)
CLOCKS = frozenset({time.time, time.time_ns, time.monotonic, time.perf_counter, datetime.datetime.now,
                    datetime.datetime.utcnow, datetime.datetime.today, datetime.date.today})


def clock_refusal(node: ast.Call) -> Refusal:
    """A clock read: sfn.now() is the state machine's, as AWS writes a time."""
    return Refusal(node, f"{short_text(ast.unparse(node.func))}() reads the clock, which the state machine cannot: "
                   "sfn.now() is the time the state was entered, as AWS writes times (ISO 8601 in UTC, "
                   "'2026-12-05T07:16:31.123Z')",
                   "use sfn.now() (a plain run reads the sfn clock, virtual in tests, so both runs agree), or "
                   "read the clock in a callee and pass the time to the workflow")


def module_call_refusal(node: ast.Call, module: str, name: str) -> Refusal:
    hint = _INSTEAD.get((module, name), f"call {module}.{name}() in a callee (a module-level function, run as "
                                         "a Lambda) and pass its result to the workflow")
    return Refusal(node, f"{module}.{name}() cannot run inside the state machine", hint,
                   computable=(module, name) not in _INSTEAD and module not in EFFECTFUL_MODULES)


# -- callees -----------------------------------------------------------------------------
def call_callee(b, node: ast.Call, name: str, target: str | None = None, callback: Callback | None = None) -> Expr:
    """A callee's Task; with `callback`, `node` is sfn.wait_for_callback(name, payload, ...) and
    the Task calls `name(payload, token)`, then waits for the token's answer."""
    function = b.info.callee(name)
    wrapper = b.info.objects[name]
    fdef = b.info.functions[name]
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise Refusal(node, f"'{name}' is async: callees must be plain functions")
    mapping = None  # a call's **mapping
    if callback is not None:
        (payload,) = operands(b, [callback.payload])
        exprs, args, kwargs = [payload], [payload, _TOKEN], {}
    else:
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise Refusal(arg, "*args in a call is not supported", "pass the arguments one by one")
        spread = [k for k in node.keywords if k.arg is None]
        if len(spread) > 1:
            raise Refusal(spread[1].value, "more than one **mapping in a call is not supported",
                          "merge them first: {**a, **b}")
        exprs = operands(b, [*node.args, *(k.value for k in node.keywords)])
        args = exprs[: len(node.args)]
        named = list(zip(node.keywords, exprs[len(node.args):], strict=True))
        kwargs = {k.arg: e for k, e in named if k.arg is not None}
        mapping = next((e for k, e in named if k.arg is None), None)
    signature = inspect.signature(function)
    try:
        bound = signature.bind(*args, **kwargs) if mapping is None else signature.bind_partial(*args, **kwargs)
    except TypeError as error:
        raise Refusal(node, f"{name}(): {error}", "call it with the parameters it declares") from None
    hints = _hints(function)
    mutated = b.mutated_parameters(name)
    floats = []  # where the dispatcher turns an integral number back into the float Python passes
    for declared, parameter, value in _arguments(signature, bound):
        hint = hints.get(declared)
        if hint is None:  # the places of the value's floats, for the dispatcher to restore
            floats += _float_places(node, name, parameter, value, args)
        elif not pytypes.float_safe(value.ty, hint):
            if pytypes.expects_float(hint) and not pytypes.may_hold_float(value.ty):
                said = "is annotated float" if hint is float else \
                    f"is annotated {getattr(hint, '__name__', None) or hint}, which says float inside it"
                raise Refusal(node, f"argument '{parameter}' of {name}() is {value.ty.describe()}, but the parameter "
                              f"{said}: the Lambda would receive a float where Python passes the int",
                              "pass float(...) explicitly where the annotation says float")
            if pytypes.expects_float(hint):
                raise Refusal(node, f"argument '{parameter}' of {name}() may be an int or a float "
                              f"({value.ty.describe()}; JSON carries 3.0 as 3), and the parameter is annotated float: "
                              "the Lambda would receive a float where Python may pass an int",
                              f"pass float(...) explicitly: {name}(..., float(...), ...)")
            raise Refusal(node, f"argument '{parameter}' of {name}() may be a float{_where_floats(value.ty)}, "
                          "and JSON carries 3.0 as 3: the Lambda would receive an int",
                          _float_hint(name, parameter, value.ty))
        if parameter in mutated and value.ty.mutable and not value.is_const:
            line = mutated[parameter]
            raise Refusal(node, f"{name}() changes its parameter '{parameter}' in place (line {line}); "
                          "a Lambda works on a copy, so the workflow would not see the change",
                          f"change a copy in {name}() ({parameter} = dict({parameter}) or list({parameter}) first) "
                          f"and return it; the workflow assigns the result ({parameter} = {name}({parameter}))")
        if value.ty.may("exc"):
            raise Refusal(node, "an exception cannot be passed to a callee", "pass str(e)")
        if pytypes.has_tuple(value.ty):
            raise Refusal(node, f"argument '{parameter}' of {name}() may hold a tuple, which reaches the Lambda as a "
                          "list (JSON has arrays only): the callee would see a list where Python passes the tuple",
                          "pass a list: list(t)")
    task_kwargs: Any = {k: b.field(e) for k, e in kwargs.items()}
    checks = [operations.no_int_keys(b, e, f"{name}()") for e in exprs]
    if mapping is not None:
        checked, merged, mapping_floats = _spread(node, name, function, mapping, named, mutated)
        task_kwargs, checks = b.field(merged), [checked, *checks]
        floats += mapping_floats
    b.check(checks, f"Check arguments of {name}")
    b.note_callee(name, function)
    arguments = {parameter: value.ty for parameter, value in bound.arguments.items() if isinstance(value, Expr)}
    returns = return_type(function, fdef, b.info, arguments) if callback is None else pytypes.ANY
    var = target or b.temp("r")
    task = ir.Task(title=f"Call {name}", function=name, lambda_arn=b.lambda_arn,
                   args=[b.field(e) for e in args], kwargs=task_kwargs, floats=floats,
                   assign={var: ir.Code(RESULT)}, retry=retriers(b, node, wrapper), catch=b.catchers("task"))
    options = getattr(wrapper, "__pysfn_task__", None) or getattr(function, "__pysfn_task__", None) or {}
    if callback is not None:
        if options or getattr(wrapper, "__pysfn_retry__", None):
            what = "@sfn.task" if options else "@sfn.retry"
            raise Refusal(node, f"{name}() is decorated with {what}, but a Task that waits for a callback covers the "
                          "wait too: Step Functions would apply it to the answer (a failure answer would be retried, "
                          "the timeout would count the wait)",
                          "give timeout= and heartbeat= to sfn.wait_for_callback, and retry inside the callee")
        # the Task's result is the answer (SendTaskSuccess's output), not a Lambda response
        task.title, task.wait_for_token = f"Wait for {name} callback", True
        task.assign = {var: ir.Code("$states.result")}
        options = {"timeout": callback.timeout, "heartbeat": callback.heartbeat}
    task.timeout, task.heartbeat = _timeouts(node, options, "sfn.wait_for_callback" if callback else "@sfn.task")
    b.add(task, frozenset([var]))
    return Expr("$" + var, returns, reads=frozenset([var]))


def _spread(node: ast.Call, name: str, function, mapping: Expr, named: list, mutated: dict):
    """`callee(..., k=v, **options)`: (the mapping with Python's checks of the call, the
    payload's kwargs as one JSONata object in the order Python builds them, the float paths of
    the mapping's values). Python raises TypeError where `options` is no mapping (naming the
    function with its module) or repeats a keyword given by name; the rest (an unexpected or
    repeated parameter, one missing) the callee's own call raises in the Lambda, as in Python."""
    what = f"{function.__module__}.{getattr(function, '__qualname__', name)}()"
    if not mapping.ty.may("dict"):
        raise Refusal(node, f"{what} argument after ** must be a mapping, not {mapping.ty.describe()} "
                      "(Python raises TypeError)", "pass a dict")
    if mapping.ty.may("exc") or pytypes.has_tuple(mapping.ty):
        raise Refusal(node, f"the **mapping passed to {name}() may hold a tuple or an exception, which the "
                      "Lambda cannot receive as Python passes it", "pass a dict of JSON values")
    changed = [p for p in mutated if p not in {k.arg for k, _ in named}]
    if changed and mapping.ty.mutable:
        raise Refusal(node, f"{name}() changes its parameter '{changed[0]}' in place (line {mutated[changed[0]]}), "
                      "which the **mapping may pass: a Lambda works on a copy, so the workflow would not see it",
                      f"change a copy in {name}() and return it")
    paths = pytypes.float_paths(mapping.ty)
    if paths is None or any(path[0] is None for path in paths):
        raise Refusal(node, f"the **mapping passed to {name}() may hold floats the workflow computed, and JSON "
                      "carries 3.0 as 3: the Lambda cannot be told which keywords are floats",
                      f"pass those arguments by name: {name}(..., rate=rate)")
    m = mapping.code
    guards = []
    if not mapping.ty.only("dict"):
        guards.append(guard(f"$type({m}) != 'object'", TypeError,
                            f"{jsonata_lib.string(what + ' argument after ** must be a mapping, not ')} & $__pytype({m})",
                            mapping, helpers={"pytype"}))
    spread_at = next(i for i, (k, _) in enumerate(named) if k.arg is None)
    before = [k.arg for k, _ in named[:spread_at]]
    after = [k.arg for k, _ in named[spread_at + 1:]]
    # CPython merges in order: a key of the mapping given by name before it, then a keyword
    # after it that the mapping holds
    repeated = ([f"$keys({m})[$ in {jsonata_lib.literal(before)}]"] if before else []) + (
        [f"{jsonata_lib.literal(after)}[$exists($lookup({m}, $))]"] if after else [])
    for found in repeated:
        guards.append(guard(f"$exists({found})", TypeError,
                            f"{jsonata_lib.string(what + ' got multiple values for keyword argument ')} & \"'\" & "
                            f"{found}[0] & \"'\"", mapping))
    objects = [", ".join(f"{jsonata_lib.string(k.arg)}: {v.code}" for k, v in side) for side in
               (named[:spread_at], named[spread_at + 1:])]
    parts = [text for text in ("{" + objects[0] + "}" if before else "", m, "{" + objects[1] + "}" if after else "")
             if text]
    checked = attrs.evolve(mapping, guards=tuple(guards))
    merged = combine(m if len(parts) == 1 else f"$merge([{', '.join(parts)}])", pytypes.kind("dict"),
                     *(value for _, value in named))
    return checked, merged, [[*path] for path in paths]


_HINTS: dict = {}


def _hints(function) -> dict:
    key = id(function)
    cached = _HINTS.get(key)
    if cached is not None and cached[0] is function:
        return cached[1]
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = dict(getattr(function, "__annotations__", {}))
    _HINTS[key] = (function, hints)
    return hints


def retriers(b, node, wrapper) -> list[ir.Retrier]:
    out = [ir.LAMBDA_SERVICE_RETRY]
    specs = getattr(wrapper, "__pysfn_retry__", [])
    for index, spec in enumerate(specs):
        errors = caught_names(b.info, tuple(spec.errors), node, "@sfn.retry: ")
        if errors == [ALL] and index != len(specs) - 1:
            raise Refusal(node, "a retry over every exception must be the last (lowest) @sfn.retry",
                          "move @sfn.retry(errors=[Exception]) below the others")
        if not isinstance(spec.max_attempts, int) or spec.max_attempts < 0:
            raise Refusal(node, "max_attempts must be an int >= 0")
        if not isinstance(spec.interval, int) or spec.interval < 1:
            raise Refusal(node, "interval must be an int >= 1 (seconds)")
        if not isinstance(spec.backoff, (int, float)) or spec.backoff < 1:
            raise Refusal(node, "backoff must be >= 1.0")
        if spec.max_delay is not None and (not isinstance(spec.max_delay, int) or spec.max_delay < 1):
            raise Refusal(node, "max_delay must be an int >= 1 (seconds)")
        out.append(ir.Retrier(errors, spec.interval, spec.max_attempts, float(spec.backoff),
                              spec.max_delay, bool(spec.jitter)))
    return out


def _timeouts(node, options: dict, where: str = "@sfn.task"):
    timeout, heartbeat = options.get("timeout"), options.get("heartbeat")
    for label, value in (("timeout", timeout), ("heartbeat", heartbeat)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise Refusal(node, f"{where}({label}=...) must be a positive int (seconds)")
    if timeout is not None and heartbeat is not None and heartbeat >= timeout:
        raise Refusal(node, f"{where}: heartbeat must be smaller than timeout")
    return timeout, heartbeat


# -- sfn.wait_for_callback ---------------------------------------------------------------
@attrs.frozen
class Callback:
    """sfn.wait_for_callback(notify, payload, timeout=None, heartbeat=None), its parts read."""

    payload: ast.expr
    timeout: int | None
    heartbeat: int | None


# the token the callee receives: AWS gives each Task's context one ($$.Task.Token)
_TOKEN = Expr("$states.context.Task.Token", pytypes.STR)
_CALLBACK_PARAMETERS = ("notify", "payload", "timeout", "heartbeat")


def call_wait_for_callback(b, node: ast.Call, target: str | None) -> Expr:
    """A `.waitForTaskToken` Task through the dispatcher: it calls the callee `notify(payload,
    token)` and its result is the answer to the token (runtime/sfn.py: wait_for_callback)."""
    usage = "sfn.wait_for_callback(notify, payload, timeout=None, heartbeat=None)"
    if len(node.args) > len(_CALLBACK_PARAMETERS) or any(isinstance(a, ast.Starred) for a in node.args) \
            or any(k.arg is None or k.arg not in _CALLBACK_PARAMETERS for k in node.keywords):
        raise Refusal(node, f"{usage}: unexpected arguments", "pass the callee, the payload, and the limits by name")
    given = dict(zip(_CALLBACK_PARAMETERS, node.args, strict=False))
    for keyword in node.keywords:
        if keyword.arg in given:
            raise Refusal(keyword, f"sfn.wait_for_callback() got multiple values for '{keyword.arg}'")
        given[keyword.arg] = keyword.value
    notify, payload = given.get("notify"), given.get("payload")
    if notify is None or payload is None:
        raise Refusal(node, f"{usage} needs the callee and the payload")
    if not (isinstance(notify, ast.Name) and b.is_callee(notify.id) and b.lookup(notify.id)[0] is None):
        raise Refusal(notify, "the callback's notify must be a callee (a module-level function, run as a Lambda, "
                      "called as notify(payload, token))", "define def notify(payload, token): ... at module level")
    limits = {}
    for label in ("timeout", "heartbeat"):
        value = given.get(label)
        if value is not None and not (isinstance(value, ast.Constant) and (
                value.value is None or isinstance(value.value, int) and not isinstance(value.value, bool))):
            raise Refusal(value, f"sfn.wait_for_callback({label}=...) must be a literal int (seconds)")
        limits[label] = value.value if value is not None else None
    return call_callee(b, node, notify.id, target, Callback(payload, limits["timeout"], limits["heartbeat"]))


def _arguments(signature: inspect.Signature, bound: inspect.BoundArguments) -> list[tuple[str, str, Expr]]:
    """(the parameter declared, the name the argument goes by, its value) of each argument:
    the items of `*names` one by one (annotated as each item), and the values of `**options`
    by their keywords (each an argument the payload passes by name)."""
    out = []
    for parameter, value in bound.arguments.items():
        kind = signature.parameters[parameter].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            out += [(parameter, parameter, item) for item in value]
        elif kind is inspect.Parameter.VAR_KEYWORD:
            out += [(parameter, keyword, item) for keyword, item in value.items()]
        else:
            out.append((parameter, parameter, value))
    return out


def return_type(function, fdef, info, arguments: dict | None = None) -> Ty:
    """The type a callee's result has: what its return annotation promises (the dispatcher
    checks it), made precise by what its body certainly returns, given the arguments' types
    (`arguments`: parameter -> Ty), where the annotation is open (none, `-> dict`,
    `-> list[dict]`)."""
    return callee_returns.returned_type(_annotated_return(function, fdef), fdef, info, arguments)


def _float_places(node: ast.Call, name: str, parameter: str, value: Expr, args: list) -> list[list]:
    """An unannotated parameter's value: where its floats are (pytypes.float_paths), as a
    payload's "floats" paths; refused where the types cannot say which numbers are floats."""
    paths = pytypes.float_paths(value.ty)
    if paths is None and (value.ty.is_any or not value.ty.kinds):
        raise Refusal(node, f"argument '{parameter}' of {name}() holds a float the workflow computed among numbers "
                      "of unknown type, and JSON carries 3.0 as 3: the Lambda cannot be told which are floats",
                      "make the numbers there always floats (float(...)), or annotate where the value comes from")
    where = next((i for i, arg in enumerate(args) if arg is value), parameter)
    kind = float_kind(value) if paths is None and mixed_number(value.ty) and not value.ty.may("list", "dict") else None
    if kind is None:
        kind = carried_kind(value)  # a number of unknown type that carries its kind (an integral float it computed)
    if kind is not None:  # a number that may be an int or a float, and its kind known at run time
        return [ir.Code(f"({kind.code} ? {jsonata_lib.literal([[where]])} : [])", kind.helpers)]
    if paths is None:
        raise Refusal(node, f"argument '{parameter}' of {name}() may be a float{_where_floats(value.ty)} or an int, "
                      "and JSON carries 3.0 as 3: the Lambda cannot be told which Python passes",
                      "make it always a float (float(...), or 0.0 for 0) or always an int where it is computed")
    return [[where, *path] for path in paths]


def _where_floats(ty: Ty) -> str:
    keys = pytypes.float_keys(ty) if ty.only("dict") else []
    return f" (under {', '.join(repr(k) for k in keys)})" if keys else " (in its items)" if ty.only("list", "dict") else ""


def _float_hint(name: str, parameter: str, ty: Ty) -> str:
    """Annotate the parameter so that the dispatcher passes the value's floats as floats."""
    keys = pytypes.float_keys(ty) if ty.only("dict") else []
    if not keys:
        return f"annotate the parameter: def {name}(..., {parameter}: {_float_annotation(ty)}, ...)"
    record = "".join(part.title() for part in parameter.split("_")) or "Record"
    fields = "; ".join(f"{key}: {_float_annotation(field)}" for key, field in ty.fields if key in keys)
    return (f"annotate the parameter with a TypedDict that says which keys hold floats: class {record}(TypedDict, "
            f"total=False): {fields}; then def {name}(..., {parameter}: {record}, ...)")


def _float_annotation(ty: Ty) -> str:
    """The annotation that makes the dispatcher pass the floats of a value of type `ty` as floats."""
    if ty.only("list") and not ty.items:
        return f"list[{_float_annotation(ty.element)}]"
    if ty.only("dict"):
        return f"dict[str, {_float_annotation(ty.values)}]"
    return "float | None" if ty.may("none") else "float"


def _annotated_return(function, fdef) -> Ty:
    hints = _hints(function)
    if dataclasses.is_dataclass(hints.get("return")):
        raise Refusal(fdef.returns or fdef, f"{fdef.name}() returns a dataclass, which JSON cannot carry from "
                      "its Lambda to the state machine",
                      f"return a dict and annotate it with a TypedDict: class {hints['return'].__name__}(TypedDict): "
                      "...")
    if not hints and fdef.returns is not None:
        return annotation_type(fdef.returns)
    if "return" not in hints:
        return pytypes.ANY
    keyed = _non_str_key(hints["return"])
    if keyed is not None:
        raise Refusal(fdef.returns or fdef, f"{fdef.name}() is annotated to return a dict with {keyed} keys: JSON "
                      "carries a dict's keys as strings, so the Lambda's dispatcher raises TypeError where plain "
                      "Python would not",
                      "return str keys (str(n)) and annotate dict[str, ...]; the workflow then looks them up with "
                      "str(n), or turns them back with {int(k): v for k, v in d.items()}")
    return pytypes.hint_type(hints["return"])


def _non_str_key(hint) -> str | None:
    """The name of a key type other than str in a dict the annotation `hint` describes, at any
    depth (list[dict[int, str]], a TypedDict's field, a union's option), or None."""
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict and len(parameters) == 2:
        key = parameters[0]
        if key is not str and key is not typing.Any:
            return getattr(key, "__name__", str(key))
    if typing.is_typeddict(hint):
        try:
            parameters = tuple(typing.get_type_hints(hint).values())
        except Exception:  # a field's annotation that does not evaluate: the usual rules decide
            return None
    return next((found for found in map(_non_str_key, parameters) if found is not None), None)


def annotation_type(annotation) -> Ty:
    """The static type an annotation promises (unannotated: any JSON value)."""
    if annotation is None:
        return pytypes.ANY
    if isinstance(annotation, ast.Constant):
        if annotation.value is None:
            return pytypes.NONE
        if isinstance(annotation.value, str):
            try:
                return annotation_type(ast.parse(annotation.value, mode="eval").body)
            except SyntaxError:
                return pytypes.ANY
        return pytypes.ANY
    if isinstance(annotation, ast.Name):
        return {"int": pytypes.INT, "float": pytypes.FLOAT, "str": pytypes.STR, "bool": pytypes.BOOL,
                "list": pytypes.list_of(None), "dict": pytypes.dict_of(None), "tuple": pytypes.as_form(pytypes.list_of(None), "either"),
                "None": pytypes.NONE}.get(annotation.id, pytypes.ANY)
    if isinstance(annotation, ast.Attribute):
        return pytypes.ANY
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return pytypes.join(annotation_type(annotation.left), annotation_type(annotation.right))
    if isinstance(annotation, ast.Subscript):
        base = annotation.value
        base_name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) else ""
        args = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if base_name in ("list", "List", "Sequence", "tuple", "Tuple"):
            if base_name in ("tuple", "Tuple"):
                elem = None
                for arg in args:
                    if not (isinstance(arg, ast.Constant) and arg.value is Ellipsis):
                        elem = pytypes.join(elem, annotation_type(arg))
                return pytypes.as_form(pytypes.list_of(elem), "either")
            return pytypes.list_of(annotation_type(args[0]))
        if base_name in ("dict", "Dict", "Mapping"):
            return pytypes.dict_of(annotation_type(args[1]) if len(args) == 2 else None)
        if base_name == "Optional":
            return pytypes.join(annotation_type(args[0]), pytypes.NONE)
        if base_name == "Union":
            result = None
            for arg in args:
                result = pytypes.join(result, annotation_type(arg))
            return result
    return pytypes.ANY


# -- sfn helpers -------------------------------------------------------------------------
def call_sfn(b, node: ast.Call, name: str, target: str | None = None) -> Expr:
    if name == "parallel":
        return call_parallel(b, node, target)
    if name == "map":
        return call_map(b, node, target)
    if name in ("sleep", "sleep_until"):
        return call_sleep(b, node, name)
    if name in ("context", "now"):
        return call_context(node, name)
    if name == "wait_for_callback":
        return call_wait_for_callback(b, node, target)
    if name == "s3_items":
        raise Refusal(node, "sfn.s3_items() is only the items of a distributed Map",
                      "sfn.map(fn, sfn.s3_items(bucket, key), distributed=True)")
    if name == "Fail":
        raise Refusal(node, "sfn.Fail can only be raised", "raise sfn.Fail(error, cause)")
    raise Refusal(node, f"sfn.{name} cannot be used inside a workflow")


# sfn.context() and sfn.now(): reads of the context object (runtime/sfn.py builds the same
# values in a plain run). AWS gives State.RetryCount only in Task states; a workflow's own
# states are Pass and Choice states, where it is 0.
_CONTEXT = "$states.context"
_CONTEXT_CODE = (
    f'{{"execution": {{"id": {_CONTEXT}.Execution.Id, "name": {_CONTEXT}.Execution.Name, '
    f'"start_time": {_CONTEXT}.Execution.StartTime}}, '
    f'"state_machine": {{"id": {_CONTEXT}.StateMachine.Id, "name": {_CONTEXT}.StateMachine.Name}}, '
    f'"retry_count": $exists({_CONTEXT}.State.RetryCount) ? {_CONTEXT}.State.RetryCount : 0}}'
)
_CONTEXT_TYPE = pytypes.typed_dict("Context", {
    "execution": pytypes.typed_dict("Execution", {"id": pytypes.STR, "name": pytypes.STR,
                                                  "start_time": pytypes.STR}),
    "state_machine": pytypes.typed_dict("StateMachine", {"id": pytypes.STR, "name": pytypes.STR}),
    "retry_count": pytypes.SMALL_INT,
})


def call_context(node: ast.Call, name: str) -> Expr:
    if node.args or node.keywords:
        raise Refusal(node, f"sfn.{name}() takes no arguments")
    if name == "now":
        return Expr(f"{_CONTEXT}.State.EnteredTime", pytypes.STR)
    return Expr(f"({_CONTEXT_CODE})", _CONTEXT_TYPE)


def call_sleep(b, node: ast.Call, name: str) -> Expr:
    if len(node.args) != 1 or node.keywords:
        raise Refusal(node, f"sfn.{name}() takes one argument")
    (value,) = operands(b, node.args)
    wait = ir.Wait(title="Sleep" if name == "sleep" else "Sleep until")
    if name == "sleep":
        if value.ty.is_any or (value.ty.json_number and value.ty.may("int")):
            value = whole_seconds(value)
        if not value.ty.only("int"):
            raise Refusal(node, f"sfn.sleep() takes whole seconds (an int), not {value.ty.describe()}",
                          "round the seconds, e.g. sfn.sleep(int(seconds))")
        if value.is_const:
            if value.const < 0:
                raise Refusal(node, "sfn.sleep() of a negative number of seconds")
            if value.const > sfn.MAX_SLEEP:
                raise Refusal(node, sfn.SLEEP_TOO_LONG)
            wait.seconds = value.const
            wait.title = f"Sleep {value.const}s"
        else:  # (past MAX_SLEEP, Step Functions' own States.Runtime: no check state per sleep for it)
            wait.seconds = ir.Code(f"$max([0, {value.code}])", value.helpers)
    else:
        if not value.ty.only("str"):
            raise Refusal(node, "sfn.sleep_until() takes an ISO 8601 timestamp string here",
                          "pass dt.isoformat() from a callee, e.g. '2030-01-01T00:00:00Z'")
        wait.timestamp = b.field(value)
    b.check([value], "Check sleep")
    b.add(wait)
    return Expr("null", pytypes.NONE, const=None)


def whole_seconds(value: Expr) -> Expr:
    """A number of seconds known only at run time: a Wait state waits whole seconds; no number
    is Python's TypeError, a fraction sfn.sleep's ValueError, in both runs."""
    v = value.code
    kind = guard(f"($type({v}) != 'number')", TypeError, f"{jsonata_lib.string(sfn.SLEEP_TYPE)} & $__pytype({v})",
                 value, helpers=jsonata_lib.closure({"pytype"}))
    whole = guard(f"($floor({v}) != {v})", ValueError, jsonata_lib.string(sfn.SLEEP_FRACTION), value)
    return attrs.evolve(value, ty=pytypes.INT, guards=(*value.guards, kind, whole))


def call_parallel(b, node: ast.Call, target: str | None) -> Expr:
    if node.keywords:
        raise Refusal(node, "sfn.parallel() takes only branches")
    if not node.args:
        raise Refusal(node, "sfn.parallel() needs at least one branch")
    graphs, result_ty, branch_types = [], None, []
    for index, arg in enumerate(node.args):
        title = f"branch {index + 1}"
        if isinstance(arg, ast.Lambda):
            if arg.args.args or arg.args.vararg or arg.args.kwonlyargs or arg.args.kwarg:
                raise Refusal(arg, "a parallel branch takes no arguments")
            body = [ast.Return(value=arg.body, lineno=arg.lineno, col_offset=arg.col_offset)]
            graph, ty = b.lower_branch(f"branch{index + 1}_line{arg.lineno}", body, [], arg)
        elif isinstance(arg, ast.Name) and arg.id in b.scope_nested():
            fdef = b.scope_nested()[arg.id]
            if fdef.args.args or fdef.args.vararg or fdef.args.kwonlyargs or fdef.args.kwarg:
                raise Refusal(arg, f"the branch {arg.id}() must take no arguments")
            graph, ty = b.lower_branch(arg.id, fdef.body, [], fdef)
            title = arg.id
        elif isinstance(arg, ast.Name) and b.is_callee(arg.id):
            call = ast.Call(func=ast.Name(arg.id, ast.Load(), lineno=arg.lineno, col_offset=arg.col_offset),
                            args=[], keywords=[], lineno=arg.lineno, col_offset=arg.col_offset)
            body = [ast.Return(value=call, lineno=arg.lineno, col_offset=arg.col_offset)]
            graph, ty = b.lower_branch(f"{arg.id}_line{arg.lineno}", body, [], arg)
        else:
            raise Refusal(arg, "a parallel branch must be a lambda, a nested def or a callee",
                          "sfn.parallel(lambda: fetch(a), lambda: fetch(b))")
        del title
        graphs.append(graph)
        branch_types.append(ty)
        result_ty = pytypes.join(result_ty, ty)
    var = target or b.temp("parallel")
    state = ir.Parallel(title=f"Run {len(graphs)} branches", branches=graphs,
                        assign={var: ir.Code("$states.result")}, catch=b.catchers("branch"))
    b.add(state, frozenset([var]))
    return Expr("$" + var, pytypes.pair_of(*branch_types), reads=frozenset([var]))


def call_map(b, node: ast.Call, target: str | None) -> Expr:
    args = list(node.args)
    keywords = {k.arg: k.value for k in node.keywords}
    if len(args) > 3 or set(keywords) - {"max_concurrency", "items", "function", "result_writer", *distributed_map.OPTIONS}:
        raise Refusal(node, "sfn.map(fn, items, max_concurrency=None, distributed=False, execution_type='STANDARD', "
                      "batch_size=None, tolerated_failure_count=None, tolerated_failure_percentage=None, "
                      "result_writer=None)")
    function = args[0] if args else keywords.get("function")
    items_node = args[1] if len(args) > 1 else keywords.get("items")
    concurrency_node = args[2] if len(args) > 2 else keywords.get("max_concurrency")
    if function is None or items_node is None:
        raise Refusal(node, "sfn.map() needs a function and the items")
    if isinstance(items_node, ast.Lambda) or (isinstance(items_node, ast.Name) and (
            b.is_callee(items_node.id) or items_node.id in b.info.functions) and not isinstance(function, ast.Lambda)
            and not (isinstance(function, ast.Name) and (b.is_callee(function.id) or function.id in b.info.functions))):
        raise Refusal(node, "sfn.map(fn, items) takes the function first and the items second",
                      "swap them: sfn.map(" + ", ".join(short_text(ast.unparse(n), 40) for n in (items_node, function)) + ")")
    options = distributed_map.literal_options(keywords)
    writer_node = keywords.get("result_writer")
    if writer_node is not None and not (isinstance(writer_node, ast.Constant) and writer_node.value is None):
        distributed_map.check_writer_options(writer_node, options)
    else:
        writer_node = None
    reader = None
    if distributed_map.is_s3_items(b, items_node):
        if not options["distributed"]:
            raise Refusal(items_node, "sfn.s3_items() are the items of a distributed Map", "add distributed=True")
        reader = distributed_map.s3_reader(b, items_node, operands)
        items = None
        item_ty = distributed_map.item_type(reader)
    else:
        (items,) = operands(b, [items_node])
        items = _list_items(b, node, items, "sfn.map()")
        item_ty = items.ty.element
    concurrency = None
    if concurrency_node is not None:
        if not (isinstance(concurrency_node, ast.Constant) and (concurrency_node.value is None or (
                isinstance(concurrency_node.value, int) and concurrency_node.value >= 0))):
            raise Refusal(concurrency_node, "max_concurrency must be a literal int >= 0 (or None)",
                          "write the number in the call (max_concurrency=5): the compiler writes it into the "
                          "Map state's MaxConcurrency")
        concurrency = concurrency_node.value
    distributed = options["distributed"]
    batched = distributed and options["batch_size"] is not None
    param_ty = distributed_map.batch_type(item_ty) if batched else item_ty
    source = ({"source": "$states.input.Items"} if batched else {}) | ({"child": True} if distributed else {})
    if isinstance(function, ast.Name) and b.is_callee(function.id) and b.lookup(function.id)[0] is None:
        param = "item"
        call = ast.Call(func=ast.Name(function.id, ast.Load(), lineno=node.lineno, col_offset=node.col_offset),
                        args=[ast.Name(param, ast.Load(), lineno=node.lineno, col_offset=node.col_offset)],
                        keywords=[], lineno=node.lineno, col_offset=node.col_offset)
        body = [ast.Return(value=call, lineno=node.lineno, col_offset=node.col_offset)]
        graph, ty = b.lower_branch(f"{function.id}_item_line{node.lineno}", body, [(param, param_ty)], node, **source)
        title = f"Map {function.id}"
    elif isinstance(function, ast.Name) and function.id in b.scope_nested():
        fdef = b.scope_nested()[function.id]
        params = [a.arg for a in fdef.args.args]
        if len(params) != 1 or fdef.args.vararg or fdef.args.kwonlyargs or fdef.args.kwarg:
            raise Refusal(function, f"the map body {function.id}() must take exactly one argument (the item)")
        if distributed:
            distributed_map.check_body(b, fdef, params, options["execution_type"])
        graph, ty = b.lower_branch(function.id, fdef.body, [(params[0], param_ty)], fdef, **source)
        title = f"Map {function.id}"
    elif isinstance(function, ast.Lambda):
        params = [a.arg for a in function.args.args]
        if len(params) != 1:
            raise Refusal(function, "the map lambda must take exactly one argument (the item)")
        if distributed:
            distributed_map.check_body(b, function, params, options["execution_type"])
        body = [ast.Return(value=function.body, lineno=function.lineno, col_offset=function.col_offset)]
        graph, ty = b.lower_branch(f"map_line{function.lineno}", body, [(params[0], param_ty)], function, **source)
        title = f"Map line {function.lineno}"
    else:
        raise Refusal(function, "the map function must be a callee, a nested def or a lambda")
    var = target or b.temp("map")
    if items is not None:
        b.check([items], "Check map items")
    if not distributed:
        state = ir.Map(title=title, items=b.field(items), processor=graph,
                       max_concurrency=concurrency if concurrency is not None else None,
                       assign={var: ir.Code("$states.result")}, catch=b.catchers("branch"))
        b.add(state, frozenset([var]))
        return Expr("$" + var, pytypes.list_of(ty), reads=frozenset([var]))
    distributed_map.results_as_records(graph)
    writer = distributed_map.s3_writer(b, writer_node, operands) if writer_node is not None else None
    raw = var if writer is not None else b.temp("children")
    state = ir.Map(title=f"Distributed {title}", items=b.field(items) if items is not None else None,
                   processor=graph, max_concurrency=concurrency,
                   distributed=ir.Distributed(options["execution_type"], options["batch_size"], reader, writer,
                                              distributed_map.label(function) if writer is not None else None),
                   assign={raw: ir.Code("$states.result")}, catch=b.catchers("branch"))
    b.add(state, frozenset([raw]))
    if writer is not None:  # the records are in S3; the result is where (runtime/sfn.py: map)
        return Expr("$" + var, pytypes.ANY, reads=frozenset([var]))
    distributed_map.raise_or_unwrap(b, node, raw, var, options)
    tolerant = options["tolerated_failure_count"] is not None or options["tolerated_failure_percentage"] is not None
    return distributed_map.result(var, ty, tolerant)


def _list_items(b, node, items: Expr, what: str) -> Expr:
    if items.ty.only("list"):
        return items
    if items.ty.is_any or items.ty.may("list"):  # (`regions[:2]` of a value nobody annotated: str | list)
        check = guard(f"($type({items.code}) != 'array')", TypeError,
                      f"'{what} items must be a list, not ' & $__pytype({items.code})", items,
                      helpers={"pytype"})
        elem = None if items.ty.is_any else pytypes.restrict(items.ty, ("list",)).elem
        return Expr(items.code, pytypes.list_of(elem), items.guards + (check,), items.reads,
                    items.helpers | check.helpers)
    raise Refusal(node, f"{what} needs a list, not {items.ty.describe()}", "pass a list: list(...)")


def comprehension_map(b, node, prelude: tuple = ()) -> Expr:
    """[f(x) for x in xs if cond]: a Map state (one item at a time, as Python runs it);
    `prelude`: statements each item runs before its element (see _dict_comprehension_map)."""
    if isinstance(node, ast.DictComp) and len(node.generators) == 1:
        return _dict_comprehension_map(b, node)
    if isinstance(node, ast.DictComp) or len(node.generators) != 1:
        raise Refusal(node, "a comprehension that calls a callee must be a list comprehension with "
                      "one 'for'", "use a for loop")
    generator = node.generators[0]
    if effects(b, generator.iter).any:
        (iterable,) = [materialize(b, b.expr(generator.iter), generator.iter)]
    else:
        iterable = b.expr(generator.iter)
    iterable = iterable_of(generator.iter, iterable, keys=b.key_type)
    source, item_ty, helpers = iteration_source(generator.iter, iterable, b.key_type)
    items = combine(source, pytypes.list_of(item_ty), iterable, helpers=helpers)
    params = _target_params(generator.target, item_ty)
    body = [*prelude, ast.Return(value=node.elt, lineno=node.lineno, col_offset=node.col_offset)]
    flatten = False
    if generator.ifs:

        param = f"$__c{b.next_comprehension()}"
        tests = []
        if not any(effects(b, test).any for test in generator.ifs):
            with b.comprehension_scope(bind_target(b, generator.target, param, item_ty)):
                tests = [condition(b, test) for test in generator.ifs]
        if not tests or any(t.guards for t in tests):
            # the condition may raise or call a callee: test each item inside the Map,
            # between the calls, as Python does; a skipped item gives [], a kept one [value]
            test_node = generator.ifs[0] if len(generator.ifs) == 1 else ast.BoolOp(ast.And(), list(generator.ifs))
            kept = ast.Return(value=ast.List([node.elt], ast.Load()))
            skipped = ast.Return(value=ast.List([], ast.Load()))
            body = [ast.If(test=test_node, body=[*prelude, kept], orelse=[]), skipped]
            for statement in body:
                ast.copy_location(statement, node)
                ast.fix_missing_locations(statement)
            flatten = True
        else:
            test = " and ".join(t.code for t in tests)
            items = combine(f"$__filter({items.code}, function({param}) {{ {test} }})", items.ty, items, *tests,
                            helpers={"filter"})
    graph, ty = b.lower_branch(f"item_line{node.lineno}", body, params, node, unpack=generator.target)
    if flatten:
        ty = ty.element if ty.only("list") else pytypes.ANY
    var = b.temp("items")
    b.check([items], "Check items")
    result = "$reduce($states.result, function($__a, $__x) { $append($__a, $__x) }, [])" if flatten \
        else "$states.result"
    state = ir.Map(title=f"For each item (line {node.lineno})", items=b.field(items), processor=graph,
                   max_concurrency=1, assign={var: ir.Code(result)}, catch=b.catchers("branch"))
    b.add(state, frozenset([var]))
    return Expr("$" + var, pytypes.list_of(ty), reads=frozenset([var]))


def _dict_comprehension_map(b, node: ast.DictComp) -> Expr:
    """{k: f(k) for k in ks}: the Map of the [key, value] pairs, each item evaluating its key,
    then its value, then storing them into a dict of its own, as Python's comprehension does
    (a key Python cannot insert, a list, raises its TypeError there, before the later items'
    calls; one JSON cannot hold, an int, stops the machine as `d[k] = v` does), then the
    dict of the pairs."""
    taken = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    key, value, probe = (fresh_name(f"dict_{part}", taken) for part in ("key", "value", "probe"))

    def name(text: str, ctx) -> ast.Name:
        return ast.Name(id=text, ctx=ctx())
    prelude = (ast.Assign(targets=[name(key, ast.Store)], value=node.key),
               ast.Assign(targets=[name(value, ast.Store)], value=node.value),
               ast.Assign(targets=[name(probe, ast.Store)], value=ast.Dict(keys=[], values=[])),
               ast.Assign(targets=[ast.Subscript(value=name(probe, ast.Load), slice=name(key, ast.Load),
                                                 ctx=ast.Store())], value=name(value, ast.Load)))
    for statement in prelude:
        ast.fix_missing_locations(ast.copy_location(statement, node.key))
    pair = ast.copy_location(ast.List(elts=[name(key, ast.Load), name(value, ast.Load)], ctx=ast.Load()), node.key)
    pairs = comprehension_map(b, ast.copy_location(ast.ListComp(elt=pair, generators=node.generators), node),
                              prelude)
    element = pairs.ty.element
    key_ty = element.items[0] if element is not None and element.items else pytypes.ANY
    key_code, helpers = ("$__p[0]", set()) if key_ty.only("str") else ("$__ekey($__p[0])", {"ekey"})  # (probed)
    code = f"$merge([{{}}, $map({pairs.code}, function($__p) {{ {{{key_code}: $__p[1]}} }})])"
    return combine(code, pytypes.dict_of(element.element if element is not None else None), pairs, helpers=helpers)


def _target_params(target, item_ty: Ty) -> list:
    if isinstance(target, ast.Name):
        return [(target.id, item_ty)]
    if isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
        return [(e.id, pytypes.ANY if not item_ty.only("list") else item_ty.element) for e in target.elts]
    raise Refusal(target, "this comprehension target is not supported", "use names")



__all__ = ["annotation_type", "call_callee", "call_sfn", "comprehension_map"]
