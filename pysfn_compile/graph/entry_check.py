"""The entry's argument check: the execution input judged as Python's `main(**input)` would,
as one test and one message (JSONata, no helpers), so that the machine's first state is one
compact Choice rule rather than a rule per problem.

The message is that of the first problem, in the order plain Python finds them: the input is
not a mapping (the call `main(**input)`); an annotated parameter passed with a value of another
type, the first in the input's order (`@sfn.workflow`'s wrapper checks its keyword arguments
before it calls the function; a default is never checked); an unexpected keyword (the first
in the input's order); missing positional, then keyword-only arguments (all of them, as
CPython lists them).
"""

from __future__ import annotations

import typing

import attrs

from ..runtime import sfn
from . import jsonata_lib

INPUT = "$__i"
SAFE_INTEGER = 9007199254740991


@attrs.frozen
class Parameter:
    name: str
    required: bool
    keyword_only: bool
    hint: typing.Any = None  # the annotation, None when there is none to check


def argument_check(name: str, qualified: str, parameters: list[Parameter]) -> tuple[str, str]:
    """(test, message): JSONata true when `main(**$states.input)` would raise TypeError, and
    that TypeError's message. One parameter to check, or one name missing, takes a simpler
    form than several."""
    known = jsonata_lib.literal([p.name for p in parameters])
    unexpected = f"$keys({INPUT})[$not($ in {known})]"
    groups = [(what, [p.name for p in parameters if p.required and p.keyword_only is kw])
              for what, kw in (("positional", False), ("keyword-only", True))]
    groups = [(what, names) for what, names in groups if names]
    checked = [p for p in parameters if p.hint is not None]
    prefix = jsonata_lib.string(f"{name}() argument ")

    # a parameter named in a simple form is looked up once, into a variable of its own
    simple = ([checked[0].name] if len(checked) == 1 else []) + [names[0] for _, names in groups if len(names) == 1]
    values = {param: f"$__v{index}" for index, param in enumerate(dict.fromkeys(simple))}
    bindings = [f"{var} := {_lookup(param)}" for param, var in values.items()]
    steps = [f"$__u := {unexpected}", *bindings]
    chain = [(f"$type({INPUT}) != 'object'",
              f"{jsonata_lib.string(f'{qualified}() argument after ** must be a mapping, not ')} & {_pytype(INPUT)}")]
    tests = [f"$type({INPUT}) != 'object'", f"$exists({unexpected})"]
    if len(checked) == 1:
        p, = checked
        var = values[p.name]
        wrong = f"($exists({var}) and $not({conforms(p.hint, var)}))"
        tests.append(wrong)
        chain.append((wrong, f"{jsonata_lib.string(f'{name}() argument {_q(p.name)} must be {sfn._hint_text(p.hint)}, not ')}"
                             f" & {_runtime_name(var)}"))
    elif checked:
        # the first key of the input naming an annotated parameter whose value it refuses
        by_test: dict[str, list[str]] = {}  # parameters of the same type share one test
        for p in checked:
            by_test.setdefault(conforms(p.hint, "$__p"), []).append(p.name)
        cases = " : ".join(f"$ = {jsonata_lib.string(names[0])} ? $not({test})" if len(names) == 1
                           else f"$ in {jsonata_lib.literal(names)} ? $not({test})" for test, names in by_test.items())
        bad = f"$keys({INPUT})[($__p := $lookup({INPUT}, $); {cases} : false)]"
        tests.append(f"$exists({bad})")
        hints = jsonata_lib.literal({p.name: sfn._hint_text(p.hint) for p in checked})
        steps.append(f"$__b := {bad}[0]")
        chain.append(("$exists($__b)", f"{prefix} & \"'\" & $__b & \"' must be \" & $lookup({hints}, $__b)"
                                       f" & ', not ' & {_runtime_name(f'$lookup({INPUT}, $__b)')}"))
    chain.append(("$exists($__u)", f"{jsonata_lib.string(f'{name}() got an unexpected keyword argument ')}"
                                   f" & \"'\" & $__u[0] & \"'\""))
    if any(len(names) > 1 for _, names in groups):
        # CPython: "'a'", "'a' and 'b'", "'a', 'b', and 'c'"
        steps.append("$__l := function($m) { ($q := $m.(\"'\" & $ & \"'\"); $c := $count($q);"
                     " $c = 1 ? $q : $c = 2 ? $q[0] & ' and ' & $q[1]"
                     " : $join($q[[0..$c - 2]], ', ') & ', and ' & $q[-1]) }")
    for index, (what, names) in enumerate(groups):
        if len(names) == 1:
            absent = f"$not($exists({values[names[0]]}))"
            tests.append(absent)
            chain.append((absent, jsonata_lib.string(f"{name}() missing 1 required {what} argument: {_q(names[0])}")))
            continue
        var = f"$__m{index}"
        missing = f"{jsonata_lib.literal(names)}[$not($exists($lookup({INPUT}, $)))]"
        tests.append(f"$exists({missing})")
        steps.append(f"{var} := {missing}")
        chain.append((f"$exists({var})",
                      f"{jsonata_lib.string(f'{name}() missing ')} & $count({var}) & "
                      f"{jsonata_lib.string(f' required {what} argument')} & ($count({var}) = 1 ? '' : 's')"
                      f" & ': ' & $__l({var})"))
    test = f"({'; '.join([f'{INPUT} := $states.input', *bindings])}; {' or '.join(tests)})"
    expression = "''"
    for condition, message in reversed(chain):
        expression = f"{condition} ? {message} : {expression}"
    message = f"({INPUT} := $states.input; {'; '.join(steps)}; {expression})"
    return test, message


def _q(name: str) -> str:
    return "'" + name + "'"


def _lookup(name: str) -> str:
    return f"$lookup({INPUT}, {jsonata_lib.string(name)})"


def _runtime_name(value: str) -> str:
    """sfn.runtime_name: how the parameter check names a JSON value's type."""
    return ("$lookup({'null': 'None', 'boolean': 'bool', 'number': 'number', 'string': 'str', 'array': 'list',"
            f" 'object': 'dict'}}, $type({value}))")


def _pytype(var: str) -> str:
    """type(x).__name__ of a JSON value that is not an object."""
    return (f"($type({var}) = 'number' ? ($floor({var}) = {var} ? 'int' : 'float') : $lookup({{'null': 'NoneType',"
            f" 'boolean': 'bool', 'string': 'str', 'array': 'list'}}, $type({var})))")


def needs_check(hint) -> bool:
    """Whether an annotation refuses some JSON value (Any, object and unknown ones do not)."""
    return conforms(hint, "$v") != "true"


def conforms(hint, var: str, depth: int = 0) -> str:
    """JSONata: whether the JSON value `var` has the annotated type (as sfn._conform says)."""
    if hint is typing.Any or hint is object or depth > 4:
        return "true"
    if hint is None or hint is type(None):
        return f"({var} = null)"
    if hint is bool:
        return f"($type({var}) = 'boolean')"
    if hint is int:
        return f"($type({var}) = 'number' and $floor({var}) = {var} and $abs({var}) <= {SAFE_INTEGER})"
    if hint is float:
        return f"($type({var}) = 'number')"
    if hint is str:
        return f"($type({var}) = 'string')"
    inner = f"$__e{depth}"
    if typing.is_typeddict(hint):
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return f"($type({var}) = 'object')"
        required = getattr(hint, "__required_keys__", frozenset(fields))
        tests = [f"($type({var}) = 'object')"]
        for key, field_hint in fields.items():
            test = conforms(field_hint, inner, depth + 1)
            bind = f"{inner} := $lookup({var}, {jsonata_lib.string(key)})"
            tests.append(f"({bind}; $exists({inner}) and {test})" if key in required
                         else f"({bind}; $not($exists({inner})) or {test})")
        return "(" + " and ".join(tests) + ")"
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if hint is tuple or origin is tuple:
        if not parameters:
            return f"($type({var}) = 'array')"
        if len(parameters) == 2 and parameters[1] is Ellipsis:
            return f"($type({var}) = 'array' and {_every(var, conforms(parameters[0], inner, depth + 1), inner)})"
        tests = [f"($type({var}) = 'array' and $count({var}) = {len(parameters)})"]
        for position, parameter in enumerate(parameters):
            tests.append(f"({inner} := {var}[{position}]; {conforms(parameter, inner, depth + 1)})")
        return "(" + " and ".join(tests) + ")"
    if hint is list or origin is list:
        if not parameters:
            return f"($type({var}) = 'array')"
        return f"($type({var}) = 'array' and {_every(var, conforms(parameters[0], inner, depth + 1), inner)})"
    if hint is dict or origin is dict:
        if len(parameters) != 2:
            return f"($type({var}) = 'object')"
        test = conforms(parameters[1], inner, depth + 1)
        key = f"$__k{depth}"
        # $append([], ...): $keys of an empty object is undefined, a list is wanted
        return (f"($type({var}) = 'object' and $reduce($append([], $keys({var})), function($__a, {key})"
                f" {{ $__a and ({inner} := $lookup({var}, {key}); {test}) }}, true))")
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        return "(" + " or ".join(conforms(option, var, depth) for option in parameters) + ")"
    return "true"


def _every(var: str, test: str, inner: str) -> str:
    """Whether every item of the list `var` passes `test` (on `inner`); $reduce hands each item
    over as it is (a path or a filter would flatten nested lists)."""
    return f"$reduce({var}, function($__a, {inner}) {{ $__a and {test} }}, true)"
