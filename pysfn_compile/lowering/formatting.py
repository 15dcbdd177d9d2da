"""str(), repr() and format specs, as CPython prints them, or refused.

What JSONata can print exactly: strings, bools, None, ints (up to 2**53, see jsonata_lib.int_text), and
lists/dicts of those. A float's repr is its shortest round-trip digits; JSONata's $string
writes 15 significant digits, so where those read back as the same double they are Python's
digits (the shortest round trip is the nearest, and no 15-digit number is nearer), written
alike from 1e-4 up; where they do not, helper `frepr` computes the 16 and 17 digit roundings
of a float's exact value (Dekker's product) and takes the shorter that reads back (a number
of unknown type stops the machine there instead: frepr is 1,600 characters, and such numbers
are printed in many fields). Below 1e-4 and from 1e16 Python writes an exponent (`1e-05`,
`1.5e+16`): helper `fexp` rewrites $string's digits where its 15 read back. A float there
needing more, or an integral one between 2**53 and 1e16, stops the machine
(pysfn.UnprintableNumber). An integral float prints with '.0'. A number that may be an int or a float is refused (JSON cannot tell 3
from 3.0, Python prints them differently); one whose type nobody annotated follows the number
rule (integral means int).
"""

from __future__ import annotations

import ast
import math
import re

import attrs

from ..analysis import pytypes
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import jsonata_lib
from ..graph.exprs import (
    UNSUPPORTED,
    Expr,
    Guard,
    by_kind,
    carried_kind,
    combine,
    guard,
    is_var,
    mixed_number,
    printed_kind,
    stop_where,
    unreachable,
)

UNPRINTABLE = "pysfn.UnprintableNumber"

FLOAT_HINT = ("format floats in a callee (a module-level function, run as a Lambda), e.g. "
              "def show(x: float) -> str: return f'{x:.2f}'")
UNKNOWN_HINT = ("annotate where the value comes from (the parameter, or the callee's return type, "
                "e.g. -> int) so the compiler knows whether it is an int or a float")


def to_str(node: ast.AST, expr: Expr) -> Expr:
    """str(expr)."""
    return _convert(node, expr, quote=False)


def to_repr(node: ast.AST, expr: Expr) -> Expr:
    return _convert(node, expr, quote=True)


def _convert(node: ast.AST, expr: Expr, quote: bool) -> Expr:
    ty = expr.ty
    if expr.is_const and not isinstance(expr.const, float):
        text = repr(expr.const) if quote else str(expr.const)
        return Expr(jsonata_lib.string(text), pytypes.STR, const=text)
    kind = printed_kind(expr)
    code = _printer(node, ty, quote, 0, kind=kind.code if kind is not None else None)
    if code.count("$__X") > 1 and not is_var(expr.code):
        code = f"($__X := {expr.code}; {code})"
    else:
        code = code.replace("$__X", expr.code)
    parts = (expr, kind) if kind is not None else (expr,)
    return combine(code, pytypes.STR, *parts, helpers=_helpers_of(code), guards=printable_guards(node, expr))


def printable_guards(node: ast.AST, expr: Expr) -> list[Guard]:
    """The check that stops the machine where a float the value holds would print otherwise
    than in Python (none where it holds no float)."""
    floats = pytypes.holds_float(expr.ty)
    return [_printable_check(node, expr, floats)] if floats or pytypes.holds_float(expr.ty, json_number=True) else []


def _printable_check(node: ast.AST, expr: Expr, floats: bool) -> Guard:
    """Stops the machine where a float (`floats`), or a number of unknown type, would print
    otherwise than in Python."""
    what = "a float is printed" if floats else "a number whose type is not annotated is printed, and it is a float"
    advice = "format it (f'{x:.2f}') or print it in a callee" if floats else \
        "annotate it as float, or format it (f'{x:.2f}')"
    which = "smaller than 1e-4 or from 1e16 with more than 15 significant digits, or" if floats else \
        "more than 15 significant digits, smaller than 1e-4, or"
    cause = (f"line {getattr(node, 'lineno', 0)}: {what} whose repr the state machine cannot reproduce ({which} an "
             f"integral one beyond 2**53); {advice}")
    check = "unprintable" if pytypes.holds_float(expr.ty, json_number=True) else "unprintable_float"  # (floats: frepr)
    helpers = jsonata_lib.closure({check}) | expr.helpers
    return Guard(f"$__{check}({expr.code})", None, "''", helpers, expr.reads, abort=True,
                 error_name=UNPRINTABLE, message_literal=cause, lambda_exact=floats)


def _helpers_of(code: str) -> set:
    return {name for name in jsonata_lib.HELPERS if f"$__{name}(" in code}


def number_by_kind(ty: Ty, var: str, kind: str, others) -> str:
    """`var`, a number that may be an int or a float, as `kind` says it is (str() and
    json.dumps write a number alike); `others(ty)` writes the value's other kinds."""
    printed = f"({kind} ? $__pyfloat({var}) : {jsonata_lib.int_text(var)})"
    rest = attrs.evolve(ty, kinds=ty.kinds - {"int", "float"})
    return printed if not rest.kinds else f"($type({var}) = 'number' ? {printed} : {others(rest)})"


def _printer(node: ast.AST, ty: Ty, quote: bool, depth: int, var: str = "$__X", kind: str | None = None) -> str:
    """JSONata text printing the value `var` of type `ty`; `kind`: where it may be an int or a
    float, the code that tells whether it is a float (Expr.kind)."""
    if depth > 3:
        raise Refusal(node, "cannot print values nested this deeply", "build the text in a callee")
    kinds = ty.kinds
    if kind is not None:
        return number_by_kind(ty, var, kind, lambda others: _printer(node, others, quote, depth, var))
    if "float" in kinds and "int" in kinds and not ty.json_number:  # (also anything joined with a float)
        raise Refusal(node, "printing a number that may be an int or a float is not supported: 3 and 3.0 print "
                      "differently, and JSON holds both as 3", "make it always a float (float(...)) or always an "
                      "int (int(...)); or " + FLOAT_HINT, computable=True)
    if (ty.is_any or not kinds) and pytypes.holds_float(ty):  # (`[x, {"z": f}]`)
        raise Refusal(node, "printing a value that may hold a float or a number of unknown type in the same place is "
                      "not supported: 3 and 3.0 print differently, and JSON holds both as 3",
                      "make the numbers there always floats (float(...)), or annotate the other value", computable=True)
    if ty.is_any or not kinds:  # no kinds: a value that never exists (an item of an empty [])
        # chosen at run time; numbers by the rule of pytypes (integral means int)
        return f"$__pyrepr({var})" if quote else f"$__pystr({var})"
    if "exc" in kinds:
        if "dict" in kinds:  # (a caught exception is a record: no dict can be told from it)
            raise Refusal(node, "cannot print a value that may be an exception or a dict",
                          "keep the exception's text where you keep the exception (last_error = str(e))")
        if quote:
            raise Refusal(node, "repr() of an exception is not supported: the machine keeps an exception's class "
                          "name and message, not the arguments repr() shows (KeyError('k') has the message 'k')",
                          "use f\"{type(e).__name__}: {e}\"")
        if kinds == {"exc"}:
            return f"{var}.message"
        # `last_error = None` ... `except E as e: last_error = e`: None, or the exception's str()
        rest = _printer(node, attrs.evolve(ty, kinds=kinds - {"exc"}), quote, depth, var)
        return f"($type({var}) = 'object' ? {var}.message : {rest})"
    parts = []
    for kind in ("none", "bool", "int", "float", "str", "list", "dict"):
        if kind not in kinds or kind == "float" and ty.json_number:  # (a number of unknown type: as an int)
            if not (kind == "int" and "float" in kinds and ty.json_number):
                continue
        if kind == "none":
            parts.append(("null", "'None'"))
        elif kind == "bool":
            parts.append(("boolean", f"({var} ? 'True' : 'False')"))
        elif kind == "int":
            parts.append(("number", f"$__jnum({var})" if "float" in kinds else jsonata_lib.int_text(var)))
        elif kind == "float":
            parts.append(("number", f"$__pyfloat({var})"))
        elif kind == "str":
            parts.append(("string", f"$__repr_str({var})" if quote else var))
        elif kind == "list":
            inner = _printer(node, ty.element, True, depth + 1, "$__e" + str(depth))
            # JSONata's own $map: each item's text is a string, kept apart as it is
            items = f"$join($map({var}, function($__e{depth}) {{ {inner} }}), ', ')"
            if ty.form == "either":
                raise Refusal(node, "printing a value that may be a list or a tuple is not supported: they print "
                              "differently ([1, 2] and (1, 2)), and both are JSON arrays in the machine",
                              "make it always a list (list(...)) or always a tuple (tuple(...))")
            if ty.form == "tuple":  # (1, 2), and (1,) for one item
                parts.append(("array", f"('(' & {items} & ($count({var}) = 1 ? ',)' : ')'))"))
            else:
                parts.append(("array", f"('[' & {items} & ']')"))
        elif kind == "dict":
            inner = _printer(node, ty.values, True, depth + 1, f"$__v{depth}")
            parts.append(("object", f"('{{' & $join($each({var}, function($__v{depth}, $__k{depth}) {{"
                                    f" $__repr_str($__k{depth}) & ': ' & {inner} }}), ', ') & '}}')"))
    if len(parts) == 1:
        return parts[0][1]
    text = parts[-1][1]
    for json_type, printed in reversed(parts[:-1]):
        text = f"($type({var}) = '{json_type}' ? {printed} : {text})"
    return text


# -- format specs ------------------------------------------------------------------------
_SPEC = re.compile(r"^(?:(?P<fill>.)?(?P<align>[<>^=]))?(?P<sign>[-+ ])?(?P<alt>#)?(?P<zero>0)?"
                   r"(?P<width>\d+)?(?P<grouping>[,_])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?$",
                   re.DOTALL)


_BASES = {"x": 16, "X": 16, "o": 8, "b": 2}


def format_value(node: ast.AST, expr: Expr, spec: str) -> Expr:
    """format(expr, spec) for the specs JSONata can reproduce exactly."""
    never = unreachable(expr)  # an item of a list that never holds one: its error first
    if never is not None:
        return attrs.evolve(never, ty=pytypes.STR)
    if spec == "":
        return to_str(node, expr)
    match = _SPEC.match(spec)
    if not match:
        raise Refusal(node, f"invalid format spec {spec!r}")
    fill = match["fill"] or (" " if not match["zero"] or match["align"] else "0")
    align = match["align"]
    sign, grouping, precision, kind = match["sign"] or "-", match["grouping"], match["precision"], match["type"]
    width = int(match["width"]) if match["width"] else 0
    ty = expr.ty
    unknown = ty.is_any or ty.json_number or not ty.kinds  # (_format_unknown: Python's error where it raises)
    if match["alt"] and not ((ty.only("int", "bool") or unknown) and kind in (None, "d", "x", "X", "o", "b")):
        raise Refusal(node, f"the alternate form ('#') of format spec {spec!r} is supported for ints with 'x', "
                      f"'X', 'o' or 'b' only; this is {ty.describe()}", "format in a callee")
    if kind in ("f", "F", "%") and ty.numeric:
        return _format_fixed(node, expr, match, fill)
    if (mixed_number(ty) and expr.kind is not None) or carried_kind(expr) is not None:
        # an int or a float, its companion (or the arithmetic that made it) says which
        carried = not mixed_number(ty)
        return by_kind(expr, lambda value: _format_kind(node, value, spec, carried))
    if kind is None and precision is None and not grouping and not match["zero"] and align != "=" \
            and ty.only("float") and not ty.json_number:  # f"{x:>10}": its repr, signed and padded
        text = to_str(node, expr)
        if sign in "+ ":  # (-0.0 is 0 here: the machine holds no -0.0)
            text = combine(f"(({expr.code}) >= 0 ? '{sign}' : '') & {text.code}", pytypes.STR, text, expr)
        return _pad(node, text, text.code, width, fill, align or ">")
    mixed = len(ty.kinds - {"bool"}) > 1 and not ty.numeric and ty.kinds <= pytypes.JSON_KINDS  # (int | str keys)
    if (ty.is_any or ty.json_number or mixed) and not (kind and kind in "eEGn"):
        return _format_unknown(node, expr, spec)
    if (ty.only("float") or ty.only("int")) and not ty.json_number:
        try:
            format(1.5 if ty.only("float") else 1, spec)
        except (ValueError, TypeError) as error:  # Python raises for every float (f"{2.0:d}"): so does the machine
            return combine("''", pytypes.STR, expr, guards=[guard("true", type(error), jsonata_lib.string(str(error)))])
    if ty.may("float") or (kind and kind in "eEfFgG%n"):
        raise Refusal(node, f"formatting a float ({spec!r}) is not supported: JSONata cannot "
                      "round and print floats exactly as Python does", FLOAT_HINT, computable=True)
    if ty.only("str"):
        if kind not in (None, "s") or sign != "-" or grouping or match["zero"] and not match["align"]:
            raise Refusal(node, f"format spec {spec!r} does not apply to a str")
        text = expr.code
        if precision is not None:
            text = f"$substring({text}, 0, {int(precision)})"
        return _pad(node, expr, text, width, fill, align or "<")
    if ty.only("int", "bool") or ty.only("int"):
        if kind not in (None, "d", "x", "X", "o", "b"):
            raise Refusal(node, f"format type {kind!r} is not supported for ints",
                          "use 'd', 'x', 'X', 'o' or 'b', or format in a callee")
        if precision is not None:
            raise Refusal(node, "precision is not allowed in an integer format specifier")
        if not _simple(expr.code):  # the text reads the value two or three times: computed once
            out = format_value(node, attrs.evolve(expr, code="$__fv", guards=()), spec)
            if not out.guards and out.code.count("$__fv") > 1:
                return combine(f"($__fv := {expr.code}; {out.code})", pytypes.STR, expr, out)
        value = expr.code if ty.only("int") else f"({expr.code} ? 1 : 0)"
        if kind in ("x", "X", "o", "b"):
            if grouping:
                raise Refusal(node, f"a thousands separator with format type {kind!r} is not supported",
                              "format in a callee")
            digits = f"$formatBase($abs({value}), {_BASES[kind]})"
            prefix = ("0" + kind) if match["alt"] else ""  # f"{255:#06x}" is 0x00ff: the zeros after it
            return _signed(node, expr, f"({value} < 0)", f"$uppercase({digits})" if kind == "X" else digits, match,
                           fill, prefix=prefix)
        if sign == "-" and not grouping and not (align == "=" or (match["zero"] and not align)):
            # $formatNumber writes the minus itself (and 0 for -0)
            out = _pad(node, expr, jsonata_lib.int_text(value), width, fill, align or ">")
            return combine(out.code, pytypes.STR, out)
        digits = jsonata_lib.int_text(f"$abs({value})")
        return _signed(node, expr, f"({value} < 0)", digits, match, fill)
    raise Refusal(node, f"cannot format a value of type {ty.describe()} with {spec!r}", UNKNOWN_HINT)


_SIMPLE_CODE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*|-?\d+")


def _simple(code: str) -> bool:
    """A variable or an int literal: read again for nothing."""
    return _SIMPLE_CODE.fullmatch(code) is not None


def _signed(node: ast.AST, expr: Expr, negative: str, digits: str, match: re.Match, fill: str, tail: str = "",
            prefix: str = "") -> Expr:
    """A number's text from its digits (the integer part, grouped as the spec says, then
    `tail`) with the spec's sign, `prefix` (0x of '#x'), fill, alignment and width."""
    sign, grouping, width, align = match["sign"] or "-", match["grouping"], int(match["width"] or 0), match["align"]
    if grouping:
        digits = f"$__group({digits}, '{grouping}')"
    if tail:
        digits = f"{digits} & {tail}"
    helpers = {"group"} if grouping else set()
    sign_text = f"({negative} ? '-' : '{'' if sign == '-' else sign}')"
    if prefix:
        sign_text = f"({sign_text} & '{prefix}')"
    if align == "=" or (match["zero"] and not align):
        if grouping and match["zero"] and not align:
            raise Refusal(node, "zero padding with a thousands separator is not supported", "format in a callee")
        # a negative width pads on the left to |width|; digits are never shorter than a positive one
        body = f"$pad({digits}, $length({sign_text}) - {width}, {jsonata_lib.string(fill)})"
        return combine(f"({sign_text} & {body})", pytypes.STR, expr, helpers=helpers)
    out = _pad(node, expr, f"({sign_text} & {digits})", width, fill, align or ">")
    return combine(out.code, pytypes.STR, out, helpers=helpers)


def format_scaled(node: ast.AST, quotient: Expr, numerator: Expr, divisor: int, spec: str) -> Expr | None:
    """`f"{n / 100:.2f}"`: an int divided by 10**k, printed with at least k decimals, is the int's
    own digits (the double nearest n / 100 rounds back to them while |n / 100| is below the
    bound for the precision, checked when the workflow runs: a loud stop beyond it). None where
    this does not apply (the caller formats the float, or refuses). `quotient` is the division
    as lowered (its checks: Python's TypeError for a str); `numerator` its left operand again."""
    match = _SPEC.match(spec)
    places = len(str(divisor)) - 1
    if not match or match["alt"] or match["type"] not in ("f", "F") or match["precision"] is None \
            or int(match["precision"]) < places \
            or int(match["precision"]) > 12:
        return None
    ty = numerator.ty
    if not (ty.only("int", "bool") or ty.json_number):  # (other kinds: the division's TypeError)
        return None
    precision = int(match["precision"])
    fill = match["fill"] or (" " if not match["zero"] or match["align"] else "0")
    n = numerator.code if not ty.may("bool") else f"($type({numerator.code}) = 'boolean' ? ({numerator.code} ? 1 : 0) : {numerator.code})"
    # |n / divisor| < 2**bound: half an ulp of the quotient stays below half a unit of the last place
    bound = divisor * 2 ** math.floor(52 - precision * math.log2(10))
    line = getattr(node, "lineno", 0)
    stops = [Guard(f"($abs({n}) >= {bound})", None, "''", numerator.helpers, numerator.reads, abort=True,
                   error_name=UNPRINTABLE, message_literal=f"line {line}: {spec!r} of a quotient beyond "
                   f"{bound // divisor:.3g}: JSONata cannot round it as Python does; format it in a callee")]
    whole = jsonata_lib.int_text(f"($__fa - $__fa % {divisor}) / {divisor}")
    tail = f"'.' & $pad($string($__fa % {divisor}), -{places}, '0')" + (f" & '{'0' * (precision - places)}'"
                                                                        if precision > places else "")
    text = _signed(node, quotient, f"({n} < 0)", whole, match, fill, tail)
    code = f"($__fa := $abs({n}); {text.code})"
    helpers = text.helpers
    if "float" in ty.kinds:  # a numerator not integral: the quotient, a float, formatted as one
        fixed = _format_fixed(node, quotient.unguarded(), match, fill)
        integral = f"$floor({n}) = {n}"
        stops = [g.under(integral, frozenset(), frozenset()) for g in stops] + [
            g.under(f"$floor({n}) != {n}", frozenset(), frozenset()) for g in fixed.guards]
        code = f"({integral} ? {code} : {fixed.code})"
        helpers = helpers | fixed.helpers
    return combine(code, pytypes.STR, quotient, numerator, helpers=helpers, guards=stops)


# |x| * 10**places below 2**52: the product fround rounds is a double whose ties are exact
FIXED_BOUND = 2 ** 52
MAX_PLACES = 15


def fixed_point(node: ast.AST, expr: Expr, places: int) -> tuple[str, str, Guard]:
    """(JSONata: x, a number, a bool as its int; the int nearest x * 10**places, ties to even, of
    the exact binary value x, as Python's float formatting and round(x, places) round it; the
    machine's stop beyond the bound where that is exact)."""
    x = expr.code if not expr.ty.may("bool") else f"$__num({expr.code})"
    scale = 10 ** places
    stop = Guard(f"($abs({x}) * {scale} >= {FIXED_BOUND})", None, "''", expr.helpers | {"num"}, expr.reads,
                 abort=True, error_name=UNPRINTABLE,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: a number of {FIXED_BOUND // scale:.3g} or more "
                                 f"rounded to {places} decimal places: beyond what the compiled workflow rounds "
                                 "exactly; format it in a callee")
    return x, f"$__fround({x}, {scale})", stop


def _format_fixed(node: ast.AST, expr: Expr, match: re.Match, fill: str) -> Expr:
    """format(x, '.2f') of a number: its digits rounded as Python rounds them (fixed_point),
    the sign of x itself ('-0.00' for -0.001), and the spec's width, fill and grouping. With
    '%', x times 100 (the double product, as CPython multiplies) in 'f' format, then '%'."""
    places = int(match["precision"]) if match["precision"] is not None else 6
    if places > MAX_PLACES:
        raise Refusal(node, f"formatting a number with more than {MAX_PLACES} decimal places is not supported",
                      FLOAT_HINT, computable=True)
    percent = match["type"] == "%"
    if percent:
        number = expr.code if not expr.ty.may("bool") else f"$__num({expr.code})"
        expr = combine(f"({number} * 100)", pytypes.FLOAT, expr, helpers={"num"} if expr.ty.may("bool") else ())
    x, rounded, stop = fixed_point(node, expr, places)
    scale = 10 ** places
    whole = jsonata_lib.int_text(f"($__fn - $__fn % {scale}) / {scale}")
    tail = f"'.' & $pad($string($__fn % {scale}), -{places}, '0')" if places else ""
    if percent:
        tail = f"{tail} & '%'" if tail else "'%'"
    text = _signed(node, expr, f"({x} < 0)", whole, match, fill, tail)
    return combine(f"($__fn := $abs({rounded}); {text.code})", pytypes.STR, expr,
                   helpers=text.helpers | {"fround", "num"}, guards=[stop])


def _format_unknown(node: ast.AST, expr: Expr, spec: str) -> Expr:
    """format(value, spec) for a value whose kind is known only at run time: a str or an
    integral number (the number rule: an int) formats as Python formats it; where Python raises
    for that kind and spec, so does the machine, with the message this Python gives; a float
    Python would format stops the machine (pysfn.UnprintableNumber). Only the kinds its static
    type allows are tested (a number of unknown type: no str, no TypeError)."""
    v = expr.code
    ty = expr.ty
    outcomes = {}
    # a float: a number not integral where the int's path takes those, else every number (a
    # `float | None` holds 2.0 as the number 2, which is no int)
    floating = f"($type({v}) = 'number' and $floor({v}) != {v})" if _may_be(ty, "int") else f"($type({v}) = 'number')"
    stops = []
    for kind, sample, narrowed in (("str", "a", pytypes.STR), ("int", 1, pytypes.INT), ("float", 1.5, pytypes.FLOAT)):
        if not _may_be(ty, kind):
            continue
        try:
            format(sample, spec)
        except (ValueError, TypeError) as error:
            outcomes[kind] = jsonata_lib.string(str(error))
            continue
        code = v if kind != "int" or not _may_be(ty, "bool") else f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})"
        try:
            formatted = format_value(node, Expr(code, narrowed, reads=expr.reads, helpers=expr.helpers), spec)
        except Refusal:
            if kind != "float":
                raise
            continue  # (a float the machine cannot format exactly stops it, below)
        if formatted.guards and (kind == "str" or not all(g.abort for g in formatted.guards)):
            raise Refusal(node, f"cannot format a value of unknown type with {spec!r}", UNKNOWN_HINT)
        within = {"int": f"$type({v}) in ['number', 'boolean']", "float": floating}.get(kind)
        made = {g.cond for other in outcomes.values() if isinstance(other, Expr) for g in other.guards}
        stops += [g.under(within, frozenset(), expr.reads) for g in formatted.guards
                  if within and g.cond not in made]  # (a fixed spec's float checks as its int: once)
        outcomes[kind] = formatted
    integral = f"($type({v}) = 'boolean' or ($type({v}) = 'number' and $floor({v}) = {v}))"
    guards = []
    if _may_be(ty, "none", "list", "dict"):
        guards.append(Guard(f"($type({v}) in ['null', 'array', 'object'])", TypeError,
                            f"'unsupported format string passed to ' & $__pytype({v}) & '.__format__'",
                            jsonata_lib.closure({"pytype"}) | expr.helpers, expr.reads))
    for kind, test in (("str", f"($type({v}) = 'string')"), ("int", integral), ("float", floating)):
        if isinstance(outcomes.get(kind), str):
            guards.append(Guard(test, ValueError, outcomes[kind], expr.helpers, expr.reads))
    if "float" not in outcomes and _may_be(ty, "float"):
        guards.append(_float_stop(node, spec, floating, expr))
    guards += stops
    paths = [(test, outcomes[kind]) for kind, test in (("str", f"$type({v}) = 'string'"), ("float", floating),
                                                       ("int", "true"))
             if isinstance(outcomes.get(kind), Expr)]
    code = "''"  # (no kind formats: each raises, or stops, above)
    helpers: set = set()
    for position, (test, formatted) in enumerate(reversed(paths)):
        code = formatted.code if position == 0 else f"({test} ? {formatted.code} : {code})"
        helpers |= formatted.helpers
    return combine(code, pytypes.STR, expr, helpers=helpers, guards=guards)


def _format_kind(node: ast.AST, value: Expr, spec: str, stop_on_float: bool) -> Expr:
    """One side of a number formatted by its kind (by_kind); where the number's type is unknown
    (`stop_on_float`), a float the machine cannot format exactly stops it, as _format_unknown's."""
    try:
        return format_value(node, value, spec)
    except Refusal:
        if not (stop_on_float and value.ty.only("float")):
            raise
        return combine("''", pytypes.STR, value, guards=[_float_stop(node, spec, "true", value)])


def _float_stop(node: ast.AST, spec: str, cond: str, expr: Expr) -> Guard:
    """Stops the machine where `cond` says a number of unknown type is a float it cannot format."""
    return Guard(cond, None, "''", expr.helpers, expr.reads, abort=True, error_name=UNPRINTABLE,
                 message_literal=f"line {getattr(node, 'lineno', 0)}: formatting a float whose type is not "
                                 f"annotated with {spec!r}: annotate it as float and format it in a callee")


def _may_be(ty: Ty, *kinds: str) -> bool:
    """Whether a value of this type may be of one of these kinds at run time ("int": also a
    bool, which formats as its int, and a number of unknown type, integral by the number
    rule); a type with no kinds (a value that never exists) may be anything."""
    if not ty.kinds:
        return True
    if "int" in kinds and (ty.may("bool") or (ty.json_number and ty.may("float"))):
        return True
    return ty.may(*kinds)


def format_with_width(node: ast.AST, expr: Expr, before: str, width: Expr, after: str) -> Expr:
    """format(expr, f"{before}{width}{after}"): a spec whose width alone is computed (`{name:<{w}}`,
    columns as wide as the longest name), for a str or an int padded by fill and alignment. A
    negative width would make Python read another spec (`<-3` has a sign): the machine stops."""
    def width_of(digits: str):
        match = _SPEC.match(before + digits + after)
        return match and match["width"]
    width_unknown = width.ty.is_any or width.ty.json_number or not width.ty.kinds
    if not (width.ty.only("int") or width_unknown) or width_of("7") != "7" or width_of("17") != "17":
        raise Refusal(node, "a format spec computed at run time is supported for its width only (an int)",
                      "write the rest of the spec literally: f'{name:<{width}}'")
    if width_unknown:  # an int at run time, or the spec Python builds is another one: stop loudly
        w = width.code
        width = stop_where(width, f"$not($type({w}) = 'number' and $floor({w}) = {w})",
                           f"line {getattr(node, 'lineno', 0)}: a computed width in a format spec that is not an "
                           "int at run time (Python would read another spec): annotate it", pytypes.INT)
    match = _SPEC.match(before + "7" + after)
    ty = expr.ty
    unknown = ty.is_any or ty.json_number or not ty.kinds  # formatted by its kind at run time, aligned as written
    if match["align"] == "=" or match["zero"] or (match["sign"] or "-") != "-" or match["grouping"] \
            or not (ty.only("str") or ty.only("int") or (unknown and match["align"])):
        raise Refusal(node, "a computed width is supported for a str or an int with <, > or ^ alignment",
                      "write the spec literally")
    fill, align = match["fill"] or " ", match["align"] or ("<" if ty.only("str") else ">")
    text = format_value(node, expr, before + after)
    negative = Guard(f"({width.code} < 0)", None, "''", width.helpers, width.reads, abort=True,
                     error_name=UNSUPPORTED, message_literal=f"line {getattr(node, 'lineno', 0)}: a negative "
                     "width in a format spec (Python reads its minus sign as the spec's sign)")
    literal = jsonata_lib.string(fill)
    if align == "^":
        code, helpers = f"$__center_fmt({text.code}, {width.code}, {literal})", {"center_fmt"}
    else:
        code, helpers = f"$pad({text.code}, {'' if align == '<' else '-'}{width.code}, {literal})", set()
    return combine(code, pytypes.STR, text, width, helpers=helpers, guards=[negative])


def _pad(node: ast.AST, expr: Expr, text: str, width: int, fill: str, align: str) -> Expr:
    if width == 0:
        return combine(text, pytypes.STR, expr)
    literal = jsonata_lib.string(fill)
    if align in "<>":  # $pad pads to at least |width| (none when longer); a negative width pads left
        return combine(f"$pad({text}, {width if align == '<' else -width}, {literal})", pytypes.STR, expr)
    if align != "^":
        raise Refusal(node, "'=' alignment is only allowed for numbers")
    return combine(f"$__center_fmt({text}, {width}, {literal})", pytypes.STR, expr, helpers={"center_fmt"})
