"""Builtin functions and the methods of str, list and dict, with Python's results and errors.

FUNCTIONS maps a builtin's name to its transform; `method` handles a method call on a value
of known type; `mutate` handles the list/dict methods that change the value in place (the
new value is written back to the variable, or into the container the receiver lives in).
"""

from __future__ import annotations

import ast
import functools
import math
import re
import string as stringlib
import sys
import unicodedata

import attrs

from ..analysis import aliasing, ast_edits, aws_models, element_aliases, pytypes
from ..analysis.effects import effects
from ..analysis.exceptions import caught_names
from ..analysis.int_bounds import int_bounds
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import ir, jsonata_lib
from ..graph.builder import Label, ValueFrame, item_depth
from ..graph.exprs import (
    UNSUPPORTED,
    Expr,
    Guard,
    combine,
    const,
    float_kind,
    guard,
    mixed_number,
    stop_where,
    unreachable,
)
from . import formatting, operations, sets
from .evaluation import bind_target, condition, never_lists, operands, pure_comprehension
from .operations import (
    ANY_HINT,
    SAFE,
    bound_code,
    build_list,
    guards_per_item,
    iterable_of,
    iteration_source,
    key_guard,
    lookup_key,
    overflow_checked,
    range_argument,
    same_forms,
    store_key,
    truth,
)
from .targets import setdefault_item, store_target

LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort"})
DICT_MUTATORS = frozenset({"pop", "clear", "update", "setdefault", "popitem"})
SET_MUTATORS = frozenset({"add", "discard", "remove", "update", "clear"})
MUTATORS = LIST_MUTATORS | DICT_MUTATORS | SET_MUTATORS


class Unreached(Exception):
    """A builtin's argument never exists (an item of a list that never holds one, `out[0]` of
    `out = []`): its IndexError or KeyError always comes first, so the call is never made. Its
    `expr` is the arguments' checks and a placeholder value (exprs.unreachable), what the
    call lowers to (visitor.transform_call catches it)."""

    def __init__(self, expr: Expr):
        super().__init__("an argument that never exists")
        self.expr = expr


def _plain_args(b, node: ast.Call, name: str, low: int, high: int, keywords=()) -> tuple[list, dict]:
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise Refusal(arg, "*args in a call is not supported")
    bad = [k.arg for k in node.keywords if k.arg not in keywords]
    if bad:
        raise Refusal(node, f"{name}() does not take the keyword argument {bad[0]!r} here")
    if not low <= len(node.args) <= high:
        expected = str(low) if low == high else f"{low} to {high}"
        raise Refusal(node, f"{name}() takes {expected} positional arguments here ({len(node.args)} given)")
    exprs = operands(b, [*node.args, *(k.value for k in node.keywords)])
    never = unreachable(*exprs)
    if never is not None:
        raise Unreached(never)
    return exprs[: len(node.args)], dict(zip((k.arg for k in node.keywords), exprs[len(node.args):], strict=True))


def _iterable(b, node: ast.AST, then: tuple = ()) -> Expr:
    """The items of an iterable argument, as a JSONata list. `then`: guards Python meets after
    evaluating the argument and before iterating it (the other arguments' own)."""
    if isinstance(node, ast.GeneratorExp) and not effects(b, node).any:
        if then:  # its first iterable is checked before them, its items after: one list cannot say it
            raise Refusal(node, "a generator argument with key=d.get where d may not be a dict is not supported",
                          "build the list first, or make sure d is a dict (annotate it)")
        return pure_comprehension(b, node)  # one that calls a callee is a Map (transform)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" \
            and b.lookup("range")[0] is None:
        return _checked_after(_range(b, node), then)
    value = b.expr(node)
    never = unreachable(value)
    if never is not None:
        raise Unreached(never)
    if sets.is_set(value.ty):  # (set_uses lets only uses blind to the items' order get here)
        return _checked_after(sets.as_list(value), then)
    expr = iterable_of(node, combine(value.code, value.ty, value, guards=then) if then else value, keys=b.key_type)
    source, item_ty, helpers = iteration_source(node, expr, b.key_type)
    if source == expr.code:
        return expr
    return combine(source, pytypes.list_of(item_ty), expr, helpers=helpers)


def _checked_after(items: Expr, checks: tuple) -> Expr:
    return combine(items.code, items.ty, items, guards=checks) if checks else items


def _key_lookup_checks(b, key_node) -> tuple:
    """key=d.get: Python looks the method up when it evaluates the arguments, before the call
    iterates anything, so a `d` that is not a dict raises AttributeError even over no items."""
    if not (isinstance(key_node, ast.Attribute) and key_node.attr == "get" and isinstance(key_node.value, ast.Name)):
        return ()
    receiver = b.expr(key_node.value)
    if receiver.ty.only("dict"):
        return ()
    if not receiver.ty.may("dict"):
        raise Refusal(key_node, f"{receiver.ty.describe()} has no attribute 'get': Python raises AttributeError")
    v = receiver.code
    return (guard(f"($type({v}) != 'object')", AttributeError,
                  f"\"'\" & $__pytype({v}) & \"' object has no attribute 'get'\"", receiver, helpers={"pytype"}),)


# -- conversions -------------------------------------------------------------------------
def _len(b, node):
    (value,), _ = _plain_args(b, node, "len", 1, 1)
    never = unreachable(value)
    if never is not None:
        return attrs.evolve(never, ty=pytypes.SMALL_INT)
    ty = value.ty
    if ty.only("list"):
        return combine(f"$count({value.code})", pytypes.SMALL_INT, value)
    if ty.only("str"):
        return combine(f"$length({value.code})", pytypes.SMALL_INT, value)
    if ty.only("dict"):
        return combine(f"$count($keys({value.code}))", pytypes.SMALL_INT, value)
    if ty.may("list", "str", "dict"):
        c = value.code
        check = guard(f"$not($type({c}) in ['array', 'string', 'object'])", TypeError,
                      f"\"object of type '\" & $__pytype({c}) & \"' has no len()\"", value, helpers={"pytype"})
        code = f"($type({c}) = 'string' ? $length({c}) : $type({c}) = 'object' ? $count($keys({c})) : $count({c}))"
        return combine(code, pytypes.SMALL_INT, value, guards=[check])
    raise Refusal(node, f"len() of {ty.describe()}: Python raises TypeError")


def _str(b, node):
    if not node.args:
        return const("", pytypes.STR)
    (value,), _ = _plain_args(b, node, "str", 1, 1)
    return formatting.to_str(node, value)


def _repr(b, node):
    (value,), _ = _plain_args(b, node, "repr", 1, 1)
    return formatting.to_repr(node, value)


def _int(b, node):
    if not node.args:
        return const(0, pytypes.kind("int", 1))
    if len(node.args) == 2 or node.keywords:
        return _int_with_base(b, node)
    (value,), _ = _plain_args(b, node, "int", 1, 1)
    value = operations.float_blind(value)  # int(2.0) is int(2)
    ty = value.ty
    if ty.only("int"):
        return value
    if ty.only("bool"):
        return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    if ty.only("float") or ty.only("int", "float"):
        code = f"({value.code} < 0 ? $ceil({value.code}) : $floor({value.code}))"
        return overflow_checked(combine(code, pytypes.INT, value))
    if ty.only("str"):
        return _int_of_str(value)
    if ty.is_any or ty.json_number or not ty.kinds or ty.kinds <= pytypes.JSON_KINDS:
        return _int_of_unknown(value)  # (a union, int | str: chosen when the workflow runs)
    raise Refusal(node, f"int() of {ty.describe()} is not supported", ANY_HINT if ty.is_any else "")


# str.strip()'s whitespace, a run of it, as a JSONata regex; digits as int() and float() read them
_WHITESPACE = "[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*"
_DIGITS = "[0-9](_?[0-9])*"
_FLOAT_TEXT = f"[+-]?(({_DIGITS})?\\.{_DIGITS}|{_DIGITS}\\.?)([eE][+-]?{_DIGITS})?"


def _int_of_str(value: Expr) -> Expr:
    """int(text) with Python's rules (whitespace, sign, `_`, every Unicode decimal digit)."""
    original = value
    value = combine(f"$__int_digits({value.code})", pytypes.STR, value, helpers={"int_digits"})
    c = value.code
    valid = f"$contains({c}, /^{_WHITESPACE}[+-]?[0-9]+(_[0-9]+)*{_WHITESPACE}$/)"
    check = guard(f"$not({valid})", ValueError,
                  f"\"invalid literal for int() with base 10: \" & $__repr_str({original.code})", value,
                  original, helpers={"repr_str"})
    # jsonata-js's $number reads "-12" and "007" but not "+12" (D3030): the sign goes first
    digits = f"$replace($replace($__strip_ws({c}, true, true), '_', ''), /^[+]/, '')"
    too_long = guard(f"($length($replace({digits}, /^([+-]0*|0+)/, '')) > 15)", ValueError,
                     "'the compiled workflow reads ints of at most 15 digits'", value,
                     helpers={"strip_ws"})
    too_long = too_long.__class__(too_long.cond, None, "''", too_long.helpers, too_long.reads, abort=True,
                                  error_name="pysfn.IntegerOverflow",
                                  message_literal="int() of a string with more than 15 digits: beyond "
                                  "what JSON numbers in Step Functions hold exactly")
    return combine(f"$number({digits})", pytypes.INT, value, guards=[check, too_long], helpers={"strip_ws"})


_BASE_DIGITS = {2: 53, 8: 17, 16: 13}  # the most digits whose value is below 2**53 whatever they are
_PREFIX = {2: "bB", 8: "oO", 16: "xX"}


def _int_with_base(b, node):
    """int(text, base) with a literal base 2, 8, 16 (or 10): Python's rules (whitespace, sign,
    the base's prefix, `_` between digits, every Unicode decimal digit), its ValueError
    naming the text, its TypeError for a value that is not a str."""
    args, keywords = _plain_args(b, node, "int", 1, 2, keywords=("base",))
    base_node = node.args[1] if len(node.args) == 2 else next(k.value for k in node.keywords if k.arg == "base")
    if not (isinstance(base_node, ast.Constant) and type(base_node.value) is int and base_node.value in (2, 8, 10, 16)):
        raise Refusal(node, "int(text, base) takes a literal base of 2, 8, 10 or 16 here",
                      "int(text, 16), or parse the text in a callee")
    base, value = base_node.value, args[0]
    if not value.ty.may("str"):
        raise Refusal(node, f"int() of {value.ty.describe()} with a base: Python raises TypeError "
                      "(int() can't convert non-string with explicit base)")
    if not value.ty.only("str"):
        check = guard(f"$type({value.code}) != 'string'", TypeError,
                      "\"int() can't convert non-string with explicit base\"", value)
        value = attrs.evolve(value, ty=pytypes.STR, guards=(*value.guards, check))
    if base == 10:
        return _int_of_str(value)
    original = value
    value = combine(f"$__int_digits({value.code})", pytypes.STR, value, helpers={"int_digits"})
    c, space = value.code, ("[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680"
                            "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*")
    digit = {2: "[01]", 8: "[0-7]", 16: "[0-9a-fA-F]"}[base]
    valid = f"$contains({c}, /^{space}[+-]?(0[{_PREFIX[base]}]_?)?{digit}+(_{digit}+)*{space}$/)"
    check = guard(f"$not({valid})", ValueError,
                  f"\"invalid literal for int() with base {base}: \" & $__repr_str({original.code})", value,
                  original, helpers={"repr_str"})
    text = f"$replace($__strip_ws({c}, true, true), '_', '')"
    sign, digits = f"($substring({text}, 0, 1) = '-' ? -1 : 1)", \
        f"$lowercase($replace({text}, /^([+-]?0[{_PREFIX[base]}]|[+-])/, ''))"  # (no empty match: D1004)
    limit = _BASE_DIGITS[base]
    too_long = Guard(f"($length($replace({digits}, /^0+/, '')) > {limit})", None, "''",
                     value.helpers | jsonata_lib.closure({"strip_ws"}), value.reads, abort=True,
                     error_name="pysfn.IntegerOverflow",
                     message_literal=f"int() of a base-{base} string with more than {limit} digits: beyond what "
                                     "JSON numbers in Step Functions hold exactly")
    code = (f"{sign} * $reduce($split({digits}, ''), function($a, $d) {{ $a * {base} + "
            f"$length($substringBefore('0123456789abcdef', $d)) }}, 0)")
    return combine(code, pytypes.INT, value, guards=[check, too_long], helpers={"strip_ws"})


def _int_of_unknown(value: Expr) -> Expr:
    """int(x) for x whose kind is known only at run time: a str is parsed, a number truncated,
    a bool is 0 or 1; anything else is Python's TypeError."""
    v = value.code
    head, tail = _python_message(int, [], "list")
    message = f"{jsonata_lib.string(head)} & $__pytype({v}) & {jsonata_lib.string(tail)}"
    wrong = guard(f"$not($type({v}) in ['string', 'number', 'boolean'])", TypeError, message, value,
                  helpers={"pytype"})
    bare = Expr(v, pytypes.STR, reads=value.reads, helpers=value.helpers)
    text = _int_of_str(bare)
    is_str = f"$type({v}) = 'string'"
    number = f"({v} < 0 ? $ceil({v}) : $floor({v}))"
    big = Guard(f"($type({v}) = 'number' and $abs({number}) > {SAFE})", None, "''", value.helpers, value.reads,
                abort=True, error_name=operations.OVERFLOW, message_literal=operations.OVERFLOW_CAUSE)
    code = f"({is_str} ? {text.code} : $type({v}) = 'boolean' ? ({v} ? 1 : 0) : {number})"
    return combine(code, pytypes.INT, value, attrs.evolve(text, guards=()), helpers=text.helpers,
                   guards=[wrong, *(g.under(is_str, frozenset(), value.reads) for g in text.guards), big])


def _float(b, node):
    if not node.args:
        return const(0.0, pytypes.FLOAT)
    (value,), _ = _plain_args(b, node, "float", 1, 1)
    value = operations.float_blind(value)  # float(2.0) is float(2)
    if value.ty.numeric:
        code = value.code if not value.ty.may("bool") else f"({value.code} ? 1 : 0)"
        return combine(code, pytypes.FLOAT, value)
    if value.ty.only("str"):
        if value.is_const and value.const.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
            raise Refusal(node, f"float({value.const!r}) is not supported: JSON numbers, and so the state "
                          "machine's, are finite",
                          "start a search with None (lo = None, then `if lo is None or t < lo`), or use "
                          "min(xs, default=...) / max(...)")
        return float_of_str(node, value)
    if _dynamic_kind(value.ty) or value.ty.kinds <= pytypes.JSON_KINDS:
        return _float_of_unknown(node, value)  # (a union, float | str: chosen when the workflow runs)
    raise Refusal(node, f"float() of {value.ty.describe()} is not supported", ANY_HINT if value.ty.is_any else "")



def float_of_str(node: ast.AST, value: Expr) -> Expr:
    """float(text) with Python's rules (whitespace, sign, `_`, `.5`, `5.`, every Unicode decimal
    digit); "inf" and "nan", which JSON cannot hold, stop the machine by name, and so does a
    number of 1e308 or more (the compiled parse stops short of float's largest)."""
    original = value
    value = combine(f"$__int_digits({value.code})", pytypes.STR, value, helpers={"int_digits"})
    c = value.code
    special = f"$contains({c}, /^{_WHITESPACE}[+-]?(inf|infinity|nan){_WHITESPACE}$/i)"
    valid = f"$contains({c}, /^{_WHITESPACE}{_FLOAT_TEXT}{_WHITESPACE}$/)"
    head, tail = _python_message(float, "abc", "'abc'")
    check = guard(f"$not({valid} or {special})", ValueError,
                  f"{jsonata_lib.string(head)} & $__repr_str({original.code}) & {jsonata_lib.string(tail)}",
                  value, original, helpers={"repr_str"})
    # JSON's number text, which $number reads: no `_`, no `+`, a digit on each side of a point
    text = (f"$replace($replace($replace($replace($replace($lowercase($replace($__strip_ws({c}, true, true), "
            f"'_', '')), /^[+]/, ''), /^[.]/, '0.'), '-.', '-0.'), /[.]$/, ''), '.e', 'e')")
    unholdable = Guard(f"({special} or $__float_exp({text}) >= 308)", None, "''", value.helpers | {"float_exp", "strip_ws"},
                       value.reads, abort=True, error_name=UNSUPPORTED,
                       message_literal=f"line {getattr(node, 'lineno', 0)}: float() of inf, nan or a number of "
                                       "1e308 or more: beyond what the compiled workflow holds (JSON numbers are finite)")
    number = combine(f"$number({text})", pytypes.FLOAT, value, guards=[check, unholdable],
                     helpers={"strip_ws", "float_exp"})
    sign = combine(f"($substring({text}, 0, 1) = '-' ? -1 : 1)", pytypes.INT, value, helpers={"strip_ws"})
    return operations.signed_zero_stop(node, number, (sign,), None)  # float("-0") is -0.0


def _float_of_unknown(node: ast.AST, value: Expr) -> Expr:
    """float(x) for x whose kind is known only at run time: a str is parsed, a number kept, a
    bool is 0.0 or 1.0; anything else is Python's TypeError."""
    v = value.code
    head, tail = _python_message(float, [], "list")
    message = f"{jsonata_lib.string(head)} & $__pytype({v}) & {jsonata_lib.string(tail)}"
    wrong = guard(f"$not($type({v}) in ['string', 'number', 'boolean'])", TypeError, message, value,
                  helpers={"pytype"})
    text = float_of_str(node, Expr(v, pytypes.STR, reads=value.reads, helpers=value.helpers))
    is_str = f"$type({v}) = 'string'"
    code = f"({is_str} ? {text.code} : $type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})"
    return combine(code, pytypes.FLOAT, value, attrs.evolve(text, guards=()), helpers=text.helpers,
                   guards=[wrong, *(g.under(is_str, frozenset(), value.reads) for g in text.guards)])


def _format(b, node):
    """format(value, spec) with a literal spec: what f"{value:spec}" gives."""
    args, _ = _plain_args(b, node, "format", 1, 2)
    if len(args) == 2 and not (args[1].is_const and isinstance(args[1].const, str)):
        raise Refusal(node, "format() with a spec computed at run time is not supported", "write the spec literally")
    return formatting.format_value(node, args[0], args[1].const if len(args) == 2 else "")


def _pow(b, node):
    """pow(base, exp, mod) of ints (pow(a, b) is `a ** b`: analysis/builtin_calls.py): Python's
    TypeError for another kind, ValueError for a modulus of 0; a negative exponent (the modular
    inverse) and a modulus of 2**26 or more (products past 2**53) stop the machine by name."""
    args, _ = _plain_args(b, node, "pow", 3, 3)
    for arg in args:
        if not (arg.ty.only("int", "bool") or (_dynamic_kind(arg.ty) and arg.ty.may("int", "bool"))):
            raise Refusal(node, f"pow() of {arg.ty.describe()} with a modulus: Python raises TypeError "
                          "(the three arguments must be ints)", ANY_HINT if arg.ty.is_any else "")
    guards = []
    if not all(arg.ty.only("int", "bool") for arg in args):
        codes = [arg.code for arg in args]
        head, tail = _python_message(lambda t: pow(*t), ("a", "a", "a"), "'str', 'str', 'str'")
        names = " & \"', '\" & ".join(f"$__pytype({c})" for c in codes)
        guards.append(guard(" or ".join(f"$not($type({c}) in ['number', 'boolean'])" for c in codes), TypeError,
                            f"{jsonata_lib.string(head)} & \"'\" & {names} & \"'\" & {jsonata_lib.string(tail)}",
                            *args, helpers={"pytype"}))
        floats = _python_error(lambda t: pow(*t), (2.0, 2, 5))
        guards.append(guard(" or ".join(f"($type({c}) = 'number' and $floor({c}) != {c})" for c in codes), TypeError,
                            jsonata_lib.string(floats), *args))
    base, exp, mod = (combine(f"$__num({a.code})", pytypes.INT, a, helpers={"num"}) if a.ty.may("bool") or
                      not a.ty.only("int") else a for a in args)
    zero = _python_error(lambda t: pow(*t), (3, 2, 0))
    guards.append(guard(f"({mod.code} = 0)", ValueError, jsonata_lib.string(zero), mod))
    line = getattr(node, "lineno", 0)
    result = combine(f"($__m := $abs({mod.code}); $__x := $__powmod(({base.code} % $__m + $__m) % $__m, {exp.code}, $__m);"
                     f" {mod.code} < 0 and $__x != 0 ? $__x + {mod.code} : $__x)", pytypes.INT, base, exp, mod,
                     helpers={"powmod"}, guards=guards)
    result = stop_where(result, f"({exp.code} < 0)", f"line {line}: pow() with a negative exponent and a modulus (a "
                        "modular inverse) is not computed by the machine")
    return stop_where(result, f"($abs({mod.code}) >= 67108864)", f"line {line}: pow() with a modulus of 2**26 or more: "
                      "its products would pass 2**53, which JSON numbers do not hold exactly")


def _bool(b, node):
    if not node.args:
        return const(False, pytypes.BOOL)
    (value,), _ = _plain_args(b, node, "bool", 1, 1)
    return truth(value)


def _abs(b, node):
    (value,), _ = _plain_args(b, node, "abs", 1, 1)
    if value.ty.only("bool"):
        return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    if value.ty.numeric and not value.ty.may("bool"):
        return attrs.evolve(combine(f"$abs({value.code})", value.ty, value), kind=value.kind)
    if value.ty.only("int", "bool"):  # abs(True) is 1
        v = value.code
        return combine(f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : $abs({v}))", pytypes.kind("int", value.ty.bits),
                       value)
    if _dynamic_kind(value.ty):
        v = value.code
        head, tail = _python_message(abs, "", "str")
        wrong = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                      f"{jsonata_lib.string(head)} & $__pytype({v}) & {jsonata_lib.string(tail)}", value,
                      helpers={"pytype"})
        ty = pytypes.Ty(value.ty.kinds & {"int", "float"} | {"int"}, json_number=True)
        return attrs.evolve(combine(f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : $abs({v}))", ty, value,
                                    guards=[wrong]), kind=float_kind(value))
    raise Refusal(node, f"abs() of {value.ty.describe()}", ANY_HINT if value.ty.is_any else "")



def _python_error(call, argument) -> str:
    """This Python's error message for `call(argument)` (its words change between versions)."""
    try:
        call(argument)
    except (TypeError, ValueError, LookupError) as error:
        return str(error)
    raise AssertionError(f"{call.__name__}({argument!r}) raised nothing")


def _python_message(call, argument, marker: str) -> tuple[str, str]:
    """_python_error's message split around `marker`."""
    head, _, tail = _python_error(call, argument).rpartition(marker)
    return head, tail


def _ord(b, node):
    """ord(c): the code point of a one-character str (helper `ord`: UTF-8 bytes, so a character
    beyond U+FFFF is one), with Python's TypeError for another length or another kind."""
    (value,), _ = _plain_args(b, node, "ord", 1, 1)
    v = value.code
    if not (value.ty.only("str") or (_dynamic_kind(value.ty) and value.ty.may("str"))):
        raise Refusal(node, f"ord() of {value.ty.describe()}: Python raises TypeError (it takes a str of length 1)",
                      ANY_HINT if value.ty.is_any else "")
    checks = []
    if not value.ty.only("str"):
        head, tail = _python_message(ord, 5, "int")
        checks.append(guard(f"$type({v}) != 'string'", TypeError,
                            f"{jsonata_lib.string(head)} & $__pytype({v}) & {jsonata_lib.string(tail)}", value,
                            helpers={"pytype"}))
    head, tail = _python_message(ord, "ab", "2")
    checks.append(guard(f"$length({v}) != 1", TypeError,
                        f"{jsonata_lib.string(head)} & $length({v}) & {jsonata_lib.string(tail)}", value))
    return combine(f"$__ord({v})", pytypes.kind("int", 21), value, helpers={"ord"}, guards=checks)


def _chr(b, node):
    """chr(i): the character of a code point (helper `chr`), with Python's TypeError for a
    non-int and ValueError out of range; a surrogate, which JSON text cannot hold alone, stops
    the machine by name."""
    (value,), _ = _plain_args(b, node, "chr", 1, 1)
    if value.ty.only("bool"):
        value = combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    elif not value.ty.only("int"):
        if not (_dynamic_kind(value.ty) and value.ty.may("int", "bool")) and not value.ty.only("int", "bool"):
            raise Refusal(node, f"chr() takes an int, not {value.ty.describe()}", ANY_HINT if value.ty.is_any else "")
        value = _index_argument(value)
    n = value.code
    # `chr((ord(c) - 97 + k) % 26 + 97)`: a code point its text bounds needs no check of it
    lo, hi = int_bounds(node.args[0], lambda name: b.lookup(name)[0] is None)
    checks = []
    if lo is None or hi is None or lo < 0 or hi > 0x10FFFF:
        head, tail = _python_message(chr, -1, "range")
        checks.append(guard(f"({n} < 0 or {n} > 1114111)", ValueError, jsonata_lib.string(head + "range" + tail),
                            value))
    code = combine(f"$__chr({n})", pytypes.STR, value, helpers={"chr"}, guards=checks)
    if lo is not None and lo > 0xDFFF or hi is not None and hi < 0xD800:
        return code
    return stop_where(code, f"({n} >= 55296 and {n} <= 57343)",
                      f"line {node.lineno}: chr() of a surrogate code point (U+D800 to U+DFFF): text in JSON "
                      "cannot hold one alone")

def _in_base(name: str, base: int):
    """hex(n), oct(n), bin(n): the sign, the prefix, then the digits ($formatBase of |n|, exact
    for the ints the machine holds), with Python's TypeError for what is no int."""
    prefix = {16: "0x", 8: "0o", 2: "0b"}[base]

    def transform(b, node):
        (value,), _ = _plain_args(b, node, name, 1, 1)
        if value.ty.only("bool"):
            value = combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
        elif not value.ty.only("int"):
            if not (_dynamic_kind(value.ty) and value.ty.may("int", "bool")):
                raise Refusal(node, f"{name}() takes an int, not {value.ty.describe()} (Python raises TypeError)",
                              ANY_HINT if value.ty.is_any else "")
            value = _index_argument(value)
        n = value.code
        return combine(f"(({n} < 0 ? '-' : '') & '{prefix}' & $formatBase($abs({n}), {base}))", pytypes.STR, value)

    return transform


def _round_int_places(value: Expr, unit: int) -> Expr:
    """round(x, -k) of an int: the nearest multiple of 10**k, a tie to the even multiple, as
    Python's int rounds (exact: `%` of integers in doubles is)."""
    x = value.code
    code = (f"($r := {x} % {unit}; $r := $r < 0 ? $r + {unit} : $r; $b := {x} - $r; "
            f"2 * $r > {unit} or (2 * $r = {unit} and $b / {unit} % 2 != 0) ? $b + {unit} : $b)")
    return overflow_checked(combine(code, pytypes.INT, value))


def _round_unknown_places(node, value: Expr, places: int) -> Expr:
    """round(x, -k) of a value whose kind is known at run time only: an int (the number rule:
    integral) or a bool rounds as an int does; anything but a number is Python's TypeError; a
    float, whose result Python computes from its exact binary value, stops the machine."""
    v = value.code
    check = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                  f"'type ' & $__pytype({v}) & \" doesn't define __round__ method\"", value, helpers={"pytype"})
    fraction = Guard(f"($type({v}) = 'number' and $floor({v}) != {v})", None, "''", value.helpers, value.reads,
                     abort=True, error_name=UNSUPPORTED,
                     message_literal=f"line {getattr(node, 'lineno', 0)}: round(x, {places}) of a float: the compiler "
                                     "rounds ints to tens, hundreds, ... only (annotate x as int, or round a float "
                                     "in a callee)")
    number = Expr(f"$__num({v})", pytypes.INT, reads=value.reads, helpers=value.helpers | {"num"})
    rounded = _round_int_places(number, 10 ** -places)
    return combine(rounded.code, pytypes.INT, value, attrs.evolve(rounded, guards=()),
                   guards=[check, fraction, *rounded.guards])


def _round(b, node):
    args, _ = _plain_args(b, node, "round", 1, 2, keywords=("ndigits",))
    value = args[0]
    if len(args) == 2 and not (args[1].is_const and args[1].const is None):
        places = args[1].const if args[1].is_const and type(args[1].const) is int else None
        if value.ty.only("int") and places is not None and places >= 0:
            return value
        if value.ty.only("int") and places is not None and -15 <= places < 0:
            return _round_int_places(value, 10 ** -places)
        if places is not None and -15 <= places < 0 and _dynamic_kind(value.ty) \
                and any(value.ty.may(kind) for kind in ("int", "bool")):
            return _round_unknown_places(node, value, places)
        if places is not None and 0 <= places <= formatting.MAX_PLACES:
            if value.ty.numeric:  # (an int or a float: the same kind as x)
                return attrs.evolve(_round_places(node, value, places, b.kind_unseen(node)), kind=value.kind)
            if _dynamic_kind(value.ty) and any(value.ty.may(kind) for kind in ("int", "float", "bool")):
                v = value.code  # a number or not, known at run time
                check = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                              f"'type ' & $__pytype({v}) & \" doesn't define __round__ method\"", value,
                              helpers={"pytype"})
                number = pytypes.Ty(frozenset({"int", "float", "bool"}), json_number=True)
                rounded = _round_places(node, Expr(v, number, reads=value.reads, helpers=value.helpers), places,
                                        b.kind_unseen(node))
                return attrs.evolve(combine(rounded.code, rounded.ty, value, attrs.evolve(rounded, guards=()),
                                            guards=[check, *rounded.guards]), kind=float_kind(value))
        if places is None:
            raise Refusal(node, "round(x, ndigits) needs ndigits as a literal int (round(x, 2)): the compiler "
                          "writes Python's rounding out for that many places", formatting.FLOAT_HINT,
                          computable=True)
        if 0 <= places <= formatting.MAX_PLACES:
            raise Refusal(node, f"round() of {value.ty.describe()} is not supported (Python raises TypeError "
                          "for anything but a number)")
        raise Refusal(node, f"round(x, {places}) is not supported: the compiler rounds as Python does to 0 to "
                      f"{formatting.MAX_PLACES} places only", formatting.FLOAT_HINT, computable=True)
    if value.ty.only("int"):
        return value
    value = operations.float_blind(value)  # round(150.0) is round(150): an int either way
    if value.ty.only("float") or value.ty.only("int", "float"):
        return overflow_checked(combine(f"$round({value.code})", pytypes.INT, value))
    if any(value.ty.may(kind) for kind in ("int", "float", "bool")):  # a number or not, known at run time
        v = value.code
        check = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                      f"'type ' & $__pytype({v}) & \" doesn't define __round__ method\"", value, helpers={"pytype"})
        return overflow_checked(combine(f"$round($__num({v}))", pytypes.INT, value, guards=[check], helpers={"num"}))
    raise Refusal(node, f"round() of {value.ty.describe()}", ANY_HINT if value.ty.is_any else "")


def _math_rounding(function):
    """math.ceil(x) / math.floor(x) (`function`): the int next to x, up or down, exact in
    JSONata ($ceil and $floor of a double; `+ 0` makes JavaScript's -0 of $ceil(-0.5) the int
    0), with Python's TypeError for what is not a real number."""
    name = function.__name__

    def transform(b, node):
        (value,), _ = _plain_args(b, node, f"math.{name}", 1, 1)
        if value.ty.only("int"):
            return value
        if value.ty.only("bool"):
            return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
        value = operations.float_blind(value)  # ceil(150.0) is ceil(150): an int either way
        if value.ty.only("float") or value.ty.only("int", "float"):
            return overflow_checked(combine(f"(${name}({value.code}) + 0)", pytypes.INT, value))
        if any(value.ty.may(kind) for kind in ("int", "float", "bool")):  # a number or not, known at run time
            number = operations.real_number(value)
            return overflow_checked(combine(f"(${name}($__num({number.code})) + 0)", pytypes.INT, number,
                                            helpers={"num"}))
        raise Refusal(node, f"math.{name}() of {value.ty.describe()}: Python raises TypeError (it takes a real number)",
                      ANY_HINT if value.ty.is_any else "")

    return transform


def _domain_message() -> tuple[str, bool]:
    """math.sqrt's ValueError text on the Python compiling (and running the plain run): "math
    domain error", or, from Python 3.13, "expected a nonnegative input, got -1.0" (the float's
    repr after the text: True when it is)."""
    try:
        math.sqrt(-1.0)
    except ValueError as error:
        text = str(error)
        return (text[:-len("-1.0")], True) if text.endswith("-1.0") else (text, False)
    return "math domain error", False


_SQRT_DOMAIN = _domain_message()


def _real_argument(node, value: Expr, name: str) -> Expr:
    """The argument of math.sqrt / math.fabs as a number: a bool as its int, one of a kind known
    at run time only checked there (Python's TypeError for what is no real number)."""
    if value.ty.only("int", "float"):
        return value
    if not any(value.ty.may(kind) for kind in ("int", "float", "bool")):
        raise Refusal(node, f"math.{name}() of {value.ty.describe()}: Python raises TypeError (it takes a real "
                      "number)", ANY_HINT if value.ty.is_any else "")
    if value.ty.only("bool"):
        return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    number = operations.real_number(value)
    return combine(f"$__num({number.code})", number.ty, number, helpers={"num"})


def _math_sqrt(b, node):
    """math.sqrt(x): JavaScript's Math.sqrt and C's sqrt both give the double nearest the exact
    root (IEEE 754), so $sqrt is exact; a float, whatever x was; Python's ValueError below 0, its
    TypeError for what is not a real number."""
    (value,), _ = _plain_args(b, node, "math.sqrt", 1, 1)
    value = operations.float_blind(_real_argument(node, value, "sqrt"))  # sqrt(4.0) is sqrt(4): a float either way
    text, with_value = _SQRT_DOMAIN
    message = jsonata_lib.string(text)
    if with_value:
        shown = formatting.to_repr(node, Expr(value.code, pytypes.FLOAT, (), value.reads, value.helpers))
        message = f"{message} & {shown.code}"
        domain = guard(f"({value.code} < 0)", ValueError, message, value, shown)
    else:
        domain = guard(f"({value.code} < 0)", ValueError, message, value)
    return combine(f"$sqrt({value.code})", pytypes.FLOAT, value, guards=[domain])


def _math_fabs(b, node):
    """math.fabs(x): abs(x) as a float (exact)."""
    (value,), _ = _plain_args(b, node, "math.fabs", 1, 1)
    value = operations.float_blind(_real_argument(node, value, "fabs"))
    return combine(f"$abs({value.code})", pytypes.FLOAT, value)


_MATH_FUNCTIONS = ((math.ceil, _math_rounding(math.ceil)), (math.floor, _math_rounding(math.floor)),
                   (math.sqrt, _math_sqrt), (math.fabs, _math_fabs))


def math_function(obj):
    """The transform of a function of `math` the machine computes exactly (`math.ceil(x)`, or
    `ceil(x)` after `from math import ceil`), else None."""
    return next((transform for function, transform in _MATH_FUNCTIONS if function is obj), None)


def _round_places(node, value: Expr, places: int, blind: bool = False) -> Expr:
    """round(x, 2): the double nearest the exact binary value of x rounded half to even at
    the second decimal (formatting.fixed_point), what Python's round gives; an int or a bool
    stays an int. A number of unknown type whose result is integral although it was not
    (round(2.999, 2) is the float 3.0) stops the machine: JSON cannot tell it from an int;
    unless nothing can observe that (`blind`: blind_numbers.py), where only a zero that
    Python keeps as -0.0 (round(-0.004, 2)) stops it."""
    if value.ty.only("bool"):
        return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    _, rounded, stop = formatting.fixed_point(node, value, places)
    code = f"({rounded} / {10 ** places})"
    ty = pytypes.Ty(value.ty.kinds - {"bool"} | ({"int"} if value.ty.may("bool") else set()),
                    bits=value.ty.bits, json_number=value.ty.json_number)
    guards = [stop]
    if value.ty.json_number and value.ty.may("float") and blind:
        return operations.signed_zero_stop(node, combine(code, ty, value, helpers={"fround", "num"}, guards=guards),
                                           (value,), (value,))
    if value.ty.json_number and value.ty.may("float"):
        x = value.code
        guards.append(Guard(f"($floor({code}) = {code} and $type({x}) = 'number' and $floor({x}) != {x})", None, "''",
                            value.helpers | {"fround", "num"}, value.reads, abort=True,
                            error_name=operations.AMBIGUOUS_NUMBER, blurs=code,
                            message_literal=f"line {getattr(node, 'lineno', 0)}: round() of a number whose type is not "
                                            "annotated gave an integral float (round(2.999, 2) is 3.0), which JSON "
                                            "cannot tell from an int: annotate it as float"))
    result = combine(code, ty, value, helpers={"fround", "num"}, guards=guards)
    if value.ty.may("float") and not value.ty.json_number:  # round(-0.04, 1) is -0.0
        result = operations.signed_zero_stop(node, result, (value,), None)
    return result


def _divmod(b, node):
    """divmod(a, b): (a // b, a % b), with divmod's own TypeError and ZeroDivisionError."""
    (left, right), _ = _plain_args(b, node, "divmod", 2, 2)
    for side in (left, right):
        if not (side.ty.numeric or _dynamic_kind(side.ty)):
            raise Refusal(node, f"divmod() of {side.ty.describe()}: Python raises TypeError")
    a, d = left.code, right.code
    guards = []
    if not (left.ty.numeric and right.ty.numeric):
        guards.append(guard(f"$not($type({a}) in ['number', 'boolean'] and $type({d}) in ['number', 'boolean'])",
                            TypeError, "\"unsupported operand type(s) for divmod(): '\" & $__pytype(" + a
                            + ") & \"' and '\" & $__pytype(" + d + ") & \"'\"", left, right, helpers={"pytype"}))
    if left.ty.only("int", "bool") and right.ty.only("int", "bool"):
        integral = "true"
    elif left.ty.may("float") and not left.ty.json_number or right.ty.may("float") and not right.ty.json_number:
        integral = "false" if left.ty.only("float") or right.ty.only("float") else None
    else:  # the number rule: an integral number of unknown type is an int
        integral = f"($floor($__num({a})) = $__num({a}) and $floor($__num({d})) = $__num({d}))"
    if integral is None:
        raise Refusal(node, "divmod() of numbers that may be ints or floats", "annotate them")
    message = f"({integral} ? 'integer division or modulo by zero' : 'float divmod()')"
    guards.append(guard(f"($type({d}) in ['number', 'boolean'] and $__num({d}) = 0)", ZeroDivisionError, message,
                        left, right, helpers={"num"}))
    quotient = operations.binary(node, "//", left, right)
    remainder = operations.binary(node, "%", left, right)
    operands_ = list(left.guards + right.guards)  # the arguments' own first, then divmod's checks
    after = [g for g in quotient.guards + remainder.guards if g not in operands_]
    result = combine(f"[{quotient.code}, {remainder.code}]", pytypes.tuple_of(quotient.ty, remainder.ty), quotient,
                     remainder)
    return attrs.evolve(result, guards=tuple(dict.fromkeys(operands_ + guards + after)))


# -- aggregates --------------------------------------------------------------------------
def _minmax(b, node, name: str):
    keywords = {k.arg for k in node.keywords}
    if keywords - {"default", "key"}:
        raise Refusal(node, f"{name}() takes default= and key= only")
    key_node = next((k.value for k in node.keywords if k.arg == "key"), None)
    default_node = next((k.value for k in node.keywords if k.arg == "default"), None)
    if len(node.args) == 1:
        items = _iterable(b, node.args[0], _key_lookup_checks(b, key_node))
    elif len(node.args) > 1:
        if default_node is not None:
            raise Refusal(node, f"{name}() cannot take default= with several arguments")
        items = build_list(operands(b, node.args))
        items = _checked_after(items, _key_lookup_checks(b, key_node))
    else:
        raise Refusal(node, f"{name}() needs arguments")
    default = b.expr(default_node) if default_node is not None else None
    elem = items.ty.element
    key_code, key_ty, key_guards, key_helpers = _key_function(b, key_node, elem, items,
                                                              node.args[0] if len(node.args) == 1 else None)
    compared = key_ty if key_code else elem
    sequences = compared.only("list")
    by_code_point = _by_code_point(compared)
    if sequences:  # tuples (or lists) compared item by item
        key_code, more = _sequence_key(node, items, key_code, compared, f"{name}() of", key_helpers)
        key_guards = [*key_guards, *more]
        compared = pytypes.NUMBER
    if not (compared.only("int", "float") or compared.only("int") or compared.only("float") or compared.only("str")):
        if not _known_at_run_time(compared):
            raise Refusal(node, f"{name}() over {compared.describe()} is not supported",
                          "the items (or keys) must all be numbers or all strings")
        raw_key = key_code or "function($__x) { $__x }"
        key_code = _numbers_for_bools(raw_key)
        key_guards = [*key_guards, *_comparable(node, items, raw_key, "<" if name == "min" else ">", key_helpers)]
    less = "true" if name == "min" else "false"
    if key_code:
        less_than = "$__seqcmp($__kx, $__km) < 0" if sequences else "$__kx < $__km"
        greater_than = "$__seqcmp($__kx, $__km) > 0" if sequences else "$__kx > $__km"
        kx, km = f"{key_code}($__x)", f"{key_code}($__m)"
        if by_code_point:
            kx, km = f"$__cpk({kx})", f"$__cpk({km})"
        pick = (f"$reduce({items.code}, function($__m, $__x) {{ ($__kx := {kx}; $__km := {km};"
                f" {less_than if name == 'min' else greater_than} ? $__x : $__m) }})")
        code = pick
        helpers = set(key_helpers) | ({"cpk"} if by_code_point else set()) | ({"seqcmp", "map"} if sequences else set())
    elif compared.only("int"):  # JSONata's own: ints have no -0.0 that Python would tell from 0.0
        code, helpers = f"${name}({items.code})", set()
    else:
        code, helpers = f"$__minmax({items.code}, {less})", {"minmax"}
    guards = list(key_guards)
    if default is None:
        guards.insert(0, guard(f"($count({items.code}) = 0)", ValueError,
                               jsonata_lib.string(_empty_message(name)), items))
        return combine(code, elem, items, helpers=helpers, guards=guards)
    code = f"($count({items.code}) = 0 ? {default.code} : {code})"
    return combine(code, pytypes.join(elem, default.ty), items, default, helpers=helpers, guards=guards)


def _by_code_point(compared: Ty) -> bool:
    """Whether compared values may be strs, which Python orders by code point ($__cpk: UTF-16
    order differs beyond U+FFFF); lists (tuples) are ordered item by item by $__seqcmp."""
    return not compared.only("list") and (compared.may("str") or not compared.kinds)


def _known_at_run_time(ty: Ty) -> bool:
    """Values that may be ordered (numbers, or strings), whose kinds are checked at run time
    (sorting `[1, "a"]` stops the machine, loudly: Python's TypeError would depend on its sort's
    comparison order); or items that never exist (those of an empty `[]` literal)."""
    return not ty.kinds or ty.may("int", "float", "bool", "str")


def _numbers_for_bools(key: str) -> str:
    return f"function($__y) {{ ($__z := ({key})($__y); $__z = true ? 1 : $__z = false ? 0 : $__z) }}"


def _comparable(node, items: Expr, key: str, op: str, key_helpers=()) -> list[Guard]:
    """min()/max() of keys whose kinds are known at run time only: Python's TypeError at the
    first key it cannot compare with the best so far (its order is the items', unlike a sort's),
    as Python words it; two lists (compared item by item) stop the machine."""
    found = f"$__minmax_err($map({items.code}, {key}), '{op}')"
    helpers = jsonata_lib.closure({"minmax_err", *key_helpers}) | items.helpers
    lists = Guard(f"({found} = '!')", None, "''", helpers, items.reads, abort=True, error_name=UNSUPPORTED,
                  message_literal=f"line {getattr(node, 'lineno', 0)}: {'min' if op == '<' else 'max'}() of lists "
                                  "whose type is not annotated (Python compares them item by item)")
    return [lists, Guard(f"($type({found}) = 'string')", TypeError, found, helpers, items.reads)]


def _orderable(node, items: Expr, key: str, what: str, key_helpers=()) -> Guard:
    """Stops the machine unless the keys are all numbers or all strings: Python would compare
    other values pairwise, in an order of its sorting algorithm, and raise TypeError at the first
    pair it cannot order (or order lists element by element). `key` calls `key_helpers`."""
    return Guard(f"$not($__orderable($map({items.code}, {key})))", None, "''",
                 jsonata_lib.closure({"orderable", *key_helpers}) | items.helpers, items.reads, abort=True, error_name=UNSUPPORTED,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: {what} of values that are not all numbers "
                                 "or all strings (Python's TypeError, or its order of lists, would depend on the "
                                 "order its sort compares them in)")


def _empty_message(name: str) -> str:
    try:
        (min if name == "min" else max)([])
    except ValueError as error:
        return str(error)
    return f"{name}() arg is an empty sequence"


_KEY_BUILTINS = ("len", "str", "abs", "int", "float", "bool", "repr", "sum", "min", "max", "sorted", "list", "tuple")


def _key_function(b, key_node, elem: Ty, items: Expr | None = None, source: ast.AST | None = None):
    """(JSONata function text, type of the key, guards, helpers the function calls) for
    key=lambda x: ..., or Nones. Python computes every item's key before comparing: a key that
    raises is checked over all items first, in order."""
    if key_node is None or (isinstance(key_node, ast.Constant) and key_node.value is None):
        return None, None, (), frozenset()
    if isinstance(key_node, ast.Lambda) and len(key_node.args.args) == 1 and not key_node.args.vararg:
        param = f"$__c{b.next_comprehension()}"
        with b.comprehension_scope(bind_target(b, ast.Name(key_node.args.args[0].arg), param, elem)):
            body = b.expr(key_node.body)
        guards = ()
        if body.guards:
            if items is None:
                raise Refusal(key_node, "this key function could raise an exception", "sort in a callee")
            guards = guards_per_item(items.code, param, [], body, items.helpers)
            body = body.unguarded()
        return f"function({param}) {{ {body.code} }}", body.ty, guards, body.helpers
    builtin = isinstance(key_node, ast.Name) and key_node.id in _KEY_BUILTINS and b.lookup(key_node.id)[0] is None
    # key=d.get (max(d, key=d.get)): a lookup in a variable's dict
    lookup = isinstance(key_node, ast.Attribute) and key_node.attr == "get" and isinstance(key_node.value, ast.Name)
    # key=str.lower of strs: the method called on each (on another kind, Python's TypeError names the
    # descriptor, which the method's own error would not)
    str_method = isinstance(key_node, ast.Attribute) and isinstance(key_node.value, ast.Name) \
        and key_node.value.id == "str" and b.lookup("str")[0] is None
    method = str_method and elem.only("str")
    if builtin or lookup or method:
        arg = ast.Name("__k", ast.Load())
        call = ast.Call(ast.Attribute(arg, key_node.attr, ast.Load()) if method
                        else ast.Name(key_node.id, ast.Load()) if builtin else key_node, [] if method else [arg], [])
        if lookup and isinstance(source, ast.Name) and source.id == key_node.value.id \
                and b.expr(source).ty.only("dict"):  # the keys of d itself: d[k] is there
            call = ast.Subscript(key_node.value, arg, ast.Load())
        lam = ast.Lambda(args=ast.arguments(posonlyargs=[], args=[ast.arg("__k")], kwonlyargs=[], kw_defaults=[], defaults=[]),
                         body=call)
        ast.copy_location(lam, key_node)
        ast.fix_missing_locations(lam)
        return _key_function(b, lam, elem, items)
    if str_method:
        raise Refusal(key_node, f"key=str.{key_node.attr} needs items known to be strs here, and they are "
                      f"{elem.describe()} (Python's TypeError for another item names the str descriptor)",
                      f"key=lambda s: s.{key_node.attr}(), or annotate where the items come from (list[str])")
    if isinstance(key_node, ast.Name) and key_node.id in b.info.functions and b.is_callee(key_node.id) \
            and b.lookup(key_node.id, record=False)[0] is None:
        # (callee_keys rewrote the others: sorted's always, min's and max's with an ordered return)
        raise Refusal(key_node, "a callee as a key is called for every item first, which is Python's order in "
                      "sorted() (with reverse= a literal or a parameter) and, for a callee annotated to return an int, "
                      "float, str or bool, in min() and max(): they compare keys as they call it, and keys that cannot "
                      "be compared would stop Python before its later calls",
                      f"annotate it: def {key_node.id}(...) -> int (or float, str, bool)")
    raise Refusal(key_node, "the key must be a lambda (or a builtin such as len, int or str, str.lower, d.get)",
                  "key=lambda item: item['price']")


def _sum(b, node):
    if node.args and isinstance(node.args[0], ast.GeneratorExp):
        items, start = _sum_of_generator(b, node)
    else:
        args, keywords = _plain_args(b, node, "sum", 1, 2, keywords=("start",))
        items = _iterable_expr(node, args[0], keys=b.key_type)
        start = args[1] if len(args) > 1 else keywords.get("start")
    if start is not None and start.ty.only("list"):
        return _sum_of_lists(node, items, start)
    elem = items.ty.element
    if elem.only("int", "bool") or elem.only("int") or (not elem.kinds and items.ty.only("list")):
        code = f"$sum({items.code})" if not elem.may("bool") else \
            f"$sum($__map({items.code}, function($__x) {{ $__x = true ? 1 : $__x = false ? 0 : $__x }}))"
        result = combine(code, pytypes.INT, items, helpers=() if not elem.may("bool") else {"map"})
        if start is not None:
            number = _int_start(node, start)
            result = overflow_checked(combine(f"({number.code} + {result.code})", pytypes.INT, number, result))
            if start.ty.may("bool"):  # sum([], True) is the start itself: True
                return combine(f"($count({items.code}) = 0 ? {start.code} : {result.code})",
                               pytypes.join(pytypes.INT, pytypes.BOOL), start, result)
            return result
        return overflow_checked(result)
    ruled = _ruled_items(b, node.args[0] if node.args else None)
    if elem.may("float") and elem.numeric and elem.json_number and sys.version_info < (3, 12) and start is None:
        return _sum_of_json_numbers(node, items, ruled)
    if elem.may("float") and elem.numeric:
        if sys.version_info >= (3, 12):
            raise Refusal(node, "sum() of floats is not supported: Python 3.12+ adds them with extra "
                          "precision (Neumaier summation), JSONata left to right",
                          "add them in a loop (total += x), or in a callee", computable=True)
        code = f"$sum({items.code})"
        if start is not None:
            code = f"({start.code} + {code})"
        result = combine(code, pytypes.FLOAT if elem.only("float") else pytypes.NUMBER, items,
                         *([start] if start is not None else []))
        if elem.only("float") and (start is None or start.ty.only("int")):
            # no items: the start itself, the int 0 (sum([]) prints 0, not 0.0)
            kind = Expr(f"($count({items.code}) > 0)", pytypes.BOOL, reads=items.reads, helpers=items.helpers)
            result = attrs.evolve(result, ty=pytypes.NUMBER, kind=kind)
        return result
    if elem.may("int", "float", "bool") and (elem.is_any or elem.json_number or "float" not in elem.kinds
                                             or not elem.numeric):  # (numbers or not: the run tells)
        return _sum_of_unknown(node, items, start, ruled)  # (also a union without floats: list[int | str])
    raise Refusal(node, f"sum() of {items.ty.describe()}", "the items must be numbers")


def _sum_of_generator(b, node) -> tuple[Expr, Expr | None]:
    """The items and the start of `sum(<generator>, start)`. Python evaluates the generator's
    first iterable, then the start, then the items: a start that could raise or act is refused
    (the items are one expression, computed before it)."""
    rest = ast.copy_location(ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords), node)
    start_nodes = [*rest.args, *(k.value for k in rest.keywords)]
    if start_nodes and effects(b, start_nodes[0]).any:
        raise Refusal(start_nodes[0], "a sum() start that calls a callee, after a generator, is not supported",
                      "compute the start into a variable first")
    args, keywords = _plain_args(b, rest, "sum", 0, 1, keywords=("start",))
    start = args[0] if args else keywords.get("start")
    if start is not None and start.guards:
        raise Refusal(start_nodes[0], "a sum() start that may raise, after a generator, is not supported "
                      "(Python evaluates it after the generator's first iterable)", "compute the start into a variable first")
    return _iterable(b, node.args[0]), start


def _sum_of_lists(node, items: Expr, start: Expr) -> Expr:
    """`sum(rows, [])`: start + each item, a new list (Python's TypeError for an item that is
    not a list). The start must be a list display: Python returns the start itself when there
    are no items, which a variable would then share."""
    if not isinstance(node.args[1] if len(node.args) > 1 else node.keywords[0].value, ast.List) \
            or start.ty.form != "list":
        raise Refusal(node, "sum() of lists with a start that is not a list display ([] or [...]) is not supported",
                      "use [] as the start: sum(rows, [])")
    elem = items.ty.element
    xs = items.code
    head, tail = _python_message(lambda item: [] + item, 0, '"int"')
    checks = []
    if not (elem.only("list") and elem.form == "list"):
        if not (elem.may("list") and (_dynamic_kind(elem) or elem.form == "list")):
            raise Refusal(node, f"sum() of {items.ty.describe()} with a list start: Python raises TypeError",
                          "the items must be lists")
        bad = f"$filter({xs}, function($__x) {{ $type($__x) != 'array' }})[0]"
        checks.append(guard(f"$exists({bad})", TypeError,
                            f"{jsonata_lib.string(head)} & '\"' & $__pytype({bad}) & '\"' & {jsonata_lib.string(tail)}",
                            items, helpers={"pytype"}))
        if items.guards and isinstance(node.args[0], ast.GeneratorExp):  # an item's own error: met at that item
            raise Refusal(node, "sum() of a generator whose items may raise, with a list start, is not supported",
                          "build the list of lists first")
    ty = pytypes.list_of(pytypes.join(start.ty.element, elem.element if elem.may("list") else pytypes.ANY))
    code = f"$reduce({xs}, function($__a, $__x) {{ $append($__a, $__x) }}, {start.code})"
    return combine(code, ty, items, start, guards=checks)

def _ruled_items(b, arg: ast.expr | None) -> bool:
    """Whether the items `arg` holds all follow the number rule (an integral one is an int): a
    list from outside, the workflow's input or a callee's result (`amounts`, `xs = load()`),
    that nothing changes in place, through it or a name that may share it (an item appended
    could be a float computed integral: `a * 0.5` of 0)."""
    if not isinstance(arg, ast.Name) or b.lookup(arg.id, record=False)[0] is not b.scope:
        return False
    body = b.scope.body
    stores = ast_edits.binders(arg.id, body)
    if any(not (isinstance(store, ast.Assign) and isinstance(store.value, ast.Call)
                and isinstance(store.value.func, ast.Name) and b.is_callee(store.value.func.id)) for store in stores) \
            or (not stores and b.scope.outer is not None):  # (a parameter of the workflow itself)
        return False
    sharing = aliasing.holders(body, arg.id) | {arg.id}
    return not any(element_aliases.changes_through(name, statement) for name in sharing for statement in body)


def _sum_of_json_numbers(node, items: Expr, ruled: bool) -> Expr:
    """sum() of numbers that follow the number rule (an integral one is an int): JSONata adds
    them left to right as CPython 3.11 does; a total that is integral although an item was not
    (0.5 + 0.5) is the float 1.0 in Python, which JSON cannot carry: the machine stops
    (pysfn.AmbiguousNumber), so the total follows the rule too."""
    xs = items.code
    if items.ty.element.may("bool"):
        xs = f"$__map({xs}, function($__x) {{ $__x = true ? 1 : $__x = false ? 0 : $__x }})"
    total = combine(f"$sum({xs})", attrs.evolve(pytypes.NUMBER, json_number=True), items,
                    helpers={"map"} if items.ty.element.may("bool") else ())
    checked = operations.overflow_checked(total)
    checked = attrs.evolve(checked, guards=checked.guards + (_ambiguous_total(node, total, xs),))
    if not ruled:
        return checked
    # (its kind, where each item follows the number rule: a float where an item is; sum([]) is
    # the int 0)
    return attrs.evolve(checked, kind=Expr(f"$exists({operations.bound_code(xs)}[$floor($) != $])", pytypes.BOOL,
                                           reads=items.reads, helpers=total.helpers))


def _ambiguous_total(node, total: Expr, xs: str) -> Guard:
    """The stop for a total of numbers of unknown type that is integral although an item was
    not: Python has the float 1.0 for 0.5 + 0.5, JSON carries 1."""
    return Guard(f"($floor({total.code}) = {total.code} and $exists({operations.bound_code(xs)}"
                 f"[$floor($) != $]))", None, "''", total.helpers, total.reads, abort=True,
                 error_name=operations.AMBIGUOUS_NUMBER, blurs=total.code,
                 message_literal=_AMBIGUOUS_TOTAL.format(line=getattr(node, "lineno", 0)))


_AMBIGUOUS_TOTAL = ("line {line}: a sum of numbers whose type is not annotated is integral although an item was "
                    "not, which Python keeps as a float (0.5 + 0.5 is 1.0) and JSON cannot tell from an int: "
                    "annotate them as float")


def _int_start(node, start: Expr) -> Expr:
    """sum()'s start as a number where it is an int or a bool (True counts 1)."""
    if start.ty.only("int"):
        return start
    if start.ty.only("int", "bool"):
        v = start.code
        return combine(f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})", pytypes.INT, start)
    raise Refusal(node, f"sum() with a start that is {start.ty.describe()} (an int or a bool here)",
                  "start from an int: sum(xs) + start")


def _sum_of_unknown(node, items: Expr, start: Expr | None, ruled: bool = False) -> Expr:
    """sum() of items whose types are known only at run time: ints and bools are added
    exactly; an item that is not a number raises Python's TypeError. Floats are added left to
    right as CPython 3.11 adds them (a total integral although an item was not stops, as
    _sum_of_json_numbers says); from 3.12 CPython compensates a float sum (Neumaier), so a float
    stops the machine."""
    if start is not None and not start.ty.only("int"):  # (sum([], True) is True: not a number to start from)
        raise Refusal(node, f"sum() of values of unknown type with a start that is {start.ty.describe()}",
                      "start from an int: sum(xs) + start")
    initial = start.code if start is not None else "0"
    xs = items.code
    mistyped = guard(f"($type($__sumerr({xs}, {initial})) = 'string')", TypeError, f"$__sumerr({xs}, {initial})",
                     items, *([start] if start is not None else []), helpers={"sumerr"})
    code = f"$reduce({xs}, function($__a, $__x) {{ $__a + $__num($__x) }}, {initial})"
    has_float = f"$reduce({xs}, function($__a, $__x) {{ $__a or $floor($__num($__x)) != $__num($__x) }}, false)"
    helpers = jsonata_lib.closure({"num"}) | items.helpers
    if sys.version_info < (3, 12):
        floats = Guard(f"($floor({code}) = {code} and {has_float})", None, "''", helpers, items.reads,
                       abort=True, error_name=operations.AMBIGUOUS_NUMBER, blurs=code,
                       message_literal=_AMBIGUOUS_TOTAL.format(line=getattr(node, "lineno", 0)))
        # (items of any kind with a float joined in, `[a, x * 0.5]`, follow no rule: an integral
        # float among them is no int, so the total is an int or a float nobody can tell, as
        # its type says; where it is printed, the compiler refuses)
        ty = attrs.evolve(pytypes.NUMBER, json_number=items.ty.element.json_number)
    else:
        floats = Guard(has_float, None, "''", helpers, items.reads, abort=True, error_name=UNSUPPORTED,
                       message_literal=f"line {getattr(node, 'lineno', 0)}: sum() of numbers whose type is not "
                                       "annotated met a float: Python 3.12+ adds floats with extra precision "
                                       "(Neumaier summation), the state machine left to right; add them in a loop "
                                       "(total += x) or in a callee")
        ty = pytypes.INT
    result = combine(code, ty, items, *([start] if start is not None else []), helpers={"num"},
                     guards=[mistyped, floats])
    if sys.version_info >= (3, 12) or not ruled:
        return overflow_checked(result)
    # its kind, where each item follows the number rule (_ruled_items): a float where an item
    # is; sum([]) is the int 0
    return attrs.evolve(overflow_checked(result), kind=Expr(has_float, pytypes.BOOL, reads=items.reads, helpers=helpers))


def _iterable_expr(node, expr: Expr, not_iterable: str | None = None, keys: Ty = pytypes.STR) -> Expr:
    expr = iterable_of(node, expr, not_iterable, keys=keys)
    source, item_ty, helpers = iteration_source(node, expr, keys)
    if source == expr.code:
        return expr
    return combine(source, pytypes.list_of(item_ty), expr, helpers=helpers)


def _any_all(b, node, name: str):
    if len(node.args) != 1 or node.keywords:
        raise Refusal(node, f"{name}() takes one iterable")
    arg = node.args[0]
    if isinstance(arg, ast.GeneratorExp) and effects(b, arg).any:
        return _any_all_loop(b, node, arg, name)
    if isinstance(arg, ast.GeneratorExp) and len(arg.generators) == 1:
        iterable = iterable_of(arg.generators[0].iter, b.expr(arg.generators[0].iter), keys=b.key_type)
        one = _one_for(b, arg, iterable, lambda elt: condition(b, elt),
                       lambda element: element.code if name == "any" else f"$not({element.code})")
        wanted = one.element.code if name == "any" else f"$not({one.element.code})"
        if one.item_guards:  # (an item past the deciding one may be one Python never reaches)
            found = _first_passing(one.source, one.param, [*(t.code for t in one.tests), wanted], "true")
            code = f"({found} = true)" if name == "any" else f"$not({found} = true)"
            used = {h for t in one.tests for h in t.helpers}
        else:
            filtered, used = _passing(one.source, one.param, one.tests, one.item_ty)
            code = _some(filtered, one.param, wanted, name)
        return Expr(code, pytypes.BOOL, iterable.guards + one.item_guards, iterable.reads | one.element.reads,
                    jsonata_lib.closure(used | one.helpers | one.element.helpers))
    items = _iterable(b, arg)
    elem = items.ty.element
    test = truth(Expr("$__x", elem))
    wanted = test.code if name == "any" else f"$not({test.code})"
    return combine(_some(items.code, "$__x", wanted, name), pytypes.BOOL, items, helpers=set(test.helpers))


def _next(b, node):
    """`next((x for x in xs if test), default)` (the first item that passes, or the default;
    without one, Python's StopIteration) and `next(iter(xs), default)`: the conditions run
    item by item only up to the first that passes (their exceptions, and the element's for
    that item only, as Python meets them), the default is evaluated first, as an argument."""
    if node.keywords or not 1 <= len(node.args) <= 2 or any(isinstance(a, ast.Starred) for a in node.args):
        raise Refusal(node, "next() takes an iterator and a default here")
    arg = node.args[0]
    if isinstance(arg, ast.GeneratorExp) and (effects(b, arg).any or len(arg.generators) != 1
                                              or arg.generators[0].is_async):
        raise Refusal(node, "next() of a generator with more than one `for`, or calling a callee, is not supported",
                      "write the loop: for x in xs: if test: found = x; break")
    default = None
    if isinstance(arg, ast.GeneratorExp):
        iterable = iterable_of(arg.generators[0].iter, b.expr(arg.generators[0].iter), keys=b.key_type)
        if len(node.args) == 2:  # (after the generator's iterable, as Python evaluates the arguments)
            default = b.expr(node.args[1])
        one = _one_for(b, arg, iterable, b.expr, lambda element: "true")
    elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id == "iter" \
            and len(arg.args) == 1 and not arg.keywords and b.lookup("iter")[0] is None:
        iterable = _iterable(b, arg.args[0])
        if len(node.args) == 2:
            default = b.expr(node.args[1])
        param = f"$__c{b.next_comprehension()}"
        one = _OneFor(iterable.code, iterable.ty.element, iterable.helpers, param, [],
                      Expr(param, iterable.ty.element), ())
    else:
        raise Refusal(node, "next() of this iterator is not supported",
                      "next((x for x in xs if test), default) or next(iter(xs), default)")
    element, tests = one.element, one.tests
    found = f"$__nx{b.next_comprehension()}"
    if one.item_guards:  # the tests run up to the first item that passes only (one past it may raise)
        search = _first_passing(one.source, one.param, [t.code for t in tests], f"{{'v': {one.param}}}")
        used = {h for t in tests for h in t.helpers}
        none, first = f"$type({found}) != 'object'", f"({one.param} := {found}.v; {element.code})"
    else:
        search, used = _passing(one.source, one.param, tests, one.item_ty)
        none, first = f"$count({found}) = 0", f"({one.param} := {found}[0]; {element.code})"
    used |= one.helpers | element.helpers
    guards = list(iterable.guards) + (list(default.guards) if default is not None else []) + list(one.item_guards)
    if default is None:
        # (inside a generator expression, Python's RuntimeError: ast_edits.mark_generator_bodies)
        error, message = (RuntimeError, "'generator raised StopIteration'") \
            if getattr(node, "pysfn_in_generator", False) else (StopIteration, "''")
        guards.append(guard(f"({found} := {search}; {none})", error, message, iterable, *tests, helpers=used))
        code, ty = f"({found} := {search}; {first})", element.ty
    else:
        code = f"({found} := {search}; {none} ? {default.code} : {first})"
        ty = pytypes.join(element.ty, default.ty)
        used |= default.helpers
    reads = iterable.reads | element.reads | (default.reads if default is not None else frozenset())
    return Expr(code, ty, tuple(guards), reads, jsonata_lib.closure(used))


@attrs.frozen
class _OneFor:
    """A generator of one `for` (any(), all(), next()), its item bound: the items' JSONata and
    helpers (the iterable's too), the parameter naming an item, the conditions and the element
    without their guards (`item_guards` checks those item by item, in Python's order)."""

    source: str
    item_ty: Ty
    helpers: frozenset
    param: str
    tests: list
    element: Expr
    item_guards: tuple


def _one_for(b, arg: ast.GeneratorExp, iterable: Expr, element_of, stop_of) -> _OneFor:
    """`arg` bound, its iterable lowered already (Python evaluates it first); `element_of`
    lowers the element, `stop_of(element)` is where the search for a failing item ends (the
    item that decides the result)."""
    generator = arg.generators[0]
    source, item_ty, helpers = iteration_source(generator.iter, iterable, b.key_type)
    param = f"$__c{b.next_comprehension()}"
    with b.comprehension_scope(bind_target(b, generator.target, param, item_ty)):
        tests = [condition(b, t) for t in generator.ifs]
        element = element_of(arg.elt)
    helpers = frozenset(helpers) | iterable.helpers
    item_guards: tuple = ()
    if element.guards or any(t.guards for t in tests):
        item_guards = guards_per_item(source, param, tests, element, set(helpers), stop=stop_of(element))
        element = element.unguarded()
        tests = [t.unguarded() for t in tests]
    return _OneFor(source, item_ty, helpers, param, tests, element, item_guards)


def _passing(source: str, param: str, tests: list, item_ty) -> tuple[str, set]:
    """(JSONata of the items of `source` for which every test holds, the helpers it calls)."""
    if not tests:
        return source, set()
    test = " and ".join(t.code for t in tests)
    used = {h for t in tests for h in t.helpers}
    # JSONata's own $filter where no item is a list (an array constructor makes its single
    # value or nothing a list); a list item would be flattened, so $__filter
    if never_lists(item_ty):
        return f"[$filter({source}, function({param}) {{ {test} }})]", used
    return f"$__filter({source}, function({param}) {{ {test} }})", used | {"filter"}


def _first_passing(source: str, param: str, tests: list[str], found: str) -> str:
    """JSONata of `found` (true, or an object) for the first item of `source` that passes every
    test (false, or nothing of an empty source, where none does), testing no item after it,
    nor a later test where an earlier one fails: where an item's guards fail only past the
    deciding item, Python never evaluates its tests there, and the machine must not either
    (`int("n/a")` is a JSONata error, not a value)."""
    test = "true"
    for code in reversed(tests):
        test = f"(({code}) ? {test} : false)"
    return f"$reduce({source}, function($__a, {param}) {{ $__a ? $__a : {test} ? {found} : false }}, false)"


def _some(items: str, param: str, wanted: str, name: str) -> str:
    """any(): whether some item is wanted; all(): whether none is unwanted. $filter gives
    nothing when no item is (and a value, even an empty list or null, when one is)."""
    some = f"$exists($filter({items}, function({param}) {{ {wanted} }}))"
    return some if name == "any" else f"$not({some})"



def _any_all_loop(b, node, arg: ast.GeneratorExp, name: str) -> Expr:
    """any(f(x) for x in xs) with a callee: a loop over the items that stops at the first
    decisive one, as Python's any/all stop pulling from the generator."""
    if len(arg.generators) != 1 or arg.generators[0].is_async:
        raise Refusal(arg, f"a generator with several 'for's that calls a callee in {name}() is not supported",
                      "write it as for loops")
    if effects(b, arg).mutates:
        raise Refusal(arg, f"a generator in {name}() that changes a variable in place is not supported",
                      "write it as a for loop")
    generator = arg.generators[0]
    iterable = iterable_of(generator.iter, b.expr(generator.iter), keys=b.key_type)
    source, item_ty, helpers = iteration_source(generator.iter, iterable, b.key_type)
    items, index, item, result = b.temp("items"), b.temp("i"), b.temp("x"), b.temp("v")
    b.assign([(items, combine(source, pytypes.list_of(item_ty), iterable, helpers=helpers)),
              (index, const(0, pytypes.kind("int", 1))), (result, const(name == "all", pytypes.BOOL))],
             f"Start {name}()")
    head = Label(f"{name} line {node.lineno}")
    b.mark(head)
    more = Expr(f"(${index} < $count(${items}))", pytypes.BOOL, reads=frozenset([index, items]))
    text = " ".join(ast.unparse(arg).split())
    title = f"{name}({text if len(text) <= 40 else text[:39] + '…'}) (line {node.lineno})"
    body, finished = b.fork(title, more, {item: ir.Code(f"${items}[${index}]"), index: ir.Code(f"${index} + 1")})
    b.then(body)
    frame = ValueFrame({n: (code, ty, frozenset([item]))
                        for n, (code, ty) in bind_target(b, generator.target, "$" + item, item_ty).items()})
    with b.comprehension_scope(frame):
        for test_node in generator.ifs:
            keep, skip = b.fork(f"Keep item? (line {node.lineno})", condition(b, test_node))
            b.then(skip)
            b.jump(head)
            b.then(keep)
        element = condition(b, arg.elt)
    decisive = element if name == "any" else combine(f"$not({element.code})", pytypes.BOOL, element)
    hit, miss = b.fork(f"{name}() decided? (line {node.lineno})", decisive)
    b.then(miss)
    b.jump(head)
    b.then(hit)
    b.assign([(result, const(name == "any", pytypes.BOOL))], f"Set {result}")
    b.then(b.pending + finished)
    return Expr("$" + result, pytypes.BOOL, reads=frozenset([result]))


def _sorted(b, node):
    if len(node.args) != 1:
        raise Refusal(node, "sorted() takes one iterable")
    keywords = {k.arg: k.value for k in node.keywords}
    if set(keywords) - {"key", "reverse"}:
        raise Refusal(node, "sorted() takes key= and reverse= only")
    items = _iterable(b, node.args[0], _key_lookup_checks(b, keywords.get("key")))
    return sort_items(b, node, items, keywords.get("key"), keywords.get("reverse"), key_checked=True)


def sort_items(b, node, items: Expr, key_node, reverse_node, key_checked: bool = False) -> Expr:
    """sorted(items) and items.sort(); `key_checked`: key=d.get was looked up already."""
    if not key_checked:
        items = _checked_after(items, _key_lookup_checks(b, key_node))
    elem = items.ty.element
    source = node.args[0] if isinstance(node, ast.Call) and len(node.args) == 1 else None
    key_code, key_ty, key_guards, key_helpers = _key_function(b, key_node, elem, items, source)
    compared = key_ty if key_code else elem
    if key_code is None and _sorts_dict_items(node):  # distinct keys: the first items decide
        key_code, compared = "function($__x) { $__x[0] }", b.key_type
    sequences = compared.only("list")
    by_code_point = _by_code_point(compared)
    positions = compared.items if sequences else None  # a tuple key's items, where its length is known
    if sequences:  # tuples (or lists) compared item by item
        key_code, more = _sequence_key(node, items, key_code, compared, "sorting", key_helpers)
        key_guards = [*key_guards, *more]
        compared = pytypes.NUMBER
    reverse = "false"
    if isinstance(reverse_node, ast.Constant) and isinstance(reverse_node.value, bool):
        reverse = "true" if reverse_node.value else "false"
    elif reverse_node is not None:  # computed: evaluated after the items, before any key (Python's order)
        flag = b.expr(reverse_node)
        if not flag.ty.only("bool"):
            raise Refusal(reverse_node, f"reverse= must be a bool here, not {flag.ty.describe()}",
                          "reverse=(len(op) > 1), or reverse=bool(...)")
        items = combine(items.code, items.ty, items, flag)
        reverse = f"({flag.code})"
    if not (compared.only("int", "float", "bool") or compared.only("str")):
        if not _known_at_run_time(compared):
            raise Refusal(node, f"sorting {compared.describe()} is not supported",
                          "the items (or their keys) must all be numbers or all strings")
        if key_node is None and not sequences and compared.may("list") and not _sorts_dict_items(node):
            return _sorted_scalars_or_tuples(node, items, elem, reverse, key_guards)
        key_code = _numbers_for_bools(key_code or "function($__x) { $__x }")
        key_guards = [*key_guards, _orderable(node, items, key_code, "sorting", key_helpers)]
        compared = pytypes.NUMBER
    if not sequences and key_node is None and not _sorts_dict_items(node):  # no key: $sort's own order where it can
        code, helpers = _plain_sort(items.code, elem, reverse)
        return combine(code, pytypes.list_of(elem), items, helpers=helpers | set(key_helpers), guards=key_guards)
    key = key_code or "function($__x) { $__x }"
    if compared.may("bool"):
        key = f"function($__y) {{ ($__z := ({key})($__y); $__z = true ? 1 : $__z = false ? 0 : $__z) }}"
    if positions and len(positions) <= _FIELD_KEYS:
        return _sorted_by_fields(items, elem, key, positions, reverse, set(key_helpers), key_guards)
    helper = "sorted_seq" if sequences else "sorted"
    helpers = {helper} | set(key_helpers)
    if by_code_point:
        key = f"function($__y) {{ $__cpk(({key})($__y)) }}"
        helpers.add("cpk")
    return combine(f"$__{helper}({items.code}, {key}, {reverse})", pytypes.list_of(elem), items,
                   helpers=helpers, guards=key_guards)


_FIELD_KEYS = 6  # the longest tuple key compared field by field ($__sorted_by's order-by has six)


def _sorted_by_fields(items: Expr, elem: Ty, key: str, positions: tuple, reverse: str, helpers: set,
                      guards: list) -> Expr:
    """sorted(items, key=lambda r: (a, b)): the key computed once per item into fields beside
    it ($__cpk on those that may be strs), compared as Python compares tuples of that length,
    the first field that differs deciding (JSONata's order-by over the fields: $__sorted_by)."""
    fields = ", ".join(f"'k{i}': " + (f"$__cpk($__sk[{i}])" if position.may("str") or not position.kinds
                                      else f"$__sk[{i}]") for i, position in enumerate(positions))
    decorate = f"function($__sv) {{ ($__sk := ({key})($__sv); {{'v': $__sv, {fields}}}) }}"
    used = helpers | {"sorted_by"} | ({"cpk"} if "$__cpk(" in fields else set()) | (
        {"map"} if "$__map(" in key else set())  # (the key that counts bools as ints: _sequence_key)
    return combine(f"$__sorted_by({items.code}, {decorate}, {reverse})",
                   pytypes.list_of(elem), items, helpers=used, guards=guards)


def _sorted_scalars_or_tuples(node, items: Expr, elem: Ty, reverse: str, guards: list) -> Expr:
    """sorted(items) of values whose kind the run tells: numbers or strings as sorted_plain
    sorts them, or, when every item is a list (a tuple of a callee nobody annotated, `("2024-01",
    100)`), item by item as Python orders tuples. Anything else stops the machine: mixed kinds, or
    a position whose items are not all numbers or all strings (Python's TypeError would depend on
    its sort's comparison order)."""
    seq_key = "function($__y) { $__map($__y, function($__z) { $__z = true ? 1 : $__z = false ? 0 : $__z }) }"
    tuples = f"($count({items.code}) > 0 and $reduce({items.code}, function($__a, $__v) {{ $__a and $type($__v) = 'array' }}, true))"
    scalars = _numbers_for_bools("function($__x) { $__x }")
    check = Guard(f"$not({tuples} ? $__seq_orderable($__map({items.code}, {seq_key})) : "
                  f"$__orderable($map({items.code}, {scalars})))", None, "''",
                  jsonata_lib.closure({"seq_orderable", "orderable", "map"}) | items.helpers, items.reads, abort=True,
                  error_name=UNSUPPORTED,
                  message_literal=f"line {getattr(node, 'lineno', 0)}: sorting values that are not all numbers, all "
                                  "strings or all lists whose items at each position are all numbers or all strings "
                                  "(Python's TypeError, or its order, would depend on the order its sort compares them in)")
    plain, helpers = _plain_sort(items.code, elem, reverse)
    code = f"({tuples} ? $__sorted_seq({items.code}, {seq_key}, {reverse}) : {plain})"
    return combine(code, pytypes.list_of(elem), items, helpers=helpers | {"sorted_seq", "map"},
                   guards=[*guards, check])


def _plain_sort(items: str, elem: Ty, reverse: str) -> tuple[str, set]:
    """sorted(items) without a key, by what is known of the items (code, helpers): numbers
    sort with $sort's own comparison, a stable sort (reverse=True is Python's definition:
    equal items keep their order, 0.0 and -0.0 too); strs with $__sorted_str (code point
    order); else $__sorted_plain decides at run time."""
    if elem.only("int", "float"):  # no bools
        if reverse in ("true", "false"):
            return (f"$reverse($sort($reverse({items})))" if reverse == "true" else f"$sort({items})"), set()
        return f"({reverse} ? $reverse($sort($reverse({items}))) : $sort({items}))", set()
    helper = "sorted_str" if elem.only("str") else "sorted_plain"
    return f"$__{helper}({items}, {reverse})", {helper}


def _sorts_dict_items(node) -> bool:
    """Whether `node` sorts `d.items()` (whose pairs never tie on the key)."""
    arg = node.args[0] if isinstance(node, ast.Call) and len(node.args) == 1 else None
    return (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "items"
            and not arg.args and not arg.keywords)


def _sequence_key(node, items: Expr, key_code: str | None, compared: Ty, what: str,
                  key_helpers=frozenset()) -> tuple[str, list]:
    """Tuples (or lists) ordered as Python orders them, item by item: each position must hold
    numbers or strings. A position whose kinds are known only at run time is checked then (the
    machine stops, loudly, where Python might raise TypeError or order nested lists); bools
    count as their ints."""
    if compared.form == "either":
        raise Refusal(node, f"{what} values that may be lists or tuples is not supported: Python raises "
                      "TypeError where a list meets a tuple", "convert them with tuple(...)")
    positions = list(compared.items) if compared.items is not None else [compared.element]
    dynamic = False
    for position in positions:
        if position.only("int", "float") or position.only("int") or position.only("float") \
                or position.only("str") or not position.kinds:
            continue
        if position.only("int", "float", "bool") or _known_at_run_time(position):
            dynamic = True
            continue
        raise Refusal(node, f"{what} {compared.describe()} is not supported: an item of type "
                      f"{position.describe()} is not ordered as numbers or strings are",
                      "sort by a key of numbers or strings: key=lambda t: (t[0], t[1])")
    key = key_code or "function($__x) { $__x }"
    if not dynamic:
        return key, []
    key = (f"function($__y) {{ $__map(({key})($__y), function($__z) {{ $__z = true ? 1 : $__z = false ? 0 : $__z }})"
           " }")
    check = Guard(f"$not($__seq_orderable($__map({items.code}, {key})))", None, "''",
                  jsonata_lib.closure({"seq_orderable", "map", *key_helpers}) | items.helpers, items.reads, abort=True,
                  error_name=UNSUPPORTED,
                  message_literal=f"line {getattr(node, 'lineno', 0)}: {what} of sequences whose items are not "
                                  "annotated, and at some position are not all numbers or all strings")
    return key, [check]


def _reversed(b, node):
    (value,), _ = _plain_args(b, node, "reversed", 1, 1)
    if value.ty.only("list"):
        return combine(f"$reverse({value.code})", value.ty, value)
    if value.ty.only("str"):
        return combine(f"$reverse($__chars({value.code}))", pytypes.list_of(pytypes.STR), value, helpers={"chars"})
    if value.ty.may("list", "str", "dict"):  # which one, known at run time; another kind is Python's TypeError
        v = value.code
        json_types = [t for kind, t in (("list", "array"), ("str", "string"), ("dict", "object")) if value.ty.may(kind)]
        items = pytypes.join(pytypes.join(value.ty.element if value.ty.may("list") else None,
                                          pytypes.STR if value.ty.may("str") else None),
                             b.key_type if value.ty.may("dict") else None)
        check = guard(f"$not($type({v}) in {json_types!r})".replace('"', "'"), TypeError,
                      f"\"'\" & $__pytype({v}) & \"' object is not reversible\"", value, helpers={"pytype"})
        code = (f"($type({v}) = 'string' ? $reverse($__chars({v})) : $type({v}) = 'object' ? "
                f"$reverse($__keys({v})) : $reverse({v}))")
        return combine(code, pytypes.list_of(items), value, helpers={"chars", "keys"}, guards=[check])
    raise Refusal(node, f"reversed() of {value.ty.describe()}", "Python raises TypeError: it is not reversible")


def _range(b, node):
    args, _ = _plain_args(b, node, "range", 1, 3)
    args = [range_argument(node, arg) for arg in args]
    if len(args) == 1:
        start, stop, step = const(0, pytypes.kind("int", 1)), args[0], const(1, pytypes.kind("int", 1))
    elif len(args) == 2:
        (start, stop), step = args, const(1, pytypes.kind("int", 1))
    else:
        start, stop, step = args
    guards = []
    if step.is_const and step.const == 0:
        raise Refusal(node, "range() arg 3 must not be zero")
    if not step.is_const:
        guards.append(guard(f"({step.code} = 0)", ValueError, "'range() arg 3 must not be zero'", step))
    count = (f"($__n := {step.code} > 0 ? ({stop.code} > {start.code} ? $floor(({stop.code} - {start.code} - 1) / {step.code}) + 1 : 0)"
             f" : ({start.code} > {stop.code} ? $floor(({start.code} - {stop.code} - 1) / (0 - {step.code})) + 1 : 0);"
             f" $__n > 10000000)")
    too_many = guard(count, MemoryError, "''", start, stop, step)
    too_many = too_many.__class__(too_many.cond, None, "''", too_many.helpers, too_many.reads, abort=True,
                                  error_name="pysfn.RangeTooLarge",
                                  message_literal=f"line {getattr(node, 'lineno', 0)}: range() of more than "
                                                  "10,000,000 items (JSONata's limit)")
    guards.append(too_many)
    bits = max(start.ty.bits, stop.ty.bits)
    return combine(f"$__range({start.code}, {stop.code}, {step.code})", pytypes.list_of(pytypes.kind("int", bits)),
                   start, stop, step, helpers={"range"}, guards=guards)


def _enumerate(b, node):
    args, kwargs = _plain_args(b, node, "enumerate", 1, 2, keywords=("start",))
    items = _iterable_expr(node, args[0], keys=b.key_type)
    start = args[1] if len(args) > 1 else kwargs.get("start", const(0, pytypes.kind("int", 1)))
    if not start.ty.only("int"):
        raise Refusal(node, "enumerate() start must be an int")
    ty = pytypes.list_of(pytypes.tuple_of(pytypes.SMALL_INT, items.ty.element))
    return combine(f"$__enumerate({items.code}, {start.code})", ty, items, start, helpers={"enumerate"})


def _zip(b, node):
    if len(node.args) == 1 and isinstance(node.args[0], ast.Starred) and not node.keywords:
        return _zip_star(b, node)
    args, kwargs = _plain_args(b, node, "zip", 0, 8, keywords=("strict",))
    if not args:
        return const([], pytypes.list_of(pytypes.NOTHING))
    iterables = [_iterable_expr(node, a, keys=b.key_type) for a in args]
    strict = kwargs.get("strict")
    guards = []
    if strict is not None:
        if not strict.is_const:
            raise Refusal(node, "zip(strict=...) must be True or False literally")
        if strict.const and len(iterables) != 2:
            raise Refusal(node, "zip(..., strict=True) of other than two iterables is not supported",
                          "compare the lengths first: if len(a) != len(b): raise ValueError(...)")
        if strict.const:
            first, second = iterables
            guards = [guard(f"($count({second.code}) < $count({first.code}))", ValueError,
                            "'zip() argument 2 is shorter than argument 1'", first, second),
                      guard(f"($count({second.code}) > $count({first.code}))", ValueError,
                            "'zip() argument 2 is longer than argument 1'", first, second)]
    ty = pytypes.list_of(pytypes.tuple_of(*(i.ty.element for i in iterables)))
    # JSONata's $zip keeps each item as it is (a list item stays one item) and stops at the shortest
    code = f"$zip({', '.join(i.code for i in iterables)})"
    if len(iterables) == 1:  # $zip of one list gives a sequence: a list of one tuple must stay a list
        code = f"$__map({iterables[0].code}, function($v) {{ $__wrap($v) }})"
        return combine(code, ty, *iterables, guards=guards, helpers={"map", "wrap"})
    return combine(code, ty, *iterables, guards=guards)


def _zip_star(b, node):
    """`zip(*rows)` of a list of lists (a transpose): the i-th items of every row, as many
    tuples as the shortest row has items; none for no rows."""
    rows = b.expr(node.args[0].value)
    if not (rows.ty.only("list") and (rows.ty.element.only("list") or not rows.ty.element.kinds)):
        element = rows.ty.element if rows.ty.only("list") else None
        if not (rows.ty.is_any or (element is not None and (element.is_any or element.may("list")))):
            raise Refusal(node, f"zip(*...) of {rows.ty.describe()} is supported for a list of lists only",
                          "annotate it as list[list[...]], or zip the lists by name: zip(a, b)")
        # known only at run time: a list of lists, else (a str's characters zipped, ...) a loud stop
        r = rows.code
        rows = stop_where(rows, f"$not($type({r}) = 'array' and $count($filter({r}, function($v) {{ $type($v) != "
                          "'array' })) = 0)", f"line {node.lineno}: zip(*rows) of a value whose type is not annotated "
                          "and is not a list of lists at run time: annotate it as list[list[...]]",
                          pytypes.list_of(pytypes.list_of(None)))
    code = (f"($__zr := {rows.code}; $count($__zr) = 0 ? [] : $__map([0..$min($__map($__zr, function($r) "
            f"{{ $count($r) }})) - 1], function($i) {{ $__map($__zr, function($r) {{ $r[$i] }}) }}))")
    ty = pytypes.list_of(pytypes.as_form(pytypes.list_of(rows.ty.element.element), "tuple"))
    return combine(code, ty, rows, helpers={"map"})


def _list(b, node):
    if not node.args:
        return const([], pytypes.list_of(pytypes.NOTHING))
    if len(node.args) != 1 or node.keywords:
        raise Refusal(node, "list() takes one iterable")
    items = _iterable(b, node.args[0])
    if items.ty.only("list"):
        if items.is_const:
            return Expr(items.code, pytypes.as_form(items.ty, "list"), const=list(items.const))
        return Expr(items.code, pytypes.as_form(items.ty, "list"), items.guards, items.reads, items.helpers)
    raise Refusal(node, f"list() of {items.ty.describe()}", ANY_HINT)


def _tuple(b, node):
    items = _list(b, node)
    if items.is_const:
        return Expr(items.code, pytypes.as_form(items.ty, "tuple"), const=tuple(items.const))
    return Expr(items.code, pytypes.as_form(items.ty, "tuple"), items.guards, items.reads, items.helpers)


def _dict(b, node):
    written = getattr(node, "pysfn_written", "dict")  # a TypedDict class's call (analysis/builtin_calls.py)
    if not node.args:
        exprs = operands(b, [k.value for k in node.keywords])
        if len(node.keywords) == 1 and node.keywords[0].arg is None and exprs[0].ty.may("dict"):
            # a dict's copy, but Python takes only a mapping, and only str keys as keywords (an
            # int key: NUL + digits); a value of another kind is its TypeError, naming the callable
            (value,) = exprs
            v = value.code
            named = getattr(node, "pysfn_qualified", "dict")
            checks = [] if value.ty.only("dict") else [guard(
                f"($type({v}) != 'object')", TypeError,
                f"{jsonata_lib.string(named + '() argument after ** must be a mapping, not ')} & $__pytype({v})",
                value, helpers={"pytype"})]
            checks.append(guard(f"$exists($filter($keys({v}), function($k) {{ $substring($k, 0, 1) = "
                                f"{jsonata_lib.NUL} }}))", TypeError, "'keywords must be strings'", value))
            return combine(v, pytypes.dict_of(value.ty.values), value, guards=checks)
        if any(k.arg is None for k in node.keywords):
            raise Refusal(node, f"{written}(**x) is not supported here with other arguments (x alone is)",
                          "use {**x}, or {**x, \"key\": value}")
        body = ", ".join(f"{jsonata_lib.string(k.arg)}: {e.code}" for k, e in zip(node.keywords, exprs, strict=True))
        ty = None
        for e in exprs:
            ty = pytypes.join(ty, e.ty)
        return combine("{" + body + "}", pytypes.dict_of(ty or pytypes.NOTHING), *exprs)
    if len(node.args) != 1 or node.keywords:
        raise Refusal(node, f"{written}() takes one mapping here", "use {**x, \"key\": value}")
    (value,) = operands(b, node.args)
    if value.ty.only("dict"):
        return value
    if value.ty.only("list"):
        elem = value.ty.element
        if not elem.only("list"):
            raise Refusal(node, "dict() of a list needs [key, value] pairs")
        key_ty = elem.items[0] if elem.items else elem.element
        if not key_ty.may("str", "int") and key_ty.kinds:  # the machine failed (T1003) where Python returned
            raise Refusal(node, "dict keys must be strs or ints here: JSON objects have string keys",
                          "convert the keys with str(...)", computable=True)
        key, stops = _stored_keys(node, value, "$__p[0]", key_ty, pairs=True)
        # JSONata's own $map and $filter: each pair is passed as it is, the results are objects
        # (an array constructor makes none a list, so no pairs merge to {})
        code = f"$merge([$map({value.code}, function($__p) {{ {{{key}: $__p[1]}} }})])"
        first_bad = (f"$reduce({value.code}, function($__a, $__p, $__i) {{ $count($__a) = 0 and $count($__p) != 2"
                     " ? [$__i, $count($__p)] : $__a }, [])")
        check = guard(f"$exists($filter({value.code}, function($__p) {{ $count($__p) != 2 }}))", ValueError,
                      f"($__b := {first_bad}; 'dictionary update sequence element #' & $__b[0] & ' has length '"
                      " & $__b[1] & '; 2 is required')", value)
        pairs = elem.items is not None and len(elem.items) == 2  # zip()'s, or annotated tuple[K, V]
        return combine(code, pytypes.dict_of(elem.element), value, helpers=_key_helpers(key),
                       guards=([] if pairs else [check]) + stops)
    if value.ty.may("dict"):  # its type known only at run time: a dict is copied (the machine's values are)
        return stop_where(value, f"$type({value.code}) != 'object'",
                          f"line {node.lineno}: dict() of a value whose type is not annotated and is not a dict "
                          "at run time (the machine copies a dict only): annotate it", pytypes.restrict(value.ty, {"dict"}))
    raise Refusal(node, f"dict() of {value.ty.describe()}", ANY_HINT)


def _isinstance(b, node):
    if len(node.args) != 2 or node.keywords:
        raise Refusal(node, "isinstance() takes a value and a type")
    (value,) = operands(b, node.args[:1])
    classes = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
    tests = []
    kinds: list = []  # the companions read (an int or a float)
    named = {cls.id for cls in classes if isinstance(cls, ast.Name)}
    if {"int", "float"} <= named and not value.ty.only("exc") \
            and b.info.objects.get("int") is None and b.info.objects.get("float") is None:
        # (int, float): any number, a bool too (an int), whichever JSON cannot tell apart
        tests.append(f"($type({value.code}) in ['number', 'boolean'])")
        classes = [cls for cls in classes if not (isinstance(cls, ast.Name) and cls.id in ("int", "float"))]
    for cls in classes:
        facade = aws_models.facade_exception(b, cls) if value.ty.only("exc") else None
        if facade is not None:  # sfn.aws.<service>.<Code>: the record's type is the code
            if not facade.code:
                raise Refusal(cls, "isinstance(e, sfn.aws.ServiceError) cannot be decided in the machine (a caught "
                              "service error is named by its code alone)",
                              "catch sfn.aws.ServiceError in an except clause of its own")
            aws_models.check_exception(facade.service, facade.code, cls)
            tests.append(f"({value.code}.type = {jsonata_lib.string(facade.code)})")
            continue
        if not isinstance(cls, ast.Name):
            if value.ty.only("exc") and ast.unparse(cls).endswith("Fail"):
                raise Refusal(cls, f"isinstance(e, {ast.unparse(cls)}) cannot be decided in the machine: it knows a "
                              "caught exception by its error name alone, and an sfn.Fail may carry any name",
                              "raise an exception class of your own in the callee (class CheckFailed(Exception)) "
                              "and catch that, or let sfn.Fail end the execution")
            raise Refusal(cls, "isinstance() needs type names here", "name the class: isinstance(x, dict), "
                          "isinstance(e, ValueError)")
        name = cls.id
        if value.ty.only("exc"):
            exc_cls = b.info.exception_class(name)
            if exc_cls is None:
                raise Refusal(cls, f"{name} is not an exception class")
            names = caught_names(b.info, (exc_cls,), cls)
            tests.append("true" if names == ["States.ALL"] else f"({value.code}.type in {jsonata_lib.literal(names)})")
            continue
        json_type = {"str": "string", "list": "array", "dict": "object", "bool": "boolean", "tuple": "array"}.get(name)
        if name in ("int", "float"):
            ty, v = value.ty, value.code
            parts = [f"$type({v}) = 'boolean'"] if name == "int" and ty.may("bool") else []  # bool is an int
            kind = float_kind(value) if mixed_number(ty) else None
            if kind is not None:  # (its companion says which: Expr.kind)
                parts.append(f"($type({v}) = 'number' and {'$not(' + kind.code + ')' if name == 'int' else kind.code})")
                kinds.append(kind)
            elif ty.may("int") and ty.may("float"):
                if not ty.json_number:
                    raise Refusal(node, f"{ast.unparse(node)} cannot be decided: {ast.unparse(node.args[0])} is "
                                  f"{ty.describe()}, and JSON does not tell 3 from 3.0",
                                  "annotate it, or keep ints and floats apart")
                parts.append(f"($type({v}) = 'number' and $floor({v}) {'=' if name == 'int' else '!='} {v})")
            elif ty.may(name):
                parts.append(f"$type({v}) = 'number'")
            if parts:  # (none: its type cannot be one, false at compile time)
                tests.append("(" + " or ".join(parts) + ")")
            continue
        if json_type is None:
            raise Refusal(cls, f"isinstance() with {name} is not supported",
                          "use str, list, dict, bool, int or float")
        if name in ("list", "tuple") and value.ty.may("list"):
            if value.ty.form == "either":
                raise Refusal(node, f"isinstance(x, {name}) cannot be decided: x may be a list or a tuple, and "
                              "both are JSON arrays in the machine", "keep it one or the other")
            if value.ty.form != name:
                continue  # a tuple is no list (and a list no tuple)
        if not value.ty.is_any and not value.ty.may("list" if name == "tuple" else name):
            continue  # its type cannot be one: false (an `if` on it has no branch to lower)
        tests.append(f"($type({value.code}) = '{json_type}')")
    if not tests and not value.guards:
        return const(False, pytypes.BOOL)
    if not tests:
        return combine("false", pytypes.BOOL, value)
    return combine("(" + " or ".join(tests) + ")", pytypes.BOOL, value, *kinds[:1])


def dict_fromkeys(b, node) -> Expr:
    """dict.fromkeys(keys, value=None): every key holds the one value (so it must not be a list
    or dict the keys would share); JSON keys are strings."""
    args, _ = _plain_args(b, node, "dict.fromkeys", 1, 2)
    items = _iterable_expr(node, args[0], keys=b.key_type)
    value = args[1] if len(args) > 1 else const(None, pytypes.NONE)
    if value.ty.mutable:
        raise Refusal(node, "dict.fromkeys() with a list or dict value is not supported: every key would share "
                      "that one value", "build it with {k: [] for k in keys}")
    elem = items.ty.element
    guards = []
    if not (elem.only("str") or not elem.kinds):
        if not elem.may("str", "int"):
            raise Refusal(node, f"dict keys are strs or ints here; these keys are {elem.describe()}",
                          "convert the keys with str(...)")
        if not elem.only("int"):
            xs = items.code
            bad = f"$__filter({xs}, function($__k) {{ $type($__k) in ['array', 'object'] }})"
            guards.append(guard(f"($count({bad}) > 0)", TypeError,
                                f"\"unhashable type: '\" & $__pytype({bad}[0]) & \"'\"", items,
                                helpers={"filter", "pytype"}))
    key, stops = _stored_keys(node, items, "$__k", elem)
    code = f"($__v := {value.code}; $reduce({items.code}, function($__d, $__k) {{ $__setkey($__d, {key}, $__v) }}, {{}}))"
    return combine(code, pytypes.dict_of(value.ty), items, value, helpers={"setkey", *_key_helpers(key)},
                   guards=guards + stops)


def _key_helpers(key: str) -> set:
    """The helpers a stored key's JSONata calls (_stored_keys): none for a str, which leaves the
    machine without int keys (ir.encodes_int_keys reads these helpers)."""
    return {name for name in ("ikey", "ekey") if f"$__{name}(" in key}


def _stored_keys(node, items: Expr, key: str, ty: Ty, pairs: bool = False) -> tuple[str, list]:
    """(JSONata of the key each item of `items` is stored under, read as `key` in a function of
    the item; the machine's stops for items whose key it cannot hold): operations.store_key for a
    whole list of keys (the first of each pair, with `pairs`)."""
    if ty.only("str") or not ty.kinds:
        return key, []
    if ty.only("int"):
        return f"$__ikey({key})", []
    bad = f"$__filter({items.code}, function({'$__p' if pairs else '$__k'}) {{ {operations.unstorable_key(key)} }})"
    stop = Guard(f"($count({bad}) > 0)", None, "''", jsonata_lib.closure({"filter"}) | items.helpers, items.reads,
                 abort=True, error_name=operations.NON_STRING_KEY,
                 message_literal=operations.unstorable_key_cause(node))
    return f"$__ekey({key})", [stop]


def _set(b, node):
    """set(), set(iterable): the items, each hashed, the first of equal ones kept."""
    if node.keywords or len(node.args) > 1:
        raise Refusal(node, "set() takes at most one positional argument")
    if not node.args:
        return const([], sets.set_type(pytypes.NOTHING))
    arg = node.args[0]
    if isinstance(arg, ast.GeneratorExp):
        if effects(b, arg).any:
            raise Refusal(node, "set() of a generator that calls a callee is not supported",
                          "build a list with a list comprehension, then set(...) of it")
        return sets.from_items(node, pure_comprehension(b, sets.hashed_generator(arg)))
    return sets.from_items(node, _iterable(b, arg))


def _print(b, node):
    """print(...): the line Python prints (each argument's str(), `sep` between them) set to a
    hidden variable by a state of its own, "Print (line N)": a state machine has no stdout,
    and its history shows what a state assigns. (In a folded pure loop the line is computed
    as Python computes it, with its errors, but no state shows it.)"""
    keywords = {k.arg: k.value for k in node.keywords}
    literal = all(isinstance(v, ast.Constant) and isinstance(v.value, (str, bool, type(None))) for v in keywords.values())
    if None in keywords or set(keywords) - {"sep", "end", "flush"} or not literal:
        raise Refusal(node, "print() takes sep=, end= and flush= as literals here (a state machine has no files)",
                      "print the text itself, or log from a callee")
    args, _ = _plain_args(b, node, "print", 0, len(node.args), keywords=("sep", "end", "flush"))
    texts = [formatting.to_str(arg_node, arg) for arg_node, arg in zip(node.args, args, strict=True)]
    sep = keywords.get("sep")
    separator = " " if sep is None or sep.value is None else sep.value
    code = f" & {jsonata_lib.string(separator)} & ".join(t.code for t in texts) if texts else "''"
    b.assign_shown(b.temp("printed"), combine(code, pytypes.STR, *texts), f"Print (line {node.lineno})")
    return const(None, pytypes.NONE)


FUNCTIONS = {
    "len": _len, "str": _str, "repr": _repr, "int": _int, "float": _float, "bool": _bool,
    "abs": _abs, "round": _round, "hex": _in_base("hex", 16), "oct": _in_base("oct", 8), "bin": _in_base("bin", 2), "ord": _ord, "chr": _chr, "format": _format, "pow": _pow, "divmod": _divmod,
    "min": lambda b, n: _minmax(b, n, "min"),
    "max": lambda b, n: _minmax(b, n, "max"), "sum": _sum, "any": lambda b, n: _any_all(b, n, "any"),
    "all": lambda b, n: _any_all(b, n, "all"), "next": _next, "sorted": _sorted, "reversed": _reversed,
    "range": _range, "enumerate": _enumerate, "zip": _zip, "list": _list, "tuple": _tuple,
    "dict": _dict, "isinstance": _isinstance, "print": _print, "set": _set,
    sets.HASHABLE: lambda b, n: sets.hashable(n, b.expr(n.args[0])),
}


# -- methods that return a value ---------------------------------------------------------
def method(b, node: ast.Call, receiver: Expr, name: str, args: list, kwargs: dict) -> Expr:
    never = unreachable(receiver)
    if never is not None:
        return combine(never.code, never.ty, receiver, *args, *kwargs.values())
    ty = receiver.ty
    if sets.is_set(ty):
        return sets.method(node, receiver, name, args, kwargs, b.key_type)
    if ty.only("str"):
        handler = STR_METHODS.get(name)
        kind = "str"
    elif ty.only("list"):
        handler = LIST_METHODS.get(name)
        kind = "list"
    elif ty.only("dict"):
        handler = DICT_METHODS.get(name)
        kind = "dict"
    elif (ty.is_any and (name in STR_METHODS) != (name in DICT_METHODS) and name not in LIST_METHODS) or (
            ty.may("str") and name in STR_METHODS and (ty.kinds <= {"int", "bool", "str", "none"}
                                                       or ty.kinds <= {"float", "bool", "str", "none"})):
        # the type is checked when the workflow runs, as Python's attribute lookup would (also
        # a str or a number of one record field, `row["qty"]` before and after `int(...)` or
        # `float(...)`: its numbers all ints or all floats, so the message names the right one)
        kind = "str" if name in STR_METHODS else "dict"
        receiver = _of_kind(receiver, kind, name, pytypes.STR if kind == "str" else pytypes.dict_of(None))
        handler = STR_METHODS.get(name) if kind == "str" else DICT_METHODS.get(name)
    elif ty.is_any or ty.json_number:
        return _method_of_unknown(b, node, receiver, name, args, kwargs)
    elif (kind := _sole_owner(name)) is not None and ty.may(kind):
        # a union of kinds (a record's value, `str | dict`: a tree's node read from a list
        # that holds either) where one kind has the method: that kind is checked when it runs
        receiver = _of_kind(receiver, kind, name, ty.without(*(ty.kinds - {kind})))
        handler = {"str": STR_METHODS, "list": LIST_METHODS, "dict": DICT_METHODS}[kind].get(name)
    else:
        raise Refusal(node, f".{name}() on {ty.describe()}: the compiler needs to know the value's type",
                      ANY_HINT)
    if handler is None:
        raise Refusal(node, f"{kind}.{name}() is not supported in a workflow", "do it in a callee",
                      computable=True)
    return handler(b, node, receiver, args, kwargs)


def _sole_owner(name: str) -> str | None:
    """The one kind of str, list and dict that has the method `name`, else None."""
    owners = [kind for kind, table in (("str", STR_METHODS), ("list", LIST_METHODS), ("dict", DICT_METHODS))
              if name in table]
    return owners[0] if len(owners) == 1 else None


def _of_kind(receiver: Expr, kind: str, name: str, ty: Ty) -> Expr:
    """`receiver`, checked to be of `kind` when the workflow runs (Python's AttributeError for
    the method `name` otherwise), as the type `ty` from there on."""
    json_type = {"str": "string", "list": "array", "dict": "object"}[kind]
    named = f"$__pytype({receiver.code})"
    if receiver.ty.may("float") and not receiver.ty.is_any:  # an integral float is a JSON number like an int
        named = f"($type({receiver.code}) = 'number' ? 'float' : {named})"
    check = guard(f"($type({receiver.code}) != '{json_type}')", AttributeError,
                  f"\"'\" & {named} & \"' object has no attribute '{name}'\"", receiver, helpers={"pytype"})
    return Expr(receiver.code, ty, receiver.guards + (check,), receiver.reads, receiver.helpers | check.helpers)


_RECEIVERS = (("str", "string", pytypes.STR), ("list", "array", pytypes.list_of(None)),
              ("dict", "object", pytypes.dict_of(None)))


def _method_of_unknown(b, node, receiver: Expr, name: str, args: list, kwargs: dict) -> Expr:
    """`receiver.name(...)` where the receiver's kind is known only at run time and several
    kinds have the method (`.count` of a str or a list): each kind's method, chosen when the
    workflow runs, its guards checked only for that kind; another kind is Python's AttributeError."""
    tables = {"str": STR_METHODS, "list": LIST_METHODS, "dict": DICT_METHODS}
    r = receiver.code
    paths, unsupported, found = [], [], []
    for kind, json_type, narrowed in _RECEIVERS:
        handler = tables[kind].get(name)
        if handler is None or not receiver.ty.may(kind):
            continue
        try:
            result = handler(b, node, Expr(r, narrowed, reads=receiver.reads, helpers=receiver.helpers), list(args),
                             dict(kwargs))
        except Refusal:  # these arguments do not fit this kind's method: stop there, loudly
            unsupported.append(json_type)
            continue
        paths.append((f"$type({r}) = '{json_type}'", result))
        found.append(json_type)
    if not paths:
        owners = [kind for kind, python in (("str", str), ("list", list), ("dict", dict)) if hasattr(python, name)]
        if owners and not unsupported:  # Python's own method, which the compiler does not lower
            # (no annotation would help: name the method, not the type)
            raise Refusal(node, f".{name}() on {receiver.ty.describe()}: {' and '.join(o + '.' + name + '()' for o in owners)}"
                          " is not supported in a workflow", "do it in a callee", computable=True)
        raise Refusal(node, f".{name}() on {receiver.ty.describe()}: no JSON value has this method with these "
                      "arguments", ANY_HINT)
    kinds = found + unsupported  # (not read back from the tests: the receiver's code may hold quotes)
    missing = guard(f"$not($type({r}) in {kinds!r})".replace('"', "'"), AttributeError,
                    f"\"'\" & $__pytype({r}) & \"' object has no attribute '{name}'\"", receiver, helpers={"pytype"})
    guards, code, ty, helpers = [missing], "null", None, set()
    if unsupported:
        guards.append(Guard(f"($type({r}) in {unsupported!r})".replace('"', "'"), None, "''", receiver.helpers,
                            receiver.reads, abort=True, error_name=UNSUPPORTED,
                            message_literal=f"line {getattr(node, 'lineno', 0)}: .{name}() with these arguments on "
                                            "a value whose type is not annotated and is not what they fit"))
    for test, result in reversed(paths):
        code = f"({test} ? {result.code} : {code})"
        ty = pytypes.join(ty, result.ty)
        helpers |= result.helpers
    for test, result in paths:
        own = [g for g in result.guards if g not in receiver.guards]
        guards += [g.under(test, receiver.helpers, receiver.reads) for g in own]
    # Python looks the method up before it evaluates the arguments: AttributeError first
    looked_up = attrs.evolve(receiver, guards=receiver.guards + tuple(guards[:1 + bool(unsupported)]))
    arg_guards = {g for part in (*args, *kwargs.values()) for g in part.guards}
    rest = [g for g in guards[1 + bool(unsupported):] if g not in arg_guards]
    return combine(code, ty, looked_up, *args, *kwargs.values(), helpers=helpers, guards=rest)


def _need(node, name, args, kwargs, low, high, types=None, keywords=()):
    if set(kwargs) - set(keywords):
        raise Refusal(node, f"{name}() does not take these keyword arguments here")
    if not low <= len(args) <= high:
        count = f"{low} argument{'s' * (low != 1)}" if low == high else f"{low} to {high} arguments"
        raise Refusal(node, f"{name}() takes {count} here ({len(args)} given)")
    for position, (arg, expected) in enumerate(zip(args, types or [], strict=False)):
        if expected == ("int",) and not arg.ty.only("int") and _named_at_run_time(arg.ty):
            args[position] = arg = _index_argument(arg)  # checked at run time, as Python checks it
        if expected == ("str",) and name.startswith("str.") and not arg.ty.only("str") and _named_at_run_time(arg.ty):
            fillers = [0 if expected_ == ("int",) else "a" for expected_ in (types or [])][:len(args)]
            args[position] = arg = _str_argument(name[4:], position, len(args), arg, fillers=fillers)
        if expected and not arg.ty.only(*expected):
            raise Refusal(node, f"{name}() argument must be {' or '.join(expected)}, not {arg.ty.describe()}",
                          ANY_HINT if arg.ty.is_any else "")


def _named_at_run_time(ty: Ty) -> bool:
    """Whether `$__pytype` names the class of every value of this type as Python does (not a
    float the workflow computed, which may be integral; not a tuple, a JSON array as a list is)."""
    return _dynamic_kind(ty) or (("float" not in ty.kinds or ty.json_number)
                                 and ("list" not in ty.kinds or ty.form == "list") and "exc" not in ty.kinds)


def _index_argument(arg: Expr) -> Expr:
    """An int argument (a width, a count, a position) whose kind is known only at run time:
    Python takes an int or a bool, and raises TypeError for anything else."""
    a = arg.code
    check = guard(f"$not($type({a}) = 'boolean' or ($type({a}) = 'number' and $floor({a}) = {a}))", TypeError,
                  f"\"'\" & $__pytype({a}) & \"' object cannot be interpreted as an integer\"", arg,
                  helpers={"pytype"})
    return combine(f"($type({a}) = 'boolean' ? ({a} ? 1 : 0) : {a})", pytypes.INT, arg, guards=[check])


_SAMPLES = (("number", 1), ("boolean", True), ("null", None), ("array", [1]), ("object", {"a": 1}))


def _dynamic_kind(ty: Ty) -> bool:
    """A value whose kind is known only at run time: nobody annotated it, or it never exists
    (an item of an empty `[]` literal)."""
    return ty.is_any or ty.json_number or not ty.kinds


def _str_argument(method: str, position: int, count: int, arg: Expr, none: bool = False,
                  fillers: list | None = None) -> Expr:
    """A str argument of a str method whose kind is known only at run time: anything else is
    the TypeError this Python's method raises for that kind (each method words it its own way).
    `none`: None is accepted too (str.split's separator); `fillers`: valid values for the other
    arguments (an int start for find), so that the message is the one this argument causes."""
    a = arg.code
    message = "''"
    fillers = fillers if fillers is not None and len(fillers) == count else ["a"] * count
    for json_type, sample in reversed(_SAMPLES):
        if none and sample is None:
            continue
        try:
            getattr("a", method)(*[sample if i == position else fillers[i] for i in range(count)])
        except TypeError as error:
            text = str(error)
            if json_type == "number":  # the type's name is the last word that names it
                head, _, tail = text.rpartition(type(sample).__name__)
                text = head + "TYPE" + tail
            text = jsonata_lib.string(text)
            if json_type == "number":  # an int or a float, by the number rule
                text = text.replace("TYPE", "\" & $__pytype(" + a + ") & \"")
            message = f"($type({a}) = '{json_type}' ? {text} : {message})"
    accepted = "['string', 'null']" if none else "['string']"
    check = guard(f"$not($type({a}) in {accepted})", TypeError, message, arg, helpers={"pytype"})
    return combine(a, pytypes.Ty(frozenset({"str", "none"})) if none else pytypes.STR, arg, guards=[check])


def _s(code, *parts, helpers=(), ty=pytypes.STR, guards=()):
    return combine(code, ty, *parts, helpers=helpers, guards=guards)


def _str_split(b, node, s, args, kwargs):
    sep = args[0] if args else kwargs.get("sep")
    maxsplit = args[1] if len(args) > 1 else kwargs.get("maxsplit", const(-1, pytypes.kind("int", 1)))
    _need(node, "str.split", args, kwargs, 0, 2, keywords=("sep", "maxsplit"))
    if not maxsplit.ty.only("int"):
        raise Refusal(node, "maxsplit must be an int")
    split = _by_separator(node, "split", s, sep, maxsplit)
    if split is not None:
        return split
    checks = _empty_separator(sep)
    if maxsplit.is_const and maxsplit.const < 0:  # every part: JSONata's own $split is Python's
        return _s(f"$split({s.code}, {sep.code})", s, sep, maxsplit, ty=_PARTS, guards=checks)
    return _s(f"$__split_sep({s.code}, {sep.code}, {maxsplit.code})", s, sep, maxsplit, helpers={"split_sep"},
              ty=_PARTS, guards=checks)


_PARTS = pytypes.list_of(pytypes.STR)


def _by_separator(node, method: str, s: Expr, sep: Expr | None, maxsplit: Expr) -> Expr | None:
    """str.split/rsplit where the separator is None (whitespace: helper `split_ws` or
    `rsplit_ws`) or a str or None known only at run time (Python's TypeError for anything
    else, its ValueError for an empty one); None where it is a str (the caller splits by it)."""
    whitespace, by_sep = f"{method}_ws", f"{method}_sep"
    if sep is None or (sep.is_const and sep.const is None):
        return _s(f"$__{whitespace}({s.code}, {maxsplit.code})", s, maxsplit, helpers={whitespace}, ty=_PARTS)
    if _dynamic_kind(sep.ty) and sep.ty.may("str", "none"):
        sep = _str_argument(method, 0, 1, sep, none=True)
        empty = guard(f"({sep.code} = '')", ValueError, "'empty separator'", sep)
        return _s(f"($type({sep.code}) = 'null' ? $__{whitespace}({s.code}, {maxsplit.code}) :"
                  f" $__{by_sep}({s.code}, {sep.code}, {maxsplit.code}))", s, sep, maxsplit,
                  helpers={whitespace, by_sep}, ty=_PARTS, guards=[empty])
    if not sep.ty.only("str"):
        raise Refusal(node, f"the separator must be a str or None, not {sep.ty.describe()}")
    return None


def _empty_separator(sep: Expr) -> list:
    """Python's ValueError for an empty separator, where it may be one."""
    return [] if sep.is_const and sep.const != "" else [guard(f"({sep.code} = '')", ValueError, "'empty separator'", sep)]


def _str_splitlines(b, node, s, args, kwargs):
    _need(node, "str.splitlines", args, kwargs, 0, 1, keywords=("keepends",))
    keepends = args[0] if args else kwargs.get("keepends")
    if keepends is not None and not (keepends.is_const and keepends.const in (False, 0)):
        raise Refusal(node, "str.splitlines(keepends=True) is not supported", "use splitlines() and add the ends")
    return _s(f"$__splitlines({s.code})", s, helpers={"splitlines"}, ty=pytypes.list_of(pytypes.STR))


def _str_rsplit(b, node, s, args, kwargs):
    sep = args[0] if args else kwargs.get("sep")
    maxsplit = args[1] if len(args) > 1 else kwargs.get("maxsplit")
    if maxsplit is None or (maxsplit.is_const and maxsplit.const == -1):  # the same parts as split()
        return _str_split(b, node, s, args[:1], {k: v for k, v in kwargs.items() if k == "sep"})
    _need(node, "str.rsplit", args, kwargs, 0, 2, keywords=("sep", "maxsplit"))
    if not maxsplit.ty.only("int"):
        raise Refusal(node, f"maxsplit must be an int, not {maxsplit.ty.describe()}")
    split = _by_separator(node, "rsplit", s, sep, maxsplit)
    if split is not None:
        return split
    return _s(f"$__rsplit_sep({s.code}, {sep.code}, {maxsplit.code})", s, sep, maxsplit, helpers={"rsplit_sep"},
              ty=_PARTS, guards=_empty_separator(sep))


def _str_join(b, node, s, args, kwargs):
    _need(node, "str.join", args, kwargs, 1, 1)
    items = _iterable_expr(node, args[0], "can only join an iterable", b.key_type)
    elem = items.ty.element
    if elem.only("str") or not elem.kinds:
        return _s(f"$join({items.code}, {s.code})", s, items)
    check = guard(f"($count($__filter({items.code}, function($__x) {{ $type($__x) != 'string' }})) > 0)", TypeError,
                  f"($__i := $__list_index($__map({items.code}, function($__x) {{ $type($__x) = 'string' }}), false);"
                  f" 'sequence item ' & $__i & ': expected str instance, ' & $__pytype({items.code}[$__i]) & ' found')",
                  items, helpers={"filter", "list_index", "map", "pytype"})
    return _s(f"$join({items.code}, {s.code})", s, items, guards=[check])


def _strip(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 0, 1)
        left, right = ("true" if which in ("strip", "lstrip") else "false",
                       "true" if which in ("strip", "rstrip") else "false")
        if not args or (args[0].is_const and args[0].const is None):
            return _s(f"$__strip_ws({s.code}, {left}, {right})", s, helpers={"strip_ws"})
        chars = args[0]
        if chars.is_const and isinstance(chars.const, str) and all(c <= "\uffff" and not "\ud800" <= c <= "\udfff"
                                                                   for c in chars.const):
            # literal characters (`line.strip("[]")`): a regex class, native, in place of a walk
            # of the text's characters (1,500 log lines passed an evaluation's budget)
            if not chars.const:
                return s
            members = "".join(f"\\u{ord(c):04x}" for c in dict.fromkeys(chars.const))
            code = s.code
            if left == "true":
                code = f"$replace({code}, /^[{members}]+/, '')"
            if right == "true":
                code = f"$replace({code}, /[{members}]+$/, '')"
            return _s(code, s)
        if chars.ty.only("str"):
            return _s(f"$__strip_chars({s.code}, {chars.code}, {left}, {right})", s, chars, helpers={"strip_chars"})
        if not chars.ty.may("str", "none") and chars.ty.kinds:
            raise Refusal(node, f"{which}() of {chars.ty.describe()}: Python raises TypeError ({which} arg must be "
                          "None or str)", f"pass the characters to {which} as a str")
        # a str or None known at run time (`sep` with no annotation): Python's TypeError otherwise
        c = chars.code
        check = guard(f"$not($type({c}) in ['string', 'null'])", TypeError,
                      jsonata_lib.string(f"{which} arg must be None or str"), chars)
        code = f"($type({c}) = 'null' ? $__strip_ws({s.code}, {left}, {right}) : $__strip_chars({s.code}, {c}, {left}, {right}))"
        return _s(code, s, chars, helpers={"strip_ws", "strip_chars"}, guards=[check])
    return handler


def _case(function):
    def handler(b, node, s, args, kwargs):
        _need(node, "str method", args, kwargs, 0, 0)
        return _s(function.format(s.code), s, helpers={"title"} if "title" in function else ())
    return handler


def _casefold(b, node, s, args, kwargs):
    """$lowercase, then the four letters lowercase text keeps and casefold() replaces; the
    machine stops on the rest casefold() changes further (Greek with iota subscripts, ligatures,
    Cherokee: jsonata_lib.CASEFOLD_STOPS) rather than guess."""
    _need(node, "str.casefold", args, kwargs, 0, 0)
    code = f"$lowercase({s.code})"
    stop = Guard(f"$contains({code}, /[{jsonata_lib.CASEFOLD_STOPS}]/)", None, "''", s.helpers, s.reads, abort=True,
                 error_name=UNSUPPORTED, message_literal=f"line {getattr(node, 'lineno', 0)}: str.casefold() of a "
                 "letter it folds into several or into uppercase (Python decides by its Unicode tables)")
    for letter, folded in jsonata_lib.CASEFOLD_REPLACED.items():
        code = f"$replace({code}, '{letter}', '{folded}')"
    return _s(code, s, guards=[stop])


def _capitalize(b, node, s, args, kwargs):
    _need(node, "str.capitalize", args, kwargs, 0, 0)
    return _s(f"$__capitalize({s.code})", s, helpers={"capitalize"})


def _replace(b, node, s, args, kwargs):
    _need(node, "str.replace", args, kwargs, 2, 3, [("str",), ("str",), ("int",)])
    count = args[2].code if len(args) > 2 else "-1"
    return _s(f"$__replace({s.code}, {args[0].code}, {args[1].code}, {count})", s, *args, helpers={"replace"})


def _starts(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 1, 3)
        # CPython reads start and end (None, or slice indices) before it checks the prefix
        checks, bounds = [], []
        for bound in args[1:]:
            checked = operations.slice_index(node, bound)
            checks += [g for g in checked.guards if g not in bound.guards]
            bounds.append(attrs.evolve(checked, guards=bound.guards))
        prefix = args[0]
        if not prefix.ty.only("str") and _dynamic_kind(prefix.ty):  # JSON holds no tuples
            checked = _str_argument(which, 0, len(args), prefix, fillers=["a", 0, None][:len(args)])
            checks += [g for g in checked.guards if g not in prefix.guards]
            prefix = attrs.evolve(checked, guards=prefix.guards)
        options = [prefix] if prefix.ty.only("str") else None
        if options is None:
            if prefix.is_const and isinstance(prefix.const, tuple) and all(isinstance(p, str) for p in prefix.const):
                options = [const(p, pytypes.STR) for p in prefix.const]
            elif prefix.ty.only("list") and prefix.ty.form == "tuple" and not prefix.ty.items:
                return _starts_any(which, s, prefix, bounds, checks)
            else:
                raise Refusal(node, f"{which}() takes a str or a tuple of str literals")
        tests = [_prefix_test(which, s.code, option.code, bounds) for option in options]
        return _s("(" + " or ".join(tests) + ")", s, prefix, *bounds, ty=pytypes.BOOL, guards=checks)
    return handler


def _prefix_test(which: str, s: str, p: str, bounds: list) -> str:
    """Whether the str `s` starts (or ends) with the str `p`, within s[start:end] as CPython's
    tailmatch adjusts `bounds` (start may pass the end)."""
    if bounds:
        return _tail_match(which, s, p, bounds)
    if which == "startswith":
        return f"($substring({s}, 0, $length({p})) = {p})"
    return f"($length({p}) = 0 or ($length({s}) >= $length({p}) and $substring({s}, $length({s}) - $length({p})) = {p}))"


def _starts_any(which: str, s: Expr, prefixes: Expr, bounds: list, checks: list) -> Expr:
    """s.startswith(tuple(prefixes)): the items in order, True at the first that matches;
    an item that is no str before that is Python's TypeError ("tuple for startswith must only
    contain str, not int"), one after it never looked at."""
    found = (f"$reduce({prefixes.code}, function($__f, $__p) {{ $__f != null ? $__f : $type($__p) != 'string' ? "
             f"{{'bad': $__p}} : {_prefix_test(which, s.code, '$__p', bounds)} ? true : null }}, null)")
    if not prefixes.ty.element.only("str"):
        checks = [*checks, guard(f"($type({found}) = 'object')", TypeError,
                                 f"'tuple for {which} must only contain str, not ' & $__pytype(({found}).bad)",
                                 s, prefixes, *bounds, helpers={"pytype"})]
    return _s(f"(({found}) = true)", s, prefixes, *bounds, ty=pytypes.BOOL, guards=checks)


def _tail_match(which: str, s: str, option: str, bounds: list) -> str:
    """s.startswith(p, start[, end]) / s.endswith(...): CPython clamps end to the length and a
    negative bound from the end, never start to the length ("ab".startswith("", 3) is False),
    then the prefix must fit between them."""
    length = f"$length({s})"
    start = f"($__a := {bounds[0].code}; $type($__a) = 'null' ? 0 : $__a < 0 ? $max([$__a + {length}, 0]) : $__a)"
    end = length if len(bounds) < 2 else (f"($__a := {bounds[1].code}; $type($__a) = 'null' ? {length} :"
                                          f" $__a < 0 ? $max([$__a + {length}, 0]) : $min([$__a, {length}]))")
    at = "$__st" if which == "startswith" else f"$__en - $length({option})"
    return (f"($__st := {start}; $__en := {end}; $__en - $length({option}) < $__st ? false :"
            f" $substring({s}, {at}, $length({option})) = {option})")


def _sub_and_bounds(node, which: str, s: Expr, args: list) -> tuple[Expr, list, list, str]:
    """(sub, start and end, their checks, JSONata binding `$__st` and `$__en`: the bounds as
    CPython adjusts them, `$__st` past the end where start is) of str.find/count(sub, start, end).
    CPython reads start and end (None, or slice indices) before it checks the substring."""
    checks = []
    bounds = []
    for bound in args[1:]:
        checked = operations.slice_index(node, bound)
        checks += [g for g in checked.guards if g not in bound.guards]
        bounds.append(attrs.evolve(checked, guards=bound.guards))
    sub = args[0]
    if not sub.ty.only("str") and _named_at_run_time(sub.ty):
        checked = _str_argument(which, 0, len(args), sub, fillers=["a", 0, 0][:len(args)])
        checks += [g for g in checked.guards if g not in sub.guards]
        sub = attrs.evolve(checked, guards=sub.guards)
    if not sub.ty.only("str"):
        raise Refusal(node, f"str.{which}() argument must be str, not {sub.ty.describe()}")
    length = f"$length({s.code})"
    start = "0" if not bounds else (
        f"($__a := {bounds[0].code}; $type($__a) = 'null' ? 0 : $__a < 0 ? $max([$__a + {length}, 0]) : $__a)")
    end = length if len(bounds) < 2 else (
        f"($__a := {bounds[1].code}; $type($__a) = 'null' ? {length} :"
        f" $__a < 0 ? $max([$__a + {length}, 0]) : $min([$__a, {length}]))")
    return sub, bounds, checks, f"$__st := {start}; $__en := {end};"


def _find(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 1, 3)
        sub, bounds, checks, within = _sub_and_bounds(node, which, s, args)
        helper = "find" if which in ("find", "index") else "rfind"
        code = f"$__{helper}({s.code}, {sub.code})"
        if bounds:  # within s[start:end]
            code = (f"({within} $__en - $__st < $length({sub.code}) ? -1 :"
                    f" ($__r := $__{helper}($substring({s.code}, $__st, $__en - $__st), {sub.code});"
                    f" $__r < 0 ? -1 : $__r + $__st))")
        parts = [s, sub, *bounds]
        if which in ("index", "rindex"):
            checks.append(guard(f"({code} < 0)", ValueError, "'substring not found'", *parts, helpers={helper}))
        return _s(code, *parts, helpers={helper}, ty=pytypes.SMALL_INT, guards=checks)
    return handler


# str.isX(): decided from this Python's Unicode data. Written out: the characters up to
# KNOWN_UP_TO (Latin, Greek, Cyrillic: `"Zoë".isalpha()`; the digit tests, whose classes are
# short, the whole BMP) and, past it, the runs of characters that do not change the answer
# (punctuation, symbols and emoji: `"don’t".isalpha()`, `"—".isdigit()`, `"Ok 👍".islower()`):
# for isalpha() and the like they make it False, for islower()/isupper() they are uncased
# (CJK, Hangul, kana too: no case).
# Text with a character of neither kind that no character already decides stops the machine.
# Whitespace is a class of 25 characters, all in the BMP: known everywhere.
KNOWN_UP_TO = 0x052F
_KNOWN_DIGITS = 0xFFFF
_DIGIT_TESTS = ("isdigit", "isdecimal", "isnumeric")
_RUN = 32  # characters a run of characters past KNOWN_UP_TO is written out from (few ranges)
_EMOJI = (0x1F000, 0x1FAFF)  # the emoji blocks: past the BMP, written out as pairs of surrogates


def _known(which: str) -> int:
    return _KNOWN_DIGITS if which in _DIGIT_TESTS else KNOWN_UP_TO


def _uncased(ch: str) -> bool:
    return not (ch.islower() or ch.isupper() or unicodedata.category(ch) == "Lt")


# ... and for isalpha()/isalnum(), the long runs of letters past it (CJK, Hangul, kana: 30 ranges
# of 44,270 characters, `"東京".isalpha()`), written out as True
_LETTER_RUN = 64
_CLASS_TESTS = ("isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum")


@functools.cache
def _letters(which: str) -> str:
    """The inside of a class of the long runs of letters past KNOWN_UP_TO (isalpha/isalnum)."""
    if which not in ("isalpha", "isalnum"):
        return ""
    return jsonata_lib.class_of_runs(jsonata_lib.runs(getattr(str, which), KNOWN_UP_TO + 1, 0xFFFF, _LETTER_RUN))


@functools.cache
def _known_class(which: str) -> str:
    """The class of the characters `which` holds for, written out (built on first use: the
    BMP's tables cost some 50 ms, which a compile that tests no text need not spend)."""
    return "[" + jsonata_lib.char_class(getattr(str, which), _known(which))[1:-1] + _letters(which) + "]"


@functools.cache
def _past(which: str) -> tuple[str, str]:
    """(class inside, alternation of surrogate pairs) of the characters past what `which`
    writes out that do not change its answer (isalpha() and the like: those it fails for;
    islower()/isupper(): the uncased), in runs of _RUN or more."""
    if which in ("isupper", "islower"):
        test = _uncased
    else:
        holds = getattr(str, which)

        def test(ch: str) -> bool:
            return not holds(ch)
    return (jsonata_lib.class_of_runs(jsonata_lib.runs(test, _known(which) + 1, 0xFFFF, _RUN)),
            jsonata_lib.astral_pairs(jsonata_lib.runs(test, *_EMOJI, _RUN)))

_SPACES = jsonata_lib.char_class(str.isspace, 0xFFFF)
# isupper()/islower(): a cased character of the other case, or a titlecase one (Lt: `ǅ`), makes
# it False, at least one of its own case True (CPython's unicode_islower_impl)
_CASED = {"islower": (jsonata_lib.char_class(str.islower, KNOWN_UP_TO),
                      jsonata_lib.char_class(lambda c: c.isupper() or unicodedata.category(c) == "Lt", KNOWN_UP_TO)),
          "isupper": (jsonata_lib.char_class(str.isupper, KNOWN_UP_TO),
                      jsonata_lib.char_class(lambda c: c.islower() or unicodedata.category(c) == "Lt", KNOWN_UP_TO))}


def _is_class(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 0, 0)
        c = s.code
        if which == "isascii":
            return _s(f"$not($contains({c}, /[^\\u0000-\\u007f]/))", s, ty=pytypes.BOOL)
        if which == "isspace":
            return _s(f"$contains({c}, /^{_SPACES}+$/)", s, ty=pytypes.BOOL)
        known_to, (bmp, pairs) = _known(which), _past(which)
        if which in ("isupper", "islower"):
            has, other = _CASED[which]
            code = f"($contains({c}, /{has}/) and $not($contains({c}, /{other}/)))"
            failing = other
        else:
            known = _known_class(which)
            code = f"$contains({c}, /^{known}+$/)"
            rest = f"\\u{known_to + 1:04x}-\\uffff" if known_to < 0xFFFF else "\\ud800-\\udfff"
            failing = "|".join(filter(None, [f"[^{known[1:-1]}{rest}]", f"[{bmp}]" if bmp else "", pairs]))
        # past the characters written out, Python's Unicode tables decide: the machine stops
        # rather than guess, unless a character already decides (False: 'Zoë=x'.isdigit()); a
        # high surrogate starts a character past the BMP (the low one it is paired with is no
        # character of its own)
        unknown = (f"(?!{pairs})" if pairs else "") + (
            f"[^\\u0000-\\u{known_to:04x}{bmp}{_letters(which)}\\udc00-\\udfff]" if known_to < 0xFFFF
            else "[\\ud800-\\udbff]")
        beyond = Guard(f"($contains({c}, /{unknown}/) and $not($contains({c}, /{failing}/)))",
                       None, "''", s.helpers, s.reads, abort=True,
                       error_name=UNSUPPORTED, message_literal=f"line {getattr(node, 'lineno', 0)}: str.{which}() of "
                       f"text with characters Python's Unicode tables decide (past U+{known_to:04X})")
        return _s(code, s, ty=pytypes.BOOL, guards=[beyond])
    return handler


def _str_count(b, node, s, args, kwargs):
    if len(args) == 1:
        _need(node, "str.count", args, kwargs, 1, 1, [("str",)])
        return _s(f"$__count_str({s.code}, {args[0].code})", s, args[0], helpers={"count_str"}, ty=pytypes.SMALL_INT)
    _need(node, "str.count", args, kwargs, 1, 3)
    sub, bounds, checks, within = _sub_and_bounds(node, "count", s, args)
    code = (f"({within} $__en - $__st < $length({sub.code}) ? 0 :"
            f" $__count_str($substring({s.code}, $__st, $__en - $__st), {sub.code}))")
    return _s(code, s, sub, *bounds, helpers={"count_str"}, ty=pytypes.SMALL_INT, guards=checks)


def _justify(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 1, 2, [("int",), ("str",)])
        fill = args[1] if len(args) > 1 else const(" ", pytypes.STR)
        guards = []
        if not (fill.is_const and len(fill.const) == 1):
            guards.append(guard(f"($length({fill.code}) != 1)", TypeError,
                                "'The fill character must be exactly one character long'", fill))
        width = args[0]
        if which != "center" and width.is_const and type(width.const) is int and width.const >= 0:
            # $pad pads to at least |width|; only a negative width (which Python ignores) needs the helper
            signed = width.const if which == "ljust" else -width.const
            return _s(f"$pad({s.code}, {signed}, {fill.code})", s, *args, guards=guards)
        return _s(f"$__{which}({s.code}, {width.code}, {fill.code})", s, *args, helpers={which}, guards=guards)
    return handler


def _zfill(b, node, s, args, kwargs):
    _need(node, "str.zfill", args, kwargs, 1, 1, [("int",)])
    w = args[0].code
    code = (f"($__h := $substring({s.code}, 0, 1); $__sign := $__h = '+' or $__h = '-';"
            f" $__body := $__sign ? $substring({s.code}, 1) : {s.code};"
            f" ($__sign ? $__h : '') & $__rjust($__body, {w} - ($__sign ? 1 : 0), '0'))")
    return _s(code, s, args[0], helpers={"rjust"})


def _affix(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 1, 1, [("str",)])
        a = args[0].code
        if which == "removeprefix":
            code = (f"($length({a}) > 0 and $substring({s.code}, 0, $length({a})) = {a}"
                    f" ? $substring({s.code}, $length({a})) : {s.code})")
        else:
            code = (f"($length({a}) > 0 and $length({s.code}) >= $length({a}) and"
                    f" $substring({s.code}, $length({s.code}) - $length({a})) = {a}"
                    f" ? $substring({s.code}, 0, $length({s.code}) - $length({a})) : {s.code})")
        return _s(code, s, args[0])
    return handler


_FORMAT_FIELD = re.compile(r"([^.\[]*)((?:\[[^\]]*\]|\.[^.\[]*)*)")


def _str_format(b, node, s, args, kwargs):
    mapping = kwargs.pop("**", None)
    if mapping is not None:  # `template.format(**values)`: the names are its keys (int keys name no field)
        if not mapping.ty.only("dict"):
            m = mapping.code
            mapping = attrs.evolve(mapping, ty=pytypes.dict_of(mapping.ty.values if mapping.ty.may("dict") else None),
                                   guards=(*mapping.guards, guard(
                                       f"($type({m}) != 'object')", TypeError, "'str.format() argument after ** must "
                                       f"be a mapping, not ' & $__pytype({m})", mapping, helpers={"pytype"})))
    receiver_checks = s.guards  # (a literal bound to a variable: its read's own checks, unbound, ...)
    if not s.is_const:
        template = _literal_binding(b, node.func.value if isinstance(node.func, ast.Attribute) else None)
        if template is None:
            return _str_format_at_run_time(node, s, args, kwargs, mapping)
        s = const(template, pytypes.STR)
    parts: list[Expr] = [combine("''", pytypes.STR, guards=receiver_checks)] if receiver_checks else []
    auto, numbering = 0, None
    for literal, field, spec, conversion in stringlib.Formatter().parse(s.const):
        if literal:
            parts.append(const(literal, pytypes.STR))
        if field is None:
            continue
        match = _FORMAT_FIELD.fullmatch(field)
        if match is None or "." in match[2]:
            raise Refusal(node, f"str.format(): field {field!r} is not supported", "index items only: {0[key]}")
        name = match[1]
        switched = _numbering_switch(name, numbering)
        if switched is not None:  # `"{}|{0}".format(x, x)`: Python's ValueError, when it reaches the field
            parts.append(combine("''", pytypes.STR, guards=[guard("true", ValueError, jsonata_lib.string(switched))]))
            break
        numbering = numbering or ("auto" if name == "" else "manual" if name.isdigit() else None)
        if name == "":
            if auto >= len(args):
                raise Refusal(node, "str.format(): not enough positional arguments")
            value = args[auto]
            auto += 1
        elif name.isdigit():
            if int(name) >= len(args):  # Python's IndexError, when the line runs
                message = _python_error(lambda a: s.const.format(*a), tuple(range(len(args))))
                parts.append(combine("''", pytypes.STR, guards=[guard("true", IndexError, jsonata_lib.string(message))]))
                continue
            value = args[int(name)]
        elif name in kwargs:
            value = kwargs[name]
        elif mapping is not None:
            value = operations.subscript(node, mapping, const(name, pytypes.STR), int_keys=b.int_keys)
        else:  # Python's KeyError naming the field
            parts.append(combine("''", pytypes.STR, guards=[guard("true", KeyError, jsonata_lib.string(repr(name)))]))
            continue
        for key in re.findall(r"\[([^\]]*)\]", match[2]):  # {0[name]}: an item, an int where it is digits
            value = operations.subscript(node, value, const(int(key) if key.isdigit() else key, pytypes.INT if
                                                        key.isdigit() else pytypes.STR), int_keys=b.int_keys)
        if conversion == "r":
            value = formatting.to_repr(node, value)
        elif conversion == "s":
            value = formatting.to_str(node, value)
        elif conversion:
            raise Refusal(node, f"!{conversion} conversion is not supported")
        if spec and ("{" in spec):
            raise Refusal(node, "nested format specs are not supported in str.format()",
                          "write it as an f-string, where they are: f\"{value:>{width}}\"")
        parts.append(formatting.format_value(node, value, spec or ""))
    if not parts:
        return const("", pytypes.STR)
    return combine("(" + " & ".join(p.code for p in parts) + ")", pytypes.STR, *parts)


def _numbering_switch(name: str, numbering: str | None) -> str | None:
    """Python's message where a field numbers its argument otherwise than the fields before it
    (`{}` after `{0}`, or `{0}` after `{}`), else None."""
    if name == "" and numbering == "manual":
        return "cannot switch from manual field specification to automatic field numbering"
    if name.isdigit() and numbering == "auto":
        return "cannot switch from automatic field numbering to manual field specification"
    return None


def _literal_binding(b, name: ast.expr | None) -> str | None:
    """The str a local is always bound to, where its one binding in the function is a literal
    (`tpl = "{bal:.1f}"`, then `tpl.format(bal=bal)`): the template is then known, as a literal
    written in place is."""
    if not isinstance(name, ast.Name) or b.lookup(name.id, record=False)[0] is not b.scope:
        return None
    stores = ast_edits.binders(name.id, b.scope.body)
    if len(stores) != 1 or not (isinstance(stores[0], ast.Assign) and len(stores[0].targets) == 1
                                and isinstance(stores[0].value, ast.Constant) and isinstance(stores[0].value.value, str)):
        return None
    if any(isinstance(n, (ast.Global, ast.Nonlocal)) and name.id in n.names
           for statement in b.scope.body for n in ast.walk(statement)):
        return None
    return stores[0].value.value


def _str_format_at_run_time(node, s: Expr, args: list, kwargs: dict, mapping: Expr | None = None) -> Expr:
    """`template.format(...)` of a template known at run time only (a parameter, a callee's):
    every argument as str() and repr() (Python formats a field with no spec so: `{x}`, `{x!s}`,
    `{x!r}`), the template walked in JSONata (`$__format_rt`): `{}`, `{0}`, `{name}`, `{{`, `}}`,
    and the first error Python meets, with its class and message (KeyError of a missing name,
    IndexError, ValueError of a lone brace, of mixed numbering, of what Python cannot parse). A
    field with a format spec, an attribute or an index stops the machine loudly (pysfn.Unsupported)."""
    def both(value: Expr) -> tuple[Expr, Expr]:  # str() and repr(): `{x}` and `{x!r}`
        return formatting.to_str(node, value), formatting.to_repr(node, value)

    def pair(texts: tuple[Expr, Expr]) -> str:
        return f"{{'s': {texts[0].code}, 'r': {texts[1].code}}}"
    positional_texts = [both(arg) for arg in args]
    named_texts = {key: both(value) for key, value in kwargs.items()}
    positional = "[" + ", ".join(pair(t) for t in positional_texts) + "]"
    keywords = "{" + ", ".join(f"{jsonata_lib.string(key)}: {pair(t)}" for key, t in named_texts.items()) + "}"
    parts = [s, *(t for texts in [*positional_texts, *named_texts.values()] for t in texts)]
    if mapping is not None:  # each value of the mapping printed both ways, under its key
        texts = both(Expr("$__kv", mapping.ty.values))
        stops = [g for t in texts for g in t.guards]
        if not all(g.abort and g.scan is None for g in stops):
            raise Refusal(node, "str.format(**mapping) of a template known at run time, with values whose str() or "
                          "repr() may raise here", "format the values first (str(...))")
        # a value the machine cannot print stops it, whether the template names it or not (loud)
        stops = [attrs.evolve(g, cond=f"(true in [$each({mapping.code}, function($__kv) {{ {g.cond} }})])",
                              reads=g.reads | mapping.reads) for g in stops]
        texts = [t.unguarded() for t in texts]
        keywords = f"$merge([$each({mapping.code}, function($__kv, $__kk) {{ {{$__kk: {pair(texts)}}} }})])"
        parts += [mapping, *texts, combine("null", pytypes.NONE, guards=stops)]
    result = f"$__format_rt({s.code}, {positional}, {keywords})"
    helpers = jsonata_lib.closure({"format_rt"}.union(*(p.helpers for p in parts)))
    reads = frozenset().union(*(p.reads for p in parts))
    unsupported = Guard(f"($__fr := {result}; $type($__fr) = 'object' and $__fr.type = '!')", None, "''",
                        helpers, reads, abort=True,
                        error_name=UNSUPPORTED,
                        message_literal=f"line {getattr(node, 'lineno', 0)}: str.format() of a template known at run "
                                        "time met a field with a format spec, an attribute or an index")
    error = Guard(f"($__fr := {result}; $type($__fr) = 'object')", None, f"{result}.message", helpers, reads,
                  error_code=f"{result}.type")
    return combine(result, pytypes.STR, *parts, helpers={"format_rt"}, guards=[unsupported, error])


def _partition(which):
    def handler(b, node, s, args, kwargs):
        _need(node, f"str.{which}", args, kwargs, 1, 1, [("str",)])
        sep = args[0]
        if sep.is_const and sep.const == "":
            raise Refusal(node, f"str.{which}() with an empty separator raises ValueError")
        check = guard(f"({sep.code} = '')", ValueError, "'empty separator'", sep)
        check = [] if sep.is_const else [check]
        if which == "partition":
            code = (f"($contains({s.code}, {sep.code}) ? [$substringBefore({s.code}, {sep.code}), {sep.code},"
                    f" $substringAfter({s.code}, {sep.code})] : [{s.code}, '', ''])")
            helpers = ()
        else:
            code = (f"($__at := $__rfind({s.code}, {sep.code}); $__at < 0 ? ['', '', {s.code}] :"
                    f" [$substring({s.code}, 0, $__at), {sep.code}, $substring({s.code}, $__at + $length({sep.code}))])")
            helpers = {"rfind"}
        return _s(code, s, sep, helpers=helpers, ty=pytypes.tuple_of(pytypes.STR, pytypes.STR, pytypes.STR),
                  guards=check)
    return handler


STR_METHODS = {
    "partition": _partition("partition"), "rpartition": _partition("rpartition"),
    **{name: _is_class(name) for name in (*_CLASS_TESTS, "isspace", "isupper", "islower", "isascii")},
    "split": _str_split, "rsplit": _str_rsplit, "splitlines": _str_splitlines, "join": _str_join, "strip": _strip("strip"), "lstrip": _strip("lstrip"),
    "rstrip": _strip("rstrip"), "upper": _case("$uppercase({})"), "lower": _case("$lowercase({})"),
    "title": _case("$__title({})"), "capitalize": _capitalize, "casefold": _casefold, "replace": _replace,
    "startswith": _starts("startswith"), "endswith": _starts("endswith"), "find": _find("find"),
    "rfind": _find("rfind"), "index": _find("index"), "rindex": _find("rindex"), "count": _str_count,
    "ljust": _justify("ljust"), "rjust": _justify("rjust"), "center": _justify("center"),
    "zfill": _zfill, "removeprefix": _affix("removeprefix"), "removesuffix": _affix("removesuffix"),
    "format": _str_format,
}


def _list_index(b, node, xs, args, kwargs):
    _need(node, "list.index", args, kwargs, 1, 1)
    value = args[0]
    same_forms(node, xs.ty.element, value.ty, "index()")
    code = f"$__list_index({xs.code}, {value.code})"
    if xs.ty.form == "either":  # (a tuple annotation, or a list some path made a tuple: both arrays here)
        return stop_where(_s(code, xs, value, helpers={"list_index"}, ty=pytypes.SMALL_INT), f"({code} < 0)",
                          f"line {getattr(node, 'lineno', 0)}: index() found no such item in a value that may be a "
                          "list or a tuple (Python's ValueError words it differently for each)")
    if xs.ty.form == "tuple":  # (its message names no value)
        check = guard(f"({code} < 0)", ValueError, "'tuple.index(x): x not in tuple'", xs, value,
                      helpers={"list_index"})
    else:
        message = formatting.to_repr(node, value)
        check = guard(f"({code} < 0)", ValueError, f"({message.code} & ' is not in list')", xs, value, message,
                      helpers={"list_index"})
    return _s(code, xs, value, helpers={"list_index"}, ty=pytypes.SMALL_INT, guards=[check])


def _list_count(b, node, xs, args, kwargs):
    _need(node, "list.count", args, kwargs, 1, 1)
    same_forms(node, xs.ty.element, args[0].ty, "count()")
    return _s(f"$__list_count({xs.code}, {args[0].code})", xs, args[0], helpers={"list_count"}, ty=pytypes.SMALL_INT)


def _copy(b, node, value, args, kwargs):
    _need(node, "copy", args, kwargs, 0, 0)
    return value


LIST_METHODS = {"index": _list_index, "count": _list_count, "copy": _copy}


def _hashed_after(key: Expr, arg: Expr) -> tuple[Expr, list]:
    """Python hashes a key when the method runs, after every argument is evaluated: the key
    with only its argument's own checks, and the key's checks (TypeError for an unhashable
    one, KeyError for one no JSON object holds) to check after the others."""
    return attrs.evolve(key, guards=arg.guards), list(key.guards[len(arg.guards):])


def _dict_get(b, node, d, args, kwargs):
    _need(node, "dict.get", args, kwargs, 1, 2)
    default = args[1] if len(args) > 1 else const(None, pytypes.NONE)
    key = lookup_key(node, args[0], int_keys=b.int_keys or operations.holds_int_keys(d))
    if key is None:  # a key no JSON object holds
        return combine(default.code, default.ty, d, args[0], default)
    key, hashing = _hashed_after(key, args[0])
    found = f"$lookup({d.code}, {key.code})"
    if not key.ty.only("str"):
        found = f"($type({key.code}) = 'string' ? {found})"
    value_ty = d.ty.values
    if d.ty.fields is not None and key.is_const and d.ty.field(key.const) is not None:
        value_ty = d.ty.field(key.const)
    if key.is_const and d.ty.only("dict") and key.const in d.ty.present and b.keys_stable():
        return combine(found, value_ty, d, key, default, guards=hashing)  # the default is evaluated, never used
    code = f"($__g := {found}; $exists($__g) ? $__g : {default.code})"
    return combine(code, pytypes.join(value_ty, default.ty), d, key, default, guards=hashing)


def _dict_keys(b, node, d, args, kwargs):
    _need(node, "dict.keys", args, kwargs, 0, 0)
    return _s(f"$__keys({d.code})", d, helpers={"keys"}, ty=pytypes.list_of(b.key_type))


def _dict_values(b, node, d, args, kwargs):
    _need(node, "dict.values", args, kwargs, 0, 0)
    return _s(f"$__values({d.code})", d, helpers={"values"}, ty=pytypes.list_of(d.ty.values))


def _dict_items(b, node, d, args, kwargs):
    _need(node, "dict.items", args, kwargs, 0, 0)
    return _s(f"$__items({d.code})", d, helpers={"items"},
              ty=pytypes.list_of(pytypes.tuple_of(b.key_type, d.ty.values)))


DICT_METHODS = {"get": _dict_get, "keys": _dict_keys, "values": _dict_values, "items": _dict_items,
                "copy": _copy}


# -- methods that change the value in place ----------------------------------------------
def mutate(b, node: ast.Call, receiver_node: ast.AST, receiver: Expr, name: str) -> Expr:
    """xs.append(v), d.update(...), xs.pop(): compute the new value, write it back."""
    if isinstance(receiver_node, ast.Call) and isinstance(receiver_node.func, ast.Attribute) \
            and receiver_node.func.attr == "setdefault" and len(receiver_node.args) >= 1:
        # d.setdefault(k, []).append(v): set the default first, then change d[k] in place
        item = setdefault_item(b, receiver_node)
        return mutate(b, node, item, b.expr(item), name)
    ty = receiver.ty
    never = unreachable(receiver)
    if never is not None:  # (nothing to write back: the receiver's check raises)
        return combine("null", pytypes.NONE, receiver, *operands(b, [*node.args, *(k.value for k in node.keywords)]))
    if (ty.is_any or ty.json_number) and ty.may("list", "dict") and not (ty.only("list") or ty.only("dict")):
        receiver = attrs.evolve(receiver, ty=pytypes.join(pytypes.list_of(ty.element) if ty.may("list") else None,
                                                          pytypes.dict_of(ty.values) if ty.may("dict") else None))
        ty = receiver.ty
    if ty.is_any:
        raise Refusal(node, f".{name}() on a value whose type is not known", ANY_HINT)
    if name == "sort" and ty.only("list", "dict") and ty.may("list", "dict") and not ty.only("list"):
        # a dict has no sort(): Python's AttributeError, before the arguments; past it, a list
        # (whose key= may be a lambda, read by sorted()'s lowering, not evaluated as a value)
        no_sort = guard(f"($type({receiver.code}) != 'array')", AttributeError,
                        f"\"'\" & $__pytype({receiver.code}) & \"' object has no attribute 'sort'\"", receiver,
                        helpers={"pytype"})
        receiver = attrs.evolve(receiver, ty=pytypes.list_of(ty.element), guards=(*receiver.guards, no_sort))
        ty = receiver.ty
    if ty.may("list") and ty.form not in ("list", sets.SET):
        raise Refusal(node, f"a tuple has no method {name}() (Python raises AttributeError), and this value may "
                      "be a tuple", "build a list: list(t)")
    root = receiver_node
    while isinstance(root, ast.Subscript):
        root = root.value
    if not isinstance(root, ast.Name):
        raise Refusal(node, f".{name}() on this expression is not supported",
                      "call it on a variable (or an item of one)")
    if isinstance(receiver_node, ast.Subscript) and isinstance(receiver_node.slice, ast.Slice):
        raise Refusal(node, f".{name}() of a slice changes a new list (a slice is a copy), not "
                      f"{ast_edits.short_text(ast.unparse(receiver_node.value))}: not supported",
                      f"name the copy first (part = {ast_edits.short_text(ast.unparse(receiver_node))}) and call part.{name}()")
    depth = item_depth(receiver_node)
    b.check_mutation(node, root.id, nested=depth > 0, depth=depth)
    keyword_nodes = [k for k in node.keywords if not (name == "sort" and ty.only("list"))]
    exprs = operands(b, [*node.args, *(k.value for k in keyword_nodes)])
    stored = {"append": 0, "insert": 1, "setdefault": 1}.get(name)
    if stored is not None and len(node.args) > stored:
        b.note_alias_store(root.id, node.args[stored], depth + 1, exprs[stored].ty)
    if name in ("extend", "update"):
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            b.note_alias_items(root.id, arg, depth + 1)
    args = exprs[: len(node.args)]
    kwargs = dict(zip((k.arg for k in keyword_nodes), exprs[len(node.args):], strict=True))
    x = receiver.code
    result: Expr = const(None, pytypes.NONE)
    if sets.is_set(ty):
        new, result, new_ty, guards = sets.mutation(node, receiver, name, args, kwargs, b.key_type)
    elif ty.only("list"):
        new, result, new_ty, guards = _list_mutation(b, node, receiver, name, args, kwargs)
    elif ty.only("dict"):
        new, result, new_ty, guards = _dict_mutation(node, receiver, name, args, kwargs, b)
    elif ty.only("list", "dict"):
        new, result, new_ty, guards = _mutation_of_unknown(b, node, receiver, name, args, kwargs)
    else:
        raise Refusal(node, f"{ty.describe()} has no method {name}()")
    del x
    new = Expr(new.code, new_ty, new.guards + tuple(guards), new.reads, new.helpers)
    pairs = store_target(b, receiver_node, new)
    if result.is_const and result.const is None:
        b.assign(pairs, f"Set {pairs[0][0]}")
        return result
    temp = b.temp("v")
    b.assign([(temp, result.unguarded())] + pairs,
             f"Set {pairs[0][0]}")
    return Expr("$" + temp, result.ty, reads=frozenset([temp]))


def _mutation_of_unknown(b, node, receiver: Expr, name: str, args: list, kwargs: dict):
    """`receiver.name(...)` changing a list or a dict, which one known only at run time: each
    kind's change, its checks applied only to that kind; another value is Python's
    AttributeError. (new value, result, new type, checks), as for one kind."""
    r = receiver.code
    ty = receiver.ty
    paths, unsupported = [], []
    for kind, json_type, change in (("list", "array", lambda e: _list_mutation(b, node, e, name, list(args),
                                                                                dict(kwargs))),
                                    ("dict", "object", lambda e: _dict_mutation(node, e, name, list(args),
                                                                                dict(kwargs), b))):
        narrowed = pytypes.list_of(ty.element) if kind == "list" else pytypes.dict_of(ty.values)
        has_it = name in (LIST_MUTATORS if kind == "list" else DICT_MUTATORS)
        if not has_it:
            continue
        try:
            paths.append((json_type, change(attrs.evolve(receiver, ty=narrowed, guards=()))))
        except Refusal:  # these arguments do not fit this kind's method: stop there, loudly
            unsupported.append(json_type)
    if not paths:
        raise Refusal(node, f".{name}() on {ty.describe()}: neither a list nor a dict has it here", ANY_HINT)
    kinds = [json_type for json_type, _ in paths] + unsupported
    checks = [guard(f"$not($type({r}) in {kinds!r})".replace('"', "'"), AttributeError,
                    f"\"'\" & $__pytype({r}) & \"' object has no attribute '{name}'\"", receiver,
                    helpers={"pytype"})]
    if unsupported:
        checks.append(Guard(f"($type({r}) in {unsupported!r})".replace('"', "'"), None, "''", receiver.helpers,
                            receiver.reads, abort=True, error_name=UNSUPPORTED,
                            message_literal=f"line {getattr(node, 'lineno', 0)}: .{name}() with these arguments on "
                                            "a value whose type is not annotated and is not what they fit"))
    head = list(checks)

    def ordered(new, result, new_ty, tail):
        # Python evaluates the receiver and looks the method up (AttributeError) before the arguments
        return attrs.evolve(new, guards=receiver.guards + tuple(head) + new.guards), result, new_ty, tail

    if len(paths) == 1 and not unsupported:
        (json_type, (new, result, new_ty, guards)), = paths
        return ordered(new, result, new_ty, list(guards))
    if len(paths) == 1:  # the other kind stops the machine: this one's checks only for this kind
        (json_type, (new, result, new_ty, guards)), = paths
        shared = {g for part in (receiver, *args, *kwargs.values()) for g in part.guards}
        own = [g for part in (new, result) for g in part.guards if g not in shared] + list(guards)
        test = f"$type({r}) = '{json_type}'"
        new, result = (attrs.evolve(e, guards=tuple(g for g in e.guards if g in shared)) for e in (new, result))
        return ordered(new, result, new_ty, [g.under(test, receiver.helpers, receiver.reads) for g in dict.fromkeys(own)])
    shared = {g for part in (receiver, *args, *kwargs.values()) for g in part.guards}
    (_, (new_l, result_l, ty_l, guards_l)), (_, (new_d, result_d, ty_d, guards_d)) = paths
    is_list = f"$type({r}) = 'array'"
    for parts, test in (((new_l, result_l), is_list), ((new_d, result_d), f"$type({r}) = 'object'")):
        own = [g for part in parts for g in part.guards if g not in shared]
        own += guards_l if parts[0] is new_l else guards_d
        checks += [g.under(test, receiver.helpers, receiver.reads) for g in dict.fromkeys(own)]
    new_l, result_l, new_d, result_d = (attrs.evolve(e, guards=tuple(g for g in e.guards if g in shared))
                                        for e in (new_l, result_l, new_d, result_d))
    new = combine(f"({is_list} ? {new_l.code} : {new_d.code})", pytypes.join(ty_l, ty_d), new_l, new_d)
    result = combine(f"({is_list} ? {result_l.code} : {result_d.code})", pytypes.join(result_l.ty, result_d.ty),
                     result_l, result_d)
    if result_l.is_const and result_d.is_const and result_l.const is None and result_d.const is None:
        result = const(None, pytypes.NONE)
    return ordered(new, result, pytypes.join(ty_l, ty_d), checks[len(head):])


def _list_mutation(b, node, xs: Expr, name: str, args: list, kwargs: dict):
    ty = xs.ty
    none = const(None, pytypes.NONE)
    if name == "append":
        _need(node, "list.append", args, kwargs, 1, 1)
        item = args[0]
        if item.ty.kinds and not item.ty.may("list"):  # not an array: $append adds it as it is
            return (combine(f"$append({xs.code}, {item.code})", ty, xs, item), none,
                    pytypes.list_of(pytypes.join(ty.element, item.ty)), [])
        return (combine(f"$__append({xs.code}, {item.code})", ty, xs, item, helpers={"append"}), none,
                pytypes.list_of(pytypes.join(ty.element, args[0].ty)), [])
    if name == "extend":
        _need(node, "list.extend", args, kwargs, 1, 1)
        other = _iterable_expr(node, args[0], keys=b.key_type)
        return (combine(f"$append({xs.code}, {other.code})", ty, xs, other), none,
                pytypes.list_of(pytypes.join(ty.element, other.ty.element)), [])
    if name == "insert":
        _need(node, "list.insert", args, kwargs, 2, 2, [("int",)])
        return (combine(f"$__insert({xs.code}, {args[0].code}, {args[1].code})", ty, xs, *args, helpers={"insert"}),
                none, pytypes.list_of(pytypes.join(ty.element, args[1].ty)), [])
    if name == "pop":
        _need(node, "list.pop", args, kwargs, 0, 1, [("int",)])
        index = args[0] if args else const(-1, pytypes.kind("int", 1))
        count = f"$count({xs.code})"
        checks = [guard(f"({count} = 0)", IndexError, "'pop from empty list'", xs),
                  guard(f"({index.code} >= {count} or {index.code} < -{count})", IndexError,
                        "'pop index out of range'", xs, index)]
        position = f"({index.code} < 0 ? {count} + {index.code} : {index.code})"
        value = combine(f"{bound_code(xs.code)}[{index.code}]", ty.element, xs, index)
        return (combine(f"$__delitem({xs.code}, {position})", ty, xs, index, helpers={"delitem"}), value, ty, checks)
    if name == "remove":
        _need(node, "list.remove", args, kwargs, 1, 1)
        same_forms(node, ty.element, args[0].ty, "remove()")
        position = f"$__list_index({xs.code}, {args[0].code})"
        check = guard(f"({position} < 0)", ValueError, "'list.remove(x): x not in list'", xs, args[0],
                      helpers={"list_index"})
        return (combine(f"$__delitem({xs.code}, {position})", ty, xs, args[0], helpers={"delitem", "list_index"}),
                none, ty, [check])
    if name == "clear":
        _need(node, "list.clear", args, kwargs, 0, 0)
        return const([], ty), none, ty, []
    if name == "reverse":
        _need(node, "list.reverse", args, kwargs, 0, 0)
        return combine(f"$reverse({xs.code})", ty, xs), none, ty, []
    if name == "sort":
        if args:
            raise Refusal(node, "list.sort() takes key= and reverse= only")
        keywords = {k.arg: k.value for k in node.keywords}
        if set(keywords) - {"key", "reverse"}:
            raise Refusal(node, "list.sort() takes key= and reverse= only")
        return sort_items(b, node, xs, keywords.get("key"), keywords.get("reverse")), none, ty, []
    raise Refusal(node, f"list.{name}() is not supported")


def _dict_mutation(node, d: Expr, name: str, args: list, kwargs: dict, b):
    ty = d.ty
    none = const(None, pytypes.NONE)
    if name == "update":
        parts = list(args)
        if kwargs:
            body = ", ".join(f"{jsonata_lib.string(k)}: {v.code}" for k, v in kwargs.items())
            parts.append(combine("{" + body + "}", pytypes.dict_of(None), *kwargs.values()))
        for position, part in enumerate(parts):
            if part.ty.only("dict"):
                continue
            if not part.ty.may("dict"):
                raise Refusal(node, "dict.update() takes a dict (or keyword arguments) here")
            # its type known only at run time: a dict is merged in, and so is a list of [str key,
            # value] pairs (each a key in turn, as Python's update takes them); anything else
            # (pairs of other keys or lengths: Python's own errors) stops loudly
            v = part.code
            pairs = (f"($type({v}) = 'array' and $reduce({v}, function($__a, $__p) {{ $__a and $type($__p) = 'array'"
                     f" and $count($__p) = 2 and $type($__p[0]) = 'string' }}, true))")
            checked = stop_where(part, f"($type({v}) != 'object' and $not{pairs})",
                                 f"line {node.lineno}: dict.update() of a value whose type is not annotated and is "
                                 "neither a dict nor a list of [str, value] pairs at run time: annotate it",
                                 pytypes.restrict(part.ty, {"dict"}))
            if part.ty.may("list"):
                checked = combine(f"($__u := {v}; $type($__u) = 'object' ? $__u : $merge($append([], $map($__u, "
                                  f"function($__p) {{ {{$__p[0]: $__p[1]}} }}))))", checked.ty, checked)
            parts[position] = checked
        value_ty = ty.values
        for part in parts:
            value_ty = pytypes.join(value_ty, part.ty.values)
        code = "$merge([" + ", ".join([d.code] + [p.code for p in parts]) + "])"
        return combine(code, ty, d, *parts), none, pytypes.dict_of(value_ty), []
    if name in ("pop", "setdefault"):
        _need(node, f"dict.{name}", args, kwargs, 1, 2)
        key = store_key(node, args[0]) if name == "setdefault" else lookup_key(
            node, args[0], unless_empty=d.code, int_keys=b.int_keys or operations.holds_int_keys(d))
        if key is None:
            raise Refusal(node, f"dict.{name}() with a key that is never a str", "convert the key with str(...)")
        if not key.ty.only("str"):  # pop: a key no JSON object holds is missing, as in Python
            k = key.code
            missing = guard(f"($type({k}) != 'string')", KeyError, f"$__pyrepr({k})", key, helpers={"pyrepr"})
            if len(args) == 2:
                key, hashing = _hashed_after(key, args[0])
                value = combine(f"($type({k}) = 'string' and $exists($lookup({d.code}, {k})) ? $lookup({d.code}, {k})"
                                f" : {args[1].code})", pytypes.join(ty.values, args[1].ty), d, key, args[1])
                new = combine(f"($type({k}) = 'string' ? $__delkey({d.code}, {k}) : {d.code})", ty, d, key, args[1],
                              helpers={"delkey"})
                return new, value, ty, hashing
            key = combine(k, pytypes.STR, key, guards=[missing])
        key, hashing = _hashed_after(key, args[0])
        lookup = f"$lookup({d.code}, {key.code})"
        if name == "pop":
            new = combine(f"$__delkey({d.code}, {key.code})", ty, d, key, *args[1:], helpers={"delkey"})
            if len(args) == 2:
                value = combine(f"($exists({lookup}) ? {lookup} : {args[1].code})",
                                pytypes.join(ty.values, args[1].ty), d, key, args[1])
                return new, value, ty, hashing
            return new, combine(lookup, ty.values, d, key), ty, [*hashing, key_guard(d, key)]
        default = args[1] if len(args) == 2 else const(None, pytypes.NONE)
        new = combine(f"($exists({lookup}) ? {d.code} : $__setkey({d.code}, {key.code}, {default.code}))", ty,
                      d, key, default, helpers={"setkey"})
        value = combine(f"($exists({lookup}) ? {lookup} : {default.code})", pytypes.join(ty.values, default.ty),
                        d, key, default)
        return new, value, pytypes.dict_of(pytypes.join(ty.values, default.ty)), hashing
    if name == "popitem":  # the last key inserted, as a (key, value) tuple
        _need(node, "dict.popitem", args, kwargs, 0, 0)
        last = f"$__rawkeys({d.code})[-1]"  # (the key as the dict holds it: an int's is encoded)
        empty = guard(f"($count($keys({d.code})) = 0)", KeyError, jsonata_lib.string(repr("popitem(): dictionary is "
                                                                                          "empty")), d)
        value = combine(f"($__k := {last}; $append([$__keys({{$__k: 0}})[0]], $__wrap($lookup({d.code}, $__k))))",
                        pytypes.tuple_of(b.key_type, ty.values), d, helpers={"rawkeys", "keys", "wrap"})
        new = combine(f"$__delkey({d.code}, {last})", attrs.evolve(ty, present=frozenset()), d,
                      helpers={"delkey", "rawkeys"})
        return new, value, new.ty, [empty]
    if name == "clear":
        _need(node, "dict.clear", args, kwargs, 0, 0)
        return const({}, ty), none, ty, []
    raise Refusal(node, f"dict.{name}() is not supported")




def _look_up_first(b, receiver_node: ast.AST, name: str) -> None:
    """Python looks a method up (AttributeError) before it evaluates the arguments: where one
    calls a callee or changes a variable, a receiver whose kind is known only at run time is
    checked before (its own checks, then the attribute), not with the call's result."""
    receiver = b.expr(receiver_node)
    ty = receiver.ty
    if ty.only("str") or ty.only("list") or ty.only("dict"):
        return
    tables = (("str", "string", set(STR_METHODS)), ("list", "array", set(LIST_METHODS) | LIST_MUTATORS),
              ("dict", "object", set(DICT_METHODS) | DICT_MUTATORS))
    kinds = [json_type for kind, json_type, names in tables if ty.may(kind) and name in names]
    if not kinds:
        return  # no kind has it: refused where the call is lowered
    r = receiver.code
    missing = guard(f"$not($type({r}) in {kinds!r})".replace('"', "'"), AttributeError,
                    f"\"'\" & $__pytype({r}) & \"' object has no attribute '{name}'\"", receiver, helpers={"pytype"})
    b.check([attrs.evolve(receiver, guards=(*receiver.guards, missing))], f"Check .{name}() exists")


def call_method(b, node: ast.Call) -> Expr:
    """`receiver.method(...)`: a method of a str, list or dict (those that change it in place write
    the new value back)."""
    func = node.func
    name = func.attr
    for keyword in node.keywords:
        if keyword.arg is None and not (name == "format" and len(node.keywords) == 1):
            raise Refusal(node, "**kwargs in a call is not supported", "pass keyword arguments by name" +
                          ("; str.format(**mapping) takes no other keyword arguments" if name == "format" else ""))
    receiver_node = func.value
    arguments = [*node.args, *(k.value for k in node.keywords)]
    if any(effects(b, arg).any for arg in arguments) and not effects(b, receiver_node).any:
        _look_up_first(b, receiver_node, name)
    if name in MUTATORS and isinstance(receiver_node, ast.Call) \
            and isinstance(receiver_node.func, ast.Attribute) and receiver_node.func.attr == "setdefault":
        return mutate(b, node, receiver_node, None, name)
    if name in MUTATORS:
        receiver = b.expr(receiver_node)
        if receiver.ty.only("list", "dict") or receiver.ty.is_any:
            return mutate(b, node, receiver_node, receiver, name)
    exprs = operands(b, [receiver_node, *node.args, *(k.value for k in node.keywords)])
    receiver, args = exprs[0], exprs[1: 1 + len(node.args)]
    kwargs = dict(zip((k.arg or "**" for k in node.keywords), exprs[1 + len(node.args):], strict=True))
    return method(b, node, receiver, name, args, kwargs)


__all__ = ["FUNCTIONS", "MUTATORS", "Unreached", "call_method", "method", "mutate", "sort_items"]
