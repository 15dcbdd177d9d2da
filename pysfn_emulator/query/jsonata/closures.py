"""The fast path: expressions compiled to Python closures of (states, variables) with JSONata's
semantics; any value they do not handle raises, and the port evaluates instead.

`variables` is what the names read: at a field's top level the workflow's variables (a dict,
JSON null as None inside its data); in a function's body (`calls=True`, lambdas.py) a view of
the port's frames, which can also call functions through the port. A block `( ...; ... )` of
a field reads through a `_Block` of its own `:=` bindings (of a function's body, a frame of the
port's). Values follow the port's conventions:
JSONata null is NULL, undefined is None, arrays the closures build are the port's JLists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jsonata import utils

from .closure_calls import FALLBACK, FAST_CALLS, IMPURE, finite_number, readable_array, truthy
from .javascript import (
    array_position,
    js_arithmetic,
    js_compare,
    js_equal,
    js_includes,
    rejoined,
)
from .values import MISSING, NULL

_FAST_ATTRIBUTES = ("predicate", "group", "stages", "focus", "index", "tuple", "keep_array", "keep_singleton_array")
_NUMBER = (int, float)
_JLIST = utils.Utils.JList

Closure = Callable[[Any, Any], Any]


def _plain(node: Any) -> bool:
    return not any(getattr(node, name, None) for name in _FAST_ATTRIBUTES)


def fast(node: Any, calls: bool = False) -> Closure | None:
    """A closure of (states, variables) for the expressions the closures handle, else None;
    with `calls`, calls of any function (through `variables.call`) and lambdas' tail calls."""
    predicate = getattr(node, "predicate", None)
    if predicate and not any(getattr(node, name, None) for name in _FAST_ATTRIBUTES if name != "predicate"):
        # (one filter: a second one filters the first one's sequence, `$xs[$i][0]` is the item
        # `$xs[$i]` itself, not its first item as `($xs[$i])[0]` is)
        return _fast_indexed(node, predicate[0], calls) if len(predicate) == 1 else None
    if not _plain(node):
        return None
    return _fast_node(node, calls)


def _fast_node(node: Any, calls: bool) -> Closure | None:
    kind = getattr(node, "type", None)
    if getattr(node, "consarray", False) and not (kind == "unary" and node.value == "["):
        return None
    if kind in ("number", "string"):
        value = node.value
        return lambda states, variables: value
    if kind == "value":
        value = NULL if node.value is None else node.value
        return lambda states, variables: value
    if kind == "variable":
        return _fast_variable(node.value)
    if kind == "path":
        return _fast_path(node)
    if kind == "unary" and node.value == "-":
        operand = fast(node.expression, calls)
        return None if operand is None else _fast_negate(operand)
    if kind == "unary" and node.value == "{":
        return _fast_object(node, calls)
    if kind == "unary" and node.value == "[":
        return _fast_array(node, calls)
    if kind == "condition":
        return _fast_condition(node, calls)
    if kind == "binary":
        return _fast_binary(node, calls)
    if kind == "block":
        return _fast_block(node, calls)
    if kind == "bind":
        return _fast_bind(node, calls)
    if kind == "function":
        return _fast_call(node, calls)
    if kind == "lambda" and getattr(node, "thunk", False) and calls:  # a function's tail call
        return _fast_tail_call(node.body)
    return None


def _fast_indexed(node: Any, step: Any, calls: bool) -> Closure | None:
    """`$xs[$i]`, `($xs[0])[1]`: a filter whose value reads no item and is a number, an index:
    floored, from the end where negative, undefined past either end; a value that is no array
    is an array of itself. Any other filter's value (a truth, positions): the port."""
    kind = getattr(node, "type", None)
    base = _fast_node(node, calls) if kind in ("variable", "block") or kind == "unary" and node.value == "[" else None
    # (a filter's value reading no item is the same for every item; one the closures compile
    # without calls through the port reads none: `$xs[$count($xs) - 1]`)
    index_of = None if getattr(step, "type", None) != "filter" else \
        fast(step.expr, calls) if getattr(step.expr, "item_free", False) else fast(step.expr, False)
    if base is None or index_of is None:
        return None

    def indexed(states: dict, variables: Any) -> Any:
        value = base(states, variables)
        if value is None:
            return None
        items = value if readable_array(value) else [value]
        at = index_of(states, variables)
        if type(at) is not int and type(at) is not float or not math.isfinite(at):
            raise FALLBACK  # a truth filter, positions in an array: the port
        position = array_position(at, len(items))
        if position is None:
            return None
        item = items[position]
        return NULL if item is None else item

    return indexed


def _fast_variable(name: str) -> Closure | None:
    if name in ("", "$"):
        return None  # the context item: the port knows
    if name == "states":

        def read_states(states: dict, variables: Any) -> Any:
            if states is None:  # a function's body (lambdas.py): the port finds the binding
                raise FALLBACK
            return states

        return read_states

    def variable(states: dict, variables: Any) -> Any:
        value = variables.get(name, MISSING) if variables is not None else MISSING
        if value is MISSING:
            raise FALLBACK  # a function, or an undefined name: let the port decide
        return NULL if value is None else value

    return variable


def _fast_path(node: Any) -> Closure | None:
    steps = node.steps
    if not steps or getattr(steps[0], "type", None) != "variable" or not _plain(steps[0]):
        return None
    head = _fast_variable(steps[0].value)
    if head is None:
        return None
    names = []
    for step in steps[1:]:
        if getattr(step, "type", None) != "name" or not _plain(step) or not isinstance(step.value, str):
            return None
        names.append(step.value)
    names_t = tuple(names)

    def path(states: dict, variables: Any) -> Any:
        value = head(states, variables)
        for name in names_t:
            if type(value) is dict:
                value = value.get(name, MISSING)
                if value is MISSING:
                    return None
                if value is None:
                    value = NULL
            elif isinstance(value, list):
                raise FALLBACK  # sequences flatten: the port knows
            else:
                return None
        return value

    return path


def _fast_negate(operand: Closure) -> Closure:
    def negate(states: dict, variables: Any) -> Any:
        value = operand(states, variables)
        if value is None:
            return None
        if type(value) in _NUMBER and value == value:
            return -value
        raise FALLBACK

    return negate


def _fast_object(node: Any, calls: bool) -> Closure | None:
    """An object constructor `{k: v, ...}`. Its grouping over the context changes nothing
    here (no closure reads the context): the keys first, in order, each a string (else T1003)
    and made by one pair only (else D1009), then each value; an undefined one leaves its key
    out."""
    pairs = [(fast(key, calls), fast(value, calls)) for key, value in getattr(node, "lhs_object", None) or ()]
    if any(key is None or value is None for key, value in pairs):
        return None

    def build(states: dict, variables: Any) -> dict:
        made: dict[str, int] = {}
        for index, (key_of, _) in enumerate(pairs):
            key = key_of(states, variables)
            if key is None:
                continue
            if type(key) is not str or made.get(key, index) != index:
                raise FALLBACK  # the port raises T1003 / D1009
            made[key] = index
        result = {}
        for key, index in made.items():
            value = pairs[index][1](states, variables)
            if value is not None:
                result[key] = value
        return result

    return build


def _fast_array(node: Any, calls: bool) -> Closure | None:
    """An array constructor `[a, b, ...]`: an item that is itself a constructor goes in as
    one item, any other array's items go in one by one, undefined nothing (the port's JList,
    marked constructed where the parser marks it, as the port's would be)."""
    items = [(fast(item, calls), getattr(item, "type", None) == "unary" and item.value == "[")
             for item in node.expressions or ()]
    if any(item is None for item, _ in items):
        return None
    constructed = bool(getattr(node, "consarray", False))

    def build(states: dict, variables: Any) -> list:
        result = _JLIST()
        for item, nested in items:
            value = item(states, variables)
            if value is None:
                continue
            if not nested and readable_array(value):
                result.extend(value)
            else:
                result.append(value)
        if constructed:
            result.cons = True
        return result

    return build


def _fast_condition(node: Any, calls: bool) -> Closure | None:
    test = fast(node.condition, calls)
    then = fast(node.then, calls)
    otherwise = fast(node._else, calls) if getattr(node, "_else", None) is not None else None
    if test is None or then is None or (getattr(node, "_else", None) is not None and otherwise is None):
        return None

    def condition(states: dict, variables: Any) -> Any:
        if truthy(test(states, variables)):
            return then(states, variables)
        return otherwise(states, variables) if otherwise is not None else None

    return condition


class _Block:
    """The names a block `( ...; ... )` of a field's top level binds with `:=`, over what
    encloses it (in a function's body a block is a frame of the port's: lambdas.py)."""

    __slots__ = ("bindings", "outer")

    def __init__(self, outer: Any):
        self.bindings: dict = {}
        self.outer = outer

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.bindings:
            value = self.bindings[name]
            return default if value is None else value  # (bound to undefined: the port knows)
        return self.outer.get(name, default) if self.outer is not None else default

    def __contains__(self, name: str) -> bool:
        return name in self.bindings or (self.outer is not None and name in self.outer)

    def bind(self, name: str, value: Any) -> None:
        self.bindings[name] = value


def _fast_block(node: Any, calls: bool) -> Closure | None:
    """A block: its `:=` bindings in a scope of its own (in a function's body a frame of the
    port's, `variables.block()`, which a function made inside captures as the port's would)."""
    expressions = [fast(expression, calls) for expression in node.expressions or ()]
    if any(expression is None for expression in expressions):
        return None

    def block(states: dict, variables: Any) -> Any:
        scope = variables.block() if calls else _Block(variables)
        result = None
        for expression in expressions:
            result = expression(states, scope)
        return result

    return block


def _fast_bind(node: Any, calls: bool) -> Closure | None:
    value_of = fast(node.rhs, calls) if getattr(node.rhs, "type", None) != "lambda" else _fast_function(node.rhs, calls)
    name = getattr(node.lhs, "value", None)
    if value_of is None or not isinstance(name, str):
        return None

    def bind(states: dict, variables: Any) -> Any:
        if not calls and type(variables) is not _Block:  # (a field's own: a frame of the port's)
            raise FALLBACK
        value = value_of(states, variables)
        variables.bind(name, value)
        return value

    return bind


def _fast_function(node: Any, calls: bool) -> Closure | None:
    """A function made in a function's body (`function($x) { ... }`): the port's procedure,
    closing over the frame it is made in."""
    if not calls or getattr(node, "type", None) != "lambda" or getattr(node, "thunk", False) or not _plain(node):
        return None
    return lambda states, variables: variables.function(node)


def _fast_binary(node: Any, calls: bool) -> Closure | None:
    op = node.value
    left = fast(node.lhs, calls)
    right = fast(node.rhs, calls)
    if left is None or right is None:
        return None
    if op in ("+", "-", "*", "/", "%"):

        def arithmetic(states: dict, variables: Any) -> Any:
            a, b = left(states, variables), right(states, variables)
            if finite_number(a) and finite_number(b):
                return js_arithmetic(op, a, b)
            if (a is None and (b is None or finite_number(b))) or (b is None and finite_number(a)):
                return None
            raise FALLBACK  # a type error or an infinity: the port words it

        return arithmetic
    if op in ("=", "!="):
        equal = op == "="

        def equality(states: dict, variables: Any) -> bool:
            a, b = left(states, variables), right(states, variables)
            if a is None or b is None:
                return False  # for != too, as in JSONata
            return js_equal(a, b) is equal

        return equality
    if op in ("<", "<=", ">", ">="):

        def comparison(states: dict, variables: Any) -> Any:
            return js_compare(op, left(states, variables), right(states, variables))

        return comparison
    if op == "in":

        def includes(states: dict, variables: Any) -> bool:
            return js_includes(left(states, variables), right(states, variables))

        return includes
    if op == "and":

        def both(states: dict, variables: Any) -> bool:
            return truthy(left(states, variables)) and truthy(right(states, variables))

        return both
    if op == "or":

        def either(states: dict, variables: Any) -> bool:
            return truthy(left(states, variables)) or truthy(right(states, variables))

        return either
    if op == "&":

        def concat(states: dict, variables: Any) -> str:
            a, b = left(states, variables), right(states, variables)
            if (a is None or type(a) is str) and (b is None or type(b) is str):
                return rejoined((a or "") + (b or ""))
            raise FALLBACK

        return concat
    return None


def _fast_call(node: Any, calls: bool) -> Closure | None:
    procedure = node.procedure
    made = _fast_function(procedure, calls)
    if made is not None:  # `function($y) { ... }($x)`, applied where it is made
        arguments = [_argument(argument, calls) for argument in node.arguments or ()]
        if any(argument is None for argument in arguments):
            return None
        return lambda states, variables: variables.apply(
            made(states, variables), [argument(states, variables) for argument in arguments])
    if getattr(procedure, "type", None) != "variable" or not _plain(procedure):
        return None
    name = procedure.value
    arity, implementation = FAST_CALLS.get(name, (None, None))
    if implementation is None or len(node.arguments or ()) != arity:
        if not calls or name in IMPURE:
            return None
        arguments = [_argument(argument, calls) for argument in node.arguments or ()]
        return None if any(argument is None for argument in arguments) else _through_port(name, arguments)
    # (a builtin of the closures takes data: a function or a regex passed to it is the port's)
    arguments = [fast(argument, calls) for argument in node.arguments or ()]
    if any(argument is None for argument in arguments):
        return None

    def shadowed(variables: Any) -> bool:
        return variables is not None and name in variables

    if arity == 1:
        (argument,) = arguments

        def call_one(states: dict, variables: Any) -> Any:
            if shadowed(variables):
                raise FALLBACK
            return implementation(argument(states, variables))

        return call_one
    first, second = arguments

    def call_two(states: dict, variables: Any) -> Any:
        if shadowed(variables):
            raise FALLBACK
        return implementation(first(states, variables), second(states, variables))

    return call_two


def _argument(node: Any, calls: bool) -> Closure | None:
    """An argument: a function passed by name (`$map($xs, $f)`) is read as it is, one made
    there (`function($v) { ... }`) made, a regular expression is the port's."""
    kind = getattr(node, "type", None)
    if calls and kind == "lambda":
        return _fast_function(node, calls)
    if calls and kind == "regex" and _plain(node):
        pattern = node.value
        return lambda states, variables: pattern
    if calls and kind == "variable" and _plain(node) and node.value not in ("", "$", "states"):
        name = node.value

        def anything(states: dict, variables: Any) -> Any:
            value = variables.get(name, MISSING, functions=True)
            if value is MISSING:
                raise FALLBACK
            return value

        return anything
    return fast(node, calls)


def _through_port(name: str, arguments: list) -> Closure:
    """A call of any other function (a builtin, or one the machine's text defines), applied by
    the port with the arguments evaluated here (`variables.call`)."""

    def call(states: dict, variables: Any) -> Any:
        return variables.call(name, [argument(states, variables) for argument in arguments])

    return call


def _fast_tail_call(node: Any) -> Closure | None:
    """A call in a function's tail position (the parser's thunk): to a function of the
    machine's, what the caller applies next (`variables.tail_call`, lambdas.TailCall), so that
    tail recursion loops without growing the stack, as in the port; any other, called here."""
    procedure = node.procedure
    if getattr(node, "type", None) == "function" and _fast_function(procedure, True) is not None:
        return _fast_call(node, True)  # (a function made and applied there: no recursion)
    if getattr(node, "type", None) != "function" or getattr(procedure, "type", None) != "variable" \
            or not _plain(procedure) or not _plain(node) or procedure.value in IMPURE:
        return None
    name = procedure.value
    if name in FAST_CALLS and FAST_CALLS[name][0] == len(node.arguments or ()):
        return _fast_call(node, True)  # (a builtin the closures implement: no recursion)
    arguments = [_argument(argument, True) for argument in node.arguments or ()]
    if any(argument is None for argument in arguments):
        return None

    def tail(states: dict, variables: Any) -> Any:
        return variables.tail_call(name, [argument(states, variables) for argument in arguments])

    return tail
