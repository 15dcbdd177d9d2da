"""The entry's argument check: the execution input judged as Python's `main(**input)` would,
in the machine's first state, a Choice (JSONata, no helpers): one rule for every problem while
its message fits in a field's 1,000 characters, else a rule per kind of problem whose message
builds only its own text (a Choice rule cannot hand what its Condition found to its Assign).

The rules raise the first problem, in the order plain Python finds them: the input is
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

INPUT = "$i"  # the check reads no workflow variable: its locals shadow nothing
SAFE_INTEGER = 9007199254740991
FIELD_LIMIT = 1000  # characters (issue 10: no field of the compiler's own over 1,000)


@attrs.frozen
class Parameter:
    name: str
    required: bool
    keyword_only: bool
    hint: typing.Any = None  # the annotation, None when there is none to check


def argument_check(name: str, qualified: str, parameters: list[Parameter]) -> list[tuple[str, str]]:
    """(test, message) per Choice rule, in order: JSONata true when `main(**$states.input)`
    would raise TypeError (the rules before it having failed), and that TypeError's message.
    One rule when its message stays within the field limit; else a rule per kind of problem
    (the input not a mapping, a value of the wrong type, the call's own problems), neighbours
    merged while the merged message stays within the limit (each rule costs ~100 bytes)."""
    test, message = _one_rule(name, qualified, parameters)
    if len(message) <= FIELD_LIMIT:
        return [(test, message)]
    kinds = _kinds(name, qualified, parameters)
    merged = [kinds[0]]
    for kind in kinds[1:]:
        last = merged[-1]
        # a rule's message runs where its test holds: the later kind's test is not needed
        joined = f"{last.condition} ? {last.message} : {kind.message}"
        if len(joined) <= FIELD_LIMIT:
            bindings = "; ".join(b for b in (last.bindings, kind.bindings) if b)
            merged[-1] = _Kind(bindings, f"({last.test}) or ({kind.test})", joined)
        else:
            merged.append(kind)
    return [(kind.condition, kind.message) for kind in merged]


@attrs.frozen
class _Kind:
    """A kind of problem: its test (after `bindings`, JSONata steps a test and only a test may
    share: the bindings stay out of the Choice's label, which shows the last expression) and
    its message."""

    bindings: str
    test: str
    message: str

    @property
    def condition(self) -> str:
        return f"({self.bindings}; {self.test})" if self.bindings else self.test


def _kinds(name: str, qualified: str, parameters: list[Parameter]) -> list[_Kind]:
    """The input is not a mapping; a value has the wrong type; an unexpected or missing
    argument. Each message builds only its own rule's text (a Choice rule cannot hand what its
    Condition found to its Assign, so a message naming an argument finds it again); a rule
    runs only where the ones before it failed (the input is a mapping after the first)."""
    rules = [_Kind("", "$type($states.input) != 'object'",
                   f"({_input()}; {text_literal(f'{qualified}() argument after ** must be a mapping, not ')}"
                   f" & {_pytype(INPUT)})")]
    checked = [p for p in parameters if p.hint is not None]
    if len(checked) == 1:
        p, = checked
        text = text_literal(f"{name}() argument {_q(p.name)} must be {sfn._hint_text(p.hint)}, not ")
        bind = f"$v := {_lookup(p.name, '$states.input')}"
        rules.append(_Kind(bind, f"$exists($v) and {_not(conforms(p.hint, '$v'))}",
                           f"({bind}; {text} & {_runtime_name('$v')})"))
    elif checked:
        bad, text = _first_wrong(name, checked)
        rules.append(_Kind(_input(), f"$exists({bad})", f"({_input()}; $b := {bad}[0]; {text})"))
    known = _names([p.name for p in parameters])
    unexpected = f"$keys($states.input)[$not($ in {known})]"
    tests, messages = ["$exists($u)"], [f"{text_literal(f'{name}() got an unexpected keyword argument {chr(39)}')}"
                                         f" & $u[0] & \"'\""]
    for what, kw in (("positional", False), ("keyword-only", True)):
        names = [p.name for p in parameters if p.required and p.keyword_only is kw]
        if len(names) == 1:
            tests.append(f"$not($exists({_lookup(names[0], '$states.input')}))")
            messages.append(text_literal(f"{name}() missing 1 required {what} argument: {_q(names[0])}"))
        elif names:
            missing = f"{_names(names)}[$not($exists($lookup($states.input, $)))]"
            tests.append(f"$exists({missing})")
            # CPython: "'a'", "'a' and 'b'", "'a', 'b', and 'c'"
            # (a path from the literal list would map each name's characters once one is left)
            messages.append(f"($m := {missing}; $m := $m.(\"'\" & $ & \"'\"); $c := $count($m);"
                            f" {text_literal(f'{name}() missing ')} & $c & "
                            f"{text_literal(f' required {what} argument')} & ($c = 1 ? ': ' & $m"
                            f" : 's: ' & ($c = 2 ? $m[0] & ' and ' & $m[1]"
                            f" : $join($m[[0..$c - 2]], ', ') & ', and ' & $m[-1])))")
    # the last problem needs no test in the message
    message = messages[-1]
    for test, text in reversed(list(zip(tests, messages, strict=True))[:-1]):
        message = f"{test} ? {text} : {message}"
    rules.append(_Kind(f"$u := {unexpected}", " or ".join(tests), f"($u := {unexpected}; {message})"))
    return rules


def _one_rule(name: str, qualified: str, parameters: list[Parameter]) -> tuple[str, str]:
    """(test, message) of one rule for every problem: JSONata true when `main(**$states.input)`
    would raise TypeError, and that TypeError's message. One parameter to check, or one name missing, takes a simpler
    form than several."""
    known = _names([p.name for p in parameters])
    unexpected = f"$keys({INPUT})[$not($ in {known})]"
    groups = [(what, [p.name for p in parameters if p.required and p.keyword_only is kw])
              for what, kw in (("positional", False), ("keyword-only", True))]
    groups = [(what, names) for what, names in groups if names]
    checked = [p for p in parameters if p.hint is not None]

    # a parameter named in a simple form is looked up once, into a variable of its own
    simple = ([checked[0].name] if len(checked) == 1 else []) + [names[0] for _, names in groups if len(names) == 1]
    values = {param: f"$v{index}" for index, param in enumerate(dict.fromkeys(simple))}
    bindings = [f"{var} := {_lookup(param)}" for param, var in values.items()]
    steps = [f"$u := {unexpected}", *bindings]
    chain = [(f"$type({INPUT}) != 'object'",
              f"{text_literal(f'{qualified}() argument after ** must be a mapping, not ')} & {_pytype(INPUT)}")]
    tests = [f"$type({INPUT}) != 'object'", f"$exists({unexpected})"]
    if len(checked) == 1:
        p, = checked
        var = values[p.name]
        wrong = f"($exists({var}) and {_not(conforms(p.hint, var))})"
        # the test only: a required parameter is wrong or missing, in one term
        tests.append(f"$not($exists({var}) and {conforms(p.hint, var)})" if p.required else wrong)
        chain.append((wrong, f"{text_literal(f'{name}() argument {_q(p.name)} must be {sfn._hint_text(p.hint)}, not ')}"
                             f" & {_runtime_name(var)}"))
    elif checked:
        bad, text = _first_wrong(name, checked)
        tests.append(f"$exists({bad})")
        steps.append(f"$b := {bad}[0]")
        chain.append(("$exists($b)", text))
    chain.append(("$exists($u)", f"{text_literal(f'{name}() got an unexpected keyword argument {chr(39)}')}"
                                   f" & $u[0] & \"'\""))
    if any(len(names) > 1 for _, names in groups):
        # CPython: "'a'", "'a' and 'b'", "'a', 'b', and 'c'"
        steps.append("$l := function($m) { ($q := $m.(\"'\" & $ & \"'\"); $c := $count($q);"
                     " $c = 1 ? $q : $c = 2 ? $q[0] & ' and ' & $q[1]"
                     " : $join($q[[0..$c - 2]], ', ') & ', and ' & $q[-1]) }")
    for index, (what, names) in enumerate(groups):
        if len(names) == 1:
            absent = f"$not($exists({values[names[0]]}))"
            if not (len(checked) == 1 and checked[0].name == names[0]):
                tests.append(absent)
            chain.append((absent, text_literal(f"{name}() missing 1 required {what} argument: {_q(names[0])}")))
            continue
        var = f"$m{index}"
        missing = f"{_names(names)}[$not($exists($lookup({INPUT}, $)))]"
        tests.append(f"$exists({missing})")
        steps.append(f"{var} := {missing}")
        chain.append((f"$exists({var})",
                      f"{text_literal(f'{name}() missing ')} & $count({var}) & "
                      f"{text_literal(f' required {what} argument')} & ($count({var}) = 1 ? '' : 's')"
                      f" & ': ' & $l({var})"))
    test = f"({'; '.join([f'{INPUT} := $states.input', *bindings])}; {' or '.join(tests)})"
    # the message is computed only where the test holds: the last problem needs no test
    expression = chain[-1][1]
    for condition, message in reversed(chain[:-1]):
        expression = f"{condition} ? {message} : {expression}"
    message = f"({INPUT} := $states.input; {'; '.join(steps)}; {expression})"
    return test, message


def _input() -> str:
    return f"{INPUT} := $states.input"


def _first_wrong(name: str, checked: list[Parameter]) -> tuple[str, str]:
    """(the input's keys naming an annotated parameter whose value it refuses, in the input's
    order; the message naming the first, `$b`). Parameters of the same type share one test."""
    by_test: dict[str, list[str]] = {}
    for p in checked:
        by_test.setdefault(conforms(p.hint, "$p"), []).append(p.name)
    cases = " : ".join(f"$ = {text_literal(names[0])} ? {test}" if len(names) == 1
                       else f"$ in {_names(names)} ? {test}" for test, names in by_test.items())
    bad = f"$keys({INPUT})[($p := $lookup({INPUT}, $); $not({cases} : true))]"
    hints = "{" + ",".join(f"{text_literal(p.name)}:{text_literal(sfn._hint_text(p.hint))}"
                           for p in checked) + "}"
    text = (f"{text_literal(f'{name}() argument {chr(39)}')} & $b & \"' must be \" & $lookup({hints}, $b)"
            f" & ', not ' & {_runtime_name(f'$lookup({INPUT}, $b)')}")
    return bad, text


def text_literal(text: str) -> str:
    """A JSONata string literal, in single quotes when it needs no escape (in the JSON of the
    definition `'a'` is two bytes shorter than `\\"a\\"`)."""
    if "'" in text or "\\" in text or any(ord(c) < 0x20 for c in text):
        return jsonata_lib.string(text)
    return "'" + text + "'"


def _names(names: list[str]) -> str:
    return "[" + ",".join(text_literal(name) for name in names) + "]"


def _not(test: str) -> str:
    """$not of a test, without a second pair of parentheses around a parenthesized one."""
    return f"$not{test}" if test.startswith("(") and jsonata_lib.closing(test, 0) == len(test) - 1 else f"$not({test})"


def _q(name: str) -> str:
    return "'" + name + "'"


def _lookup(name: str, value: str = INPUT) -> str:
    return f"$lookup({value}, {text_literal(name)})"


def _runtime_name(value: str) -> str:
    """sfn.runtime_name: how the parameter check names a JSON value's type."""
    return ("$lookup({'null':'None','boolean':'bool','number':'number','string':'str','array':'list',"
            f"'object':'dict'}}, $type({value}))")


def _pytype(var: str) -> str:
    """type(x).__name__ of a JSON value that is not an object."""
    return (f"($type({var}) = 'number' ? ($floor({var}) = {var} ? 'int' : 'float')"
            f" : $lookup({{'null':'NoneType','boolean':'bool','string':'str','array':'list'}}, $type({var})))")


def exact_numbers(hint, depth: int = 0) -> bool:
    """Whether every number in a value of this annotation, once `conforms` has passed it, is
    one the machine holds exactly: an int is checked up to 2**53 - 1 and a float is a double
    both ways, but an open type (no annotation, Any, a bare list or dict, anything nested
    deeper than `conforms` looks) may hold an integer JSONata would round."""
    if hint in (int, float, str, bool, type(None)):
        return True
    if depth > 4:
        return False
    if typing.is_typeddict(hint):
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return False
        return all(exact_numbers(field, depth + 1) for field in fields.values())
    origin = typing.get_origin(hint)
    parameters = [p for p in typing.get_args(hint) if p is not Ellipsis]
    if origin in (list, tuple, dict) or origin is typing.Union or type(hint).__name__ == "UnionType":
        return bool(parameters) and all(exact_numbers(p, depth + 1) for p in parameters)
    return False


def unsafe_integer_test(scanned: list[str], every: bool) -> str:
    """JSONata true when the input holds, under one of the `scanned` parameters (`every`: all
    the input's keys, which name parameters once the argument check has passed), an integral
    number past 2**53 - 1: JSONata computes with doubles, Python with the exact int (a
    snowflake id 2**53 + 1 would reach a callee as 2**53)."""
    value = "$states.input" if every else f"[{', '.join(_lookup(name, '$states.input') for name in scanned)}]"
    # ($count: $exists would be true of `[].**[...]`, which JSONata keeps as an empty array).
    # The filter costs some ten nodes per value (an input of 120,000 numbers: a million), so
    # the input's text is searched first, its strings blanked: a number past 2**53 - 1 prints
    # with 16 digits or more, or with an exponent (`$string` rounds to 15 significant digits,
    # so the text finds candidates only, which the filter decides)
    return (f"$contains($replace($string({value}), {_STRINGS}, '\"\"'), /[0-9]{{16}}|e\\+/) and "
            f"$count({value}.**[$type($) = 'number' and $abs($) > {SAFE_INTEGER}]) > 0")


# a JSON string literal, as a JSONata regex (a backslash written \u005c: jsonata-js's scanner
# takes `\]` for an escaped bracket and finds no end to the regex)
_STRINGS = r'''/"[^"\u005c]*(?:\u005c.[^"\u005c]*)*"/'''


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
            bind = f"{inner} := $lookup({var}, {text_literal(key)})"
            tests.append(f"({bind}; {test})" if key in required and _refuses_absent(field_hint)
                         else f"({bind}; $exists({inner}) and {test})" if key in required
                         else f"({bind}; $not($exists({inner})) or {test})")
        return "(" + " and ".join(tests) + ")"
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if hint is tuple or origin is tuple:
        if not parameters:
            return f"($type({var}) = 'array')"
        if len(parameters) == 2 and parameters[1] is Ellipsis:
            if parameters[0] in _ITEM_TYPES:
                return f"($type({var}) = 'array' and {_all_items(var, parameters[0])})"
            return f"($type({var}) = 'array' and {_every(var, conforms(parameters[0], inner, depth + 1), inner)})"
        tests = [f"($type({var}) = 'array' and $count({var}) = {len(parameters)})"]
        for position, parameter in enumerate(parameters):
            tests.append(f"({inner} := {var}[{position}]; {conforms(parameter, inner, depth + 1)})")
        return "(" + " and ".join(tests) + ")"
    if hint is list or origin is list:
        if not parameters:
            return f"($type({var}) = 'array')"
        if parameters[0] in _ITEM_TYPES:
            return f"($type({var}) = 'array' and {_all_items(var, parameters[0])})"
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


def _refuses_absent(hint) -> bool:
    """Whether `conforms` is false for an absent (undefined) value: every test but "true"
    starts from the value's `$type` or compares it with null, both false for undefined."""
    if typing.get_origin(hint) is typing.Union or type(hint).__name__ == "UnionType":
        return all(_refuses_absent(option) for option in typing.get_args(hint))
    return needs_check(hint) and conforms(hint, "$v") != "true"


_ITEM_TYPES = {int: "number", float: "number", str: "string", bool: "boolean"}


def _all_items(var: str, hint) -> str:
    """Whether every item of the list `var` is of this scalar type, with JSONata's own
    functions mapped over the list (no JSONata function called per item: a list of 2,000
    ints is checked in a tenth of the time `_every` takes in the emulator). `$map` gives a
    single result unwrapped, so its results are compared inside `$append([], ...)`."""
    kinds = f"$append([], $distinct($map({var}, $type))) = ['{_ITEM_TYPES[hint]}']"
    if hint is int:
        kinds += (f" and $append([], $map({var}, $floor)) = {var}"
                  f" and $max($map({var}, $abs)) <= {SAFE_INTEGER}")
    return f"($count({var}) = 0 or ({kinds}))"


def _every(var: str, test: str, inner: str) -> str:
    """Whether every item of the list `var` passes `test` (on `inner`); $reduce hands each item
    over as it is (a path or a filter would flatten nested lists)."""
    return f"$reduce({var}, function($__a, {inner}) {{ $__a and {test} }}, true)"
