"""JSONata fields (`"{% expr %}"`), as AWS Step Functions evaluates them.

    evaluate = compile_value(value, "Output")   # JsonataSyntaxError if AWS would refuse it
    result = evaluate(states, variables, runtime)
    is_expression("{% $x %}")                     # True

`compile_value` takes any JSON from a definition: a string `"{% ... %}"` at any depth inside
objects and arrays is an expression, everything else is a literal (shared, never copied).
Every expression is parsed once, here. An evaluation binds `$states` to the `states` dict
(`input`, `context`, and where available `result` / `errorOutput`) and each workflow variable
by name; there is no context item, so a top-level `$`, `$$` or bare field name finds nothing.

AWS's additions are bound too: `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid`,
`$parse`; `$eval` is refused when the definition loads. `$now`, `$millis`, `$random()`,
`$uuid()` and `$shuffle` draw from the `Runtime` (the virtual clock and the execution's
seeded random source), so a run with a fixed start time and seed repeats exactly.

A failure raises `QueryEvaluationError` (a `StatesError` named States.QueryEvaluationError)
whose cause is AWS's sentence without the "An error occurred while executing the state ..."
prefix, and whose `location` is the field path AWS reports ("Output/result").

Speed: simple expressions (literals, variables, `$states.a.b` paths, arithmetic, comparisons,
`and` / `or`, `&`, `? :`) are compiled to Python closures with JSONata's semantics; anything
else, or any unusual value met at run time, goes to jsonata-python (a JSONata 2 port), with
the differences from AWS's JSONata fixed here and listed in docs/jsonata-differences.md.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import attrs
from jsonata import functions as jfunctions
from jsonata import jexception, parser, signature, utils
from jsonata.jsonata import Jsonata

from .errors import QUERY_EVALUATION_ERROR, StatesError
from .java_random import JavaRandom
from .jsontext import dumps

__all__ = [
    "Evaluator",
    "JsonataSyntaxError",
    "QueryEvaluationError",
    "Runtime",
    "compile_value",
    "expression_text",
    "is_expression",
    "type_name",
    "unexpected_type",
]

Evaluator = Callable[[dict, Any, Any], Any]  # (states, variables, runtime) -> JSON value

_NULL = utils.Utils.NULL_VALUE  # JSONata null; Python None is JSONata undefined
_MISSING = object()


class JsonataSyntaxError(ValueError):
    """An expression AWS would refuse when the state machine is created."""

    def __init__(self, message: str, field: str, expression: str):
        super().__init__(message)
        self.field = field
        self.expression = expression


class QueryEvaluationError(StatesError):
    """States.QueryEvaluationError; `location` is the field path AWS reports ("Output/result")."""

    def __init__(self, cause: str, location: str | None = None):
        super().__init__(QUERY_EVALUATION_ERROR, cause)
        self.location = location


def _wall_clock_ms() -> int:
    return int(time.time() * 1000)


@attrs.define(slots=True, eq=False)
class Runtime:
    """What an execution lends its expressions: a random source and a clock (epoch ms)."""

    rng: random.Random = attrs.field(factory=random.Random)
    now_ms: Callable[[], int] = attrs.field(default=_wall_clock_ms)


_DEFAULT_RUNTIME = Runtime()


# ---------------------------------------------------------------- public API


def is_expression(value: Any) -> bool:
    """A string of the form `{% ... %}` (no space before `{%` or after `%}`)."""
    return type(value) is str and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def expression_text(value: str) -> str:
    """The expression inside `{% ... %}`, as AWS quotes it in causes."""
    return value[2:-2].strip()


def compile_value(value: Any, field: str, *, expect: str | None = None) -> Evaluator:
    """Compile a JSONata field into `evaluate(states, variables, runtime)`.

    `field` is the name AWS quotes in causes ("Output", "Arguments", "Items", ...); inside
    objects and arrays the path grows ("Output/result", "Items/0"). With `expect` (a JSONata
    type name such as "array") a single top-level expression must produce that type.
    """
    constant, compiled = _compile(value, field)
    if constant:
        def evaluate_constant(states: dict, variables: Any, runtime: Any = None) -> Any:
            return compiled

        evaluate_constant.expression = None  # type: ignore[attr-defined]
        evaluate_constant.field = field  # type: ignore[attr-defined]
        return evaluate_constant
    if expect is not None and is_expression(value):
        return _expecting(compiled, expect)
    return compiled


def type_name(value: Any) -> str:
    """The JSONata type name of a JSON value (as `$type` and AWS's causes spell it)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "function"


def unexpected_type(expression: str, field: str, expected: str, value: Any) -> QueryEvaluationError:
    """AWS's failure for an expression whose value has the wrong JSON type."""
    return QueryEvaluationError(
        f"The JSONata expression '{expression}' specified for the field '{field}' returned an "
        f"unexpected result type. Expected '{expected}', but was '{type_name(value)}' for value: {dumps(value)}",
        field,
    )


# ---------------------------------------------------------------- compiling fields


def _compile(value: Any, field: str) -> tuple[bool, Any]:
    """(True, value) for a literal, else (False, evaluator)."""
    if is_expression(value):
        return False, _Expression(expression_text(value), field).evaluator()
    if isinstance(value, dict):
        parts = [(key,) + _compile(item, f"{field}/{key}") for key, item in value.items()]
        if all(constant for _, constant, _ in parts):
            return True, value
        return False, _object_evaluator(parts)
    if isinstance(value, list):
        parts = [_compile(item, f"{field}/{index}") for index, item in enumerate(value)]
        if all(constant for constant, _ in parts):
            return True, value
        return False, _array_evaluator(parts)
    return True, value


def _object_evaluator(parts: list[tuple[str, bool, Any]]) -> Evaluator:
    constants = {key: item for key, constant, item in parts if constant}
    dynamic = [(key, item) for key, constant, item in parts if not constant]
    order = [key for key, _, _ in parts]
    keep_order = list(constants) + [key for key, _ in dynamic] != order

    def evaluate_object(states: dict, variables: Any, runtime: Any = None) -> dict:
        result = dict(constants)
        for key, evaluate in dynamic:
            result[key] = evaluate(states, variables, runtime)
        if keep_order:
            return {key: result[key] for key in order}
        return result

    return evaluate_object


def _array_evaluator(parts: list[tuple[bool, Any]]) -> Evaluator:
    def evaluate_array(states: dict, variables: Any, runtime: Any = None) -> list:
        return [item if constant else item(states, variables, runtime) for constant, item in parts]

    return evaluate_array


def _expecting(evaluate: Evaluator, expected: str) -> Evaluator:
    expression = evaluate.expression  # type: ignore[attr-defined]
    field = evaluate.field  # type: ignore[attr-defined]

    def evaluate_typed(states: dict, variables: Any, runtime: Any = None) -> Any:
        result = evaluate(states, variables, runtime)
        if type_name(result) != expected:
            raise unexpected_type(expression, field, expected, result)
        return result

    evaluate_typed.expression = expression  # type: ignore[attr-defined]
    evaluate_typed.field = field  # type: ignore[attr-defined]
    return evaluate_typed


class _Expression:
    """One `{% %}` string of one field, parsed once."""

    def __init__(self, text: str, field: str):
        self.text = text
        self.field = field
        if not text:
            raise JsonataSyntaxError(f"The JSONata expression specified for the field '{field}' is empty", field, text)
        try:
            parsed = Jsonata(text)
        except jexception.JException as error:
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' is not valid: {_message(error)}",
                field,
                text,
            ) from None
        except Exception as error:  # the port's parser raises a few plain Python errors
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' is not valid: {error}",
                field,
                text,
            ) from None
        if parsed.errors:
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' is not valid: {_message(parsed.errors[0])}",
                field,
                text,
            )
        self.ast = parsed.ast
        if _uses_eval(self.ast):
            raise JsonataSyntaxError(
                f"The JSONata expression '{text}' specified for the field '{field}' uses $eval, "
                "which Step Functions does not provide (use $parse)",
                field,
                text,
            )
        self.fast = _fast(self.ast)

    def evaluator(self) -> Evaluator:
        fast, slow, text, field = self.fast, self._slow, self.text, self.field
        undefined = f"The JSONata expression '{text}' specified for the field '{field}' returned nothing (undefined)."

        if fast is None:

            def evaluate(states: dict, variables: Any, runtime: Any = None) -> Any:
                result = slow(states, variables, runtime)
                if result is _UNDEFINED:
                    raise QueryEvaluationError(undefined, field)
                return result

        else:

            def evaluate(states: dict, variables: Any, runtime: Any = None) -> Any:
                try:
                    result = fast(states, variables)
                except Exception:  # _Fallback, or a value the closures do not handle
                    result = slow(states, variables, runtime)
                    if result is _UNDEFINED:
                        raise QueryEvaluationError(undefined, field) from None
                    return result
                kind = type(result)
                if kind is str or kind is bool or kind is int or kind is dict or kind is list:
                    return result
                if result is None:
                    raise QueryEvaluationError(undefined, field)
                if result is _NULL:
                    return None
                if kind is float:
                    if math.isfinite(result):
                        return _number(result)
                    raise QueryEvaluationError(self._unsupported, field)
                return _json(result, self)  # not reached for fast results; kept for safety

        evaluate.expression = text  # type: ignore[attr-defined]
        evaluate.field = field  # type: ignore[attr-defined]
        return evaluate

    @property
    def _unsupported(self) -> str:
        return f"The JSONata expression '{self.text}' specified for the field '{self.field}' returned an unsupported result type."

    def _slow(self, states: dict, variables: Any, runtime: Any) -> Any:
        """Evaluate with jsonata-python; _UNDEFINED for nothing, else a JSON value."""
        engine = _engine()
        Jsonata.CURRENT.jsonata = engine  # the port's functions find "the" evaluator here
        engine.runtime = runtime or _DEFAULT_RUNTIME  # $now, $random, ... read it there
        scope = _Scope(states, variables, _FUNCTIONS)
        try:
            result = engine._eval(self.ast, None, scope)
        except jexception.JException as error:
            raise QueryEvaluationError(self._threw(_message(error)), self.field) from None
        except _FunctionError as error:
            raise QueryEvaluationError(self._threw(str(error)), self.field) from None
        except RecursionError:
            raise QueryEvaluationError(self._threw(_message(jexception.JException("D1011", -1))), self.field) from None
        except StatesError:
            raise
        except Exception as error:  # a plain Python error inside the port
            raise QueryEvaluationError(self._threw(str(error)), self.field) from None
        if result is None:
            return _UNDEFINED
        if utils.Utils.is_sequence(result) and not result:
            return _UNDEFINED
        return _json(result, self)

    def _threw(self, message: str) -> str:
        return (
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' threw an "
            f"error during evaluation. {message}"
        )


_UNDEFINED = object()


class _Unsupported(Exception):
    pass


def _json(value: Any, expression: _Expression) -> Any:
    """A jsonata-python result as plain JSON: null, whole numbers as int, no functions."""
    try:
        return _to_json(value)
    except _Unsupported:
        raise QueryEvaluationError(expression._unsupported, expression.field) from None


def _to_json(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if -_BIG < value < _BIG else float(value)
    if value is _NULL:
        return None
    if kind is float:
        if not math.isfinite(value):
            raise _Unsupported
        return _number(value)
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        if isinstance(value, utils.Utils.RangeList):
            return list(range(value.a, value.b + 1))
        return [_to_json(item) for item in value]
    raise _Unsupported  # a function, a regex, a Python object


_BIG = 10**21


def _number(value: float) -> int | float:
    """JSONata numbers are doubles: a whole one prints as an integer (below 1e21, as in JS)."""
    if value.is_integer() and -1e21 < value < 1e21:
        return int(value)
    return value


# ---------------------------------------------------------------- the slow path: jsonata-python


class _Engine(Jsonata):
    """jsonata-python's evaluator with AWS's (JSONata 2.0.6, JavaScript) semantics where the
    port differs. One per thread; every nested evaluation stays on it."""

    def __init__(self) -> None:
        super().__init__("null")
        self.runtime = _DEFAULT_RUNTIME

    def get_per_thread_instance(self) -> _Engine:
        return self

    def eval(self, expr: Any, input: Any, environment: Any) -> Any:  # noqa: A002 - the port's name
        # The port saves and restores its scratch state around every node for $eval's sake;
        # $eval is refused, so go straight to the work.
        return self._eval(expr, input, environment)

    def evaluate_numeric_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # JavaScript arithmetic: `%` keeps fractions (the port truncates to int), and division
        # by zero gives Infinity / NaN (the port raises ZeroDivisionError).
        if lhs is not None and not utils.Utils.is_numeric(lhs):
            raise jexception.JException("T2001", -1, op, lhs)
        if rhs is not None and not utils.Utils.is_numeric(rhs):
            raise jexception.JException("T2002", -1, op, rhs)
        if lhs is None or rhs is None:
            return None
        return _arithmetic(op, lhs, rhs)

    def evaluate_equality_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        # The port tells null in data (None) from the null literal, and 1 from true only at
        # the top level; JSONata's deep equality does neither.
        if lhs is None or rhs is None:
            return False
        return _js_equal(lhs, rhs) is (op == "=")

    def evaluate_comparison_expression(self, lhs: Any, rhs: Any, op: Any) -> Any:
        return _compare(op, lhs, rhs)

    def evaluate_includes_expression(self, lhs: Any, rhs: Any) -> Any:
        # `in` compares with JavaScript's ===: scalars by value and kind, containers by identity.
        if lhs is None or rhs is None:
            return False
        items = rhs if isinstance(rhs, list) else [rhs]
        scalar = _kind(lhs) <= 3
        return any((_kind(item) == _kind(lhs) and item == lhs) if scalar else item is lhs for item in items)

    def evaluate_string_concat(self, lhs: Any, rhs: Any) -> str:
        return (_js_string(lhs) if lhs is not None else "") + (_js_string(rhs) if rhs is not None else "")

    def evaluate_function(self, expr: Any, input: Any, environment: Any, applyto_context: Any) -> Any:  # noqa: A002
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

    def apply_inner(self, proc: Any, args: Any, input: Any, environment: Any) -> Any:  # noqa: A002
        # The port prints "Proc not found" to stdout before raising T1006; raise it quietly.
        if proc is not None and not (
            isinstance(proc, Jsonata.JFunctionCallable)
            or jfunctions.Functions.is_lambda(proc)
            or jfunctions.Functions.is_regex(proc)
        ):
            raise jexception.JException("T1006", 0)
        return super().apply_inner(proc, args, input, environment)


_ENGINES = threading.local()


def _engine() -> _Engine:
    engine = getattr(_ENGINES, "engine", None)
    if engine is None:
        engine = _ENGINES.engine = _Engine()
    return engine


_ENTRY = "__evaluate_entry"
_EXIT = "__evaluate_exit"


class _Scope(Jsonata.Frame):
    """The root frame of one evaluation: `:=` bindings, `$states`, the workflow variables
    (read in place, never copied), then the functions. Variables shadow functions, as
    evaluation bindings do in JSONata."""

    def __init__(self, states: dict, variables: Any, table: dict):
        self.bindings = {"states": states, _ENTRY: None, _EXIT: None}
        self.parent = None
        self.is_parallel_call = False
        self.variables = variables if variables is not None else {}
        self.table = table

    def lookup(self, name: str) -> Any:
        value = self.bindings.get(name, _MISSING)
        if value is not _MISSING:
            return value
        value = self.variables.get(name, _MISSING)
        if value is not _MISSING:
            return _NULL if value is None else value
        return self.table.get(name)


def _uses_eval(ast: Any) -> bool:
    seen: set[int] = set()
    stack = [ast]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, parser.Parser.Symbol):
            if getattr(node, "type", None) == "variable" and node.value == "eval":
                return True
            for key, item in vars(node).items():
                if key != "_outer_instance" and isinstance(item, (parser.Parser.Symbol, list, tuple)):
                    stack.append(item)
        elif isinstance(node, (list, tuple)):
            stack.extend(item for item in node if isinstance(item, (parser.Parser.Symbol, list, tuple)))
    return False


# ---------------------------------------------------------------- errors as JSONata words them

# JSONata's messages (jsonata-js 2.0.x), where the port's wording differs ("Object" for
# "function") or where the port fills the inserts differently.
_MESSAGES = {
    "T0410": "Argument {{index}} of function {{token}} does not match function signature",
    "T0411": "Context value is not a compatible type with argument {{index}} of function {{token}}",
    "T0412": "Argument {{index}} of function {{token}} must be an array of {{type}}",
    "D1001": "Number out of range: {{value}}",
    "D1002": "Cannot negate a non-numeric value: {{value}}",
    "T1003": "Key in object structure must evaluate to a string; got: {{value}}",
    "T1005": "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
    "T1006": "Attempted to invoke a non-function",
    "T1007": "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
    "T1008": "Attempted to partially apply a non-function",
    "D1009": "Multiple key definitions evaluate to same key: {{value}}",
    "D1011": "Stack overflow. Check for non-terminating recursive function.  Consider rewriting as tail-recursive",
    "T2001": "The left side of the {{token}} operator must evaluate to a number",
    "T2002": "The right side of the {{token}} operator must evaluate to a number",
    "T2003": "The left side of the range operator (..) must evaluate to an integer",
    "T2004": "The right side of the range operator (..) must evaluate to an integer",
    "T2006": "The right side of the function application operator ~> must be a function",
    "T2007": "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
    "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
    "T2009": "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
    "T2010": "The expressions either side of operator {{token}} must evaluate to numeric or string values",
    "T2011": "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
    "T2012": "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
    "T2013": "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
    "D2014": "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate {{value}}.",
    "D3001": "Attempting to invoke string function on Infinity or NaN",
    "D3010": "Second argument of replace function cannot be an empty string",
    "D3011": "Fourth argument of replace function must evaluate to a positive number",
    "D3012": "Attempted to replace a matched string with a non-string value",
    "D3020": "Third argument of split function must evaluate to a positive number",
    "D3030": "Unable to cast value to a number: {{value}}",
    "D3040": "Third argument of match function must evaluate to a positive number",
    "D3050": "The second argument of reduce function must be a function with at least two arguments",
    "D3060": "The sqrt function cannot be applied to a negative number: {{value}}",
    "D3061": "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
    "D3070": "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
    "D3100": "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
    "D3110": "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
    "D3137": "{{{message}}}",
    "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
    "D3141": "{{{message}}}",
}

# Which of the port's positional details (current, expected, extra) fills which insert.
_INSERTS = {
    "T0410": ("index", "token"),
    "T0411": ("value", "index"),
    "T0412": ("index", "token", "type"),
    "D1001": ("value",),
    "D1002": ("token", "value"),
    "T1003": ("value",),
    "T1005": ("token",),
    "T1007": ("token",),
    "D1009": ("value",),
    "T2001": ("token", "value"),
    "T2002": ("token", "value"),
    "T2003": ("value",),
    "T2004": ("value",),
    "T2007": ("value", "value2"),
    "T2009": ("value", "value2", "token"),
    "T2010": ("token", "value"),
    "T2011": ("value",),
    "T2012": ("value",),
    "D2014": ("value",),
    "D3030": ("value",),
    "D3060": ("value",),
    "D3061": ("value", "exp"),
    "D3110": ("value",),
    "D3137": ("message",),
    "D3141": ("message",),
}


def _message(error: Exception) -> str:
    """`CODE: message` as JSONata (JavaScript) words it."""
    code = getattr(error, "error", None)
    template = _MESSAGES.get(code) if isinstance(code, str) else None
    if template is None:
        text = str(error)
        return f"{code}: {text}" if isinstance(code, str) and len(code) == 5 and code[1:].isdigit() else text
    details = (getattr(error, "current", None), getattr(error, "expected", None), getattr(error, "extra", None))
    inserts = dict(zip(_INSERTS.get(code, ()), details, strict=False))
    if code == "D3100":
        inserts["value"] = getattr(error, "location", None)
    if code in ("T0410", "T0411", "T0412") and isinstance(inserts.get("token"), str):
        inserts["token"] = inserts["token"].lstrip("$")
    text = template
    for name in ("message", "token"):
        text = text.replace("{{{" + name + "}}}", str(inserts.get(name, "")))
    for name in ("index", "token", "type", "value", "value2", "exp"):
        placeholder = "{{" + name + "}}"
        if placeholder in text:
            text = text.replace(placeholder, _js_stringify(inserts.get(name, _MISSING)))
    return f"{code}: {text}"


class _FunctionError(Exception):
    """A Step Functions function refusing its arguments (message is the whole detail)."""


# ---------------------------------------------------------------- JavaScript's number and JSON text


def _js_number(value: Any) -> str:
    """Number.prototype.toString for a double (ECMAScript's shortest round trip)."""
    if type(value) is int:
        value = float(value) if abs(value) >= 2**53 else value
        if type(value) is int:
            return str(value)
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.raw * 10**point
    digits = raw.lstrip("0")
    point -= len(raw) - len(digits)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        e = point - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def _precision15(value: Any) -> Any:
    """Number(value.toPrecision(15)), as $string rounds numbers."""
    if type(value) is int and abs(value) < 10**15:
        return value
    return float(f"{value:.15g}")


def _js_json(value: Any, precise: bool, indent: str | None, depth: int) -> str | None:
    """JSON.stringify with $string's replacer (15 significant digits, functions as "")."""
    if value is None or value is _NULL:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return json.dumps(value, ensure_ascii=False)
    if kind is int or kind is float:
        if kind is float and not math.isfinite(value):
            return "null"
        return _js_number(_precision15(value) if precise else value)
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            text = _js_json(item, precise, indent, depth + 1)
            if text is not None:
                items.append((json.dumps(str(key), ensure_ascii=False), text))
        if not items:
            return "{}"
        if indent is None:
            return "{" + ",".join(f"{key}:{text}" for key, text in items) + "}"
        inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
        return "{" + ",".join(f"{inner}{key}: {text}" for key, text in items) + outer + "}"
    if isinstance(value, list):
        texts = [_js_json(item, precise, indent, depth + 1) or "null" for item in value]
        if not texts:
            return "[]"
        if indent is None:
            return "[" + ",".join(texts) + "]"
        inner, outer = "\n" + indent * (depth + 1), "\n" + indent * depth
        return "[" + ",".join(inner + text for text in texts) + outer + "]"
    return '""'  # a function: $string's replacer turns it into ""


def _js_string(value: Any, prettify: Any = None) -> str | None:
    """$string(value, prettify) as JSONata (JavaScript) writes it."""
    if isinstance(value, utils.Utils.JList) and value.outer_wrapper:
        value = value[0]
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, (Jsonata.JFunctionCallable, parser.Parser.Symbol)):
        return ""
    if type(value) is float and not math.isfinite(value):
        raise jexception.JException("D3001", -1)
    return _js_json(value, True, "  " if prettify else None, 0)


def _js_stringify(value: Any) -> str:
    """JSON.stringify for a message insert (undefined prints as "undefined")."""
    if value is _MISSING or value is None:
        return "undefined"
    if isinstance(value, (Jsonata.JFunctionCallable, parser.Parser.Symbol)):
        return "undefined"
    return _js_json(value, False, None, 0) or "undefined"


_EXACT = 2.0**53


def _arithmetic(op: str, lhs: Any, rhs: Any) -> Any:
    """JavaScript's double arithmetic; an exact whole result comes back as int."""
    a, b = float(lhs), float(rhs)
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            result = math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
        else:
            result = a / b
    else:  # "%": JavaScript's remainder keeps the dividend's sign and the fraction
        result = math.nan if b == 0 or math.isinf(a) else math.fmod(a, b)
    if -_EXACT < result < _EXACT and result.is_integer():
        return int(result)
    return result


def _kind(value: Any) -> int:
    """JSON kinds for equality: 0 null, 1 boolean, 2 number, 3 string, 4 array, 5 object."""
    kind = type(value)
    if kind is str:
        return 3
    if kind is bool:
        return 1
    if kind is int or kind is float:
        return 2
    if value is None or value is _NULL:
        return 0
    if isinstance(value, list):
        return 4
    if isinstance(value, dict):
        return 5
    return 6


def _js_equal(a: Any, b: Any) -> bool:
    """JSONata's deep equality (null in data and the null literal are the same value)."""
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == 0:
        return True
    if kind <= 3:
        return a == b
    if kind == 4:
        return len(a) == len(b) and all(_js_equal(x, y) for x, y in zip(a, b, strict=True))
    if kind == 5:
        return a.keys() == b.keys() and all(_js_equal(item, b[key]) for key, item in a.items())
    return a is b


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def _compare(op: str, a: Any, b: Any) -> Any:
    """JSONata's < <= > >=: numbers with numbers, strings with strings (by UTF-16 code units)."""
    kind_a, kind_b = type(a), type(b)
    number_a = kind_a is int or kind_a is float
    number_b = kind_b is int or kind_b is float
    if not (a is None or number_a or kind_a is str) or not (b is None or number_b or kind_b is str):
        raise jexception.JException("T2010", 0, op, a if a is not None else b)
    if a is None or b is None:
        return None
    if number_a != number_b:
        raise jexception.JException("T2009", 0, a, b, op)
    if not number_a and not (a.isascii() and b.isascii()):
        a, b = _utf16(a), _utf16(b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


# ---------------------------------------------------------------- Step Functions' functions


class _Function(Jsonata.JFunction):
    """A function with a JSONata signature, implemented in Python."""

    def __init__(self, name: str, signature_text: str, implementation: Callable[..., Any]):
        self.function = None
        self.signature = signature.Signature(signature_text, name)
        self.function_name = name
        self.implementation = implementation
        self.nargs = len(inspect.signature(implementation).parameters)

    def call(self, input: Any, args: Any) -> Any:  # noqa: A002 - the port's name
        values = list(args) if isinstance(args, list) else []
        while len(values) < self.nargs:
            values.append(None)
        return self.implementation(*values[: self.nargs])

    def get_number_of_args(self) -> int:
        return self.nargs


def _integer(name: str, what: str, value: Any) -> int:
    if value is True or value is False or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise _FunctionError(f"The {what} argument of ${name} must be an integer, but was: {_js_stringify(value)}")
    return int(value)


def _partition(array: Any, size: Any) -> Any:
    if array is None or size is None:
        return None
    chunk = _integer("partition", "size", size)
    if chunk <= 0:
        raise _FunctionError(f"The size argument of $partition must be a positive integer, but was: {_js_stringify(size)}")
    items = list(array)
    return [items[start : start + chunk] for start in range(0, len(items), chunk)]


_RANGE_LIMIT = 10_000_000


def _range(first: Any, last: Any, step: Any) -> Any:
    if first is None or last is None or step is None:
        return None
    start = _integer("range", "start", first)
    stop = _integer("range", "stop", last)
    delta = _integer("range", "step", step)
    result = utils.Utils.create_sequence()  # a sequence: one value comes out bare, none undefined
    if delta == 0 or (stop - start) * delta < 0:
        return result
    count = (stop - start) // delta + 1
    if count > _RANGE_LIMIT:
        raise _FunctionError(f"The size of the array generated by $range must not exceed {_RANGE_LIMIT}")
    result.extend(range(start, start + count * delta, delta))
    return result


_HASHES = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def _hash(value: Any, algorithm: Any) -> Any:
    if value is None or algorithm is None:
        return None
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise _FunctionError(
            f"The hashing algorithm {_js_stringify(algorithm)} is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
        )
    return digest(value.encode("utf-8", "surrogatepass")).hexdigest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def _parse(text: Any) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise _FunctionError(f"The argument of $parse is not valid JSON: {error}") from None
    return _NULL if value is None else value


def _number_function(value: Any) -> Any:
    try:
        return jfunctions.Functions.number(value)
    except (ValueError, TypeError):
        raise jexception.JException("D3030", -1, value) from None


def _count(value: Any) -> int:
    # JSONata wraps any single value, null included, as a one-item array; the port counts
    # null as nothing.
    if isinstance(value, list):
        return len(value)
    return 0 if value is None else 1


def _power(base: Any, exponent: Any) -> Any:
    if base is None or exponent is None:
        return None
    try:
        result = math.pow(base, exponent)
    except (OverflowError, ValueError):
        result = math.nan
    if not math.isfinite(result):
        raise jexception.JException("D3061", -1, base, exponent)
    return result


def _runtime() -> Runtime:
    return _engine().runtime


def _now(picture: Any, timezone: Any) -> Any:
    return jfunctions.Functions.datetime_from_millis(_runtime().now_ms(), picture, timezone)


def _millis() -> int:
    return _runtime().now_ms()


def _random(seed: Any) -> float:
    if seed is None:
        return _runtime().rng.random()
    return JavaRandom(int(seed)).next_double()


def _uuid() -> str:
    return str(uuid.UUID(int=_runtime().rng.getrandbits(128), version=4))


def _shuffle(array: Any) -> Any:
    if array is None:
        return None
    items = list(array)
    _runtime().rng.shuffle(items)
    return items


def _nulls(items: Any) -> Any:
    """Data arrays and objects hold JSON null as None, which the port's higher-order
    functions would pass on as undefined; hand them JSONata nulls instead."""
    if isinstance(items, list):
        if None in items:
            converted = [_NULL if item is None else item for item in items]
            return utils.Utils.create_sequence_from_iter(converted) if utils.Utils.is_sequence(items) else converted
        return items
    if isinstance(items, dict) and None in items.values():
        return {key: _NULL if item is None else item for key, item in items.items()}
    return items


def _higher_order(method: Callable[..., Any]) -> Callable[..., Any]:
    parameters = list(inspect.signature(method).parameters)

    def call(*args: Any) -> Any:
        return method(_nulls(args[0]), *args[1:])

    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in parameters]
    )
    return call


def _sort(array: Any, comparator: Any = None) -> Any:
    """$sort as JSONata's own: a merge sort, so equal elements keep their order (the port's
    cmp_to_key sort never reports two elements equal, and reorders them)."""
    if array is None or len(array) <= 1 or comparator is None:
        return jfunctions.Functions.sort(array, None)
    compare = jfunctions.Functions.Comparator(comparator)._comparator

    def after(left: Any, right: Any) -> bool:
        return bool(jfunctions.Functions.to_boolean(jfunctions.Functions.func_apply(compare, [left, right])))

    def merge_sort(items: list) -> list:
        if len(items) <= 1:
            return items
        middle = len(items) // 2
        left, right = merge_sort(items[:middle]), merge_sort(items[middle:])
        merged, i, j = [], 0, 0
        while i < len(left) and j < len(right):
            if after(left[i], right[j]):
                merged.append(right[j])
                j += 1
            else:
                merged.append(left[i])
                i += 1
        return merged + left[i:] + right[j:]

    return merge_sort(list(array))


def _function_table() -> dict:
    """The builtins of JSONata 2.0.6 as AWS offers them: $eval gone, AWS's six added, and
    the port's functions replaced where it differs (or where it would not be repeatable)."""
    table = {name: value for name, value in Jsonata.static_frame.bindings.items() if name != "eval"}
    for name, text, implementation in (
        ("now", "<s?s?:s>", _now),
        ("millis", "<:n>", _millis),
        ("random", "<n?:n>", _random),
        ("uuid", "<:s>", _uuid),
        ("shuffle", "<a:a>", _shuffle),
        ("partition", "<an:a>", _partition),
        ("range", "<nnn:a>", _range),
        ("hash", "<ss:s>", _hash),
        ("parse", "<s:j>", _parse),
        ("string", "<x-b?:s>", _js_string),
        ("number", "<(nsb)-:n>", _number_function),
        ("count", "<x:n>", _count),
        ("power", "<n-n:n>", _power),
        ("map", "<af>", _higher_order(jfunctions.Functions.map)),
        ("filter", "<af>", _higher_order(jfunctions.Functions.filter)),
        ("single", "<af?>", _higher_order(jfunctions.Functions.single)),
        ("reduce", "<afj?:j>", _higher_order(jfunctions.Functions.fold_left)),
        ("each", "<o-f:a>", _higher_order(jfunctions.Functions.each)),
        ("sift", "<o-f?:o>", _higher_order(jfunctions.Functions.sift)),
        ("sort", "<af?:a>", _higher_order(_sort)),
    ):
        table[name] = _Function(name, text, implementation)
    return table


_FUNCTIONS = _function_table()


# ---------------------------------------------------------------- the fast path: closures


class _Fallback(Exception):
    """A value the closures do not handle: evaluate the whole expression with the port."""


_FALLBACK = _Fallback()
_FAST_ATTRIBUTES = ("predicate", "group", "stages", "focus", "index", "tuple", "keep_array", "keep_singleton_array", "consarray")
_NUMBER = (int, float)


def _plain(node: Any) -> bool:
    return not any(getattr(node, name, None) for name in _FAST_ATTRIBUTES)


def _fast(node: Any) -> Callable[[dict, Any], Any] | None:
    """A closure of (states, variables) for the expressions the closures handle, else None."""
    if not _plain(node):
        return None
    kind = getattr(node, "type", None)
    if kind in ("number", "string"):
        value = node.value
        return lambda states, variables: value
    if kind == "value":
        value = _NULL if node.value is None else node.value
        return lambda states, variables: value
    if kind == "variable":
        return _fast_variable(node.value)
    if kind == "path":
        return _fast_path(node)
    if kind == "unary" and node.value == "-":
        operand = _fast(node.expression)
        return None if operand is None else _fast_negate(operand)
    if kind == "condition":
        return _fast_condition(node)
    if kind == "binary":
        return _fast_binary(node)
    if kind == "function":
        return _fast_call(node)
    return None


def _fast_variable(name: str) -> Callable[[dict, Any], Any] | None:
    if name in ("", "$"):
        return None  # the context item: the port knows
    if name == "states":
        return lambda states, variables: states

    def variable(states: dict, variables: Any) -> Any:
        value = variables.get(name, _MISSING) if variables is not None else _MISSING
        if value is _MISSING:
            raise _FALLBACK  # a function, or an undefined name: let the port decide
        return _NULL if value is None else value

    return variable


def _fast_path(node: Any) -> Callable[[dict, Any], Any] | None:
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
                value = value.get(name, _MISSING)
                if value is _MISSING:
                    return None
                if value is None:
                    value = _NULL
            elif type(value) is list:
                raise _FALLBACK  # sequences flatten: the port knows
            else:
                return None
        return value

    return path


def _fast_negate(operand: Callable[[dict, Any], Any]) -> Callable[[dict, Any], Any]:
    def negate(states: dict, variables: Any) -> Any:
        value = operand(states, variables)
        if value is None:
            return None
        if type(value) in _NUMBER and value == value:
            return -value
        raise _FALLBACK

    return negate


def _truthy(value: Any) -> bool:
    """$boolean for the values the closures meet."""
    kind = type(value)
    if kind is bool:
        return value
    if value is None or value is _NULL:
        return False
    if kind is str:
        return value != ""
    if kind is int or kind is float:
        return value != 0
    raise _FALLBACK


def _fast_condition(node: Any) -> Callable[[dict, Any], Any] | None:
    test = _fast(node.condition)
    then = _fast(node.then)
    otherwise = _fast(node._else) if getattr(node, "_else", None) is not None else None
    if test is None or then is None or (getattr(node, "_else", None) is not None and otherwise is None):
        return None

    def condition(states: dict, variables: Any) -> Any:
        if _truthy(test(states, variables)):
            return then(states, variables)
        return otherwise(states, variables) if otherwise is not None else None

    return condition


def _fast_binary(node: Any) -> Callable[[dict, Any], Any] | None:
    op = node.value
    left = _fast(node.lhs)
    right = _fast(node.rhs)
    if left is None or right is None:
        return None
    if op in ("+", "-", "*", "/", "%"):

        def arithmetic(states: dict, variables: Any) -> Any:
            a, b = left(states, variables), right(states, variables)
            if _finite_number(a) and _finite_number(b):
                return _arithmetic(op, a, b)
            if (a is None and (b is None or _finite_number(b))) or (b is None and _finite_number(a)):
                return None
            raise _FALLBACK  # a type error or an infinity: the port words it

        return arithmetic
    if op in ("=", "!="):
        equal = op == "="

        def equality(states: dict, variables: Any) -> bool:
            a, b = left(states, variables), right(states, variables)
            if a is None or b is None:
                return False  # for != too, as in JSONata
            return _js_equal(a, b) is equal

        return equality
    if op in ("<", "<=", ">", ">="):

        def comparison(states: dict, variables: Any) -> Any:
            return _compare(op, left(states, variables), right(states, variables))

        return comparison
    if op == "and":

        def both(states: dict, variables: Any) -> bool:
            return _truthy(left(states, variables)) and _truthy(right(states, variables))

        return both
    if op == "or":

        def either(states: dict, variables: Any) -> bool:
            return _truthy(left(states, variables)) or _truthy(right(states, variables))

        return either
    if op == "&":

        def concat(states: dict, variables: Any) -> str:
            a, b = left(states, variables), right(states, variables)
            if (a is None or type(a) is str) and (b is None or type(b) is str):
                return (a or "") + (b or "")
            raise _FALLBACK

        return concat
    return None


def _finite_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


# Builtins the closures call directly, each for the argument values it handles (anything else
# falls back, so the port raises the signature errors). A workflow variable of the same name
# shadows the builtin, as in JSONata; the closures then fall back too.


def _call_count(value: Any) -> Any:
    if type(value) is list:
        return len(value)
    return 0 if value is None else 1


def _call_exists(value: Any) -> Any:
    return value is not None


def _call_not(value: Any) -> Any:
    return None if value is None else not _truthy(value)


def _call_boolean(value: Any) -> Any:
    return None if value is None else _truthy(value)


def _call_string(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is bool or kind is int or kind is float or value is _NULL or kind is list or kind is dict:
        return _js_string(value)
    raise _FALLBACK


def _call_length(value: Any) -> Any:
    if type(value) is str:
        return len(value)
    if value is None:
        return None
    raise _FALLBACK


def _call_sum(value: Any) -> Any:
    if value is None:
        return None
    items = value if type(value) is list else [value]
    total = 0.0
    for item in items:
        if not _finite_number(item):
            raise _FALLBACK
        total += item
    return int(total) if -_EXACT < total < _EXACT and total.is_integer() else total


def _call_append(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if second is None:
        return first
    head = first if type(first) is list else [None if first is _NULL else first]
    return head + (second if type(second) is list else [None if second is _NULL else second])


_FAST_CALLS: dict[str, tuple[int, Callable[..., Any]]] = {
    "count": (1, _call_count),
    "exists": (1, _call_exists),
    "not": (1, _call_not),
    "boolean": (1, _call_boolean),
    "string": (1, _call_string),
    "length": (1, _call_length),
    "sum": (1, _call_sum),
    "append": (2, _call_append),
}


def _fast_call(node: Any) -> Callable[[dict, Any], Any] | None:
    procedure = node.procedure
    if getattr(procedure, "type", None) != "variable" or not _plain(procedure):
        return None
    name = procedure.value
    arity, implementation = _FAST_CALLS.get(name, (None, None))
    arguments = [_fast(argument) for argument in node.arguments or ()]
    if implementation is None or len(arguments) != arity or any(argument is None for argument in arguments):
        return None

    def shadowed(variables: Any) -> bool:
        return variables is not None and name in variables

    if arity == 1:
        (argument,) = arguments

        def call_one(states: dict, variables: Any) -> Any:
            if shadowed(variables):
                raise _FALLBACK
            return implementation(argument(states, variables))

        return call_one
    first, second = arguments

    def call_two(states: dict, variables: Any) -> Any:
        if shadowed(variables):
            raise _FALLBACK
        return implementation(first(states, variables), second(states, variables))

    return call_two
