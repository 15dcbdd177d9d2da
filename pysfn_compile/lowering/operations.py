"""Python's operations on compiled values (Expr → Expr): truthiness, arithmetic, comparison,
containment, subscripts and keys, slices, iteration sources, list and tuple building; each
with the guards that raise what Python raises. The AST node a function takes only locates a
refusal or names the operator; nothing here lowers a sub-expression (that is evaluation.py's
and the transforms' work), so every transform may use these.
"""

from __future__ import annotations

import ast
import itertools
import operator
import re
import sys

import attrs

from ..analysis import pytypes
from ..analysis.ast_edits import short_text
from ..analysis.int_bounds import int_bounds
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import ir, jsonata_lib, jsonata_text
from ..graph.exprs import (
    NO_KIND,
    UNSUPPORTED,
    Expr,
    Guard,
    Scan,
    carried_kind,
    combine,
    const,
    either_kind,
    float_kind,
    guard,
    is_var,
    mixed_number,
    unreachable,
)

SAFE = 2**53 - 1


OVERFLOW = "pysfn.IntegerOverflow"


OVERFLOW_CAUSE = ("an integer result exceeds 2**53 - 1, which JSON numbers in Step Functions "
                  "cannot hold exactly (Python's ints have no limit)")


INPUT_OVERFLOW_CAUSE = ("the execution input holds an integral number beyond 2**53 - 1, which JSON numbers in "
                        "Step Functions cannot hold exactly (Python's ints have no limit): pass it as a string")


ANY_HINT = ("annotate where the value comes from (the workflow parameter, or the callee's return "
            "type, e.g. -> int or -> list[str]) so the compiler knows its type")


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


def decides(operand: Expr, op: str) -> bool:
    """Whether this operand of `and`/`or` decides it at compile time (`isinstance(n, list)` of an
    int, for `and`): Python evaluates none of the operands after it."""
    return operand.is_const and not operand.guards and bool(operand.const) == (op == "or")


def short_circuit(parts: list[Expr], op: str) -> Expr:
    """JSONata's and/or over booleans, with each operand's guards checked only if reached."""
    code, guards, reads, helpers = parts[0].code, list(parts[0].guards), parts[0].reads, parts[0].helpers
    for part in parts[1:]:
        reached = code if op == "and" else f"$not({code})"
        guards += [g.under(reached, helpers, reads) for g in part.guards]
        code = f"({code} {op} {part.code})"
        reads |= part.reads
        helpers |= part.helpers
    return Expr(code, pytypes.BOOL, tuple(guards), reads, helpers)


RECORD_KEYS = 64  # a constant dict with more keys is a table: one value type for all of them


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
    if isinstance(value, dict) and 0 < len(value) <= RECORD_KEYS and all(isinstance(k, str) for k in value):
        # a record, as a dict display of constants is: D["tags"] has the type of its own value
        return pytypes.typed_dict("", {k: type_of_value(v) for k, v in value.items()})
    if isinstance(value, dict):
        elem = None
        for item in value.values():
            elem = pytypes.join(elem, type_of_value(item))
        return pytypes.dict_of(elem) if elem is not None else pytypes.dict_of(pytypes.NOTHING)
    return pytypes.ANY


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


_PY_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "//": operator.floordiv, "%": operator.mod, "**": operator.pow}


def binary(node: ast.AST, op: str, left: Expr, right: Expr) -> Expr:
    """`left op right`; a number that may be an int or a float carries which it is (Expr.kind)."""
    result = _binary(node, op, left, right)
    if op in ("+", "-", "*", "//", "%") and (mixed_number(result.ty) or result.ty.json_number) \
            and result.ty.may("int", "float"):
        result = attrs.evolve(result, kind=either_kind(float_kind(left), float_kind(right)))
    return result


def _binary(node: ast.AST, op: str, left: Expr, right: Expr) -> Expr:
    never = unreachable(left, right)
    if never is not None:
        return never
    if op == "|" and (left.ty.may("dict") or right.ty.may("dict")):
        return dict_union(node, left, right)
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
    if _chosen_at_run_time(op, lt, rt):
        return dynamic_arithmetic(node, op, left, right)
    if op == "+" and (lt.only("str") or rt.only("str")):
        return _concat_str(node, left, right)
    if op == "+" and (lt.only("list") or rt.only("list")):
        return _concat_list(node, left, right)
    if op == "*" and (lt.only("str", "list") or rt.only("str", "list")) and not (lt.numeric and rt.numeric):
        return _repeat(node, left, right)
    if op == "%" and lt.only("str"):
        raise Refusal(node, "%-formatting of strings is not supported", "use an f-string")
    left, right = numeric_operand(node, op, left, right, True), numeric_operand(node, op, right, left, False)
    result = arithmetic(node, op, left, right)
    if op in ("*", "/", "//", "%") and result.ty.may("float") and not result.is_const \
            and not _never_negative_zero(op, left, right):  # -0.5 * 0 and 0 / -2 are -0.0
        result = signed_zero_stop(node, result, (left, right) if op in ("*", "/") else (right,), None)
    return result


def _chosen_at_run_time(op: str, lt: Ty, rt: Ty) -> bool:
    """Whether `a op b` goes by dynamic_arithmetic (an operand's kind known at run time only)."""
    return op in ("+", "-", "*", "/", "//", "%", "**") and (_dynamic(lt) or _dynamic(rt)) \
        and not (lt.only("str") or rt.only("str") or lt.only("list") or rt.only("list"))


def dict_union(node: ast.AST, left: Expr, right: Expr) -> Expr:
    """`defaults | overrides`: a new dict, the left's keys then the right's new ones, the right's
    values winning (its items shared with both, as aliasing.py holds). Where a kind is known
    at run time only: Python's TypeError for any other pair, and a loud stop for two ints or
    bools (`|` is bitwise there, which JSONata does not have)."""
    ty = pytypes.dict_of(pytypes.join(left.ty.values, right.ty.values))
    code = f"$merge([{left.code}, {right.code}])"
    if left.ty.only("dict") and right.ty.only("dict"):
        return combine(code, ty, left, right)
    a, b_ = left.code, right.code
    both = f"$type({a}) = 'object' and $type({b_}) = 'object'"
    numbers = f"$type({a}) in ['number', 'boolean'] and $type({b_}) in ['number', 'boolean']"
    stop = Guard(f"({numbers})", None, "''", left.helpers | right.helpers, left.reads | right.reads, abort=True,
                 error_name=UNSUPPORTED, message_literal=f"line {getattr(node, 'lineno', 0)}: | of ints or bools "
                 "(bitwise, which JSONata does not have)")
    wrong = guard(f"$not({both})", TypeError, f"$__binmsg('|', {a}, {b_})", left, right, helpers={"binmsg"})
    return combine(code, ty, left, right, guards=[stop, wrong])


def _never_negative_zero(op: str, left: Expr, right: Expr) -> bool:
    """An int times or over a positive number literal (`cents / 100`): never -0.0 (an int
    below zero is at least 1 away from it); a positive literal divisor of // or %."""
    def positive(e: Expr) -> bool:
        return e.is_const and type(e.const) in (int, float) and e.const > 0
    if op in ("//", "%"):
        return positive(right)
    return (positive(right) and left.ty.only("int", "bool")) or \
        (op == "*" and positive(left) and right.ty.only("int", "bool"))


def may_extend_in_place(ty: Ty) -> bool:
    """Whether `x += y` on a value of this type may be list.__iadd__ known only at run time
    (a list that may also be something else; a JSON array is a list, unless the type says
    it may be a tuple)."""
    return ty.may("list") and not ty.only("list") and ty.form == "list"


def may_iterate(ty: Ty) -> bool:
    """Whether a value of this type may be iterable (what `xs += y` extends a list with)."""
    return ty.may("list", "str", "dict") or not ty.kinds


def augmented_add(node: ast.AST, left: Expr, right: Expr) -> Expr:
    """`x += y` where x may be a list known only at run time: Python's list.__iadd__ extends
    the list with any iterable (a str's characters, a dict's keys), or raises "'int' object is
    not iterable"; any other x adds as `x + y` does (its TypeErrors naming `+=`). Whether the
    change in place is seen through another name is the caller's concern."""
    other = binary(node, "+", attrs.evolve(left, guards=()), attrs.evolve(right, guards=()))
    a, b_ = left.code, right.code
    is_list = f"$type({a}) = 'array'"
    not_iterable = guard(f"({is_list} and $not($type({b_}) in ['array', 'string', 'object']))", TypeError,
                         f"\"'\" & $__pytype({b_}) & \"' object is not iterable\"", left, right, helpers={"pytype"})
    # the stops after `+` of numbers need no test: on a list $__add appends and $__numstop says ''
    otherwise = [g if g.abort and g.cond.startswith("($__numstop($__add(") else
                 g.under(f"$not({is_list})", frozenset(), left.reads) for g in other.guards]
    item = None
    if right.ty.may("list") or not right.ty.kinds:
        item = pytypes.join(item, right.ty.element)
    if right.ty.may("str", "dict"):
        item = pytypes.join(item, pytypes.STR)
    ty = pytypes.join(other.ty, pytypes.list_of(pytypes.join(left.ty.element, item)))
    code = f"({is_list} ? $append({a}, $__iter({b_})) : {other.code})"
    return combine(code, ty, left, right, helpers=other.helpers | {"iter"}, guards=[not_iterable, *otherwise])


AMBIGUOUS_NUMBER = "pysfn.AmbiguousNumber"


def _dynamic(ty: Ty) -> bool:
    """Whether an operand's kind is known only at run time (a value nobody annotated, or one
    that never exists, like an item of an empty `[]` literal: any code serves it; or a union of
    scalars, `int | str` of `rec["n"] = int(rec["n"])` in a dict of str, whose JSON type tells
    which it is: no float among them, which JSON would not tell from an int)."""
    return ty.is_any or not ty.kinds or (ty.json_number and not ty.only("int", "bool")) or (
        ty.only("int", "bool", "str", "none") and len({"int" if k == "bool" else k for k in ty.kinds}) > 1)


def _unruled(operand: Expr) -> bool:
    """An operand that may be a float whose integral value JSON does not mark (a static
    `int | float`, no number rule: total = 0, then total += 2.0)."""
    return not operand.ty.json_number and operand.ty.may("float") and not operand.ty.only("float")


def unknown_kind_stops(node: ast.AST, cond: str, operands: tuple[Expr, ...], used: frozenset = frozenset()) -> list:
    """Where `cond` makes Python raise a message naming an operand's kind ('float' and 'str')
    and an unruled operand is integral (its kind unknown to the machine): a stop, by name."""
    unknown = " or ".join(f"($type({o.code}) = 'number' and $floor({o.code}) = {o.code})"
                          for o in operands if _unruled(o))
    if not unknown:
        return []
    return [Guard(f"(({cond}) and ({unknown}))", None, "''", used, abort=True, error_name=AMBIGUOUS_NUMBER,
                  message_literal=f"line {getattr(node, 'lineno', 0)}: Python's message here names whether a number "
                                  "is an int or a float (2.0 travels as 2 in JSON), which is not known here: annotate "
                                  "it")]


def dynamic_arithmetic(node: ast.AST, op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` with the operation chosen at run time as Python chooses it (numbers,
    str and list concatenation and repetition), Python's TypeError and ZeroDivisionError, and
    the number rule of pytypes kept: a float result that is integral although an operand was
    not (0.5 * 2) stops the machine, since JSON cannot carry it as the float Python has."""
    a, b_ = left.code, right.code
    line = getattr(node, "lineno", 0)
    helpers = {"pytype", "num"}
    guards = []
    if op == "%" and left.ty.may("str"):  # str % x formats, before any TypeError
        guards.append(Guard(f"($type({a}) = 'string')", None, "''", abort=True, error_name=UNSUPPORTED,
                            message_literal=f"line {line}: %-formatting of a str is not supported: use an f-string"))
    # what the static types settle is left out: an operand known to be a number (or an int)
    # needs no test of its kind at run time, a nonzero number literal no test for zero
    numbers = _all(_number_test(a, left.ty), _number_test(b_, right.ty))
    # an operand annotated float is a float in Python although its JSON value may be integral
    # (2.0 travels as 2): its name and the float ZeroDivisionError come from the static type,
    # and it never repeats a sequence (2.0 * 'ab' is a TypeError)
    floats = [side for side in (left, right) if _type_name(side) == "float"]
    unruled = [_unruled(side) for side in (left, right)]
    numbers_only = op not in ("+", "*") or bool(floats)
    # a number of unknown type that carries its kind (a companion): where it is a float, a
    # non-integral stand-in for it tells the kind tests and the messages so (2.0 * 'ab' raises)
    kinded = [_kind_stand_in(side) for side in (left, right)]
    if not numbers_only:  # str and list concatenate and repeat
        operable = _operable_test(op, *kinded)
        numbers_only = _operable_test(op, left, right) == numbers  # `a + 1`: numbers only all the same
        if operable != "true":
            guards += unknown_kind_stops(node, _negated(operable), (left, right), frozenset({"addok", "mulok"}))
            guards.append(guard(_negated(operable), TypeError, _binary_message(node, op, *kinded), *kinded,
                                helpers={"addok", "mulok", "binmsg"}))
    elif numbers != "true":  # numbers only, else Python's message (str % x is handled above)
        guards += unknown_kind_stops(node, _negated(numbers), (left, right))
        guards.append(guard(_negated(numbers), TypeError, _numbers_only_message(node, op, *kinded), *kinded,
                            helpers={"pytype"}))
    # read only where `numbers` holds (a bool counts as integral): no $__num call, the costly part
    integral = _all(*(_integral_test(side.code, side.ty) for side in kinded))
    if op == "**":
        guards += _power_stops(node, left, right, integral, floats)
    if op in ("/", "//", "%") and not _nonzero_literal(b_):
        int_message, float_message = _zero_message(op, pytypes.INT, pytypes.INT), _zero_message(op, pytypes.FLOAT, pytypes.INT)
        message = (jsonata_lib.string(float_message) if floats else
                   jsonata_lib.string(int_message) if int_message == float_message or integral == "true" else
                   f"({integral} ? {jsonata_lib.string(int_message)} : {jsonata_lib.string(float_message)})")
        if not floats:
            guards += unknown_kind_stops(node, _all(numbers, f"$__num({b_}) = 0"), (left, right), frozenset({"num"}))
        guards.append(guard(_all(numbers, f"$__num({b_}) = 0"), ZeroDivisionError, message, left, right,
                            helpers={"num"}))
    code, value_helpers = _dynamic_value(op, left, right, numbers_only)
    helpers |= value_helpers
    if op != "/":
        # the result first (the TypeError and ZeroDivisionError guards ahead have passed, so
        # Python computes it here too), tested by one helper call: a pure loop binds the
        # result and the verdict once (pure_loops.py binds what is read whatever happens)
        # an unruled operand counts as not integral: with it, an integral result's kind is
        # unknown (total + n is 2.0 + n in Python)
        stop = f"$__numstop({code}, {'0.5' if unruled[0] else a}, {'0.5' if unruled[1] else b_})"
        helpers.add("numstop")
        # a result its text bounds (`(ord(c) - 97 + k) % 26 + 97`: analysis/int_bounds) cannot
        # pass 2**53 (a float one neither: the bounds of its int counterpart, give or take one).
        # (The 'float' verdict stays: `x % 26` of a tiny negative float is 26.0)
        lo, hi = int_bounds(node, lambda name: False) if isinstance(node, ast.BinOp) else (None, None)
        bounded = lo is not None and hi is not None and -2**52 <= lo and hi <= 2**52
        if any(unruled) and not bounded:  # (the verdict then says 'float' for an int beyond 2**53 too: checked here)
            guards.append(Guard(f"($type({code}) = 'number' and $abs({code}) > {SAFE})", None, "''", abort=True,
                                error_name=OVERFLOW, message_literal=OVERFLOW_CAUSE))
        if not bounded:
            guards.append(Guard(f"({stop} = 'overflow')", None, "''", abort=True, error_name=OVERFLOW,
                                message_literal=OVERFLOW_CAUSE))
        if integral != "true" and not floats:  # (an operand annotated float: the result's type says float)
            guards.append(Guard(f"({stop} = 'float')", None, "''", abort=True, error_name=AMBIGUOUS_NUMBER, blurs=code,
                                message_literal=(
                                    f"line {line}: float arithmetic ({short_text(ast.unparse(node), 60)}) on numbers "
                                    "whose type is not annotated gave an integral result, which Python keeps as a "
                                    "float (0.5 * 2 is 1.0) and JSON cannot tell from an int: annotate them as float "
                                    "where they come from (a callee's return type, a TypedDict's key, a parameter)")))
    operand_helpers = left.helpers | right.helpers  # the stops re-read both operands' code
    guards = [attrs.evolve(g, helpers=jsonata_lib.closure(g.helpers | helpers) | operand_helpers,
                           reads=g.reads | left.reads | right.reads)
              if g.abort else g for g in guards]
    kinds = {"float"} if op == "/" else {"int", "float"}
    elem = None
    if not numbers_only:
        kinds, elem = _sequence_results(op, left.ty, right.ty, kinds)
    # an operand annotated float makes a float (2.0 * n, 6 in JSON, is 6.0 in Python)
    ty = pytypes.FLOAT if op == "/" or (floats and op != "**") else pytypes.INT if op == "**" else \
        attrs.evolve(pytypes.list_of(elem), kinds=frozenset(kinds), json_number=True)
    result = combine(code, ty, left, right, helpers=helpers, guards=guards)
    if ty == pytypes.FLOAT and op in ("*", "/", "//", "%") and not _never_negative_zero(op, left, right):
        result = signed_zero_stop(node, result, (left, right) if op in ("*", "/") else (right,), None)
    return result


def float_power_refusal(node: ast.AST, exponent: Expr) -> Refusal:
    """`x ** y` with a float: CPython's pow() rounds otherwise than JSONata's $power, and even
    x ** 2 is not x * x for some floats (glibc's pow, about 1 in 1,500 doubles tried); a square
    and a square root have exact spellings to suggest."""
    power = exponent.const if exponent.is_const else None
    hint = "compute it in a callee"
    if power == 2:
        hint = ("for a square write the product, (v - m) * (v - m), in the source (x ** 2 is pow(), which "
                "differs from x * x for some floats); or " + hint)
    elif power == 0.5:
        hint = ("for a square root write math.sqrt(x) (x ** 0.5 is pow(): a complex number for a negative x, "
                "and not always sqrt's last digit); or " + hint)
    return Refusal(node, "** with a float operand is not supported: JSONata's $power may round differently "
                   "from Python's", hint, computable=True)


def _power_stops(node: ast.AST, left: Expr, right: Expr, integral: str, floats: list) -> list[Guard]:
    """`a ** b` of numbers whose kinds the run tells: an int power, as the static `**` computes it;
    a float operand or a negative exponent (whose result is a float) stops the machine by name
    (JSONata's $power may round differently from Python's float power)."""
    if floats:
        raise float_power_refusal(node, right)
    line = getattr(node, "lineno", 0)
    stops = []
    if integral != "true":
        stops.append(Guard(_negated(integral), None, "''", abort=True, error_name=UNSUPPORTED,
                           message_literal=f"line {line}: ** of a number that is not integral: JSONata's $power may "
                           "round differently from Python's float power"))
    stops.append(_negative_power(node, _as_number(right)))
    return stops


def _negative_power(node: ast.AST, exponent: str, helpers=frozenset(), reads=frozenset()) -> Guard:
    """The stop for `x ** n` with `n` negative: Python's result is a float, the compiled one an int."""
    return Guard(f"({exponent} < 0)", None, "''", helpers, reads, abort=True, error_name=UNSUPPORTED,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: an int raised to a negative power is a float "
                 "in Python; the compiled workflow keeps this result an int: write 1 / x ** n for a negative power")


def _sequence_results(op: str, lt: Ty, rt: Ty, kinds: set) -> tuple[set, Ty | None]:
    """The kinds of `lt op rt` (+ or *) with the str and list Python can give (and the list's
    items): a str or a list comes only of what Python concatenates (two of one kind) or
    repeats (a sequence and an int or a bool), so `count = 0; count += row["n"]` stays a number."""
    kinds, elem = set(kinds), None
    for seq, other in ((lt, rt),) if op == "+" else ((lt, rt), (rt, lt)):
        for kind in ("str", "list"):
            if seq.may(kind) and (other.may(kind) if op == "+" else other.may("int", "bool")):
                kinds.add(kind)
                if kind == "list":
                    elem = pytypes.join(elem, seq.element)
                    if op == "+":
                        elem = pytypes.join(elem, other.element)
    return kinds, elem


def _operable_test(op: str, left: Expr, right: Expr) -> str:
    """JSONata true where Python computes `left + right` or `left * right` (numbers and bools,
    two str or two lists concatenated, a sequence repeated an int number of times): the
    TypeError's test. It reads the operands' kinds only: no type names, which only the message
    needs (a guard's message is evaluated only where its test fails). What the static types
    settle is left out."""
    a, b_ = left.code, right.code
    numbers = _all(_number_test(a, left.ty), _number_test(b_, right.ty))
    known = [side for side in (left, right) if _number_test(side.code, side.ty) == "true"]
    if op == "+":
        return numbers if known else f"$__addok({a}, {b_})"
    counts = [side for side in known if _integral_test(side.code, side.ty) == "true"]
    if len(known) == 2:
        return numbers  # "true": a product of numbers
    if counts:  # an int (or a bool) times a number or a sequence
        other = right if counts[0] is left else left
        return f"$type({other.code}) in ['number', 'boolean', 'string', 'array']"
    return f"$__mulok({a}, {b_})"


def _negated(test: str) -> str:
    """$not(test), without a second pair of parentheses around a parenthesized test."""
    whole = test.startswith("(") and jsonata_lib.closing(test, 0) == len(test) - 1
    return f"$not{test}" if whole else f"$not({test})"


def _binary_message(node: ast.AST, op: str, left: Expr, right: Expr) -> str:
    """Python's TypeError message for `left op right` (+ or *) where the operands' kinds do
    not fit ($__binmsg)."""
    a, b_ = left.code, right.code
    if _operator_name(node, op) == op:
        return f"$__binmsg('{op}', {a}, {b_})"
    # `x += y`: Python's message names the operator `+=`; and `x *= y` repeats only a sequence
    # x, else says x's operator is missing (a dict's; CPython's PyNumber_InPlaceMultiply)
    if op == "*" and left.ty.may("dict"):
        return f"$replace($__binmsg($type({a}) = 'object' ? '*=' : '*', {a}, {b_}), 'for *:', 'for *=:')"
    return f"$replace($__binmsg('{op}', {a}, {b_}), 'for {op}:', 'for {op}=:')"


def _numbers_only_message(node: ast.AST, op: str, left: Expr, right: Expr) -> str:
    """Python's TypeError message for `left op right` where only numbers (and bools) pass: the
    operators but + and *, and + and * with an operand annotated float."""
    name = _operator_name(node, op)
    message = _concat([f"unsupported operand type(s) for {name}: '", _type_name(left), "' and '",
                       _type_name(right), "'"])
    other = right if _type_name(left) == "float" else left
    if op == "*":  # a sequence times a float
        sequence = jsonata_lib.string("can't multiply sequence by non-int of type 'float'")
        return f"($type({other.code}) in ['string', 'array'] ? {sequence} : {message})"
    if op == "+" and other is left:  # a str or a list on the left concatenates, and says so
        return (f"($type({left.code}) = 'string' ? 'can only concatenate str (not \"float\") to str'"
                f" : $type({left.code}) = 'array' ? 'can only concatenate list (not \"float\") to list' : {message})")
    return message


def _dynamic_value(op: str, left: Expr, right: Expr, numbers_only: bool = False) -> tuple[str, set]:
    """The code of `left op right` once its TypeError and ZeroDivisionError guards have
    passed, and the helpers it calls: a helper per operator where an operand may be a str or a
    list (concatenation, repetition) or the operator is `//`, else the JSONata operator on the
    numbers (a bool as its int). `numbers_only`: the guards let numbers (and bools) pass only."""
    a, b_ = _as_number(left), _as_number(right)
    sequences = not numbers_only and any(side.ty.may("str", "list") or not side.ty.kinds for side in (left, right))
    if op == "+" and sequences:
        return f"$__add({left.code}, {right.code})", {"add"}
    if op == "*" and sequences:
        return f"$__mul({left.code}, {right.code})", {"mul"}
    if op == "//":
        return f"$__floordiv({left.code}, {right.code})", {"floordiv"}
    if op == "%":
        return f"$__imod({a}, {b_})", {"imod"}
    if op == "**":
        return f"$__ipow({a}, {b_})", {"ipow"}
    return f"({a} {op} {b_})", set()


def _real_number_message() -> str:
    try:
        operator.mod("%f", "")  # (the TypeError's words, as this Python has them)
    except TypeError as error:
        return str(error).rpartition("str")[0]
    raise AssertionError("'%f' % '' raised nothing")


_REAL_NUMBER = _real_number_message()  # "must be real number, not "


def real_number(value: Expr) -> Expr:
    """`value` where Python needs a real number (`"%.2f" % x`, math.ceil(x)), known only at run
    time: an int, a float or a bool, Python's TypeError ("must be real number, not str") else."""
    v = value.code
    wrong = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                  f"{jsonata_lib.string(_REAL_NUMBER)} & $__pytype({v})", value, helpers={"pytype"})
    number = pytypes.Ty(value.ty.kinds & frozenset({"int", "float", "bool"}), json_number=value.ty.json_number)
    return combine(v, number, value, guards=[wrong])


def float_blind(expr: Expr) -> Expr:
    """`expr` where its value only feeds an operation whose result is the same whether it is
    an int or a float (a true division by a nonzero number literal, int(), float(), an order
    or equality comparison with a number): its own stop for an integral float result of
    arithmetic on numbers of unknown type (pysfn.AmbiguousNumber) goes; its overflow stop,
    and the stops of the operations inside it, stay. Without its stop, its number follows the
    number rule no more: it keeps the kind its operation carried, or none (NO_KIND)."""
    kept = tuple(g for g in expr.guards if not _own_float_stop(expr, g))
    if len(kept) == len(expr.guards):
        return expr
    return attrs.evolve(expr, guards=kept, kind=expr.kind if expr.kind is not None else NO_KIND)


def beside_float(op: str, left: Expr, right: Expr) -> tuple[Expr, Expr]:
    """The operands of `left op right` (+ - * / // %) where one is known to be a float: the
    result is a float whatever the other's kind (an int converts exactly; past 2**53 it stops
    anyway), so the other's own stop for an integral float result goes (`value += qty * price`
    with `value = 0.0`)."""
    if op not in ("+", "-", "*", "/", "//", "%"):
        return left, right
    if right.ty.only("float") and not right.ty.json_number:
        left = float_blind(left)
    if left.ty.only("float") and not left.ty.json_number:
        right = float_blind(right)
    return left, right


def division_operands(left: Expr, right: Expr) -> tuple[Expr, Expr]:
    """`left / right`, right no literal: the quotient is the same float whether either is
    10 or 10.0, unless right is 0 (Python's ZeroDivisionError says "float division by zero"
    for a float): their own stops for an integral float result are checked where right is 0
    only, after right's checks (which make right's code safe to read)."""
    stops = [g for g in (*left.guards, *right.guards) if _own_float_stop(left, g) or _own_float_stop(right, g)]
    if not stops:
        return left, right
    if "float" in (_type_name(left), _type_name(right)):  # "float division by zero" whatever the other is
        return float_blind(left), float_blind(right)
    zero = [g.under(f"$__num({right.code}) = 0", frozenset({"num"}) | right.helpers, right.reads) for g in stops]
    return float_blind(left), attrs.evolve(float_blind(right), guards=(*float_blind(right).guards, *zero))


def blind_stops(node: ast.AST, op: str, result: Expr, left: Expr, right: Expr, lost: tuple[bool, bool],
                unseen: bool) -> Expr:
    """The stops arithmetic needs where a number's int-or-float kind goes unseen or is lost
    (analysis/blind_numbers.py; `lost`: whether each operand may be such a number, `unseen`:
    whether the result's own stop went): a lost number meeting no number (lost_kind_stop) or a
    zero divisor (lost_zero_divisor_stop), and a zero Python may keep as -0.0 where the stop
    that would have caught it went (signed_zero_stop). `x op y` and `x op= y` alike."""
    if op in ("+", "-", "*", "/"):  # (a TypeError's message names the kind: 'float' and 'str')
        for this, other, is_lost in ((left, right, lost[0]), (right, left, lost[1])):
            # (not one whose static type says its kind, nor one that carries its kind where
            # dynamic_arithmetic reads it: their tests know it)
            static = _static_kind(this)
            carried = _kind_stand_in(this) is not this and _chosen_at_run_time(op, left.ty, right.ty)
            if is_lost and not static and not carried:
                result = lost_kind_stop(node, result, this, other)
    if op == "/" and any(lost):
        result = lost_zero_divisor_stop(node, result, left, right, lost[1])
    if unseen and result.ty.json_number:
        floats = None if any(lost) else (left, right)
        if op == "*":
            result = signed_zero_stop(node, result, (left, right), floats)
        elif op in ("//", "%") and not (right.is_const and right.const > 0):
            result = signed_zero_stop(node, result, () if right.is_const else (right,), floats)
    return result


def _static_kind(side: Expr) -> bool:
    """Whether `side`'s static type says whether it is a float (not a number of unknown type)."""
    return not (side.ty.json_number or side.ty.is_any) and (side.ty.only("float") or side.ty.only("int", "bool"))


def lost_kind_stop(node: ast.AST, result: Expr, lost: Expr, other: Expr) -> Expr:
    """`lost + other` (or -, *) where `lost` may be a number whose int-or-float kind the
    machine no longer knows (analysis/blind_numbers.py) and `other` may be no number: Python's
    TypeError names the kind ('float' and 'str'), and `*` repeats a sequence for an int but
    raises for a float, so an integral number there stops the machine (pysfn.AmbiguousNumber)."""
    if other.ty.only("int", "float", "bool") or lost.ty.only("int", "bool") or not lost.ty.may("float"):
        return result  # (a value that is no number, `str(x) + "|"`, has no kind to lose)
    x = lost.code
    stop = Guard(f"($type({x}) = 'number' and $floor({x}) = {x} and $not($type({other.code}) in ['number', "
                 "'boolean']))", None, "''", lost.helpers | other.helpers, lost.reads | other.reads, abort=True,
                 error_name=AMBIGUOUS_NUMBER,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: a number computed from numbers whose type "
                                 "is not annotated meets a value that is no number: Python's result depends on "
                                 "whether it is a float (1.5 * 2 is 3.0), which JSON cannot tell from an int: "
                                 "annotate the operands")
    return _before_operator(result, stop, lost, other)


def lost_zero_divisor_stop(node: ast.AST, result: Expr, left: Expr, right: Expr, right_lost: bool) -> Expr:
    """`left / right` where an operand may be a number whose int-or-float kind the machine lost
    (blind_numbers.py): the quotient is the same float either way, but for a zero divisor
    Python's message names the kind ("float division by zero"), so the machine stops there,
    unless `left` (the lost one) is not integral: a float the machine knows."""
    if right.is_const and type(right.const) in (int, float) and right.const != 0:
        return result
    if not right_lost and (_static_kind(left) or _type_name(right) == "float" or (
            carried_kind(left) is not None and _chosen_at_run_time("/", left.ty, right.ty))):
        # (the message names the kind by the static type, a float divisor's whatever the
        # dividend: "float division by zero", or by the companion: dynamic_arithmetic)
        return result
    d, n = right.code, left.code
    known = "" if right_lost else f" and $type({n}) = 'number' and $floor({n}) = {n}"
    stop = Guard(f"($type({d}) in ['number', 'boolean'] and $__num({d}) = 0{known})", None, "''",
                 left.helpers | right.helpers | {"num"}, left.reads | right.reads, abort=True,
                 error_name=AMBIGUOUS_NUMBER,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: a division by zero of a number computed from "
                                 "numbers whose type is not annotated: Python's message says whether it is a float "
                                 "(1.5 * 2 is 3.0), which JSON cannot tell from an int: annotate the operands")
    return _before_operator(result, stop, left, right)


def _before_operator(result: Expr, stop: Guard, *operands: Expr) -> Expr:
    """`result` with `stop` checked after its operands' own checks and before the operator's
    (Python evaluates both operands first; the operator's TypeError must not come first)."""
    own = set().union(*(o.guards for o in operands))
    at = next((i for i, g in enumerate(result.guards) if g not in own), len(result.guards))
    return attrs.evolve(result, guards=(*result.guards[:at], stop, *result.guards[at:]))


def signed_zero_stop(node: ast.AST, result: Expr, negative: tuple[Expr, ...], floats: tuple[Expr, ...] | None) -> Expr:
    """`result` of arithmetic that may be a float, when it is zero: Python's float zero has a
    sign (-0.5 * 0 and 0 / -2 are -0.0, printed '-0.00') that no JSON number carries (nor can
    JSONata test it), so the machine stops where the zero may be negative: one of `negative`
    is below zero and, for numbers of unknown type, a float was among `floats` (None: the
    result is a float whatever they are, or an operand's kind is lost: blind_numbers.py). No
    value the machine holds is then Python's -0.0, and formatting a zero needs no sign."""
    r = result.code
    cond = f"$type({r}) = 'number' and {r} = 0"
    if negative:
        cond += " and (" + " or ".join(f"($type({o.code}) = 'number' and {o.code} < 0)" for o in negative) + ")"
    if floats is not None:
        cond += " and (" + " or ".join(f"($type({o.code}) = 'number' and $floor({o.code}) != {o.code})"
                                       for o in floats) + ")"
    parts = (*negative, *(floats or ()))
    stop = Guard(f"({cond})", None, "''", frozenset().union(*(o.helpers for o in parts)) | result.helpers,
                 frozenset().union(*(o.reads for o in parts)) | result.reads, abort=True, error_name=AMBIGUOUS_NUMBER,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: a float computation gave a zero that "
                                 "Python keeps as -0.0 (-0.5 * 0, 0 / -2, float('-0'): printed '-0.00'), which no "
                                 "JSON number carries: compute it in a callee")
    return attrs.evolve(result, guards=(*result.guards, stop))


def _own_float_stop(expr: Expr, g: Guard) -> bool:
    return g.abort and g.error_name == AMBIGUOUS_NUMBER and g.blurs == expr.code


def _type_name(operand: Expr) -> str | Expr:
    """The operand's Python type name: the name where its static type says it, else the
    operand (its name read at run time, see _concat)."""
    ty = operand.ty
    for kind in ("int", "float", "bool", "str"):
        if ty.only(kind) and not (kind == "float" and ty.json_number):
            return kind
    return operand


def _concat(parts: list) -> str:
    """JSONata text of a message: str parts as they are (adjacent ones as one literal), an
    Expr part as the Python type name of its value ($__pytype)."""
    pieces: list[str] = []
    literal = ""
    for part in parts:
        if isinstance(part, str):
            literal += part
            continue
        if literal:
            pieces.append(jsonata_lib.string(literal))
            literal = ""
        pieces.append(f"$__pytype({part.code})")
    if literal:
        pieces.append(jsonata_lib.string(literal))
    return pieces[0] if len(pieces) == 1 else "(" + " & ".join(pieces) + ")"


def _as_number(operand: Expr) -> str:
    """An operand known to be a number or a bool here, as a number ($__num where it may be a bool)."""
    ty = operand.ty
    return f"$__num({operand.code})" if ty.may("bool") or not ty.kinds or ty.is_any else operand.code


def _kind_stand_in(side: Expr) -> Expr:
    """`side` for the tests of its kind: a number of unknown type that carries its kind
    (Expr.kind) reads as 0.5 where that kind is float, so that `$floor(x) = x` says it is none."""
    kind = carried_kind(side)
    if kind is None or kind.is_const and not kind.const:
        return side
    code = "0.5" if kind.is_const else f"({kind.code} ? 0.5 : {side.code})"
    return attrs.evolve(side, code=code, reads=side.reads | kind.reads, helpers=side.helpers | kind.helpers)


def _number_test(code: str, ty: Ty) -> str:
    """JSONata true when `code` is a number or a bool; "true" when its static type says so."""
    return "true" if ty.kinds and ty.only("int", "float", "bool") else f"$type({code}) in ['number', 'boolean']"


def _integral_test(code: str, ty: Ty) -> str:
    """JSONata true when `code` (a number or a bool) is integral; "true" when it is an int or a bool."""
    return "true" if ty.kinds and ty.only("int", "bool") else f"($type({code}) = 'boolean' or $floor({code}) = {code})"


def _all(*tests: str) -> str:
    """The tests joined by `and`, those known "true" left out."""
    kept = [test for test in tests if test != "true"]
    if not kept:
        return "true"
    return kept[0] if len(kept) == 1 and kept[0].startswith("$") and " " not in kept[0] else \
        "(" + " and ".join(kept) + ")"


_NUMBER_LITERAL = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _nonzero_literal(code: str) -> bool:
    """Whether `code` is a number literal other than 0 (no ZeroDivisionError can come of it)."""
    return bool(_NUMBER_LITERAL.fullmatch(code.strip("() "))) and float(code.strip("() ")) != 0


def _number_or_other(ty: Ty) -> bool:
    """A value that may be a number or something else (`x` of `x is not None` where `x` may be
    anything): the run tells which, as for a value of any kind."""
    return ty.may("int", "float", "bool") and not ty.numeric


def numeric_operand(node, op: str, expr: Expr, other: Expr, is_left: bool | None = None) -> Expr:
    ty = expr.ty
    if ty.only("bool"):
        return combine(f"({expr.code} ? 1 : 0)", pytypes.kind("int", 1), expr)
    if ty.only("int", "float", "bool") and ty.may("bool"):
        return combine(f"($type({expr.code}) = 'boolean' ? ({expr.code} ? 1 : 0) : {expr.code})",
                       ty.without("bool") if ty.without("bool").kinds else pytypes.INT, expr)
    if ty.numeric:
        return expr
    if (ty.is_any or _number_or_other(ty)) and other.ty.numeric and op not in ("*", "**"):
        # a number (or a bool) at run time, or Python's TypeError (naming what is no number)
        named = None  # the other, when its name is known only at run time (an integral number of it is an int)
        static = "float" if other.ty.only("float") else "int" if other.ty.only("int") else None
        if static is None and other.ty.integral_means_int:  # int | bool: Python names a bool 'bool'
            named = other
        elif static is None:
            raise Refusal(node, f"the operands of {op} have unknown types", ANY_HINT)
        # the other's name inside a "..." string, inside a '...' string, and as an expression
        theirs = f"$__pytype({other.code})"
        dq, sq, as_expr = (static, static, f"'{static}'") if named is None else \
            (f'" & {theirs} & "', f"' & {theirs} & '", theirs)
        mine = f"$__pytype({expr.code})"
        name = _operator_name(node, op)
        if is_left and op == "+":
            message = (f"($type({expr.code}) = 'string' ? 'can only concatenate str (not \"{sq}\") to str'"
                       f" : $type({expr.code}) = 'array' ? 'can only concatenate list (not \"{sq}\") to list'"
                       f" : \"unsupported operand type(s) for {name}: '\" & {mine} & \"' and '{dq}'\")")
        elif is_left:
            message = f"\"unsupported operand type(s) for {name}: '\" & {mine} & \"' and '{dq}'\""
        else:
            message = f"\"unsupported operand type(s) for {name}: '{dq}' and '\" & {mine} & \"'\""
        if op in ("<", "<=", ">", ">="):
            first, second = (mine, as_expr) if is_left else (as_expr, mine)
            message = f"\"'{op}' not supported between instances of '\" & {first} & \"' and '\" & {second} & \"'\""
        check = guard(f"$not($type({expr.code}) in ['number', 'boolean'])", TypeError, message, expr,
                      *([named] if named is not None else []), helpers={"pytype"})
        code = f"($type({expr.code}) = 'boolean' ? ({expr.code} ? 1 : 0) : {expr.code})"
        number = pytypes.NUMBER if ty.is_any else pytypes.number_part(ty)  # (`float | None`: a float)
        return Expr(code, number, expr.guards + (check,), expr.reads, expr.helpers | check.helpers)
    raise Refusal(node, f"unsupported operand type for {op}: {ty.describe()}",
                  ANY_HINT if ty.is_any else "")


def _operator_name(node: ast.AST, op: str) -> str:
    """The operator as Python's TypeError names it: `+=` for `x += y` (an AugAssign node), and
    `** or pow()` for `x ** y`."""
    if isinstance(node, ast.AugAssign):
        return op + "="
    return "** or pow()" if op == "**" else op


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
            message = jsonata_lib.string(_zero_message(op, lt if not ambiguous else pytypes.INT, rt))
            if ambiguous and not (lt.only("float") or rt.only("float")):
                messages = {_zero_message(op, pytypes.INT, pytypes.INT), _zero_message(op, pytypes.FLOAT, pytypes.FLOAT),
                            _zero_message(op, pytypes.INT, pytypes.FLOAT), _zero_message(op, pytypes.FLOAT, pytypes.INT)}
                if len(messages) > 1:  # the machine cannot name the kinds: a zero divisor stops it, by name
                    guards.append(Guard(f"({right.code} = 0)", None, "''", right.helpers, right.reads, abort=True,
                                        error_name=AMBIGUOUS_NUMBER, message_literal=(
                                            f"line {getattr(node, 'lineno', 0)}: a division by zero whose message "
                                            "says whether the operands are int or float (\"float division by zero\"), "
                                            "which is not known here: annotate them")))
                    message = None
            if message is not None:
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
        if both_int and right.is_const and 0 < right.const < 2 ** 52:  # exact: |r + k| < 2k
            code = f"(({left.code} % {right.code} + {right.code}) % {right.code})"
        else:
            code, helpers = f"$__imod({left.code}, {right.code})", {"imod"}
    elif op == "**":
        if not both_int:
            raise float_power_refusal(node, right)
        if right.is_const and right.const < 0:
            raise Refusal(node, "an int raised to a negative power is a float in Python",
                          "write 1 / x ** n", computable=True)
        if not right.is_const:  # `2 ** attempt`: an int while the exponent is not negative
            guards.append(_negative_power(node, right.code, right.helpers, right.reads))
        bits = pytypes.SAFE_BITS if not right.is_const else lt.bits * max(1, right.const)
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
    checks = _operator_checks((left, _str_operand(node, left, True)), (right, _str_operand(node, right, False)))
    return combine(f"({left.code} & {right.code})", pytypes.STR, left, right, guards=checks,
                   helpers=frozenset().union(*(check.helpers for check in checks)))


def _operator_checks(*operands: tuple[Expr, Expr]) -> list:
    """The checks an operator added to its operands (each pair: the operand, the operand with
    them): Python evaluates both operands, with their own exceptions, before the operator's."""
    return [check for plain, checked in operands for check in checked.guards[len(plain.guards):]]


def _str_operand(node, this: Expr, is_left: bool) -> Expr:
    """An operand of str +: a str, or (known only at run time) Python's TypeError."""
    if this.ty.only("str"):
        return this
    ty = this.ty
    exact_names = (ty.is_any or ty.json_number or "float" not in ty.kinds) and ("list" not in ty.kinds or ty.form == "list")
    if not (ty.may("str") and exact_names):  # else $__pytype would not name the kind as Python does
        raise Refusal(node, f"+ of str and {ty.describe()}: Python raises TypeError", "convert with str(...)")
    if is_left:
        message = ("($type(" + this.code + ") = 'array' ? 'can only concatenate list (not \"str\") to list' : "
                   "\"unsupported operand type(s) for " + _operator_name(node, "+") + ": '\" & $__pytype("
                   + this.code + ") & \"' and 'str'\")")
    else:
        message = "'can only concatenate str (not \"' & $__pytype(" + this.code + ") & '\") to str'"
    check = guard(f"($type({this.code}) != 'string')", TypeError, message, this, helpers={"pytype"})
    return Expr(this.code, pytypes.STR, this.guards + (check,), this.reads, this.helpers | check.helpers)


def _concat_list(node, left: Expr, right: Expr) -> Expr:
    sides = [left, right]
    checks = []
    for mine, theirs in ((0, 1), (1, 0)):
        this, other = sides[mine], sides[theirs]
        if other.ty.only("list") and other.ty.form == "list" and _dynamic(this.ty):  # a list, or TypeError
            checks.append(guard(f"($type({this.code}) != 'array')", TypeError,
                                _binary_message(node, "+", left, right), left, right, helpers={"binmsg"}))
            sides[mine] = attrs.evolve(this, ty=pytypes.list_of(this.ty.element if this.ty.may("list") else None))
            break
    left, right = sides
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
    return combine(f"$append({left.code}, {right.code})", ty, left, right, guards=checks,
                   helpers=frozenset().union(*(check.helpers for check in checks)))


def _repeat(node, left: Expr, right: Expr) -> Expr:
    seq, count = (left, right) if left.ty.only("str", "list") else (right, left)
    if (count.ty.is_any or count.ty.json_number) and count.ty.may("int", "bool"):
        c = count.code
        named = f"$__pytype({c})"
        if count is left and count.ty.may("str", "list"):  # `'x' * [2]`: Python repeats the left one
            named = f"($type({c}) in ['string', 'array'] ? $__pytype({seq.code}) : {named})"
        message = f"\"can't multiply sequence by non-int of type '\" & {named} & \"'\""
        if count is left and _operator_name(node, "*") != "*" and count.ty.may("dict"):  # `d *= 'ab'`
            message = (f"($type({c}) = 'object' ? \"unsupported operand type(s) for *=: 'dict' and '\" & "
                       f"$__pytype({seq.code}) & \"'\" : {message})")
        check = guard(f"$not($type({c}) = 'boolean' or ($type({c}) = 'number' and $floor({c}) = {c}))", TypeError,
                      message, count, seq, helpers={"pytype"})
        count = combine(f"($type({c}) = 'boolean' ? ({c} ? 1 : 0) : {c})", pytypes.INT, count, guards=[check])
        left, right = (seq, count) if seq is left else (count, seq)
    if not count.ty.only("int", "bool"):
        raise Refusal(node, f"* of a sequence and {count.ty.describe()}", "the count must be an int")
    n = count.code if count.ty.only("int") else f"({count.code} ? 1 : 0)"
    if seq.ty.only("str"):  # $pad repeats its padding text (an empty one would be a space)
        limit = f"$error({jsonata_lib.string(jsonata_lib.REPEAT_LIMIT)})"
        if seq.is_const and seq.const:  # ("-" * width)
            size = len(seq.const)
            code = (f"($__n := {n}; $__n <= 0 ? '' : $__n > {jsonata_lib.REPEAT_MAX // size} ? {limit}"
                    f" : $pad('', $__n{f' * {size}' if size > 1 else ''}, {seq.code}))")
        else:
            code = (f"($__s := {seq.code}; $__n := {n}; $__n <= 0 or $__s = '' ? ''"
                    f" : $__n * $length($__s) > {jsonata_lib.REPEAT_MAX}"
                    f" ? {limit} : $pad('', $__n * $length($__s), $__s))")
        return combine(code, pytypes.STR, left, right)
    if seq.ty.only("list"):
        return combine(f"$__repeat({seq.code}, {n})", attrs.evolve(seq.ty, items=None), left, right, helpers={"repeat"})
    raise Refusal(node, "* of a sequence whose type is not known", ANY_HINT)


def may_mix_bool_number(a: Ty, b: Ty, depth: int = 0) -> bool:
    if depth > 4:
        return True
    if (a.may("bool") and b.may("int", "float")) or (b.may("bool") and a.may("int", "float")):
        return True
    if a.may("list") and b.may("list") and may_mix_bool_number(a.element, b.element, depth + 1):
        return True
    return a.may("dict") and b.may("dict") and may_mix_bool_number(a.values, b.values, depth + 1)


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
    if may_mix_bool_number(left.ty, right.ty):
        return combine(f"$__pyeq({left.code}, {right.code})", pytypes.BOOL, left, right, helpers={"pyeq"})
    return combine(f"({left.code} = {right.code})", pytypes.BOOL, left, right)


def compare(node, op: str, left: Expr, right: Expr, int_keys: bool = False) -> Expr:
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
        result = contains(node, right, left, int_keys)
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
        left = numeric_operand(node, op, left, right, True) if lt.numeric else left
        right = numeric_operand(node, op, right, left, False) if rt.numeric else right
        if lt.numeric:
            return combine(f"({left.code} {op} {right.code})", pytypes.BOOL, left, right)
        return _string_order(op, left, right)
    for this, other in ((left, right), (right, left)):
        known = other.ty
        if not (this.ty.is_any or _number_or_other(this.ty)) or known.is_any:
            continue
        if known.numeric and (known.exact_number or known.only("int", "bool")
                              or (known.only("int", "float") and known.integral_means_int)):
            checked = numeric_operand(node, op, this, other, this is left)
        elif known.only("str"):
            mine = f"$__pytype({this.code})"
            first, second = (mine, "'str'") if this is left else ("'str'", mine)
            message = f"\"'{op}' not supported between instances of '\" & {first} & \"' and '\" & {second} & \"'\""
            check = guard(f"($type({this.code}) != 'string')", TypeError, message, this, helpers={"pytype"})
            checked = Expr(this.code, pytypes.STR, this.guards + (check,), this.reads, this.helpers | check.helpers)
        else:
            break
        # the operand as checked, its check after both operands' own guards (Python evaluates
        # `s < ''.replace('b', s)`'s right side, and its TypeError, before comparing)
        checks = _operator_checks((this, checked))
        checked = attrs.evolve(checked, guards=this.guards)
        if known.may("bool"):  # JSONata orders no booleans: the known side as the number it is too
            number = numeric_operand(node, op, other, this)
            left, right = (left, number) if this is left else (number, right)
        if this is left:
            left = checked
        else:
            right = checked
        result = _string_order(op, left, right) if known.only("str") else \
            combine(f"({left.code} {op} {right.code})", pytypes.BOOL, left, right)
        return attrs.evolve(result, guards=result.guards + tuple(checks),
                            helpers=result.helpers.union(*(check.helpers for check in checks)))
    if _dynamic(lt) or _dynamic(rt) or _none_beside_known(lt, rt) or _none_beside_known(rt, lt):
        return dynamic_ordering(node, op, left, right)
    if lt.may("list") or rt.may("list"):
        raise Refusal(node, f"ordering comparison ({op}) of lists is not supported",
                      "compare elements one by one")
    raise Refusal(node, f"cannot compare {lt.describe()} {op} {rt.describe()}",
                  ANY_HINT if lt.is_any or rt.is_any else "Python raises TypeError for these types")


def _none_beside_known(this: Ty, other: Ty) -> bool:
    """`v > best` where `best` is so far only None (`best = None` before a loop that sets it
    later, where a test the pass has not typed yet guards it): Python's TypeError at run
    time, if it ever gets there, not a refusal; a refusal would leave the assignment behind the
    test unseen, and the variable None-typed, in every later pass too."""
    return this.only("none") and bool(this.kinds) and other.only("int", "bool", "str", "none")


def dynamic_ordering(node, op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` for operands whose types are known only at run time: numbers (and
    bools) with numbers, str with str; lists (lexicographic in Python) stop the machine; other
    pairs raise Python's TypeError."""
    a, b_ = left.code, right.code
    # numbers (and bools) with numbers, or two of one kind: str or list (a kind test each)
    comparable = (f"($type({a}) in ['number', 'boolean'] ? $type({b_}) in ['number', 'boolean']"
                  f" : ($type({a}) = $type({b_}) and $type({a}) in ['string', 'array']))")
    message = (f"\"'{op}' not supported between instances of '\" & $__pytype({a}) & \"' and '\" & "
               f"$__pytype({b_}) & \"'\"")
    mismatch = guard(_negated(comparable), TypeError, message, left, right, helpers={"pytype"})
    named = [attrs.evolve(g, helpers=left.helpers | right.helpers, reads=left.reads | right.reads)
             for g in unknown_kind_stops(node, _negated(comparable), (left, right))]
    # after the mismatch's rule: a list on the left means lists on both sides
    unsupported = Guard(f"($type({a}) = 'array')", None, "''", left.helpers | right.helpers, left.reads | right.reads,
                        abort=True,
                        error_name=UNSUPPORTED,
                        message_literal=f"line {getattr(node, 'lineno', 0)}: ordering comparison ({op}) of lists "
                                        "whose type is not annotated is not supported: compare elements one by one")
    return combine(f"($__cpk($__num({a})) {op} $__cpk($__num({b_})))", pytypes.BOOL, left, right,
                   helpers={"num", "cpk"}, guards=[*named, mismatch, unsupported])


def _string_order(op: str, left: Expr, right: Expr) -> Expr:
    """`left op right` for two str in Python's code point order (jsonata-js compares UTF-16 code
    units, $__cpk). A constant side below U+D7FF orders the same either way, so needs no key."""
    if any(side.is_const and isinstance(side.const, str) and all(ch < "\ud7ff" for ch in side.const)
           for side in (left, right)):
        return combine(f"({left.code} {op} {right.code})", pytypes.BOOL, left, right)
    return combine(f"($__cpk({left.code}) {op} $__cpk({right.code}))", pytypes.BOOL, left, right, helpers={"cpk"})


def contains(node, container: Expr, item: Expr, int_keys: bool = False) -> Expr:
    """`item in container`: Python evaluates the item first, then the container, then tests."""
    ct = container.ty
    if ct.only("str"):
        checks = []
        if not item.ty.only("str") and item.ty.may("str") and _dynamic(item.ty):
            checks.append(guard(f"($type({item.code}) != 'string')", TypeError,
                                f"\"'in <string>' requires string as left operand, not \" & $__pytype({item.code})",
                                item, helpers={"pytype"}))
        elif not item.ty.only("str"):
            raise Refusal(node, f"'in <str>' needs a str on the left, not {item.ty.describe()}")
        return combine(f"$contains({container.code}, {item.code})", pytypes.BOOL, item, container, guards=checks)
    if ct.only("dict"):
        key = lookup_key(node, item, int_keys=int_keys or holds_int_keys(container))
        if key is None:
            return combine("false", pytypes.BOOL, item, container)
        found = f"$exists($lookup({container.code}, {key.code}))"
        if not key.ty.only("str"):
            found = f"($type({key.code}) = 'string' and {found})"
        hashing = key.guards[len(item.guards):]  # the key's own check, after both operands
        return combine(found, pytypes.BOOL, item, container, helpers=key.helpers, guards=hashing)
    if ct.only("list"):
        same_forms(node, ct.element, item.ty, "'in'")
        if may_mix_bool_number(ct.element, item.ty) or item.ty.may("list", "dict"):
            return combine(f"$__contains({container.code}, {item.code})", pytypes.BOOL, item, container,
                           helpers={"contains"})
        return combine(f"({item.code} in {container.code})", pytypes.BOOL, item, container)
    if ct.may("str", "list", "dict"):  # which one is known at run time
        check = guard(f"$not($__inok({item.code}, {container.code}))", TypeError,
                      f"$__inerr({item.code}, {container.code})", item, container, helpers={"inok", "inerr"})
        return combine(f"$__pyin({item.code}, {container.code})", pytypes.BOOL, item, container,
                       helpers={"pyin"}, guards=[check])  # (pyin looks an int up as its key: INT_KEY_HELPERS)
    raise Refusal(node, f"'in' over {ct.describe()} is not supported", ANY_HINT if ct.is_any else "")


def normalized_index(container: Expr, index: Expr, count: str) -> str:
    return f"({index.code} < 0 ? {count} + {index.code} : {index.code})"


def subscript(node, container: Expr, index: Expr, present: bool = False, int_keys: bool = False) -> Expr:
    """container[index], with Python's checks; `present`: a dict's key is known to be in it;
    `int_keys`: the machine stores int keys (lookup_key)."""
    ct = container.ty
    never = unreachable(container)  # `out[-1][1]` of `out = []` (until a later pass sees its items)
    if never is not None:
        return never
    if ct.only("list"):
        index = int_index(node, index, "list")
        if ct.items is not None and index.is_const and -len(ct.items) <= index.const < len(ct.items):
            # a tuple of known length (a pair from enumerate/zip/items, a partition)
            return combine(f"{_bound(container)}[{index.code}]", ct.items[index.const], container, index)
        return combine(item_at(container, index.code), ct.element, container, index,
                       guards=[_index_check(node, container, index)])
    if ct.only("str"):
        index = int_index(node, index, "str")
        check = guard(out_of_range(index, f"$length({container.code})"), IndexError,
                      "'string index out of range'", container, index)
        return combine(f"$substring({container.code}, {index.code}, 1)", pytypes.STR, container, index,
                       guards=[check])
    if ct.only("dict"):
        given, index = index, dict_key(node, index, int_keys or holds_int_keys(container))
        checks = [] if present and index.ty.only("str") else [key_guard(container, index, given)]
        value_ty = ct.values
        if ct.fields is not None and index.is_const and ct.field(index.const) is not None:
            value_ty = ct.field(index.const)
        return combine(item_of(container, index, value_ty), value_ty, container, index, guards=checks)
    if ct.is_any or ct.may("list", "dict", "str"):
        return _dynamic_subscript(node, container, index, int_keys)
    if ct.kinds and ct.kinds <= {"none", "int", "float", "bool"}:
        # Python's TypeError, which the workflow may catch (`doc["meta"]["owner"]` of a None meta)
        always = guard("true", TypeError, _not_subscriptable(container.code), container, index, helpers={"pytype"})
        return combine("null", pytypes.NONE, container, index, guards=[always])
    raise Refusal(node, f"{ct.describe()} is not subscriptable")


NON_STRING_KEY = "pysfn.NonStringKey"
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})


def item_of(container: Expr, key: Expr, value_ty: Ty) -> str:
    """A dict's item: `$sale.cents` where that means the item (a variable's key that is a
    name, an item that is no list: a path would flatten or unwrap an array), else $lookup."""
    if key.is_const and isinstance(key.const, str) and _NAME.fullmatch(key.const) \
            and key.const not in _JSONATA_WORDS and _VARIABLE.fullmatch(container.code) \
            and value_ty.kinds and not value_ty.may("list"):
        return f"{container.code}.{key.const}"
    return f"$lookup({container.code}, {key.code})"


def lookup_key(node, key: Expr, unless_empty: str | None = None, int_keys: bool = False) -> Expr | None:
    """A key to look up in a dict: the key, when it is a str; None when it is some other
    hashable value, which no dict of the machine holds (JSON keys are strings, and the compiler
    refuses others), so Python misses it too; a key whose type is not known is checked at
    run time: an unhashable one raises Python's TypeError (not where the dict `unless_empty`
    is empty: CPython's dict.pop does not hash the key then). Refused when it never can be a str.
    With `int_keys` (the machine stores int keys: jsonata_lib's encoding) an int or a bool is
    looked up as its int key, a float or None as a key no dict holds."""
    if key.ty.only("str"):
        return key
    if not key.ty.may("str") and not int_keys:
        if key.ty.may("list", "dict"):
            raise _key_refusal(node, key.ty)
        return None
    checked = _hashable(node, key, unless_empty)
    return _encoded_key(checked) if int_keys else checked


def _key_refusal(node, ty: Ty) -> Refusal:
    """A dict key that is a list or dict (Python's TypeError: unhashable), or a tuple (hashable
    in Python; the machine's dict is a JSON object, whose keys are strings)."""
    if ty.may("list") and ty.form != "list":
        return Refusal(node, f"a dict key cannot be a {ty.describe()} here: the machine's dict is a JSON object, "
                       "whose keys are strings", "join the parts into one str key (key = f\"{a}|{b}\"), or nest "
                       "the dicts (counts.setdefault(a, {})[b] = ...)")
    return Refusal(node, f"a dict key cannot be {ty.describe()} (unhashable in Python)")


def _hashable(node, key: Expr, unless_empty: str | None = None) -> Expr:
    """`key`, checked at run time to be hashable (Python's TypeError for a list or a dict; not
    where the dict `unless_empty` is empty: CPython's dict.pop does not hash the key then)."""
    if not key.ty.may("str", "int", "bool", "float", "none"):
        raise _key_refusal(node, key.ty)
    if key.ty.kinds and not key.ty.may("list", "dict"):
        return key
    hashed = f"$exists($keys({unless_empty})) and " if unless_empty is not None else ""
    unhashable = guard(f"({hashed}$type({key.code}) in ['array', 'object'])", TypeError,
                       f"\"unhashable type: '\" & $__pytype({key.code}) & \"'\"", key, helpers={"pytype"})
    return Expr(key.code, attrs.evolve(key.ty, kinds=key.ty.kinds - {"list", "dict"}),
                key.guards + (unhashable,), key.reads, key.helpers | unhashable.helpers)


def _encoded_key(key: Expr) -> Expr:
    """The str a dict of the machine holds `key` under: an int (a bool, an integral number) as
    NUL + its digits (jsonata_lib.NUL), a str as it is, anything else as a key no dict holds."""
    if key.is_const:
        value = key.const
        if isinstance(value, str):
            return key
        if isinstance(value, (bool, int)) or (isinstance(value, float) and value.is_integer()):
            return const("\x00" + str(int(value)), pytypes.STR)
        return const("\x00?", pytypes.STR)
    if key.ty.only("int"):
        return combine(f"$__ikey({key.code})", pytypes.STR, key, helpers={"ikey"})
    return combine(f"$__ekey({key.code})", pytypes.STR, key, helpers={"ekey"})


def holds_int_keys(container: Expr) -> bool:
    """Whether `container` itself writes an int key (a dict display `{"b": 1, 3: 2}`: what
    ir.encodes_int_keys finds in the machine). Where
    such a display is read only by a test the compiler decides (`3 in {...}`), no state holds it
    and no pass turns int_keys on: its own keys say how to look one up."""
    return ir.writes_int_key(container.const if container.is_const else ir.Code(container.code, container.helpers))


def dict_key(node, index: Expr, int_keys: bool = False) -> Expr:
    """A key to find in a dict: a str, or one of another kind, which no JSON object holds:
    Python's KeyError (TypeError for an unhashable one) when the workflow runs; with
    `int_keys`, an int's key (lookup_key)."""
    key = lookup_key(node, index, int_keys=int_keys)
    if key is not None and key.ty.only("str"):
        return key
    message = jsonata_lib.string(repr(index.const)) if index.is_const else f"$__pyrepr({index.code})"
    missing = guard(f"$type({index.code}) != 'string'" if key is not None else "true", KeyError,
                    message, index, helpers=() if index.is_const else {"pyrepr"})
    return combine(index.code, pytypes.STR, key if key is not None else index, guards=[missing])


def store_key(node, key: Expr) -> Expr:
    """A key to store in a dict: a str; an int, held as the str jsonata_lib's encoding makes
    of it (the machine then reads every dict's keys back as ints where they are); one whose
    type is not known is checked at run time: a bool, a float or None, which the machine
    cannot hold as Python does (True would come back as 1), or a str starting with NUL (the
    encoding's mark), stops the machine (pysfn.NonStringKey)."""
    if key.ty.only("str"):
        return key
    if key.ty.only("int"):
        return _encoded_key(key)
    if not key.ty.may("str", "int"):
        raise Refusal(node, f"dict keys are strs or ints here; this key is {key.ty.describe()}",
                      "convert the key with str(...) or int(...)", computable=True)
    key = _hashable(node, key)
    check = Guard(f"({unstorable_key(key.code)})", None, "''", key.helpers, key.reads, abort=True,
                  error_name=NON_STRING_KEY, message_literal=unstorable_key_cause(node))
    encoded = _encoded_key(attrs.evolve(key, ty=attrs.evolve(key.ty, kinds=key.ty.kinds - {"bool", "float", "none"})))
    return Expr(encoded.code, pytypes.STR, key.guards + (check,), key.reads, encoded.helpers)


def unstorable_key(k: str) -> str:
    """JSONata: whether the key `k` (of a kind known at run time) is one the machine cannot hold
    as Python does: a bool (True would come back as 1), a float, None, or a str starting with
    NUL (the mark of an int key)."""
    return (f"$type({k}) in ['boolean', 'null'] or ($type({k}) = 'number' and $floor({k}) != {k})"
            f" or ($type({k}) = 'string' and $substring({k}, 0, 1) = {jsonata_lib.NUL})")


def unstorable_key_cause(node) -> str:
    """The machine's message where unstorable_key holds (pysfn.NonStringKey)."""
    return (f"line {getattr(node, 'lineno', 0)}: a dict key that is not a str or an int at run time (a bool, "
            "a float or None, which JSON object keys cannot hold as Python does; or a str starting with NUL, "
            "the machine's mark for an int key): convert it with str(...)")


def no_int_keys(b, value: Expr, receiver: str) -> Expr:
    """`value`, and where the machine stores int dict keys and it may hold a dict, a stop if one
    of its dicts has one: a Lambda (or a service) receives JSON, whose object keys are strings,
    where Python passes the int (pysfn.NonStringKey)."""
    if not b.int_keys or not (value.ty.may("list", "dict") or not value.ty.kinds):
        return value
    stop = Guard(f"$__haskeys({value.code})", None, "''", value.helpers | jsonata_lib.closure({"haskeys"}), value.reads,
                 abort=True, error_name=NON_STRING_KEY,
                 message_literal=f"line {getattr(b.statement, 'lineno', 0)}: a dict with an int key passed to "
                                 f"{receiver}: JSON object keys are strings, so it would receive '1' where Python "
                                 "passes 1: convert the keys with str(...)")
    return attrs.evolve(value, guards=(*value.guards, stop))


def key_guard(container: Expr, key: Expr, shown: Expr | None = None) -> Guard:
    """Python's KeyError where `key` is not in the dict; `shown`: the key as the program has it
    (before lookup_key encoded an int)."""
    shown = key if shown is None else shown
    printer = "repr_str" if shown is key else "pyrepr"  # (the key a str: repr_str; as given: any kind)
    message = jsonata_lib.string(repr(shown.const)) if shown.is_const else f"$__{printer}({shown.code})"
    return guard(f"$not($exists($lookup({container.code}, {key.code})))", KeyError, message, container,
                 key, shown, helpers=() if shown.is_const else {printer})


def _bound(container: Expr) -> str:
    return bound_code(container.code)


def bound_code(code: str) -> str:
    """`code` ready for a [predicate]: JSONata chains predicates on one step, so anything
    but a plain variable is put in a block first ($x[$i][1] would not index the item).

    The block ends with a variable, not with `code` itself: jsonata-js (2.0.6) optimizes a
    function call in a lambda's tail position into a thunk and drops the predicate of the
    block around it (`function($c) { ($split($c, ','))[0] }` returns the whole list)."""
    if is_var(code):
        return code
    if re.fullmatch(r"\$[A-Za-z_]\w*(\[[^()\[\]]*\])+", code):  # $xs[$i]: a path, no call in it
        return f"({code})"
    return f"($__s := {code}; $__s)"


_CHEAP_INDEX = re.compile(r"-?\d+|\$[A-Za-z_]\w*|\(?\$[A-Za-z_]\w* [+-] \d+\)?")
_CONTEXT = re.compile(r"\$(?![A-Za-z0-9_$])")  # a predicate's context item `$` (not a variable)


def item_at(container: Expr, index: str) -> str:
    """`container[index]` of a list: the index computed once, before the predicate (JSONata
    evaluates a predicate once per item: `$s[$__floordiv($n - 1, 2)]` over 5,000 items called
    the helper 5,000 times, an index of an unannotated `n` ran into the node guard)."""
    if _CHEAP_INDEX.fullmatch(index) or _CONTEXT.search(index):
        return f"{_bound(container)}[{index}]"
    return f"($__ix := {index}; {_bound(container)}[$__ix])"


def int_index(node, index: Expr, container: str) -> Expr:
    """The index of a list or str: an int, a bool as its int, or (its kind known only at run
    time) checked as Python checks it, with this Python's TypeError message."""
    ty, i = index.ty, index.code
    if ty.only("int"):
        return index
    if ty.only("bool"):
        return combine(f"({i} ? 1 : 0)", pytypes.kind("int", 1), index)
    what = "list indices must be integers" if container == "list" else "string indices must be integers"
    if not (ty.is_any or ty.json_number or not ty.kinds):
        raise Refusal(node, f"{what}; this index is {ty.describe()}", ANY_HINT if ty.is_any else "")
    try:
        ([1] if container == "list" else "x")[1.5]
    except TypeError as error:
        head, _, tail = str(error).rpartition("float")
    message = f"{jsonata_lib.string(head)} & $__pytype({i}) & {jsonata_lib.string(tail)}"
    check = guard(f"$not($type({i}) = 'boolean' or ($type({i}) = 'number' and $floor({i}) = {i}))", TypeError,
                  message, index, helpers={"pytype"})
    return combine(f"($type({i}) = 'boolean' ? ({i} ? 1 : 0) : {i})", pytypes.INT, index, guards=[check])


def out_of_range(index: Expr, count: str) -> str:
    """JSONata true when an int index is out of range for `count` items; an index known at
    compile time tests the one bound it can pass (`count` is written once)."""
    i = index.code
    if index.is_const and not isinstance(index.const, bool) and isinstance(index.const, int):
        return f"({i} >= {count})" if index.const >= 0 else f"({i} < -{count})"
    return f"({i} >= {count} or {i} < -{count})"


def _index_check(node, container: Expr, index: Expr) -> Guard:
    """IndexError where `index` is out of range of a list or a tuple (Python names which); a
    value that may be either (a list some path made a tuple) stops the machine there instead:
    the machine holds both as arrays."""
    out = out_of_range(index, f"$count({container.code})")
    form = container.ty.form
    if form != "either":
        return guard(out, IndexError, f"'{'tuple' if form == 'tuple' else 'list'} index out of range'",
                     container, index)
    return Guard(out, None, "''", container.helpers | index.helpers, container.reads | index.reads, abort=True,
                 error_name=UNSUPPORTED, message_literal=f"line {getattr(node, 'lineno', 0)}: an index out of range "
                 "of a value that may be a list or a tuple (Python's IndexError says which; the machine holds both "
                 "as lists)")


def _length(c: str) -> str:
    """The length of a list or a str, which one known at run time only."""
    return f"($type({c}) = 'array' ? $count({c}) : $length({c}))"


def _range_message(c: str) -> str:
    return f"($type({c}) = 'array' ? 'list index out of range' : 'string index out of range')"


def _not_subscriptable(c: str) -> str:
    return f"\"'\" & $__pytype({c}) & \"' object is not subscriptable\""


def _dynamic_subscript(node, container: Expr, index: Expr, int_keys: bool = False) -> Expr:
    """Subscript of a value whose JSON type is known only at run time: each exception class
    Python may raise is one guard, its message chosen by the container's kind (a dict's int key,
    where the machine stores them, is looked up: _subscript_of_unknown)."""
    c, i = container.code, index.code
    if int_keys and not index.ty.only("str"):
        return _subscript_of_unknown(container, index, int_keys)
    if index.ty.only("int"):
        checks = [
            guard(f"$not($type({c}) in ['array', 'string', 'object'])", TypeError, _not_subscriptable(c),
                  container, helpers={"pytype"}),
            guard(f"($type({c}) = 'object')", KeyError, jsonata_lib.int_text(i), container, index),
            guard(out_of_range(index, _length(c)), IndexError, _range_message(c), container, index),
        ]
        code = f"($type({c}) = 'string' ? $substring({c}, {i}, 1) : {item_at(container, i)})"
        return combine(code, _item_type(container.ty, "str", "list"), container, index, guards=checks)
    if index.ty.only("str"):
        message = (f"($type({c}) = 'array' ? 'list indices must be integers or slices, not str'"
                   f" : $type({c}) = 'string' ? {_string_index_message()} : {_not_subscriptable(c)})")
        checks = [guard(f"($type({c}) != 'object')", TypeError, message, container, helpers={"pytype"}),
                  key_guard(container, index)]
        return combine(f"$lookup({c}, {i})", _item_type(container.ty, "dict"), container, index, guards=checks)
    return _subscript_of_unknown(container, index)


def _item_type(ty: Ty, *kinds: str) -> Ty:
    """The type of an item of a value whose kind is known at run time only, taken from a str,
    a list or a dict as `kinds` say: what the container's type holds (a float stored into the
    records of a list nobody annotated, `rows[i]["t"] = p + 1.5`, is no number of the rule:
    read back, it must not print as one), or any JSON value where it says nothing."""
    parts = [pytypes.STR if kind == "str" else ty.element if kind == "list" else ty.values
             for kind in kinds if ty.is_any or ty.may(kind)]
    result = None
    for part in parts:
        result = pytypes.join(result, part)
    return result if result is not None else pytypes.ANY


def _subscript_of_unknown(container: Expr, index: Expr, int_keys: bool = False) -> Expr:
    """`container[index]` where both kinds are known only at run time: a dict looks the key up
    (a key no JSON object holds misses), a list or str takes an int index; anything else is
    Python's TypeError, KeyError or IndexError with Python's message ($__subok decides the
    TypeError, $__suberr words it)."""
    c, i = container.code, index.code
    n = f"$__num({i})"
    key, helpers = (f"$__ekey({i})", {"num", "ekey"}) if int_keys else (i, {"num"})
    missing = f"$not($exists($lookup({c}, {key})))" if int_keys else \
        f"($type({i}) != 'string' or $not($exists($lookup({c}, {i}))))"
    checks = [
        guard(f"$not($__subok({c}, {i}))", TypeError, f"$__suberr({c}, {i})", container, index,
              helpers={"subok", "suberr"}),
        guard(f"($type({c}) = 'object' and {missing})", KeyError, f"$__pyrepr({i})", container, index,
              helpers={"pyrepr", *helpers}),
        guard(f"($type({c}) != 'object' and ({n} >= {_length(c)} or {n} < -{_length(c)}))", IndexError,
              _range_message(c), container, index, helpers={"num"}),
    ]
    code = (f"($type({c}) = 'string' ? $substring({c}, {n}, 1) : $type({c}) = 'array' ? {item_at(container, n)}"
            f" : $lookup({c}, {key}))")
    return combine(code, _item_type(container.ty, "str", "list", "dict"), container, index, helpers=helpers,
                   guards=checks)


def _string_index_message() -> str:
    try:
        "x".__getitem__("y")
    except TypeError as error:
        return jsonata_lib.string(str(error))
    return "'string indices must be integers'"


def slice_of(node, container: Expr, lower, upper, step) -> Expr:
    lower, upper, step = (slice_index(node, p) if p is not None else None for p in (lower, upper, step))
    container = _sliceable(container)
    parts = [p for p in (lower, upper, step) if p is not None]
    step_code = step.code if step is not None else "1"
    if step is not None and step.ty.may("none"):  # xs[::k] with k None at run time: a step of 1
        step_code = f"($__st := {step.code}; $__st = null ? 1 : $__st)"
    guards = []
    if step is not None:
        if step.is_const and step.const == 0:
            raise Refusal(node, "slice step cannot be zero")
        if not step.is_const:
            guards.append(guard(f"({step.code} = 0)", ValueError, "'slice step cannot be zero'", step))
    args = ", ".join([container.code, lower.code if lower else "null", upper.code if upper else "null", step_code])
    if step is None:  # xs[lo:hi]: the step-1 helpers, a third of the text
        args = args.rsplit(", ", 1)[0]
        if container.ty.only("list"):
            return combine(f"$__slice1_list({args})", container.ty, container, *parts, helpers={"slice1_list"})
        if container.ty.only("str") and _from_start(lower) and _from_start(upper):
            return combine(_substring(container.code, lower, upper), pytypes.STR, container, *parts)
        if container.ty.only("str"):
            return combine(f"$__slice1_str({args})", pytypes.STR, container, *parts, helpers={"slice1_str"})
        if container.ty.only("list", "str"):
            code = f"($type({container.code}) = 'string' ? $__slice1_str({args}) : $__slice1_list({args}))"
            return combine(code, container.ty, container, *parts, helpers={"slice1_str", "slice1_list"})
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


def _from_start(bound: Expr | None) -> bool:
    """A bound counted from the start whatever the length: none, or a literal int >= 0."""
    return bound is None or (bound.is_const and type(bound.const) is int and bound.const >= 0)


def _substring(text: str, lower: Expr | None, upper: Expr | None) -> str:
    """s[lo:hi] with bounds from the start: $substring counts code points, as Python does."""
    lo = lower.const if lower is not None else 0
    if upper is None:
        return f"$substring({text}, {lo})" if lo else text
    return f"$substring({text}, {lo}, {upper.const - lo})" if upper.const > lo else "''"


def slice_index(node, part: Expr) -> Expr:
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
    check = guard(f"$not($type({c}) in ['array', 'string'])", TypeError,
                  f"($type({c}) = 'object' ? \"unhashable type: 'slice'\" : {_not_subscriptable(c)})", container,
                  helpers={"pytype"})
    return combine(c, attrs.evolve(ty, kinds=ty.kinds & {"list", "str"}), container, guards=[check])


def iterable_of(node, expr: Expr, not_iterable: str | None = None, message: str | None = None,
                keys: Ty = pytypes.STR) -> Expr:
    """A value that may or may not be iterable, as a list Python's `for` would walk: a list's
    items, a str's characters or a dict's keys (of type `keys`: Builder.key_type), chosen at run
    time, else Python's TypeError (its message `not_iterable`, when the consumer words it its own
    way). A value of known iterable type is returned as it is."""
    ty = expr.ty
    if ty.only("list") or ty.only("str") or ty.only("dict") or not ty.may("list", "str", "dict"):
        return expr
    item = None
    if ty.may("list"):
        item = pytypes.join(item, ty.element)
    if ty.may("str"):
        item = pytypes.join(item, pytypes.STR)
    if ty.may("dict"):
        item = pytypes.join(item, keys)
    if message is None:  # (`message`: the TypeError's text as a JSONata expression)
        message = (jsonata_lib.string(not_iterable) if not_iterable is not None
                   else f"\"'\" & $__pytype({expr.code}) & \"' object is not iterable\"")
    check = guard(f"$not($type({expr.code}) in ['array', 'string', 'object'])", TypeError, message, expr,
                  helpers={"pytype"})
    return combine(f"$__iter({expr.code})", pytypes.list_of(item), expr, helpers={"iter"}, guards=[check])


def iteration_source(node, iterable: Expr, keys: Ty = pytypes.STR) -> tuple[str, Ty, set]:
    """(JSONata list of the items Python's for would see, item type, helpers); `keys`: the
    type of a dict's keys (Builder.key_type)."""
    ty = iterable.ty
    if ty.only("list"):
        return iterable.code, ty.element, set()
    if ty.only("str"):
        return f"$__chars({iterable.code})", pytypes.STR, {"chars"}
    if ty.only("dict"):
        return f"$__keys({iterable.code})", keys, {"keys"}
    raise Refusal(node, f"cannot iterate over {ty.describe()}", ANY_HINT if ty.is_any else "")


def guards_per_item(source: str, param: str, conditions: list, element: Expr, source_helpers=(),
                    stop: str | None = None) -> tuple:
    """The guards of a comprehension's item expressions, checked over all items before the
    comprehension runs: the first item (in order) that would raise, with its first guard,
    as Python would meet it (each condition's in turn, a condition's only where the ones
    before it hold, then the element's for items that pass). `stop`: true for an item where
    the search ends with no exception (any()/all() decided there)."""
    helpers = frozenset(source_helpers) | (element.helpers if stop else frozenset())
    return nested_item_guards([Level(source, param, conditions, tuple(element.guards), helpers)], stop)


@attrs.frozen
class Level:
    """One `for` of a comprehension: what the first failing item is searched in."""
    source: str
    param: str
    conditions: list
    then: tuple  # the guards after the conditions: the next `for`'s iterable, or the element's
    helpers: frozenset


def nested_item_guards(levels: list, stop: str | None = None) -> tuple:
    """The guards inside a comprehension, checked before it runs: the first that Python
    would meet, walking the items in Python's order (each `for`'s conditions in turn, then
    the next `for`'s iterable, or the element), with the items bound where it fails. One
    search (a Scan) finds it; each guard's cond tests its number in the search's result."""
    # a search inside an item (an inner comprehension's) is computed there, under its own name
    depth = 1 + max((g.scan.depth for level in levels for g in _level_guards(level) if g.scan is not None),
                    default=0)
    name = "$__ff" if depth == 1 else f"$__ff{depth}"
    # an inner comprehension's guards share its search: the chain below binds it once and tests
    # their numbers in it (each guard computing it again made nested comprehensions' text, and
    # time, grow as the product of their guards' counts); their messages compute it (a raise)
    raw = _firing([g for level in levels for g in _level_guards(level)])
    firing = {id(g) for g in raw}
    inlined = [g.inline() for g in raw]
    number = {id(g): position + 1 for position, g in enumerate(raw)}
    every = inlined
    params = [level.param for level in levels]

    def reads_items(text: str | None) -> bool:
        return bool(text) and any(re.search(re.escape(p) + r"(?![A-Za-z0-9_])", text) for p in params)

    keep = any(reads_items(g.message) or reads_items(g.error_code) for g in every)

    def record(guard_: Guard, depth_: int) -> str:
        """[the guard's number, the items where it fails (when a message needs them)]"""
        text = f"[{number[id(guard_)]}]"
        for param in params[:depth_ + 1] if keep else ():
            text = f"$append({text}, $__wrap({param}))"
        return text

    def chain(guards, depth_: int, fallback: str) -> str:
        groups: list[tuple[Scan | None, list]] = []  # in turn, those sharing a search together
        for g in (g for g in guards if id(g) in firing):
            if groups and groups[-1][0] == g.scan:  # (those with no search: one run)
                groups[-1][1].append(g)
            else:
                groups.append((g.scan, [g]))
        for scan, members in reversed(groups):
            if scan is None:
                fallback = _test_in_turn([(g.cond, record(g, depth_)) for g in members], fallback, names)
                continue
            for g in reversed(members):
                fallback = f"(({g.cond}) ? {record(g, depth_)} : {fallback})"
            fallback = f"({scan.name} := {scan.code}; {fallback})"
        return fallback

    def walk(depth_: int) -> str:
        level = levels[depth_]
        last = f"({stop} ? [-1] : null)" if stop else "null"
        body = chain(level.then, depth_, walk(depth_ + 1) if depth_ + 1 < len(levels) else last)
        for c in reversed(level.conditions):
            body = chain(c.guards, depth_, f"({c.code} ? {body} : null)")
        return (f"$reduce({level.source}, function($__acc, {level.param}) {{ $type($__acc) = 'array' ? $__acc"
                f" : {body} }}, null)")

    names = (f"$__{name[3:]}_t{k}" for k in itertools.count(1))  # the search's own locals
    helpers: frozenset = frozenset({"wrap"} if keep else ())
    reads: frozenset = frozenset()
    for g in every:
        helpers |= g.helpers
        reads |= g.reads
    for level in levels:
        helpers |= level.helpers
        for c in level.conditions:
            helpers |= c.helpers
            reads |= c.reads
    helpers = jsonata_lib.closure(helpers)
    reads = reads - set(params)
    code = walk(0)
    # what it reads: the guards' and conditions' reads, and the sources' variables (a state
    # that sets one of them cannot compute it in its Assign, which reads the values before)
    named = frozenset(_VARIABLE_READ.findall(code)) - {p[1:] for p in params}
    scan = Scan(code, helpers, reads | named, name, depth)
    arguments = ", ".join(f"{name}[{i + 1}]" for i in range(len(params)))

    def with_items(text: str) -> str:
        """`text` (a message) with the items bound as where the search stopped."""
        if not reads_items(text):
            return text
        return f"function({', '.join(params)}) {{ {text} }}({arguments})"

    out = []
    for position, g in enumerate(every):
        cond = f"($type({name}) = 'array' and {name}[0] = {position + 1})"
        out.append(Guard(cond, g.error, with_items(g.message), helpers, reads,
                         with_items(g.error_code) if g.error_code else None, g.abort, g.error_name,
                         g.message_literal, scan))
    return tuple(out)


_VARIABLE_READ = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")


_SHORT_REST = 200  # characters of what follows a run of tests that may be written twice


def _test_in_turn(tests: list[tuple[str, str]], rest: str, names) -> str:
    """`(c1 ? r1 : (c2 ? r2 : ... rest))` for (condition, result) pairs, with a run of
    conditions under one condition (`P and X1`, `P and X2`: a conditional expression's guards)
    tested once for P, and what their X's compute alike (`$__ord($c)` in each) computed once,
    where the first of them would compute it, into a local (`names`)."""
    splits = [jsonata_text.head_and_rest(cond) for cond, _ in tests]
    out = rest
    position = len(tests)
    single_from = position  # tests[single_from:single_to] are tested one by one
    single_to = position
    while position > 0:
        run_end = position
        head = splits[position - 1][0] if splits[position - 1] and len(out) <= _SHORT_REST else None
        while head is not None and position > 0 and splits[position - 1] and splits[position - 1][0] == head:
            position -= 1
        if run_end - position >= 2:
            out = _shared_once(tests[single_from:single_to], out, names)
            run = [(splits[k][1], tests[k][1]) for k in range(position, run_end)]
            out = f"(({head}) ? {_shared_once(run, out, names)} : {out})"
            single_from = single_to = position
            continue
        position = single_from = run_end - 1
    # (one by one, what several conditions compute alike, `$xs[$i - 1]` of `xs[i - 1] < xs[i]`
    # in each of a comparison chain's checks, is computed once too: an item's checks in a
    # search over 1,500 items went past an evaluation's budget)
    return _shared_once(tests[single_from:single_to], out, names)


def _shared_once(tests: list[tuple[str, str]], rest: str, names) -> str:
    """The chain of `tests` with each call or group that two or more of their conditions
    compute bound to a local where the first condition that computes it would, whatever
    happens there (not behind its `and`, `or` or `?`); others stay as written."""
    conditions = [cond for cond, _ in tests]
    inner = jsonata_text.locals_bound(conditions)  # (what reads one is computed where it is bound)
    found: dict[str, int] = {}
    for cond in conditions:
        for candidate in dict.fromkeys(jsonata_text.groups(cond)):  # (in order: the same text every run)
            if len(candidate) >= jsonata_text.MIN_BOUND and jsonata_text.bindable(candidate) \
                    and ":=" not in candidate and not (jsonata_text.variable_set(candidate) & inner):
                found[candidate] = found.get(candidate, 0) + jsonata_text.count_whole(cond, candidate)
    bound: list[tuple[int, str, str]] = []  # (position, local, text), inner ones first
    for candidate in sorted((c for c, n in found.items() if n >= 2), key=len):
        first = next(k for k, cond in enumerate(conditions) if jsonata_text.count_whole(cond, candidate))
        if jsonata_text.occurs_in(candidate, conditions[first], jsonata_text.eager_spans(conditions[first])):
            bound.append((first, next(names), candidate))
    out = rest
    for position in range(len(tests) - 1, -1, -1):
        cond, result = tests[position]
        out = f"(({_with_locals(cond, bound, position)}) ? {result} : {out})"
        here = [f"{local} := {jsonata_text.operand(_with_locals(text, bound, position, text))}"
                for at, local, text in bound if at == position]
        out = jsonata_text.sequence(here, out)
    return out


def _with_locals(text: str, bound: list, position: int, own: str = "") -> str:
    """`text` reading the locals bound at or before `position` (longest first) for what they hold."""
    for at, local, candidate in sorted(bound, key=lambda b: -len(b[2])):
        if at <= position and candidate != own and len(candidate) <= len(text):
            text = jsonata_text.replace_whole(text, candidate, local)
    return text


def _firing(guards: list) -> list:
    """The guards, in order, less those that cannot be the first to hold: a later one false
    wherever an earlier one is found false (`"a" <= c <= "z"` tests that `c` is a str for
    each comparison; Python raises at the first). Each is evaluated, for the same items,
    only after those before it in this order (a condition's before what it guards, an
    outer `for`'s before an inner's), and nothing in between changes what they read. A
    guard that reads an inner search reads it by a name its siblings share: no facts."""
    kept, false = [], set()
    for g in guards:
        if g.scan is None and jsonata_text.false_under(g.cond, false):
            continue
        kept.append(g)
        if g.scan is None:
            false |= jsonata_text.false_facts(g.cond)
    return kept


def _level_guards(level: Level) -> list:
    """A level's guards in Python's order: its conditions', then the next part's."""
    return [*(g for c in level.conditions for g in c.guards), *level.then]


PY_VERSION = sys.version_info[:2]


def range_argument(node, arg: Expr) -> Expr:
    """An int (a bool counts as 0 or 1); one of unknown type is checked at run time, with
    Python's TypeError for anything else."""
    ty = arg.ty
    if ty.only("int"):
        return arg
    if not (ty.is_any or (ty.json_number and ty.may("int"))) and not ty.only("bool") and not ty.only("int", "bool"):
        raise Refusal(node, f"range() takes ints, not {ty.describe()}")
    v = arg.code
    check = guard(f"$not($type({v}) = 'boolean' or ($type({v}) = 'number' and $floor({v}) = {v}))", TypeError,
                  f"\"'\" & $__pytype({v}) & \"' object cannot be interpreted as an integer\"", arg,
                  helpers={"pytype"})
    return combine(f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})", pytypes.INT, arg, guards=[check])
