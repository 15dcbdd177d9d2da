"""The slow path: jsonata-python, adapted to AWS's JSONata (one engine per thread), the root
scope of an evaluation, and the `$eval` check made when a definition loads."""

from __future__ import annotations

import re
import threading
from typing import Any

from jsonata import functions as jfunctions
from jsonata import jexception, parser, signature, utils
from jsonata.jsonata import Jsonata

from . import lambdas
from .javascript import (
    array_position,
    join_surrogates,
    js_arithmetic,
    js_compare,
    js_equal,
    js_includes,
    js_string,
    rejoined,
)
from .messages import RUNAWAY_DEPTH, RUNAWAY_STEPS, runaway
from .regex import js_regex
from .runtime import DEFAULT_RUNTIME
from .values import MISSING, NULL

MAX_DEPTH = 1500
"""How deeply evaluations of expression nodes may nest (a recursive JSONata function adds about
three levels per call, so about 500 calls deep): deeper is a runaway recursion. Python's stack
(the port sets a limit of 10,000 frames, about 1,750 levels) would give out a little further
down; this count normally stops first, so where it stops does not depend on how deep the
caller's stack already is (and if Python's stops first, the error is the same)."""

MAX_STEPS = 1_000_000
"""How many expression nodes one evaluation may evaluate (about 13 s of the port's time on a
2026 laptop core): more is a runaway loop, such as a tail-recursive function that never ends.
A count, not a clock, so the same expression stops at the same point on any machine."""


class _Engine(Jsonata):
    """jsonata-python's evaluator with AWS's (JSONata 2.0.6, JavaScript) semantics where the
    port differs. One per thread; every nested evaluation stays on it."""

    def __init__(self) -> None:
        super().__init__("null")
        self.runtime = DEFAULT_RUNTIME
        self.depth = 0
        self.steps = 0

    def get_per_thread_instance(self) -> _Engine:
        return self

    def create_frame(self, enclosing_environment: Any = None) -> Any:
        return _Frame(enclosing_environment)

    def eval(self, expr: Any, input: Any, environment: Any) -> Any:  # the port's name
        # The port saves and restores its scratch state around every node for $eval's sake;
        # $eval is refused, so go straight to the work. jsonata-js itself never stops a
        # runaway expression (a tail call loops forever, other recursion grows the heap);
        # its test suite's guard does, with U1001, and so does this count of nodes.
        # The port's `_eval` is written out here (this runs once per node, and a call costs),
        # dispatching on the node type through a table instead of a chain of comparisons,
        # without its debugging callbacks (never bound here).
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise runaway(RUNAWAY_STEPS)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise runaway(RUNAWAY_DEPTH)
            self.input = input
            self.environment = environment
            try:  # a parser Symbol has them all (set in its __init__): no getattr per node
                kind, predicate, group = expr.type, expr.predicate, expr.group
            except AttributeError:
                kind = getattr(expr, "type", None)
                predicate = getattr(expr, "predicate", None)
                group = getattr(expr, "group", None)
            result = None
            if kind is not None:
                method = _DISPATCH.get(kind)
                if method is not None:
                    result = method(self, expr, input, environment)
            if predicate is not None:
                for item in predicate:
                    result = self.evaluate_filter(item.expr, result, environment)
            if kind is not None and kind != "path":
                if group is not None:
                    result = self.evaluate_group_expression(group, result, environment)
            if result is not None and isinstance(result, _JLIST) and result.sequence and not result.tuple_stream:
                if expr.keep_array:
                    result.keep_singleton = True
                if not result:
                    result = None
                elif len(result) == 1:
                    result = result if result.keep_singleton else result[0]
            return result
        finally:
            self.depth -= 1

    def reset_budget(self) -> tuple[int, int]:
        """Start a new evaluation's count; the old one is returned for `restore_budget`."""
        saved = (self.depth, self.steps)
        self.depth = self.steps = 0
        return saved

    def restore_budget(self, saved: tuple[int, int]) -> None:
        self.depth, self.steps = saved

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # JavaScript arithmetic: `%` keeps fractions (the port truncates to int), and division
        # by zero gives Infinity / NaN (the port raises ZeroDivisionError).
        if lhs is not None and not utils.Utils.is_numeric(lhs):
            raise jexception.JException("T2001", -1, op, lhs)
        if rhs is not None and not utils.Utils.is_numeric(rhs):
            raise jexception.JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        return js_arithmetic(op, lhs, rhs)

    def evaluate_equality_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # The port tells null in data (None) from the null literal, and 1 from true only at
        # the top level; JSONata's deep equality does neither.
        if lhs is None or rhs is None:
            return False
        return js_equal(lhs, rhs) is (op == "=")

    def evaluate_comparison_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        return js_compare(op, lhs, rhs)

    def evaluate_includes_expression(self, lhs: Any, rhs: Any) -> Any:
        return js_includes(lhs, rhs)

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        return rejoined((js_string(lhs) if lhs is not None else "") + (js_string(rhs) if rhs is not None else ""))

    def evaluate_function(self, expr: Any, input: Any, environment: Any, applyto_context: Any) -> Any:
        try:
            return super().evaluate_function(expr, input, environment, applyto_context)
        except jexception.JException as error:
            # The port's functions raise T0410 without saying which argument of which
            # function; name the function, and the first argument (the usual culprit).
            if error.error == "T0410" and error.expected is None:
                procedure = getattr(expr, "procedure", None)
                name = getattr(procedure, "value", None)
                if getattr(procedure, "type", None) == "variable" and isinstance(name, str):
                    error.current, error.expected = (error.current if isinstance(error.current, int) else 1), name
            raise

    def validate_arguments(self, proc: Any, args: Any, context: Any) -> Any:
        # The port gives JSONata null the signature symbol of a missing argument, so null
        # passes every parameter ($contains(null, "x") then fails inside with Python's
        # error); jsonata-js gives it its own (`l`). And where the arguments do not fit,
        # name the argument jsonata-js names (the port always says 1).
        checked = getattr(proc, "signature", None)
        if isinstance(checked, signature.Signature) and isinstance(args, list):
            supplied = "".join("l" if arg is NULL else _SYMBOLS.get(type(arg)) or checked.get_symbol(arg)
                               for arg in args)
            matched = checked._regex.fullmatch(supplied)
            if matched is None:
                raise jexception.JException("T0410", -1, _failing_argument(checked, supplied), checked.function_name)
            params = checked._params
            for index, (arg, param) in enumerate(zip(args, params, strict=False)):
                if arg is NULL and param.type == "a" and param.subtype:  # [null] is no array of numbers
                    raise jexception.JException("T0412", -1, index + 1, checked.function_name, param.subtype)
                if arg is NULL and param.type == "a":  # jsonata-js wraps null as any value: $map(null, f)
                    args = [*args[:index], [NULL], *args[index + 1:]]  # calls f(null, 0) (the port: undefined)
            # The port would match the symbols again and build the arguments one by one; where
            # each parameter took one argument as it is (no array to wrap it in, no context in
            # place of a missing one, no `+` taking several), its answer is the arguments
            # themselves. Most calls of a compiled machine ($lookup, $type, $exists) are so.
            if len(params) == len(args) and all(
                    param.type != "a" and not (param.regex or "+").endswith("+") and len(matched.group(index + 1)) == 1
                    for index, param in enumerate(params)):
                return list(args)
        return super().validate_arguments(proc, args, context)

    def evaluate_filter(self, predicate: Any, input: Any, environment: Any) -> Any:
        # The port's filter with three changes. An index is floored, as jsonata-js does
        # (`[1, 2, 3][-0.5]` is 3; the port truncated -0.5 to 0). A predicate that reads
        # nothing of the item (`$xs[$i]`, marked by `parse`) is evaluated once, not once per
        # item: the same result without a pass over the list, which made each `$xs[$i]` of a
        # compiled loop cost as much as the list is long. And one comparing the item with such
        # values (`$ = $v or $ = $w`) compares natively, each value read once.
        results = _sequence()
        tuples = isinstance(input, _JLIST) and input.tuple_stream
        if tuples:
            results.tuple_stream = True
        if input is None:
            return results
        if not isinstance(input, list):
            input = _sequence(input)
        if predicate.type == "number":
            at = array_position(predicate.value, len(input))
            if at is None:
                return results
            item = utils.Utils.NULL_VALUE if input[at] is None else input[at]
            if isinstance(item, list):
                return item
            results.append(item)
            return results
        if not tuples and getattr(predicate, "item_equals", None) is not None:
            return self._filter_equal(predicate.item_equals, input, environment, results)
        if not tuples and getattr(predicate, "item_free", False):
            return self._filter_once(predicate, input, environment, results)
        for index, item in enumerate(input):
            context, scope = item, environment
            if tuples:
                context, scope = item["@"], self.create_frame_from_tuple(environment, item)
            found = self.eval(predicate, context, scope)
            indexes = _indexes(found)
            if indexes is not None:
                results.extend(item for value in indexes if array_position(value, len(input)) == index)
            elif Jsonata.boolize(found):
                results.append(item)
        return results

    def _filter_equal(self, equals: list, input: list, environment: Any, results: Any) -> Any:
        """The items `=` one of the values of `equals`, each read when an item first needs it."""
        values: list = [_UNREAD] * len(equals)
        for item in input:
            value = item[0] if isinstance(item, _JLIST) and item.outer_wrapper else item  # (what `$` reads)
            for at, node in enumerate(equals):
                if values[at] is _UNREAD:
                    values[at] = self.eval(node, item, environment)
                if value is not None and values[at] is not None and js_equal(value, values[at]):
                    results.append(item)
                    break
        return results

    def _filter_once(self, predicate: Any, input: list, environment: Any, results: Any) -> Any:
        """The items a predicate that reads none of them picks, evaluated once: at its
        positions, in the list's order and as often as named, or all of them or none."""
        if not input:
            return results
        found = self.eval(predicate, input[0], environment)
        indexes = _indexes(found)
        if indexes is None:
            if Jsonata.boolize(found):
                results.extend(input)
            return results
        picked: dict[int, int] = {}
        for value in indexes:
            at = array_position(value, len(input))
            if at is not None:
                picked[at] = picked.get(at, 0) + 1
        for at in sorted(picked):
            results.extend([input[at]] * picked[at])
        return results

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        if lambdas.is_plain_lambda(proc):
            # a lambda with no signature (every one a compiled machine defines): the port's
            # validation returns its arguments as they are; straight to the call (per item of
            # a $map, this is a fifth of the time), as Python where the closures compile its
            # body (lambdas.py)
            return self._apply_lambda(proc, args, input, environment)
        # The port prints "Proc not found <proc>" to stdout before raising T1006 (for None too:
        # an undefined function called in a lambda's tail position); raise it quietly.
        if not (
            isinstance(proc, Jsonata.JFunctionCallable)
            or jfunctions.Functions.is_lambda(proc)
            or jfunctions.Functions.is_regex(proc)
        ):
            raise jexception.JException("T1006", 0)
        return super().apply_inner(proc, args, input, environment)

    def _apply_lambda(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:
        """Apply a lambda without a signature: its compiled body, or the port's evaluation
        (whose thunk, a tail call, the port's `apply` then follows). A compiled body's own
        tail call to such a lambda is followed here, in a loop, as the port's trampoline does."""
        while True:
            apply = lambdas.compiled(proc, self) if not proc.thunk else None
            if apply is None:
                return self.apply_procedure(proc, args)
            self.steps += 1  # (a call counts one node, and three levels as the port's does)
            if self.steps > MAX_STEPS:
                raise runaway(RUNAWAY_STEPS)
            self.depth += 3
            try:
                if self.depth > MAX_DEPTH:
                    raise runaway(RUNAWAY_DEPTH)
                result = apply(args)
            except jexception.JException as error:
                if error.error == "U1001":  # the runaway guard, met inside: no retry
                    raise
                result = _FALLEN_BACK
            except RecursionError:
                raise
            except Exception:  # _Fallback, or a value the closures do not handle
                result = _FALLEN_BACK
            finally:
                self.depth -= 3
            if result is _FALLEN_BACK:  # the port applies it, and words any error
                return self.apply_procedure(proc, args)
            if type(result) is not lambdas.TailCall:
                return result
            proc, args = result.function, result.args


class _Parser(parser.Parser):
    """The port's parser without JSONata 2.1's `??` and `?:`: AWS's 2.0.6 lexes them as two
    symbols, and the second cannot start an expression (S0211, `The symbol "?" cannot be used
    as a unary operator`)."""

    def advance(self, id: str | None = None, infix: bool = False) -> Any:  # the port's name
        node = super().advance(id, infix)
        if getattr(node, "type", None) == "operator" and node.id in ("??", "?:"):
            raise jexception.JException("S0211", node.position, node.id[1])
        return node


def parse(text: str) -> Any:
    """The syntax tree of `text` as JSONata 2.0.6 reads it, each filter's predicate marked
    `item_free` where it reads nothing of the item, or `item_equals` (the values it compares
    the item with) where it is `$ = a or $ = b ...`; JException if 2.0.6 would refuse it."""
    reader = getattr(_ENGINES, "parser", None)
    if reader is None:
        reader = _ENGINES.parser = _Parser()
    ast = reader.parse(text, js_regex)
    errors = ast.errors
    ast.errors = None
    if errors:
        raise errors[0]
    for node in _symbols(ast):
        if getattr(node, "type", None) == "filter" and node.expr is not None:
            node.expr.item_free = _reads_no_item(node.expr)
            node.expr.item_equals = None if node.expr.item_free else _item_equals(node.expr)
    return ast


def _item_equals(node: Any) -> list | None:
    """The values a predicate `$ = a or $ = b ...` compares the item with (each reading no
    item), or None for any other predicate."""
    kind = getattr(node, "type", None)
    if kind != "binary" or any(getattr(node, name, None) for name in _BINDING):
        return None
    if node.value == "or":
        left, right = _item_equals(node.lhs), _item_equals(node.rhs)
        return None if left is None or right is None else left + right
    if node.value != "=":
        return None
    for item, other in ((node.lhs, node.rhs), (node.rhs, node.lhs)):
        if getattr(item, "type", None) == "variable" and item.value == "" \
                and not any(getattr(item, name, None) for name in _BINDING) and _reads_no_item(other):
            return [other]
    return None


_ITEM_FREE = frozenset({"variable", "number", "string", "value", "binary", "unary", "condition"})
_BINDING = ("predicate", "group", "stages", "focus", "index", "tuple", "keep_array")


def _reads_no_item(node: Any) -> bool:
    """Whether a filter's predicate gives the same value for every item: literals, variables
    other than `$` and `$$`, and operators on them (no path, no function call: a call may
    read the context, or draw `$random()`)."""
    kind = getattr(node, "type", None)
    if kind not in _ITEM_FREE or any(getattr(node, name, None) for name in _BINDING):
        return False
    if kind == "variable":
        return node.value not in ("", "$")
    if kind == "binary":
        return _reads_no_item(node.lhs) and _reads_no_item(node.rhs)
    if kind == "unary":
        if node.value == "-":
            return _reads_no_item(node.expression)
        return node.value == "[" and all(_reads_no_item(item) for item in node.expressions)
    if kind == "condition":
        return (_reads_no_item(node.condition) and _reads_no_item(node.then)
                and (node._else is None or _reads_no_item(node._else)))
    return True


# The signature symbols of JSON values by exact type (the port's get_symbol asks whether a value
# is a function, a lambda or a regular expression first, importing a module at each call).
_SYMBOLS = {str: "s", bool: "b", int: "n", float: "n", list: "a", dict: "o"}


def _failing_argument(checked: signature.Signature, supplied: str) -> int:
    """jsonata-js's index of the argument that breaks a signature: grow the pattern one
    parameter at a time until it no longer matches a prefix of the arguments' symbols."""
    pattern = "^"
    good = 0
    for param in checked._params:
        pattern += param.regex
        matched = re.match(pattern, supplied)
        if matched is None:
            break
        good = len(matched.group(0))
    return good + 1


_UNREAD = object()  # a value of an equality filter not evaluated yet
_FALLEN_BACK = object()  # a compiled function's body gave up: the port applies it


def _indexes(found: Any) -> list | None:
    """A filter predicate's value as the positions it names (a number or an array of
    numbers), or None where it names none (then its truth picks)."""
    if utils.Utils.is_numeric(found):
        return [found]
    return found if utils.Utils.is_array_of_numbers(found) else None


def _sequence(*items: Any) -> Any:
    return utils.Utils.create_sequence(*items)


_ENGINES = threading.local()


def thread_engine() -> _Engine:
    engine = getattr(_ENGINES, "engine", None)
    if engine is None:
        engine = _ENGINES.engine = _Engine()
    return engine


_JLIST = utils.Utils.JList
# the methods called as they are (no lambda in between where the arguments are the same)
_DISPATCH = {
    "path": _Engine.evaluate_path,
    "binary": _Engine.evaluate_binary,
    "unary": _Engine.evaluate_unary,
    "name": _Engine.evaluate_name,
    "string": lambda e, x, i, env: e.evaluate_literal(x),
    "number": lambda e, x, i, env: e.evaluate_literal(x),
    "value": lambda e, x, i, env: e.evaluate_literal(x),
    "wildcard": lambda e, x, i, env: e.evaluate_wildcard(x, i),
    "descendant": lambda e, x, i, env: e.evaluate_descendants(x, i),
    "parent": lambda e, x, i, env: env.lookup(x.slot.label),
    "condition": _Engine.evaluate_condition,
    "block": _Engine.evaluate_block,
    "bind": _Engine.evaluate_bind_expression,
    "regex": lambda e, x, i, env: e.evaluate_regex(x),
    "function": lambda e, x, i, env: e.evaluate_function(x, i, env, utils.Utils.NONE),
    "variable": _Engine.evaluate_variable,
    "lambda": _Engine.evaluate_lambda,
    "partial": _Engine.evaluate_partial_application,
    "apply": _Engine.evaluate_apply_expression,
    "transform": _Engine.evaluate_transform_expression,
}

_ENTRY = "__evaluate_entry"
_EXIT = "__evaluate_exit"
_CALLBACKS = frozenset({_ENTRY, _EXIT})


class _Frame(Jsonata.Frame):
    """A block's or a function call's frame. The port looks its debugging callbacks up twice
    per node evaluated, each time through every enclosing frame (recursively); nothing here
    binds them, so they are answered at once, and other names are found by a loop. Deeply
    nested blocks (a pure loop compiled into one expression) evaluate several times faster."""

    __slots__ = ()

    def lookup(self, name: str) -> Any:
        if name in _CALLBACKS:
            return None
        frame = self
        while True:
            bindings = frame.bindings
            if name in bindings:
                return bindings[name]
            parent = frame.parent
            if parent is None:
                return None
            if type(parent) is not _Frame:
                return parent.lookup(name)
            frame = parent


class Scope(Jsonata.Frame):
    """The root frame of one evaluation: `:=` bindings, `$states`, the workflow variables
    (read in place, never copied), then the functions. Variables shadow functions, as
    evaluation bindings do in JSONata."""

    def __init__(self, states: dict, variables: Any, table: dict):
        states = {key: jsonata_data(value) for key, value in states.items()}
        self.bindings = {"states": states, _ENTRY: None, _EXIT: None}
        self.parent = None
        self.is_parallel_call = False
        self.variables = variables if variables is not None else {}
        self.table = table

    def lookup(self, name: str) -> Any:
        value = self.bindings.get(name, MISSING)
        if value is not MISSING:
            return value
        value = self.variables.get(name, MISSING)
        if value is not MISSING:
            return NULL if value is None else jsonata_data(value)
        return self.table.get(name)


def jsonata_data(value: Any) -> Any:
    """JSON data as the port must see it: a null inside an array or object becomes JSONata's
    null, which the port otherwise reads as undefined (`$xs[0]` over `[null]` found nothing).
    Data is never changed in place, so a converted copy is kept per object and reused."""
    if not isinstance(value, (list, dict)):
        return value
    key = id(value)
    cached = _CONVERTED.get(key)
    if cached is not None and cached[0] is value:
        return cached[1]
    converted = _convert(value) if _holds_null(value) else value
    if len(_CONVERTED) >= _CONVERTED_KEPT:
        _CONVERTED.clear()
    _CONVERTED[key] = (value, converted)  # the original kept alive, so its id stays its own
    return converted


_CONVERTED: dict[int, tuple[Any, Any]] = {}
_CONVERTED_KEPT = 256


def _holds_null(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        items = item.values() if isinstance(item, dict) else item
        for element in items:
            if element is None:
                return True
            if isinstance(element, (list, dict)):
                stack.append(element)
    return False


def _convert(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, list):
        return [_convert(item) for item in value]
    if isinstance(value, dict):
        return {key: _convert(item) for key, item in value.items()}
    return value


def _symbols(ast: Any) -> Any:
    """Every node of a syntax tree, once each."""
    seen: set[int] = set()
    stack = [ast]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, parser.Parser.Symbol):
            yield node
            for key, item in vars(node).items():
                if key != "_outer_instance" and isinstance(item, (parser.Parser.Symbol, list, tuple)):
                    stack.append(item)
        elif isinstance(node, (list, tuple)):
            stack.extend(item for item in node if isinstance(item, (parser.Parser.Symbol, list, tuple)))


def uses_eval(ast: Any) -> bool:
    return any(getattr(node, "type", None) == "variable" and node.value == "eval" for node in _symbols(ast))


def constructs_objects(ast: Any) -> bool:
    """Whether the expression has an object constructor (`{"a": ...}`): what it builds may
    hold JSONata's null and doubles, which a result must give as JSON."""
    return any(getattr(node, "type", None) == "unary" and node.value == "{" for node in _symbols(ast))


def join_literal_surrogates(ast: Any) -> None:
    """Make each escaped surrogate pair in a string literal or name (`"\\uD834\\uDD1E"`) the one
    character JavaScript reads it as; the port keeps two lone surrogates ($length 2, not 1)."""
    for node in _symbols(ast):
        value = getattr(node, "value", None)
        if getattr(node, "type", None) in ("string", "name") and isinstance(value, str) and not value.isascii():
            node.value = join_surrogates(value)
