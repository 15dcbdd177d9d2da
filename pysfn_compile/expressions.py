"""Python expressions → JSONata, one transform per construct.

Each transform takes the builder and one node and returns an `Expr`: JSONata text, its static
type, and the guards that raise where Python would raise. A call of a callee is a Task state:
its transform adds the state and returns the variable holding the result; operands evaluated
before such a call are set aside first when their evaluation could fail or see a change, so
that failures and effects keep Python's order.
"""

from __future__ import annotations

import ast
import operator
import re
import sys

import attrs

from . import formatting, jsonata_lib, pytypes
from .effects import effects
from .errors import Refusal
from .exprs import Expr, Guard, combine, const, guard
from .narrowing import narrowings
from .pytypes import Ty

SAFE = 2**53 - 1
OVERFLOW = "pysfn.IntegerOverflow"
OVERFLOW_CAUSE = ("an integer result exceeds 2**53 - 1, which JSON numbers in Step Functions "
                  "cannot hold exactly (Python's ints have no limit)")

ANY_HINT = ("annotate where the value comes from (the workflow parameter, or the callee's return "
            "type, e.g. -> int or -> list[str]) so the compiler knows its type")


# -- entry points ------------------------------------------------------------------------
def transform(b, node: ast.AST) -> Expr:
    method = _TRANSFORMS.get(type(node))
    if method is None:
        raise Refusal(node, f"{_construct(node)} is not supported in a workflow",
                      "move this into a callee (a module-level function, run as a Lambda)",
                      computable=isinstance(node, (ast.Set, ast.SetComp, ast.Attribute, ast.Lambda)))
    return method(b, node)


def condition(b, node: ast.AST) -> Expr:
    """A JSONata boolean that is Python's truth value of `node` (if/while/assert tests)."""
    if isinstance(node, ast.BoolOp):
        if _later_effects(b, node.values):  # `ok and charge()`: the call only where Python makes it
            return truth(transform_boolop(b, node))
        parts = []
        known: dict = {}
        is_and = isinstance(node.op, ast.And)
        for value in node.values:
            with b.narrow(known):
                parts.append(condition(b, value))
            positive, negative = narrowings(b, value)
            known = {**known, **(positive if is_and else negative)}
        return _short_circuit(parts, "and" if is_and else "or")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = condition(b, node.operand)
        return combine(f"$not({inner.code})", pytypes.BOOL, inner)
    return truth(transform(b, node))


def truth(expr: Expr) -> Expr:
    """Python's truthiness as a JSONata boolean (JSONata's own says [0] is false)."""
    ty = expr.ty
    if expr.is_const:
        value = bool(expr.const)
        return Expr("true" if value else "false", pytypes.BOOL, const=value)
    if ty.only("bool"):
        return expr
    if ty.only("none"):
        return combine("false", pytypes.BOOL, expr)
    if ty.only("int", "float") or ty.only("int") or ty.only("float"):
        return combine(f"({expr.code} != 0)", pytypes.BOOL, expr)
    if ty.only("str"):
        return combine(f"({expr.code} != '')", pytypes.BOOL, expr)
    if ty.only("list"):
        return combine(f"($count({expr.code}) > 0)", pytypes.BOOL, expr)
    if ty.only("dict"):
        return combine(f"($count($keys({expr.code})) > 0)", pytypes.BOOL, expr)
    if ty.only("exc"):
        return combine("true", pytypes.BOOL, expr)
    return combine(f"$__truthy({expr.code})", pytypes.BOOL, expr, helpers={"truthy"})


def _short_circuit(parts: list[Expr], op: str) -> Expr:
    """JSONata's and/or over booleans, with each operand's guards checked only if reached."""
    code, guards, reads, helpers = parts[0].code, list(parts[0].guards), parts[0].reads, parts[0].helpers
    for part in parts[1:]:
        reached = code if op == "and" else f"$not({code})"
        guards += [g.under(reached, helpers, reads) for g in part.guards]
        code = f"({code} {op} {part.code})"
        reads |= part.reads
        helpers |= part.helpers
    return Expr(code, pytypes.BOOL, tuple(guards), reads, helpers)


def _construct(node: ast.AST) -> str:
    names = {ast.Lambda: "a lambda here", ast.Set: "a set", ast.SetComp: "a set comprehension",
             ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield from",
             ast.NamedExpr: "the walrus operator (:=)", ast.Starred: "unpacking with *",
             ast.Attribute: "attribute access"}
    return names.get(type(node), type(node).__name__)


# -- operands in Python's order ----------------------------------------------------------
def operands(b, nodes: list) -> list[Expr]:
    """Transform `nodes` left to right. Before an operand that calls a callee or changes a
    variable, the operands already computed are set aside in variables when they could fail
    (so they fail first, as in Python) or read what the call changes."""
    info = [effects(b, node) for node in nodes]
    last = max((i for i, e in enumerate(info) if e.any), default=-1)
    changed: set = set()
    for e in info:
        changed |= e.mutates
    out = []
    for index, node in enumerate(nodes):
        expr = transform(b, node)
        if index < last and (expr.guards or expr.reads & {b.var_if_local(n) for n in changed}):
            expr = materialize(b, expr, node)
        out.append(expr)
    return out


def materialize(b, expr: Expr, node: ast.AST, hint: str = "t") -> Expr:
    """Evaluate `expr` now into a hidden variable; the variable stands for it afterwards."""
    if expr.is_const or (not expr.guards and _is_var(expr.code)):
        return expr
    name = b.temp(hint)
    b.assign([(name, expr)], f"Set {name}")
    return Expr("$" + name, expr.ty, (), frozenset([name]), frozenset())


def _is_var(code: str) -> bool:
    return code.startswith("$") and code[1:].replace("_", "a").isalnum()


# -- literals and names ------------------------------------------------------------------
def transform_constant(b, node: ast.Constant) -> Expr:
    value = node.value
    if isinstance(value, bool):
        return const(value, pytypes.BOOL)
    if isinstance(value, int):
        if abs(value) > SAFE:
            raise Refusal(node, f"the integer {value} is beyond 2**53 - 1: JSON numbers in Step "
                          "Functions cannot hold it exactly", "use a string, or compute it in a callee")
        return const(value, pytypes.literal_int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Refusal(node, "inf and nan are not JSON numbers")
        return const(value, pytypes.FLOAT)
    if isinstance(value, str):
        return const(value, pytypes.STR)
    if value is None:
        return const(None, pytypes.NONE)
    raise Refusal(node, f"{type(value).__name__} literals are not supported",
                  "workflow values are JSON: str, int, float, bool, None, list, dict")


def type_of_value(value) -> Ty:
    if isinstance(value, bool):
        return pytypes.BOOL
    if isinstance(value, int):
        return pytypes.literal_int(value)
    if isinstance(value, float):
        return pytypes.FLOAT
    if isinstance(value, str):
        return pytypes.STR
    if value is None:
        return pytypes.NONE
    if isinstance(value, tuple):
        return pytypes.tuple_of(*(type_of_value(item) for item in value))
    if isinstance(value, list):
        elem = None
        for item in value:
            elem = pytypes.join(elem, type_of_value(item))
        return pytypes.list_of(elem) if elem is not None else pytypes.list_of(pytypes.NOTHING)
    if isinstance(value, dict):
        elem = None
        for item in value.values():
            elem = pytypes.join(elem, type_of_value(item))
        return pytypes.dict_of(elem) if elem is not None else pytypes.dict_of(pytypes.NOTHING)
    return pytypes.ANY


def transform_name(b, node: ast.Name) -> Expr:
    name = node.id
    bound = b.comprehension_binding(name)
    if bound is not None:
        code, ty, *reads = bound
        return Expr(code, ty, reads=reads[0] if reads else frozenset())
    scope, ty = b.lookup(name)
    if scope is not None:
        if name in scope.failed:
            raise Refusal(node, f"'{name}' was not compiled (its assignment was refused)", follow_on=True)
        asl = b.var(name, scope)
        if scope is b.scope and not b.is_defined(asl):
            raise Refusal(node, f"'{name}' may be used before it is assigned (Python would raise "
                          "UnboundLocalError)", f"assign '{name}' on every path before this line")
        return Expr("$" + asl, ty, reads=frozenset([asl]))
    from .module_info import MISSING  # noqa: PLC0415

    value = b.info.constant(name)
    if value is not MISSING:
        changed = b.info.changed_globals().get(name)
        if changed is not None and isinstance(value, (list, dict)):
            raise Refusal(node, f"'{name}' is a module-level {type(value).__name__} that a function changes "
                          f"(line {changed}); the state machine would hold its value at compile time",
                          f"pass it through a callee, e.g. def get_{name.lower()}() -> ...: return {name}")
        return const(value, type_of_value(value))
    if name in b.info.functions:
        raise Refusal(node, f"the function '{name}' can only be called here",
                      "pass it to sfn.map(...) or call it")
    raise Refusal(node, f"'{name}' is not a variable of the workflow or a module-level constant",
                  "workflow values are locals, parameters and module-level JSON constants",
                  computable=name in b.info.objects)


def transform_list(b, node) -> Expr:
    items = operands(b, node.elts) if node.elts else []
    for elt in node.elts:
        if isinstance(elt, ast.Starred):
            raise Refusal(elt, "unpacking with * in a list is not supported", "use xs + ys")
    if isinstance(node, ast.Tuple):
        return build_tuple(items)
    return build_list(items)


def build_tuple(items: list[Expr]) -> Expr:
    """A tuple: a JSON array whose type says it is a tuple (printing, == and isinstance
    tell it from a list)."""
    built = build_list(items)
    ty = pytypes.tuple_of(*(item.ty for item in items))
    if built.is_const:
        return Expr(built.code, ty, const=tuple(built.const))
    return Expr(built.code, ty, built.guards, built.reads, built.helpers)


def build_list(items: list[Expr]) -> Expr:
    elem = None
    for item in items:
        elem = pytypes.join(elem, item.ty)
    ty = pytypes.list_of(elem if elem is not None else pytypes.NOTHING)
    if all(item.is_const for item in items):
        value = [item.const for item in items]
        return Expr(jsonata_lib.literal(value), ty, const=value)
    parts, helpers = [], set()
    for item in items:
        if item.ty.may("list"):
            parts.append(f"$__wrap({item.code})")
            helpers.add("wrap")
        else:
            parts.append(item.code)
    return combine("[" + ", ".join(parts) + "]", ty, *items, helpers=helpers)


def _mapping(expr: Expr) -> Expr:
    """What `**` unpacks: a dict, or (its kind known only at run time) Python's TypeError."""
    if expr.ty.only("dict") or not expr.ty.may("dict") or not (expr.ty.is_any or expr.ty.json_number):
        return expr
    v = expr.code
    check = guard(f"($type({v}) != 'object')", TypeError,
                  f"\"'\" & $__pytype({v}) & \"' object is not a mapping\"", expr, helpers={"pytype"})
    return combine(v, pytypes.dict_of(expr.ty.values), expr, guards=[check])


def transform_dict(b, node: ast.Dict) -> Expr:
    keys, values = [], []
    nodes = []
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            nodes.append(value)
        else:
            nodes.extend([key, value])
    exprs = operands(b, nodes)
    position = 0
    entries = []  # (key Expr or None for **, value Expr)
    for key in node.keys:
        if key is None:
            entries.append((None, exprs[position]))
            position += 1
        else:
            entries.append((exprs[position], exprs[position + 1]))
            position += 2
    value_ty = None
    entries = [(None, _mapping(value_expr)) if key_expr is None else (key_expr, value_expr)
               for key_expr, value_expr in entries]
    for key_expr, value_expr in entries:
        if key_expr is None:
            if not value_expr.ty.only("dict"):
                raise Refusal(node, "** unpacks only dicts here", ANY_HINT)
            value_ty = pytypes.join(value_ty, value_expr.ty.values)
            continue
        if not key_expr.ty.only("str"):
            raise Refusal(node, "dict keys must be strings: JSON objects have string keys",
                          "convert the key with str(...)", computable=True)
        value_ty = pytypes.join(value_ty, value_expr.ty)
        keys.append(key_expr)
        values.append(value_expr)
    ty = pytypes.dict_of(value_ty if value_ty is not None else pytypes.NOTHING)
    parts = [e for pair in entries for e in pair if e is not None]
    if all(k is not None and k.is_const for k, _ in entries) and all(v.is_const for _, v in entries):
        value = {k.const: v.const for k, v in entries}
        return Expr(jsonata_lib.literal(value), pytypes.typed_dict("", {k: type_of_value(v) for k, v in value.items()}),
                    const=value)
    literal_keys = [k.const for k, _ in entries if k is not None and k.is_const]
    if all(k is not None and k.is_const for k, _ in entries) and len(set(literal_keys)) == len(literal_keys):
        body = ", ".join(f"{k.code}: {v.code}" for k, v in entries)
        fields = {k.const: v.ty for k, v in entries}
        return combine("{" + body + "}", pytypes.typed_dict("", fields), *parts)
    pieces = []
    for key_expr, value_expr in entries:
        pieces.append(value_expr.code if key_expr is None else "{" + f"{key_expr.code}: {value_expr.code}" + "}")
    return combine("$merge([" + ", ".join(pieces) + "])", ty, *parts)


# -- arithmetic --------------------------------------------------------------------------
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
        ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
        ast.BitAnd: "&", ast.MatMult: "@"}
_PY_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "//": operator.floordiv, "%": operator.mod, "**": operator.pow}


def transform_binop(b, node: ast.BinOp) -> Expr:
    left, right = operands(b, [node.left, node.right])
    return binary(node, _OPS[type(node.op)], left, right)


def binary(node: ast.AST, op: str, left: Expr, right: Expr) -> Expr:
    if op in ("<<", ">>", "|", "^", "&", "@"):
        raise Refusal(node, f"the operator {op} is not supported: JSONata has no bitwise operators",
                      "compute it in a callee", computable=True)
    if left.is_const and right.is_const and op in _PY_OPS:
        try:
            value = _PY_OPS[op](left.const, right.const)
        except Exception:  # raises at run time in Python: let the guards say so
            value = None
        else:
            if not isinstance(value, float) or value == value and abs(value) != float("inf"):
                if not (isinstance(value, int) and abs(value) > SAFE):
                    return const(value, type_of_value(value))
    lt, rt = left.ty, right.ty
    if op in ("+", "-", "*", "/", "//", "%") and (_dynamic(lt) or _dynamic(rt)) \
            and not (lt.only("str") or rt.only("str") or lt.only("list") or rt.only("list")):
        return dynamic_arithmetic(node, op, left, right)
    if op == "+" and (lt.only("str") or rt.only("str")):
        return _concat_str(node, left, right)
    if op == "+" and (lt.only("list") or rt.only("list")):
        return _concat_list(node, left, right)
    if op == "*" and (lt.only("str", "list") or rt.only("str", "list")) and not (lt.numeric and rt.numeric):
        return _repeat(node, left, right)
    if op == "%" and lt.only("str"):
        raise Refusal(node, "%-formatting of strings is not supported", "use an f-string")
    left, right = _numeric_operand(node, op, left, right, True), _numeric_operand(node, op, right, left, False)
    return arithmetic(node, op, left, right)


AMBIGUOUS_NUMBER = "pysfn.AmbiguousNumber"
UNSUPPORTED = "pysfn.Unsupported"  # a value known only at run time meets what the machine cannot do


def _dynamic(ty: Ty) -> bool:
    """Whether an operand's kind is known only at run time (a value nobody annotated)."""
    return ty.is_any or (ty.json_number and not ty.only("int", "bool"))


def dynamic_arithmetic(node: ast.AST, op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` with the operation chosen at run time as Python chooses it (numbers,
    str and list concatenation and repetition), Python's TypeError and ZeroDivisionError, and
    the number rule of pytypes kept: a float result that is integral although an operand was
    not (0.5 * 2) stops the machine, since JSON cannot carry it as the float Python has."""
    a, b_ = left.code, right.code
    line = getattr(node, "lineno", 0)
    helpers = {"binerr", "arith", "pytype", "num"}
    guards = []
    if op == "%" and left.ty.may("str"):  # str % x formats, before any TypeError
        guards.append(Guard(f"($type({a}) = 'string')", None, "''", abort=True, error_name=UNSUPPORTED,
                            message_literal=f"line {line}: %-formatting of a str is not supported: use an f-string"))
    guards.append(guard(f"($__binerr('{op}', {a}, {b_}) != '')", TypeError, f"$__binerr('{op}', {a}, {b_})",
                        left, right, helpers={"binerr"}))
    numbers = f"($type({a}) in ['number', 'boolean'] and $type({b_}) in ['number', 'boolean'])"
    integral = f"($floor($__num({a})) = $__num({a}) and $floor($__num({b_})) = $__num({b_}))"
    if op in ("/", "//", "%"):
        int_message, float_message = _zero_message(op, pytypes.INT, pytypes.INT), _zero_message(op, pytypes.FLOAT, pytypes.INT)
        message = (jsonata_lib.string(int_message) if int_message == float_message else
                   f"({integral} ? {jsonata_lib.string(int_message)} : {jsonata_lib.string(float_message)})")
        guards.append(guard(f"({numbers} and $__num({b_}) = 0)", ZeroDivisionError, message, left, right,
                            helpers={"num"}))
    code = f"$__arith('{op}', {a}, {b_})"
    if op != "/":
        guards.append(Guard(f"({numbers} and {integral} and $abs({code}) > {SAFE})", None, "''", abort=True,
                            error_name=OVERFLOW, message_literal=OVERFLOW_CAUSE))
        guards.append(Guard(f"({numbers} and $not({integral}) and $floor({code}) = {code})", None, "''",
                            abort=True, error_name=AMBIGUOUS_NUMBER, message_literal=(
                                f"line {line}: float arithmetic on numbers whose type is not annotated gave an "
                                "integral result, which Python keeps as a float (0.5 * 2 is 1.0) and JSON cannot "
                                "tell from an int: annotate the operands as float")))
    operand_helpers = left.helpers | right.helpers  # the stops re-read both operands' code
    guards = [attrs.evolve(g, helpers=jsonata_lib.closure(g.helpers | helpers) | operand_helpers,
                           reads=g.reads | left.reads | right.reads)
              if g.abort else g for g in guards]
    kinds = {"float"} if op == "/" else {"int", "float"}
    elem = None
    if op in ("+", "*"):
        for side in (left.ty, right.ty):
            if side.may("str"):
                kinds.add("str")
            if side.may("list"):
                kinds.add("list")
                elem = pytypes.join(elem, side.element)
    ty = pytypes.FLOAT if op == "/" else attrs.evolve(pytypes.list_of(elem), kinds=frozenset(kinds), json_number=True)
    return combine(code, ty, left, right, helpers=helpers, guards=guards)


def _numeric_operand(node, op: str, expr: Expr, other: Expr, is_left: bool | None = None) -> Expr:
    ty = expr.ty
    if ty.only("bool"):
        return combine(f"({expr.code} ? 1 : 0)", pytypes.kind("int", 1), expr)
    if ty.only("int", "float", "bool") and ty.may("bool"):
        return combine(f"($type({expr.code}) = 'boolean' ? ({expr.code} ? 1 : 0) : {expr.code})",
                       ty.without("bool") if ty.without("bool").kinds else pytypes.INT, expr)
    if ty.numeric:
        return expr
    if ty.is_any and other.ty.numeric and op not in ("*", "**"):
        # a number (or a bool) at run time, or Python's TypeError
        other_name = "float" if other.ty.only("float") else "int" if other.ty.only("int", "bool") else None
        if other_name is None:
            raise Refusal(node, f"the operands of {op} have unknown types", ANY_HINT)
        mine = f"$__pytype({expr.code})"
        if is_left and op == "+":
            message = (f"($type({expr.code}) = 'string' ? 'can only concatenate str (not \"{other_name}\") to str'"
                       f" : $type({expr.code}) = 'array' ? 'can only concatenate list (not \"{other_name}\") to list'"
                       f" : \"unsupported operand type(s) for +: '\" & {mine} & \"' and '{other_name}'\")")
        elif is_left:
            message = f"\"unsupported operand type(s) for {op}: '\" & {mine} & \"' and '{other_name}'\""
        else:
            message = f"\"unsupported operand type(s) for {op}: '{other_name}' and '\" & {mine} & \"'\""
        if op in ("<", "<=", ">", ">="):
            first, second = (mine, f"'{other_name}'") if is_left else (f"'{other_name}'", mine)
            message = f"\"'{op}' not supported between instances of '\" & {first} & \"' and '\" & {second} & \"'\""
        check = guard(f"$not($type({expr.code}) in ['number', 'boolean'])", TypeError, message, expr,
                      helpers={"pytype"})
        code = f"($type({expr.code}) = 'boolean' ? ({expr.code} ? 1 : 0) : {expr.code})"
        return Expr(code, pytypes.NUMBER, expr.guards + (check,), expr.reads, expr.helpers | check.helpers)
    raise Refusal(node, f"unsupported operand type for {op}: {ty.describe()}",
                  ANY_HINT if ty.is_any else "")


def _zero_message(op: str, left: Ty, right: Ty) -> str:
    """CPython's ZeroDivisionError message for these operand types, as this Python says it."""
    a = 1.0 if left.may("float") else 1
    z = 0.0 if right.may("float") else 0
    try:
        _PY_OPS[op](a, z)
    except ZeroDivisionError as error:
        return str(error)
    return "division by zero"


def arithmetic(node, op: str, left: Expr, right: Expr) -> Expr:
    lt, rt = left.ty, right.ty
    both_int = lt.only("int") and rt.only("int")
    has_float = lt.only("float") or rt.only("float")
    ambiguous = not both_int and not has_float
    bits = 0
    if both_int:
        bits = {"+": max(lt.bits, rt.bits) + 1, "-": max(lt.bits, rt.bits) + 1,
                "*": lt.bits + rt.bits}.get(op, max(lt.bits, rt.bits))
    guards: list[Guard] = []
    helpers: set = set()
    if op in ("/", "//", "%"):
        if right.is_const and right.const != 0:
            pass
        else:
            if ambiguous and not (lt.only("float") or rt.only("float")):
                messages = {_zero_message(op, pytypes.INT, pytypes.INT), _zero_message(op, pytypes.FLOAT, pytypes.FLOAT),
                            _zero_message(op, pytypes.INT, pytypes.FLOAT), _zero_message(op, pytypes.FLOAT, pytypes.INT)}
                if len(messages) > 1:
                    raise Refusal(node, f"the message of ZeroDivisionError for {op} depends on whether the "
                                  "operands are int or float, which is not known here", ANY_HINT)
            message = jsonata_lib.string(_zero_message(op, lt if not ambiguous else pytypes.INT, rt))
            guards.append(guard(f"({right.code} = 0)", ZeroDivisionError, message, right))
    if op == "+":
        code = f"({left.code} + {right.code})"
    elif op == "-":
        code = f"({left.code} - {right.code})"
    elif op == "*":
        code = f"({left.code} * {right.code})"
    elif op == "/":
        code = f"({left.code} / {right.code})"
    elif op == "//":
        if both_int:
            code = f"$floor({left.code} / {right.code})"
        else:
            code, helpers = f"$__ffloordiv({left.code}, {right.code})", {"ffloordiv"}
    elif op == "%":
        code, helpers = f"$__imod({left.code}, {right.code})", {"imod"}
    elif op == "**":
        if not both_int:
            raise Refusal(node, "** with a float operand is not supported: JSONata's $power may "
                          "round differently from Python's", "compute it in a callee", computable=True)
        if right.is_const and right.const < 0:
            raise Refusal(node, "an int raised to a negative power is a float in Python",
                          "write 1 / x ** n", computable=True)
        if not right.is_const:
            guards.append(guard(f"({right.code} < 0)", ValueError,
                                jsonata_lib.string("negative exponents are not supported by the compiled workflow"),
                                right))
            raise Refusal(node, "** with a variable exponent is not supported (its result type "
                          "depends on the exponent's sign)", "use a literal exponent")
        bits = lt.bits * max(1, right.const)
        code, helpers = f"$__ipow({left.code}, {right.code})", {"ipow"}
    else:
        raise Refusal(node, f"unsupported operator {op}")
    if op == "/":
        ty = pytypes.FLOAT
    elif both_int:
        ty = pytypes.kind("int", min(bits, pytypes.SAFE_BITS))
    elif has_float:
        ty = pytypes.FLOAT
    else:
        ty = pytypes.NUMBER
    result = combine(code, ty, left, right, helpers=helpers, guards=guards)
    if both_int and op in ("+", "-", "*", "**") and bits > pytypes.SAFE_BITS - 1:
        result = overflow_checked(result)
    elif ambiguous and op in ("+", "-", "*", "//"):
        # an int or a float, known only at run time: beyond 2**53 - 1 the machine cannot tell
        # an exact int from a rounded one (every double that large is integral), so it stops
        result = overflow_checked(result)
    return result


def overflow_checked(expr: Expr) -> Expr:
    check = Guard(f"($abs({expr.code}) > {SAFE})", None, "''", expr.helpers, expr.reads,
                  abort=True, error_name=OVERFLOW, message_literal=OVERFLOW_CAUSE)
    return Expr(expr.code, pytypes.INT if expr.ty.only("int") else expr.ty, expr.guards + (check,), expr.reads,
                expr.helpers)


def _concat_str(node, left: Expr, right: Expr) -> Expr:
    left = _str_operand(node, left, True)
    right = _str_operand(node, right, False)
    return combine(f"({left.code} & {right.code})", pytypes.STR, left, right)


def _str_operand(node, this: Expr, is_left: bool) -> Expr:
    """An operand of str +: a str, or (known only at run time) Python's TypeError."""
    if this.ty.only("str"):
        return this
    if not this.ty.is_any:
        raise Refusal(node, f"+ of str and {this.ty.describe()}: Python raises TypeError", "convert with str(...)")
    if is_left:
        message = ("($type(" + this.code + ") = 'array' ? 'can only concatenate list (not \"str\") to list' : "
                   "\"unsupported operand type(s) for +: '\" & $__pytype(" + this.code + ") & \"' and 'str'\")")
    else:
        message = "'can only concatenate str (not \"' & $__pytype(" + this.code + ") & '\") to str'"
    check = guard(f"($type({this.code}) != 'string')", TypeError, message, this, helpers={"pytype"})
    return Expr(this.code, pytypes.STR, this.guards + (check,), this.reads, this.helpers | check.helpers)


def _concat_list(node, left: Expr, right: Expr) -> Expr:
    if not (left.ty.only("list") and right.ty.only("list")):
        raise Refusal(node, f"+ of {left.ty.describe()} and {right.ty.describe()}",
                      "both operands must be lists")
    forms = {left.ty.form, right.ty.form}
    if len(forms) > 1 or "either" in forms:
        raise Refusal(node, "+ of a list and a tuple (or of values that may be either): Python raises TypeError",
                      "convert one side with list(...) or tuple(...)")
    ty = pytypes.as_form(pytypes.list_of(pytypes.join(left.ty.element, right.ty.element)), left.ty.form)
    if left.ty.items is not None and right.ty.items is not None:
        ty = attrs.evolve(ty, items=left.ty.items + right.ty.items)
    return combine(f"$append({left.code}, {right.code})", ty, left, right)


def _repeat(node, left: Expr, right: Expr) -> Expr:
    seq, count = (left, right) if left.ty.only("str", "list") else (right, left)
    if (count.ty.is_any or count.ty.json_number) and count.ty.may("int", "bool"):
        c = count.code
        check = guard(f"$not($type({c}) = 'boolean' or ($type({c}) = 'number' and $floor({c}) = {c}))", TypeError,
                      f"\"can't multiply sequence by non-int of type '\" & $__pytype({c}) & \"'\"", count,
                      helpers={"pytype"})
        count = combine(f"($type({c}) = 'boolean' ? ({c} ? 1 : 0) : {c})", pytypes.INT, count, guards=[check])
        left, right = (seq, count) if seq is left else (count, seq)
    if not count.ty.only("int", "bool"):
        raise Refusal(node, f"* of a sequence and {count.ty.describe()}", "the count must be an int")
    n = count.code if count.ty.only("int") else f"({count.code} ? 1 : 0)"
    if seq.ty.only("str"):
        code = f"($__n := {n}; $__n <= 0 ? '' : $join($map([1..$__n], function() {{ {seq.code} }}), ''))"
        return combine(code, pytypes.STR, left, right)
    if seq.ty.only("list"):
        code = (f"($__n := {n}; $__n <= 0 ? [] : $reduce([1..$__n], function($__a, $__i) "
                f"{{ $append($__a, {seq.code}) }}, []))")
        return combine(code, attrs.evolve(seq.ty, items=None), left, right)
    raise Refusal(node, "* of a sequence whose type is not known", ANY_HINT)


def transform_unaryop(b, node: ast.UnaryOp) -> Expr:
    if isinstance(node.op, ast.Not):
        inner = condition(b, node.operand)
        if inner.is_const:
            return const(not inner.const, pytypes.BOOL)
        return combine(f"$not({inner.code})", pytypes.BOOL, inner)
    operand = transform(b, node.operand)
    if isinstance(node.op, ast.Invert):
        raise Refusal(node, "~ is not supported: JSONata has no bitwise operators", computable=True)
    if operand.is_const and isinstance(operand.const, (int, float)):
        value = -operand.const if isinstance(node.op, ast.USub) else +operand.const
        return const(value, type_of_value(value))
    if operand.ty.is_any or (operand.ty.json_number and not operand.ty.numeric):
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        v = operand.code
        check = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                      f"\"bad operand type for unary {sign}: '\" & $__pytype({v}) & \"'\"", operand, helpers={"pytype"})
        number = f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})"
        return combine(f"(-{number})" if sign == "-" else number, attrs.evolve(pytypes.NUMBER, json_number=True),
                       operand, guards=[check])
    operand = _numeric_operand(node, "-", operand, const(0, pytypes.INT), True)
    if isinstance(node.op, ast.UAdd):
        return operand
    return combine(f"(-{operand.code})", operand.ty, operand)


def _later_effects(b, nodes: list) -> bool:
    """Whether an operand after the first calls a callee (or changes a variable): Python
    evaluates it only on some paths, so it is lowered as control flow."""
    return any(effects(b, node).any for node in nodes[1:])


def _short(node: ast.AST, limit: int = 40) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def transform_boolop(b, node: ast.BoolOp) -> Expr:
    """`a or b` is a when a is truthy, else b (Python's value semantics)."""
    op = "and" if isinstance(node.op, ast.And) else "or"
    if _later_effects(b, node.values):
        return _boolop_flow(b, node, op)
    values = []
    known: dict = {}
    for value_node in node.values:
        with b.narrow(known):
            values.append(transform(b, value_node))
        positive, negative = narrowings(b, value_node)
        known = {**known, **(positive if op == "and" else negative)}
    result = values[-1]
    for value in reversed(values[:-1]):
        test = truth(Expr("$__v", value.ty))
        reached = test.code if op == "and" else f"$not({test.code})"
        guards = value.guards + tuple(
            g.under(f"($__v := {value.code}; {reached})", value.helpers | test.helpers, value.reads)
            for g in result.guards)
        picked = f"{result.code} : $__v" if op == "and" else f"$__v : {result.code}"
        code = f"($__v := {value.code}; {test.code} ? {picked})"
        result = Expr(code, pytypes.join(value.ty, result.ty), guards, value.reads | result.reads,
                      value.helpers | result.helpers | test.helpers)
    return result


def _boolop_flow(b, node: ast.BoolOp, op: str) -> Expr:
    """`dry_run or charge(cents)`: each operand into one variable, and a Choice after each
    that skips the rest once the result is decided, so a callee runs only where Python
    calls it."""
    result = b.temp("v")
    decided: list = []
    known: dict = {}
    ty = None
    last = len(node.values) - 1
    for position, value_node in enumerate(node.values):
        with b.narrow(known):
            value = transform(b, value_node)
        ty = pytypes.join(ty, value.ty)
        b.assign([(result, value)], f"Set {result}")
        if position == last:
            break
        positive, negative = narrowings(b, value_node)
        known = {**known, **(positive if op == "and" else negative)}
        if value.is_const:
            if bool(value.const) == (op == "or"):
                break  # decided at compile time: the rest is never evaluated
            continue
        test = truth(Expr("$" + result, value.ty, reads=frozenset([result])))
        stop = test if op == "or" else combine(f"$not({test.code})", pytypes.BOOL, test)
        verb = "true" if op == "or" else "false"
        done, rest = b.fork(f"If {_short(value_node)} is {verb} (line {node.lineno})", stop)
        decided += done
        b.then(rest)
    b.then(b.pending + decided)
    return Expr("$" + result, ty, reads=frozenset([result]))


def _ifexp_flow(b, node: ast.IfExp, test: Expr, positive: dict, negative: dict) -> Expr:
    """`f() if c else 0` with a callee on a side: a Choice, each side into one variable."""
    result = b.temp("v")
    then_holes, else_holes = b.fork(f"If {_short(node.test)} (line {node.lineno})", test)
    b.then(then_holes)
    with b.narrow(positive):
        body = transform(b, node.body)
    b.assign([(result, body)], f"Set {result}")
    ends = b.pending
    b.then(else_holes)
    with b.narrow(negative):
        orelse = transform(b, node.orelse)
    b.assign([(result, orelse)], f"Set {result}")
    b.then(ends + b.pending)
    return Expr("$" + result, pytypes.join(body.ty, orelse.ty), reads=frozenset([result]))


def transform_ifexp(b, node: ast.IfExp) -> Expr:
    test = condition(b, node.test)
    positive, negative = narrowings(b, node.test)
    if test.is_const:  # only the side Python evaluates
        with b.narrow(positive if test.const else negative):
            return transform(b, node.body if test.const else node.orelse)
    if effects(b, node.body).any or effects(b, node.orelse).any:
        return _ifexp_flow(b, node, test, positive, negative)
    with b.narrow(positive):
        body = transform(b, node.body)
    with b.narrow(negative):
        orelse = transform(b, node.orelse)
    if test.is_const:
        return body if test.const else orelse
    guards = test.guards + tuple(g.under(test.code, test.helpers, test.reads) for g in body.guards) \
        + tuple(g.under(f"$not({test.code})", test.helpers, test.reads) for g in orelse.guards)
    code = f"({test.code} ? {body.code} : {orelse.code})"
    return Expr(code, pytypes.join(body.ty, orelse.ty), guards, test.reads | body.reads | orelse.reads,
                test.helpers | body.helpers | orelse.helpers)


# -- comparisons -------------------------------------------------------------------------
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}


def _compare_flow(b, node: ast.Compare) -> Expr:
    """`a < b < f()`: the later operands are evaluated only while the chain holds."""
    result = b.temp("v")
    decided: list = []
    left, right = operands(b, [node.left, node.comparators[0]])
    left = materialize(b, left, node.left)
    for index, op in enumerate(node.ops):
        if index > 0:
            test = Expr(f"$not(${result})", pytypes.BOOL, reads=frozenset([result]))
            done, rest = b.fork(f"If {_short(node)} fails (line {node.lineno})", test)
            decided += done
            b.then(rest)
            left, right = right, transform(b, node.comparators[index])
        if index < len(node.ops) - 1:
            right = materialize(b, right, node.comparators[index])  # evaluated once, compared twice
            b.no_fold.update(right.reads)
        b.assign([(result, compare(node, _CMP[type(op)], left, right))], f"Set {result}")
    b.then(b.pending + decided)
    return Expr("$" + result, pytypes.BOOL, reads=frozenset([result]))


def transform_compare(b, node: ast.Compare) -> Expr:
    if len(node.ops) > 1 and _later_effects(b, node.comparators):
        return _compare_flow(b, node)
    exprs = operands(b, [node.left, *node.comparators])
    parts = []
    for index, op in enumerate(node.ops):
        left, right = exprs[index], exprs[index + 1]
        if index > 0 and not _is_var(left.code) and not left.is_const:
            raise Refusal(node, "a chained comparison with a computed middle operand is not supported",
                          "assign the middle value to a variable first")
        parts.append(compare(node, _CMP[type(op)], left, right))
    if len(parts) == 1:
        return parts[0]
    return _short_circuit(parts, "and")


def _may_mix_bool_number(a: Ty, b: Ty, depth: int = 0) -> bool:
    if depth > 4:
        return True
    if (a.may("bool") and b.may("int", "float")) or (b.may("bool") and a.may("int", "float")):
        return True
    if a.may("list") and b.may("list") and _may_mix_bool_number(a.element, b.element, depth + 1):
        return True
    return a.may("dict") and b.may("dict") and _may_mix_bool_number(a.values, b.values, depth + 1)


def same_forms(node, a: Ty, b: Ty, what: str) -> None:
    """Refuse where a list may meet a tuple inside values compared by JSON (Python says
    they differ; JSON arrays do not)."""
    if pytypes.forms_may_differ(a, b):
        raise Refusal(node, f"{what} where a list may meet a tuple is not supported: Python tells "
                      "them apart ((1, 2) != [1, 2]), JSON arrays do not",
                      "convert one side with list(...) or tuple(...)")


def equality(left: Expr, right: Expr, node=None) -> Expr:
    if left.is_const and right.is_const:
        return const(left.const == right.const, pytypes.BOOL)
    lt, rt = left.ty, right.ty
    if lt.only("list") and rt.only("list") and {lt.form, rt.form} == {"list", "tuple"}:
        return combine("false", pytypes.BOOL, left, right)  # a tuple never equals a list
    same_forms(node, lt, rt, "==")
    if _may_mix_bool_number(left.ty, right.ty):
        return combine(f"$__pyeq({left.code}, {right.code})", pytypes.BOOL, left, right, helpers={"pyeq"})
    return combine(f"({left.code} = {right.code})", pytypes.BOOL, left, right)


def compare(node, op: str, left: Expr, right: Expr) -> Expr:
    if op == "==":
        return equality(left, right, node)
    if op == "!=":
        eq = equality(left, right, node)
        if eq.is_const:
            return const(not eq.const, pytypes.BOOL)
        return combine(f"$not({eq.code})", pytypes.BOOL, eq)
    if op in ("is", "is not"):
        if not (right.is_const and right.const is None or right.is_const and isinstance(right.const, bool)
                or left.is_const and left.const is None):
            raise Refusal(node, f"'{op}' is supported only with None, True or False",
                          "compare values with == (JSON values have no identity)")
        code = f"({left.code} = {right.code})"
        if right.is_const and isinstance(right.const, bool):
            code = f"($type({left.code}) = 'boolean' and {left.code} = {right.code})"
        if op == "is not":
            code = f"$not({code})"
        return combine(code, pytypes.BOOL, left, right)
    if op in ("in", "not in"):
        result = contains(node, right, left)
        if op == "not in":
            return combine(f"$not({result.code})", pytypes.BOOL, result)
        return result
    return ordering(node, op, left, right)


def _sequence_order(node, op: str, left: Expr, right: Expr) -> Expr:
    """list < list, tuple < tuple: lexicographic, for items that are all numbers or all str."""
    lt, rt = left.ty, right.ty
    if lt.form != rt.form or "either" in (lt.form, rt.form):
        raise Refusal(node, f"'{op}' between a list and a tuple (or values that may be either): Python raises "
                      "TypeError", "convert one side with list(...) or tuple(...)")
    items = pytypes.join(lt.element, rt.element)
    if not (items.only("int", "float") or items.only("str")) or items.may("bool"):
        raise Refusal(node, f"ordering comparison ({op}) of {lt.describe()} and {rt.describe()} is supported for "
                      "items that are all numbers or all strings", "compare the items one by one")
    return combine(f"($__seqcmp({left.code}, {right.code}) {op} 0)", pytypes.BOOL, left, right,
                   helpers={"seqcmp"})


def ordering(node, op: str, left: Expr, right: Expr) -> Expr:
    lt, rt = left.ty, right.ty
    if lt.only("list") and rt.only("list"):
        return _sequence_order(node, op, left, right)
    if (lt.numeric and rt.numeric) or (lt.only("str") and rt.only("str")):
        left = _numeric_operand(node, op, left, right, True) if lt.numeric else left
        right = _numeric_operand(node, op, right, left, False) if rt.numeric else right
        return combine(f"({left.code} {op} {right.code})", pytypes.BOOL, left, right)
    for this, other in ((left, right), (right, left)):
        known = other.ty
        if not this.ty.is_any or known.is_any:
            continue
        if known.numeric and (known.exact_number or known.only("int", "bool")):
            checked = _numeric_operand(node, op, this, other, this is left)
        elif known.only("str"):
            mine = f"$__pytype({this.code})"
            first, second = (mine, "'str'") if this is left else ("'str'", mine)
            message = f"\"'{op}' not supported between instances of '\" & {first} & \"' and '\" & {second} & \"'\""
            check = guard(f"($type({this.code}) != 'string')", TypeError, message, this, helpers={"pytype"})
            checked = Expr(this.code, pytypes.STR, this.guards + (check,), this.reads, this.helpers | check.helpers)
        else:
            break
        if this is left:
            left = checked
        else:
            right = checked
        return combine(f"({left.code} {op} {right.code})", pytypes.BOOL, left, right)
    if _dynamic(lt) or _dynamic(rt):
        return dynamic_ordering(node, op, left, right)
    if lt.may("list") or rt.may("list"):
        raise Refusal(node, f"ordering comparison ({op}) of lists is not supported",
                      "compare elements one by one")
    raise Refusal(node, f"cannot compare {lt.describe()} {op} {rt.describe()}",
                  ANY_HINT if lt.is_any or rt.is_any else "Python raises TypeError for these types")


def dynamic_ordering(node, op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` for operands whose types are known only at run time: numbers (and
    bools) with numbers, str with str; lists (lexicographic in Python) stop the machine; other
    pairs raise Python's TypeError."""
    a, b_ = left.code, right.code
    numbers = f"($type({a}) in ['number', 'boolean'] and $type({b_}) in ['number', 'boolean'])"
    strings = f"($type({a}) = 'string' and $type({b_}) = 'string')"
    lists = f"($type({a}) = 'array' and $type({b_}) = 'array')"
    message = (f"\"'{op}' not supported between instances of '\" & $__pytype({a}) & \"' and '\" & "
               f"$__pytype({b_}) & \"'\"")
    mismatch = guard(f"$not({numbers} or {strings} or {lists})", TypeError, message, left, right, helpers={"pytype"})
    unsupported = Guard(lists, None, "''", left.helpers | right.helpers, left.reads | right.reads, abort=True,
                        error_name=UNSUPPORTED,
                        message_literal=f"line {getattr(node, 'lineno', 0)}: ordering comparison ({op}) of lists "
                                        "whose type is not annotated is not supported: compare elements one by one")
    return combine(f"($__num({a}) {op} $__num({b_}))", pytypes.BOOL, left, right, helpers={"num"},
                   guards=[mismatch, unsupported])


def contains(node, container: Expr, item: Expr) -> Expr:
    """`item in container`."""
    ct = container.ty
    if ct.only("str"):
        if not item.ty.only("str"):
            raise Refusal(node, f"'in <str>' needs a str on the left, not {item.ty.describe()}")
        return combine(f"$contains({container.code}, {item.code})", pytypes.BOOL, container, item)
    if ct.only("dict"):
        key = lookup_key(node, item)
        if key is None:
            return combine("false", pytypes.BOOL, container, item)
        found = f"$exists($lookup({container.code}, {key.code}))"
        if not key.ty.only("str"):
            found = f"($type({key.code}) = 'string' and {found})"
        return combine(found, pytypes.BOOL, container, key)
    if ct.only("list"):
        same_forms(node, ct.element, item.ty, "'in'")
        if _may_mix_bool_number(ct.element, item.ty) or item.ty.may("list", "dict"):
            return combine(f"$__contains({container.code}, {item.code})", pytypes.BOOL, container, item,
                           helpers={"contains"})
        return combine(f"({item.code} in {container.code})", pytypes.BOOL, container, item)
    if ct.may("str", "list", "dict"):  # which one is known at run time
        check = guard(f"($__inerr({item.code}, {container.code}) != '')", TypeError,
                      f"$__inerr({item.code}, {container.code})", item, container, helpers={"inerr"})
        return combine(f"$__pyin({item.code}, {container.code})", pytypes.BOOL, container, item,
                       helpers={"pyin"}, guards=[check])
    raise Refusal(node, f"'in' over {ct.describe()} is not supported", ANY_HINT if ct.is_any else "")


# -- subscripts --------------------------------------------------------------------------
def transform_subscript(b, node: ast.Subscript) -> Expr:
    if isinstance(node.slice, ast.Slice):
        parts = [node.value] + [p for p in (node.slice.lower, node.slice.upper, node.slice.step) if p is not None]
        exprs = operands(b, parts)
        container = exprs[0]
        rest = iter(exprs[1:])
        lower = next(rest) if node.slice.lower is not None else None
        upper = next(rest) if node.slice.upper is not None else None
        step = next(rest) if node.slice.step is not None else None
        return slice_of(node, container, lower, upper, step)
    container, index = operands(b, [node.value, node.slice])
    return subscript(node, container, index)


def normalized_index(container: Expr, index: Expr, count: str) -> str:
    return f"({index.code} < 0 ? {count} + {index.code} : {index.code})"


def subscript(node, container: Expr, index: Expr) -> Expr:
    ct, it = container.ty, index.ty
    if it.only("bool"):
        raise Refusal(node, "indexing with a bool is not supported", "use an int")
    if ct.only("list"):
        _require_int(node, index, "list indices must be integers")
        if ct.items is not None and index.is_const and -len(ct.items) <= index.const < len(ct.items):
            # a tuple of known length (a pair from enumerate/zip/items, a partition)
            return combine(f"{_bound(container)}[{index.code}]", ct.items[index.const], container, index)
        count = f"$count({container.code})"
        check = guard(f"({index.code} >= {count} or {index.code} < -{count})", IndexError,
                      "'list index out of range'", container, index)
        return combine(f"{_bound(container)}[{index.code}]", ct.element, container, index, guards=[check])
    if ct.only("str"):
        _require_int(node, index, "string indices must be integers")
        count = f"$length({container.code})"
        check = guard(f"({index.code} >= {count} or {index.code} < -{count})", IndexError,
                      "'string index out of range'", container, index)
        return combine(f"$substring({container.code}, {index.code}, 1)", pytypes.STR, container, index,
                       guards=[check])
    if ct.only("dict"):
        key = lookup_key(node, index)
        if key is None or not key.ty.only("str"):  # a key no JSON object holds
            message = (jsonata_lib.string(repr(index.const)) if index.is_const
                       else f"$__pyrepr({index.code})")
            missing = guard(f"$type({index.code}) != 'string'" if key is not None else "true", KeyError,
                            message, index, helpers=() if index.is_const else {"pyrepr"})
            key = combine(index.code, pytypes.STR, key if key is not None else index, guards=[missing])
        index = key
        check = key_guard(container, index)
        value_ty = ct.values
        if ct.fields is not None and index.is_const and ct.field(index.const) is not None:
            value_ty = ct.field(index.const)
        return combine(f"$lookup({container.code}, {index.code})", value_ty, container, index, guards=[check])
    if ct.is_any or ct.may("list", "dict", "str"):
        return _dynamic_subscript(node, container, index)
    raise Refusal(node, f"{ct.describe()} is not subscriptable")


NON_STRING_KEY = "pysfn.NonStringKey"


def lookup_key(node, key: Expr) -> Expr | None:
    """A key to look up in a dict: the key, when it is a str; None when it is some other
    hashable value, which no dict of the machine holds (JSON keys are strings, and the compiler
    refuses others), so Python misses it too; a key whose type is not known is checked at
    run time: an unhashable one raises Python's TypeError. Refused when it never can be a str."""
    if key.ty.only("str"):
        return key
    if not key.ty.may("str"):
        if key.ty.may("list", "dict"):
            raise Refusal(node, f"a dict key cannot be {key.ty.describe()} (unhashable in Python)")
        return None
    unhashable = guard(f"($type({key.code}) in ['array', 'object'])", TypeError,
                       f"\"unhashable type: '\" & $__pytype({key.code}) & \"'\"", key, helpers={"pytype"})
    return Expr(key.code, attrs.evolve(key.ty, kinds=key.ty.kinds - {"list", "dict"}),
                key.guards + (unhashable,), key.reads, key.helpers | unhashable.helpers)


def store_key(node, key: Expr) -> Expr:
    """A key to store in a dict: a str, or (its type not known) one checked at run time; a
    dict of the machine cannot hold another key (JSON objects have string keys)."""
    if key.ty.only("str"):
        return key
    if not key.ty.may("str"):
        raise Refusal(node, f"dict keys are strings in JSON; this key is {key.ty.describe()}",
                      "convert the key with str(...)", computable=True)
    key = lookup_key(node, key)
    cause = (f"line {getattr(node, 'lineno', 0)}: a dict key whose type is not annotated is not a str "
             "at run time; JSON objects have string keys: convert it with str(...)")
    check = Guard(f"($type({key.code}) != 'string')", None, "''", key.helpers, key.reads, abort=True,
                  error_name=NON_STRING_KEY, message_literal=cause)
    return Expr(key.code, pytypes.STR, key.guards + (check,), key.reads, key.helpers)


def key_guard(container: Expr, key: Expr) -> Guard:
    message = jsonata_lib.string(repr(key.const)) if key.is_const else f"$__repr_str({key.code})"
    return guard(f"$not($exists($lookup({container.code}, {key.code})))", KeyError, message, container,
                 key, helpers=() if key.is_const else {"repr_str"})


def _bound(container: Expr) -> str:
    return bound_code(container.code)


def bound_code(code: str) -> str:
    """`code` ready for a [predicate]: JSONata chains predicates on one step, so anything
    but a plain variable is put in a block first ($x[$i][1] would not index the item).

    The block ends with a variable, not with `code` itself: jsonata-js (2.0.6) optimizes a
    function call in a lambda's tail position into a thunk and drops the predicate of the
    block around it (`function($c) { ($split($c, ','))[0] }` returns the whole list)."""
    if _is_var(code):
        return code
    if re.fullmatch(r"\$[A-Za-z_]\w*(\[[^()\[\]]*\])+", code):  # $xs[$i]: a path, no call in it
        return f"({code})"
    return f"($__s := {code}; $__s)"


def _require_int(node, index: Expr, message: str) -> None:
    if not index.ty.only("int"):
        raise Refusal(node, f"{message}; this index is {index.ty.describe()}",
                      ANY_HINT if index.ty.is_any else "")


def _dynamic_subscript(node, container: Expr, index: Expr) -> Expr:
    """Subscript of a value whose JSON type is known only at run time."""
    c, i = container.code, index.code
    if index.ty.only("int"):
        not_subscriptable = (f"$not($type({c}) in ['array', 'string', 'object'])")
        checks = [
            guard(not_subscriptable, TypeError, f"\"'\" & $__pytype({c}) & \"' object is not subscriptable\"",
                  container, helpers={"pytype"}),
            guard(f"($type({c}) = 'object')", KeyError, f"$__istr({i})", container, index, helpers={"istr"}),
            guard(f"($type({c}) = 'array' and ({i} >= $count({c}) or {i} < -$count({c})))", IndexError,
                  "'list index out of range'", container, index),
            guard(f"($type({c}) = 'string' and ({i} >= $length({c}) or {i} < -$length({c})))", IndexError,
                  "'string index out of range'", container, index),
        ]
        code = f"($type({c}) = 'string' ? $substring({c}, {i}, 1) : {_bound(container)}[{i}])"
        return combine(code, pytypes.ANY, container, index, guards=checks)
    if index.ty.only("str"):
        checks = [
            guard(f"$not($type({c}) in ['array', 'string', 'object'])", TypeError,
                  f"\"'\" & $__pytype({c}) & \"' object is not subscriptable\"", container, helpers={"pytype"}),
            guard(f"($type({c}) = 'array')", TypeError, "'list indices must be integers or slices, not str'",
                  container),
            guard(f"($type({c}) = 'string')", TypeError, _string_index_message(), container),
            key_guard(container, index),
        ]
        return combine(f"$lookup({c}, {i})", pytypes.ANY, container, index, guards=checks)
    return _subscript_of_unknown(container, index)


def _subscript_of_unknown(container: Expr, index: Expr) -> Expr:
    """`container[index]` where both kinds are known only at run time: a dict looks the key up
    (a key no JSON object holds misses), a list or str takes an int index; anything else is
    Python's TypeError, KeyError or IndexError with Python's message."""
    c, i = container.code, index.code
    int_like = f"($type({i}) = 'boolean' or ($type({i}) = 'number' and $floor({i}) = {i}))"
    n = f"$__num({i})"
    checks = [
        guard(f"$not($type({c}) in ['array', 'string', 'object'])", TypeError,
              f"\"'\" & $__pytype({c}) & \"' object is not subscriptable\"", container, helpers={"pytype"}),
        guard(f"($type({c}) = 'array' and $not({int_like}))", TypeError,
              f"'list indices must be integers or slices, not ' & $__pytype({i})", container, index,
              helpers={"pytype"}),
        guard(f"($type({c}) = 'string' and $not({int_like}))", TypeError,
              f"\"string indices must be integers, not '\" & $__pytype({i}) & \"'\"", container, index,
              helpers={"pytype"}),
        guard(f"($type({c}) = 'object' and $type({i}) in ['array', 'object'])", TypeError,
              f"\"unhashable type: '\" & $__pytype({i}) & \"'\"", container, index, helpers={"pytype"}),
        guard(f"($type({c}) = 'object' and ($type({i}) != 'string' or $not($exists($lookup({c}, {i})))))",
              KeyError, f"$__pyrepr({i})", container, index, helpers={"pyrepr"}),
        guard(f"($type({c}) = 'array' and ({n} >= $count({c}) or {n} < -$count({c})))", IndexError,
              "'list index out of range'", container, index, helpers={"num"}),
        guard(f"($type({c}) = 'string' and ({n} >= $length({c}) or {n} < -$length({c})))", IndexError,
              "'string index out of range'", container, index, helpers={"num"}),
    ]
    code = (f"($type({c}) = 'string' ? $substring({c}, {n}, 1) : $type({c}) = 'array' ? {_bound(container)}[{n}]"
            f" : $lookup({c}, {i}))")
    return combine(code, pytypes.ANY, container, index, helpers={"num"}, guards=checks)


def _string_index_message() -> str:
    try:
        "x".__getitem__("y")
    except TypeError as error:
        return jsonata_lib.string(str(error))
    return "'string indices must be integers'"


def slice_of(node, container: Expr, lower, upper, step) -> Expr:
    lower, upper, step = (_slice_index(node, p) if p is not None else None for p in (lower, upper, step))
    container = _sliceable(container)
    parts = [p for p in (lower, upper, step) if p is not None]
    step_code = step.code if step is not None else "1"
    guards = []
    if step is not None:
        if step.is_const and step.const == 0:
            raise Refusal(node, "slice step cannot be zero")
        if not step.is_const:
            guards.append(guard(f"({step.code} = 0)", ValueError, "'slice step cannot be zero'", step))
    args = ", ".join([container.code, lower.code if lower else "null", upper.code if upper else "null", step_code])
    if container.ty.only("list"):
        return combine(f"$__slice_list({args})", container.ty, container, *parts, helpers={"slice_list"},
                       guards=guards)
    if container.ty.only("str"):
        return combine(f"$__slice_str({args})", pytypes.STR, container, *parts, helpers={"slice_str"},
                       guards=guards)
    if container.ty.only("list", "str"):  # which one is known at run time
        code = f"($type({container.code}) = 'string' ? $__slice_str({args}) : $__slice_list({args}))"
        return combine(code, container.ty, container, *parts, helpers={"slice_str", "slice_list"}, guards=guards)
    raise Refusal(node, f"slicing {container.ty.describe()} is not supported", ANY_HINT)


def _slice_index(node, part: Expr) -> Expr:
    """A slice bound: an int or None, or (its kind known only at run time) checked as Python
    checks it; a bool counts as its int."""
    if part.ty.only("int", "none"):
        return part
    if not (part.ty.is_any or part.ty.json_number) or not part.ty.may("int", "none", "bool"):
        raise Refusal(node, f"slice indices must be integers or None, not {part.ty.describe()}", ANY_HINT)
    p = part.code
    check = guard(f"$not($type({p}) in ['null', 'boolean'] or ($type({p}) = 'number' and $floor({p}) = {p}))",
                  TypeError, "'slice indices must be integers or None or have an __index__ method'", part)
    return combine(f"($type({p}) = 'boolean' ? ({p} ? 1 : 0) : {p})", pytypes.Ty(frozenset({"int", "none"})), part, guards=[check])


def _sliceable(container: Expr) -> Expr:
    """A list or str to slice; one whose kind is known only at run time is checked first."""
    ty = container.ty
    if ty.only("list") or ty.only("str") or not ty.may("list", "str"):
        return container
    c = container.code
    checks = [guard(f"($type({c}) = 'object')", TypeError, "\"unhashable type: 'slice'\"", container),
              guard(f"$not($type({c}) in ['array', 'string', 'object'])", TypeError,
                    f"\"'\" & $__pytype({c}) & \"' object is not subscriptable\"", container, helpers={"pytype"})]
    return combine(c, attrs.evolve(ty, kinds=ty.kinds & {"list", "str"}), container, guards=checks)


# -- f-strings ---------------------------------------------------------------------------
def transform_joinedstr(b, node: ast.JoinedStr) -> Expr:
    pieces = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    values = iter(operands(b, pieces))
    parts: list[Expr] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(const(value.value, pytypes.STR))
            continue
        expr = next(values)
        if value.conversion == ord("r"):
            expr = formatting.to_repr(value, expr)
        elif value.conversion == ord("a"):
            raise Refusal(value, "!a conversion is not supported", "use !r")
        elif value.conversion == ord("s"):
            expr = formatting.to_str(value, expr)
        spec = ""
        if value.format_spec is not None:
            if not all(isinstance(v, ast.Constant) for v in value.format_spec.values):
                raise Refusal(value, "a format spec computed at run time is not supported",
                              "write the spec literally")
            spec = "".join(v.value for v in value.format_spec.values)
        parts.append(formatting.format_value(value, expr, spec))
    if all(p.is_const for p in parts):
        text = "".join(p.const for p in parts)
        return const(text, pytypes.STR)
    code = " & ".join(p.code for p in parts if not (p.is_const and p.const == ""))
    return combine(f"({code})", pytypes.STR, *parts)


def transform_formatted_value(b, node) -> Expr:
    raise Refusal(node, "a formatted value outside an f-string")


# -- comprehensions (pure ones; those that call a callee become Map states) --------------
def transform_comprehension(b, node) -> Expr:
    if effects(b, node).any:
        from .calls import comprehension_map  # noqa: PLC0415
        return comprehension_map(b, node)
    return pure_comprehension(b, node)


def pure_comprehension(b, node) -> Expr:
    generators = node.generators
    for generator in generators:
        if generator.is_async:
            raise Refusal(node, "async comprehensions are not supported")
    iterable = iterable_of(generators[0].iter, transform(b, generators[0].iter))
    return _generator(b, node, generators, 0, iterable)


def iterable_of(node, expr: Expr, not_iterable: str | None = None) -> Expr:
    """A value that may or may not be iterable, as a list Python's `for` would walk: a list's
    items, a str's characters or a dict's keys, chosen at run time, else Python's TypeError
    (its message `not_iterable`, when the consumer words it its own way). A value of known
    iterable type is returned as it is."""
    ty = expr.ty
    if ty.only("list") or ty.only("str") or ty.only("dict") or not ty.may("list", "str", "dict"):
        return expr
    item = None
    if ty.may("list"):
        item = pytypes.join(item, ty.element)
    if ty.may("str", "dict"):
        item = pytypes.join(item, pytypes.STR)
    message = (jsonata_lib.string(not_iterable) if not_iterable is not None
               else f"\"'\" & $__pytype({expr.code}) & \"' object is not iterable\"")
    check = guard(f"$not($type({expr.code}) in ['array', 'string', 'object'])", TypeError, message, expr,
                  helpers={"pytype"})
    return combine(f"$__iter({expr.code})", pytypes.list_of(item), expr, helpers={"iter"}, guards=[check])


def iteration_source(node, iterable: Expr) -> tuple[str, Ty, set]:
    """(JSONata list of the items Python's for would see, item type, helpers)."""
    ty = iterable.ty
    if ty.only("list"):
        return iterable.code, ty.element, set()
    if ty.only("str"):
        return f"$split({iterable.code}, '')", pytypes.STR, set()
    if ty.only("dict"):
        return f"$__keys({iterable.code})", pytypes.STR, {"keys"}
    raise Refusal(node, f"cannot iterate over {ty.describe()}", ANY_HINT if ty.is_any else "")


def _generator(b, node, generators, index, iterable: Expr) -> Expr:
    generator = generators[index]
    source, item_ty, helpers = iteration_source(generator.iter, iterable)
    param = f"$__c{b.next_comprehension()}"
    bindings = bind_target(b, generator.target, param, item_ty)
    with b.comprehension_scope(bindings):
        conditions = [condition(b, test) for test in generator.ifs]
        if index + 1 < len(generators):
            inner_iter = transform(b, generators[index + 1].iter)
            inner = _generator(b, node, generators, index + 1, inner_iter)
            element, flatten = inner, True
        elif isinstance(node, ast.DictComp):
            key, value = transform(b, node.key), transform(b, node.value)
            if not key.ty.only("str"):
                raise Refusal(node.key, "dict keys must be strings: JSON objects have string keys",
                              computable=True)
            element = combine("{" + f"{key.code}: {value.code}" + "}", pytypes.dict_of(value.ty), key, value)
            flatten = False
        else:
            element, flatten = transform(b, node.elt), False
    item_guards: tuple = ()
    if any(part.guards for part in [*conditions, element]):
        if len(generators) != 1:
            raise Refusal(node, "this comprehension could raise an exception inside (e.g. a missing key "
                          "or index); with several 'for's the compiler cannot check each item",
                          "write it as for loops")
        item_guards = _item_guards(source, param, conditions, element, set(helpers) | set(iterable.helpers))
        conditions = [Expr(c.code, c.ty, (), c.reads, c.helpers) for c in conditions]
        element = Expr(element.code, element.ty, (), element.reads, element.helpers)
    inner_reads = frozenset().union(*(p.reads for p in [*conditions, element]))
    all_helpers = set(helpers) | {"map", "filter"}
    for part in [*conditions, element]:
        all_helpers |= part.helpers
    filtered = source
    if conditions:
        test = " and ".join(c.code for c in conditions)
        filtered = f"$__filter({source}, function({param}) {{ {test} }})"
    if isinstance(node, ast.DictComp) and index + 1 == len(generators):
        code = f"$merge($__map({filtered}, function({param}) {{ {element.code} }}))"
        ty = element.ty
    elif flatten:
        code = f"$reduce({filtered}, function($__acc, {param}) {{ $append($__acc, {element.code}) }}, [])"
        ty = element.ty
    else:
        code = f"$__map({filtered}, function({param}) {{ {element.code} }})"
        ty = pytypes.list_of(element.ty)
    if isinstance(node, ast.DictComp) and index + 1 < len(generators):
        code = f"$merge({code})"
    reads = iterable.reads | (inner_reads - {param})
    return Expr(code, ty, iterable.guards + item_guards, reads,
                jsonata_lib.closure(all_helpers | set(iterable.helpers)))


def _item_guards(source: str, param: str, conditions: list, element: Expr, source_helpers=(),
                 stop: str | None = None) -> tuple:
    """The guards of a comprehension's item expressions, checked over all items before the
    comprehension runs: the first item (in order) that would raise, with its first guard,
    as Python would meet it (conditions first, then the element for items that pass)."""
    condition_guards = [g for c in conditions for g in c.guards]
    element_guards = list(element.guards)
    every = condition_guards + element_guards

    def chain(guards, offset, fallback):
        text = fallback
        for position in range(len(guards) - 1, -1, -1):
            text = f"({guards[position].cond}) ? {offset + position + 1} : {text}"
        return f"({text})"

    inner = chain(element_guards, len(condition_guards), f"({stop} ? -1 : 0)" if stop else "0")
    if conditions:
        test = " and ".join(c.code for c in conditions)
        inner = f"(({test}) ? {inner} : 0)"
    per_item = chain(condition_guards, 0, inner)
    first = (f"$__filter($__map({source}, function({param}, $__i) {{ [$__i, {per_item}] }}),"
             f" function($__p) {{ $__p[1] != 0 }})[0]")
    helpers: frozenset = frozenset({"map", "filter"}) | frozenset(source_helpers)
    reads: frozenset = frozenset()
    for g in every:
        helpers |= g.helpers
        reads |= g.reads
    for part in [*conditions, element]:
        helpers |= part.helpers
    out = []
    for position, g in enumerate(every):
        cond = f"($__ff := {first}; $exists($__ff) and $__ff[1] = {position + 1})"
        message = f"($__ff := {first}; function({param}) {{ {g.message} }}({source}[$__ff[0]]))"
        out.append(Guard(cond, g.error, message, jsonata_lib.closure(helpers), reads - {param},
                         g.error_code, g.abort, g.error_name, g.message_literal))
    return tuple(out)


def bind_target(b, target, code: str, ty: Ty) -> dict:
    """Comprehension target → {python name: (JSONata text, type)}."""
    if isinstance(target, ast.Name):
        return {target.id: (code, ty)}
    if isinstance(target, (ast.Tuple, ast.List)):
        if ty.only("list") and ty.elem is not None:
            item_ty = ty.element
        else:
            item_ty = pytypes.ANY if not ty.only("list") else ty.element
        out = {}
        for position, element in enumerate(target.elts):
            out.update(bind_target(b, element, f"{bound_code(code)}[{position}]", _tuple_item(ty, position, item_ty)))
        return out
    raise Refusal(target, "this comprehension target is not supported", "use names or a tuple of names")


def _tuple_item(ty: Ty, position: int, default: Ty) -> Ty:
    if ty.items is not None and position < len(ty.items):
        return ty.items[position]
    return default


def transform_call(b, node: ast.Call) -> Expr:
    from .calls import transform_call as call  # noqa: PLC0415

    return call(b, node)


def transform_lambda(b, node) -> Expr:
    raise Refusal(node, "a lambda is supported only as a sorted()/min()/max() key or an sfn.parallel branch")


_TRANSFORMS = {
    ast.Constant: transform_constant,
    ast.Name: transform_name,
    ast.List: transform_list,
    ast.Tuple: transform_list,
    ast.Dict: transform_dict,
    ast.BinOp: transform_binop,
    ast.UnaryOp: transform_unaryop,
    ast.BoolOp: transform_boolop,
    ast.IfExp: transform_ifexp,
    ast.Compare: transform_compare,
    ast.Subscript: transform_subscript,
    ast.JoinedStr: transform_joinedstr,
    ast.FormattedValue: transform_formatted_value,
    ast.ListComp: transform_comprehension,
    ast.GeneratorExp: transform_comprehension,
    ast.DictComp: transform_comprehension,
    ast.Call: transform_call,
    ast.Lambda: transform_lambda,
}

PY_VERSION = sys.version_info[:2]
