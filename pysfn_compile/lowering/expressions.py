"""Python expressions → JSONata, one transform per construct.

Each transform takes the builder and one node and returns an `Expr`: JSONata text, its static
type, and the guards that raise where Python would raise. Sub-expressions are lowered through
the builder (`b.expr`, `evaluation.operands`), the operators themselves are operations.py's;
calls and comprehensions are dispatched by the visitor.
"""

from __future__ import annotations

import ast
import enum
import math
import re
import string
import sys

import attrs

from ..analysis import pytypes
from ..analysis.ast_edits import OPERATORS
from ..analysis.effects import effects
from ..analysis.module_info import MISSING
from ..analysis.narrowing import narrowings
from ..errors import Refusal
from ..graph import jsonata_lib
from ..graph.exprs import (
    NO_KIND,
    Expr,
    Guard,
    combine,
    const,
    float_kind,
    guard,
    mixed_number,
    unreachable,
)
from ..runtime import sfn
from ..runtime.compute_runtime import UNBOUND
from . import formatting, sets
from .evaluation import condition, later_effects, materialize, operands, pure_comprehension
from .operations import (
    ANY_HINT,
    SAFE,
    beside_float,
    binary,
    blind_stops,
    build_list,
    build_tuple,
    compare,
    decides,
    division_operands,
    float_blind,
    is_var,
    iterable_of,
    iteration_source,
    numeric_operand,
    real_number,
    short_circuit,
    signed_zero_stop,
    slice_of,
    store_key,
    subscript,
    truth,
    type_of_value,
)


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


def transform_name(b, node: ast.Name) -> Expr:
    name = node.id
    bound = b.comprehension_binding(name)
    if bound is not None:
        code, ty, *rest = bound  # (and what it reads, and the helpers its text calls)
        return Expr(code, ty, reads=rest[0] if rest else frozenset(),
                    helpers=rest[1] if len(rest) > 1 else frozenset())
    scope, ty = b.lookup(name)
    if scope is not None:
        if name in scope.failed:
            raise Refusal(node, f"'{name}' was not compiled (its assignment was refused)", follow_on=True)
        asl = b.var(name, scope)
        kind = b.read_kind(name, scope, ty)
        if kind is None and ty.json_number and b.kind_lost(node):
            kind = NO_KIND  # a number whose integral float nothing stopped: not the number rule's
        read = Expr("$" + asl, ty, reads=frozenset([asl]), kind=kind)
        if scope is b.scope and not b.is_defined(asl):
            scope.maybe_unbound_new.add(name)
        if name in scope.maybe_unbound_new or name in scope.maybe_unbound:
            checked = combine(read.code, ty, read, guards=[_unbound_check(read, name, b.read_in_enclosed_scope(node))])
            return attrs.evolve(checked, kind=read.kind)
        return read
    if any(name in s.failed for s in b.scopes()):  # (a compiler-made name a refused block would set)
        raise Refusal(node, f"'{name}' was not compiled (its assignment was refused)", follow_on=True)
    value = b.info.constant(name)
    if value is not MISSING:
        changed = b.info.changed_globals().get(name)
        if changed is not None:
            raise Refusal(node, f"'{name}' is a module-level {type(value).__name__} that a function changes "
                          f"(line {changed}); the state machine would hold its value at compile time",
                          f"pass a copy through a callee, e.g. def get_{name.lower()}(): return copy.deepcopy({name}) "
                          "(the module's own object, returned as it is, would be shared with it in Python)")
        return const(jsonata_lib.held_keys(value), type_of_value(value))
    if name in b.info.functions:
        raise Refusal(node, f"the function '{name}' can only be called here",
                      "pass it to sfn.map(...) or call it; a dict of functions is a dispatch table where it is "
                      "assigned once and read only as table[key](...) and key in table")
    obj = b.info.objects.get(name, MISSING)
    if isinstance(obj, (set, frozenset)):
        return _module_set(b, node, name, obj)
    module = getattr(obj, "__module__", None)
    if obj is not MISSING and (isinstance(obj, type) or callable(obj)) and isinstance(module, str) \
            and module != b.info.module.__name__ and not module.startswith("pysfn_compile"):
        qualified = f"{module}.{getattr(obj, '__qualname__', name)}"
        raise Refusal(node, f"'{name}' is {qualified}, which the state machine cannot run (it has JSON values and "
                      "JSONata, not Python's libraries)",
                      f"use {name} in a callee (a module-level function, run as a Lambda)", computable=True)
    if obj is not MISSING and not isinstance(obj, type) and not callable(obj):
        raise Refusal(node, f"'{name}' is a module-level {type(obj).__name__}, which is not JSON data (str, "
                      "number, bool, None, lists and dicts of them): a state machine cannot hold it",
                      "make it JSON data, or reach it in a callee", computable=True)
    raise Refusal(node, f"'{name}' is not a variable of the workflow or a module-level constant",
                  "workflow values are locals, parameters and module-level JSON constants",
                  computable=name in b.info.objects)


def _module_set(b, node: ast.Name, name: str, value: set | frozenset) -> Expr:
    """A module-level set read as a constant (STOP_WORDS = {"a", "the"}): its items, in an order
    that does not depend on the hash seed (no use of a set shows its order: set_uses.py)."""
    changed = b.info.changed_globals().get(name)
    if changed is not None:
        raise Refusal(node, f"'{name}' is a module-level {type(value).__name__} that a function changes (line "
                      f"{changed}); the state machine would hold its value at compile time",
                      f"pass it through a callee, e.g. def get_{name.lower()}() -> list: return sorted({name})")
    items = sorted(value, key=lambda v: (type(v).__name__, v if isinstance(v, (str, int, float)) else 0))
    if not all(v is None or type(v) in (str, int, float, bool) and not (type(v) is int and abs(v) > 2**53 - 1)
               for v in items):
        raise Refusal(node, f"'{name}' is a module-level {type(value).__name__} of items a state machine cannot "
                      "hold (JSON has str, numbers, bools and None)", "make its items str or int",
                      computable=True)
    return const(items, sets.set_type(type_of_value(items).element))


def _unbound_check(read: Expr, name: str, enclosed: bool = False) -> Guard:
    """Python's UnboundLocalError where the variable still holds UNBOUND, or its NameError for a
    free variable where a lambda or a comprehension reads it (`enclosed`), each message as the
    running Python words it."""
    if enclosed:
        cls, message = NameError, (
            f"cannot access free variable '{name}' where it is not associated with a value in enclosing scope"
            if sys.version_info >= (3, 11) else f"free variable '{name}' referenced before assignment in enclosing scope")
    else:
        cls, message = UnboundLocalError, (
            f"cannot access local variable '{name}' where it is not associated with a value"
            if sys.version_info >= (3, 11) else f"local variable '{name}' referenced before assignment")
    marker = next(iter(UNBOUND.items()))
    return guard(f"($type({read.code}) = 'object' and $lookup({read.code}, {jsonata_lib.string(marker[0])}) = "
                 f"{jsonata_lib.string(marker[1])})", cls, jsonata_lib.string(message), read)


def transform_list(b, node) -> Expr:
    if any(isinstance(elt, ast.Starred) for elt in node.elts):
        return _unpacked_display(b, node)
    items = operands(b, node.elts) if node.elts else []
    if isinstance(node, ast.Tuple):
        return build_tuple(items)
    return build_list(items)


def _unpacked_display(b, node) -> Expr:
    """`[*xs, y]`, `(first, *rest)`: each starred value's items as Python's `for` would walk
    them (a str's characters, a dict's keys), or Python's TypeError, in order (a set's hash order
    is refused before: analysis/set_uses.py)."""
    values = operands(b, [elt.value if isinstance(elt, ast.Starred) else elt for elt in node.elts])
    pieces, run, item = [], [], None
    for elt, value in zip(node.elts, values, strict=True):
        if not isinstance(elt, ast.Starred):
            run.append(value)
            item = pytypes.join(item, value.ty)
            continue
        if run:
            pieces.append(build_list(run))
            run = []
        value = iterable_of(elt, value, keys=b.key_type, message=(
            f"\"Value after * must be an iterable, not \" & $__pytype({value.code})"))
        source, ty, helpers = iteration_source(elt, value, b.key_type)
        pieces.append(combine(source, pytypes.list_of(ty), value, helpers=helpers))
        item = pytypes.join(item, ty)
    if run:
        pieces.append(build_list(run))
    code = pieces[0].code
    for piece in pieces[1:]:
        code = f"$append({code}, {piece.code})"
    ty = pytypes.list_of(item if item is not None else pytypes.NOTHING)
    if isinstance(node, ast.Tuple):
        ty = attrs.evolve(ty, form="tuple")
    return combine(code, ty, *pieces)


def transform_set(b, node: ast.Set) -> Expr:
    """{a, b}: Python evaluates every item, then adds them in order (the first of equal ones stays)."""
    for elt in node.elts:
        if isinstance(elt, ast.Starred):
            raise Refusal(elt, "unpacking with * in a set is not supported", "use set(xs) | set(ys)")
    return sets.from_items(node, build_list(operands(b, node.elts)))


def transform_set_comprehension(b, node: ast.SetComp) -> Expr:
    """{f(x) for x in xs}: the items computed, each hashed as Python adds it (before the next)."""
    if effects(b, node).any:
        raise Refusal(node, "a set comprehension that calls a callee is not supported",
                      "build a list with a list comprehension, then set(...) of it")
    return sets.from_items(node, pure_comprehension(b, sets.hashed_generator(node)))


def _mapping(expr: Expr) -> Expr:
    """What `**` unpacks: a dict, or (its kind known only at run time, or one of a union)
    Python's TypeError."""
    if expr.ty.only("dict") or not expr.ty.may("dict"):
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
    for index, (key_expr, value_expr) in enumerate(entries):
        if key_expr is None:
            if not value_expr.ty.only("dict"):
                raise Refusal(node, "** unpacks only dicts here", ANY_HINT)
            value_ty = pytypes.join(value_ty, value_expr.ty.values)
            continue
        key_expr = store_key(node, key_expr)  # one of unknown type is checked at run time
        entries[index] = (key_expr, value_expr)
        value_ty = pytypes.join(value_ty, value_expr.ty)
        keys.append(key_expr)
        values.append(value_expr)
    ty = pytypes.dict_of(value_ty if value_ty is not None else pytypes.NOTHING)
    parts = [e for pair in entries for e in pair if e is not None]
    if all(k is not None and k.is_const for k, _ in entries) and all(v.is_const for _, v in entries):
        value = {k.const: v.const for k, v in entries}
        fields = {k.const: v.ty if sets.is_set(v.ty) else type_of_value(v.const) for k, v in entries}  # set() is []
        return Expr(jsonata_lib.literal(value), pytypes.typed_dict("", fields), const=value)
    literal_keys = [k.const for k, _ in entries if k is not None and k.is_const]
    if all(k is not None and k.is_const for k, _ in entries) and len(set(literal_keys)) == len(literal_keys):
        body = ", ".join(f"{k.code}: {v.code}" for k, v in entries)
        fields = {k.const: v.ty for k, v in entries}
        record = combine("{" + body + "}", pytypes.typed_dict("", fields), *parts)
        return attrs.evolve(record, entries=tuple((k.const, v) for k, v in entries))
    pieces = []
    for key_expr, value_expr in entries:
        pieces.append(value_expr.code if key_expr is None else "{" + f"{key_expr.code}: {value_expr.code}" + "}")
    return combine("$merge([" + ", ".join(pieces) + "])", ty, *parts)


# -- arithmetic --------------------------------------------------------------------------


def transform_binop(b, node: ast.BinOp) -> Expr:
    if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return _percent_format(b, node, node.left.value)
    left, right = operands(b, [node.left, node.right])
    if isinstance(node.op, ast.Div) and right.is_const and type(right.const) in (int, float) and right.const != 0:
        left = float_blind(left)  # x / 100 is the same float whether x is 10 or 10.0
    elif isinstance(node.op, ast.Div):
        left, right = division_operands(left, right)
    if sets.is_set(left.ty) or sets.is_set(right.ty):
        return sets.binary(node, OPERATORS[type(node.op)], left, right)
    op = OPERATORS[type(node.op)]
    left, right = beside_float(op, left, right)
    return blind_stops(node, op, binary(node, op, left, right), left, right,
                       (b.kind_lost(node.left), b.kind_lost(node.right)), b.kind_unseen(node))


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?(?P<flags>[-+ 0#]*)(?P<width>\d*)(?:(?P<dot>\.)(?P<precision>\d*))?(?P<type>.?)",
                      re.DOTALL)
_PERCENT_HINT = "use an f-string"


def _percent_format(b, node: ast.BinOp, text: str) -> Expr:
    """`"literal %s, %r, %d, %5.1f%%" % args`: the values printed as str(), repr(), int and
    fixed-point formatting, with the flags `-`, `+`, space and `0`, a width and a precision (as
    the format spec that prints alike: `%-8s` is `<8`, `%5.1f` is `5.1f`)."""
    conversions = list(_PERCENT.finditer(text))
    for match in conversions:
        kind = match["type"]
        if kind not in ("s", "r", "d", "i", "f", "F", "%") or "#" in match["flags"] \
                or kind == "%" and match.group() != "%%":
            raise Refusal(node, f"this %-format is not supported ({match.group()!r}: only %s, %r, %d, %i and %f, "
                          "with the flags -, +, space and 0, a width and a precision, and %%)", _PERCENT_HINT)
        if kind in ("d", "i") and match["dot"]:
            raise Refusal(node, f"this %-format is not supported ({match.group()!r}: a precision for an int)",
                          _PERCENT_HINT)
    wanted = len([match for match in conversions if match["type"] != "%"])
    if any(match["key"] is not None for match in conversions):
        return _percent_mapping(b, node, text, conversions)
    if isinstance(node.right, ast.Tuple):
        if any(isinstance(elt, ast.Starred) for elt in node.right.elts):
            raise Refusal(node, "%-formatting with *args is not supported", _PERCENT_HINT)
        values = operands(b, node.right.elts)
    else:
        (value,), values = operands(b, [node.right]), None
        items = value.ty.items if value.ty.only("list") and value.ty.form == "tuple" else None
        if items is not None and not any(item.may("list", "dict") or item.is_any for item in items):
            # a tuple whose items are known (`"%d.%02d" % divmod(cents, 100)`): each is an argument
            values = [combine(f"{value.code}[{position}]", item, value if not position else value.unguarded())
                      for position, item in enumerate(items)]
        elif pytypes.has_tuple(value.ty) and value.ty.may("list"):
            raise Refusal(node, "%-formatting of a value that may be a tuple is not supported", _PERCENT_HINT)
        if values is None and wanted != 1:
            raise Refusal(node, f"%-formatting of one value with {wanted} conversions is not supported",
                          _PERCENT_HINT)
        values = [value] if values is None else values
    guards = []
    if len(values) != wanted:
        message = ("not enough arguments for format string" if len(values) < wanted
                   else "not all arguments converted during string formatting")
        guards.append(Guard("true", TypeError, jsonata_lib.string(message)))
    given = iter(values)
    pieces = _percent_pieces(text, conversions, lambda match: _percent_conversion(
        node, match, next(given, const("", pytypes.STR))))
    return combine("(" + " & ".join(p.code for p in pieces) + ")", pytypes.STR, *values, *pieces, guards=guards)


def _percent_pieces(text: str, conversions: list[re.Match], convert) -> list[Expr]:
    """The literal text between the conversions, `%%` as `%`, and each conversion's text by
    `convert(match)`, in order (empty literals left out)."""
    pieces, position = [], 0
    for match in conversions:
        pieces.append(const(text[position:match.start()], pytypes.STR))
        position = match.end()
        pieces.append(const("%", pytypes.STR) if match["type"] == "%" else convert(match))
    pieces.append(const(text[position:], pytypes.STR))
    return [p for p in pieces if not (p.is_const and p.const == "")] or [const("", pytypes.STR)]


def _percent_mapping(b, node: ast.BinOp, text: str, conversions: list[re.Match]) -> Expr:
    """`"%(name)s is %(age)d" % person`: each conversion prints the mapping's item under its key
    (Python's KeyError where it has none), in order; a str, number, bool or None is no mapping
    (TypeError), a list's item by a str key is the TypeError of `xs["k"]`."""
    if any(match["key"] is None and match["type"] != "%" for match in conversions):
        raise Refusal(node, "%-formatting that mixes %(key)s and plain conversions is not supported (Python "
                      "prints the whole mapping for a plain one)", _PERCENT_HINT)
    if not isinstance(node.right, ast.Name):
        raise Refusal(node, "%(key)s formatting of an expression is not supported here",
                      f"name the mapping first: values = {ast.unparse(node.right)}; then ... % values")
    mapping = b.expr(node.right)
    if not mapping.ty.only("dict"):
        if not mapping.ty.may("dict", "list"):
            raise Refusal(node, f"%(key)s formatting of {mapping.ty.describe()}: Python raises TypeError "
                          "(format requires a mapping)", _PERCENT_HINT)
        check = guard(f"($type({mapping.code}) in ['string', 'number', 'boolean', 'null'])", TypeError,
                      "'format requires a mapping'", mapping)
        mapping = attrs.evolve(mapping, guards=(*mapping.guards, check))  # before any item is read

    def item(match: re.Match) -> Expr:  # `mapping[key]`, as lowered (Python's KeyError)
        read = ast.Subscript(value=ast.copy_location(ast.Name(id=node.right.id, ctx=ast.Load()), node.right),
                             slice=ast.copy_location(ast.Constant(value=match["key"]), node), ctx=ast.Load())
        return _percent_conversion(node, match, b.expr(ast.copy_location(read, node)))

    pieces = _percent_pieces(text, conversions, item)
    return combine("(" + " & ".join(p.code for p in pieces) + ")", pytypes.STR, mapping, *pieces)


def _percent_conversion(node: ast.BinOp, match: re.Match, value: Expr) -> Expr:
    """One `%...` conversion of `value`."""
    kind, flags, width = match["type"], match["flags"], match["width"]
    left = "-" in flags
    if kind in ("s", "r"):
        text = formatting.to_repr(node, value) if kind == "r" else formatting.to_str(node, value)
        precision = f".{match['precision'] or 0}" if match["dot"] else ""
        if not width and not precision:
            return text
        return formatting.format_value(node, text, ("<" if left else ">") + width + precision)
    sign = "+" if "+" in flags else " " if " " in flags else ""
    zero = "0" if "0" in flags and not left else ""
    if kind in ("d", "i"):
        number = _percent_integer(node, kind, value)
        spec = ("<" if left else "") + sign + zero + width + "d"
        return formatting.to_str(node, number) if spec == "d" else formatting.format_value(node, number, spec)
    spec = ("<" if left else "") + sign + zero + width + f".{match['precision'] or 0 if match['dot'] else 6}f"
    if not value.ty.numeric:
        value = _percent_real(node, value)
    return formatting.format_value(node, value, spec)


def _percent_integer(node: ast.BinOp, spec: str, value: Expr) -> Expr:
    """The int `"%d" % x` prints: a bool is 1 or 0, a float its integral part (3.9 is 3, 3.0 and
    3 alike), anything else Python's TypeError."""
    if value.ty.only("int"):
        return value
    if value.ty.only("bool"):
        return combine(f"({value.code} ? 1 : 0)", pytypes.kind("int", 1), value)
    if not value.ty.may("int", "float", "bool"):
        raise Refusal(node, f"%{spec} of {value.ty.describe()} is a TypeError in Python "
                      f"(%{spec} format: a real number is required)", _PERCENT_HINT)
    v = value.code
    wrong = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                  f"'%{spec} format: a real number is required, not ' & $__pytype({v})", value, helpers={"pytype"})
    code = f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : ({v} < 0 ? $ceil({v}) : $floor({v})) + 0)"
    return combine(code, pytypes.INT, value, guards=[wrong])


def _percent_real(node: ast.BinOp, value: Expr) -> Expr:
    """The number `"%.2f" % x` prints, with Python's TypeError where x is no number."""
    if not value.ty.may("int", "float", "bool"):
        raise Refusal(node, f"%f of {value.ty.describe()} is a TypeError in Python (must be real number)",
                      _PERCENT_HINT)
    return real_number(value)


def transform_unaryop(b, node: ast.UnaryOp) -> Expr:
    if isinstance(node.op, ast.Not):
        inner = condition(b, node.operand)
        if inner.is_const:
            return const(not inner.const, pytypes.BOOL)
        return combine(f"$not({inner.code})", pytypes.BOOL, inner)
    operand = b.expr(node.operand)
    never = unreachable(operand)
    if never is not None:
        return never
    if isinstance(node.op, ast.Invert):
        raise Refusal(node, "~ is not supported: JSONata has no bitwise operators", computable=True)
    if operand.is_const and isinstance(operand.const, (int, float)):
        value = -operand.const if isinstance(node.op, ast.USub) else +operand.const
        return const(value, type_of_value(value))
    if not operand.ty.numeric and (operand.ty.json_number or operand.ty.may("int", "float", "bool")):
        # a number only at run time (any JSON value, `int | str`, ...), or Python's TypeError
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        v = operand.code
        check = guard(f"$not($type({v}) in ['number', 'boolean'])", TypeError,
                      f"\"bad operand type for unary {sign}: '\" & $__pytype({v}) & \"'\"", operand, helpers={"pytype"})
        number = f"($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v})"
        kind = float_kind(operand)  # (a float's negation is a float)
        result = pytypes.number_part(operand.ty)
        if sign == "+":
            return attrs.evolve(combine(number, result, operand, guards=[check]), kind=kind)
        negated = attrs.evolve(combine(f"(-{number})", result, operand, guards=[check]), kind=kind)
    else:
        kind = operand.kind  # (of a number that may be an int or a float: the same for its negation)
        operand = attrs.evolve(numeric_operand(node, "-", operand, const(0, pytypes.INT), True), kind=kind)
        if isinstance(node.op, ast.UAdd):
            return operand
        negated = attrs.evolve(combine(f"(-{operand.code})", operand.ty, operand), kind=kind)
    # -(0.0) is -0.0 (a number following the number rule is an int when it is 0)
    may_float = operand.ty.may("float") or operand.ty.json_number or operand.ty.is_any  # (-0 of an int is 0)
    if (operand.ty.may("float") and not operand.ty.json_number) or (
            may_float and b.kind_unseen(node) and b.kind_lost(node.operand)):
        stopped = signed_zero_stop(node, negated, (), None)
        kind = float_kind(operand)
        if kind is not None and not kind.is_const:  # -0 of an int is 0: only a float's zero stops
            *kept, stop = stopped.guards
            stopped = attrs.evolve(stopped, guards=(*kept, stop.under(kind.code, kind.helpers, kind.reads)))
        return stopped
    return negated


def _short(node: ast.AST, limit: int = 40) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def transform_boolop(b, node: ast.BoolOp) -> Expr:
    """`a or b` is a when a is truthy, else b (Python's value semantics)."""
    op = "and" if isinstance(node.op, ast.And) else "or"
    if later_effects(b, node.values):
        return _boolop_flow(b, node, op)
    values = []
    known: dict = {}
    for value_node in node.values:
        with b.narrow(known):
            values.append(b.expr(value_node))
        if decides(values[-1], op):
            break  # (the rest never runs)
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
        result = Expr(code, _joined(_picked(value.ty, op), _default_ty(result, value.ty)), guards,
                      value.reads | result.reads, value.helpers | result.helpers | test.helpers)
    return result


def _picked(ty: pytypes.Ty, op: str) -> pytypes.Ty:
    """The type of an operand of `a or b` (`a and b`) where it is the result, before the last:
    a truthy value for `or`, never None (`cached(k) or {}` is a dict). A value of any JSON kind
    stays one (the run-time dispatch of values of unknown type is for that type)."""
    return ty.without("none") if op == "or" and not ty.is_any else ty


def _default_ty(value: Expr, other: pytypes.Ty | None) -> pytypes.Ty:
    """The type of `{}` in `cached(k) or {}` beside a record: the record's, with no key known
    to be present (its keys' types kept: an empty dict holds none of them)."""
    if value.is_const and value.const == {} and other is not None and other.only("dict", "none") \
            and other.fields is not None:
        return attrs.evolve(other.without("none"), present=frozenset())
    return value.ty


def _joined(a: pytypes.Ty, b: pytypes.Ty) -> pytypes.Ty:
    """join, where a type without kinds (an operand never picked: `None or x`) adds nothing."""
    return b if not a.kinds else a if not b.kinds else pytypes.join(a, b)


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
            value = b.expr(value_node)
        part = _default_ty(value, ty) if position == last else _picked(value.ty, op)
        ty = part if ty is None else _joined(ty, part)
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
        body = b.expr(node.body)
    b.assign([(result, body)], f"Set {result}")
    ends = b.pending
    b.then(else_holes)
    with b.narrow(negative):
        orelse = b.expr(node.orelse)
    b.assign([(result, orelse)], f"Set {result}")
    b.then(ends + b.pending)
    return Expr("$" + result, pytypes.join(body.ty, orelse.ty), reads=frozenset([result]))


def transform_ifexp(b, node: ast.IfExp) -> Expr:
    test = condition(b, node.test)
    positive, negative = narrowings(b, node.test)
    if test.is_const:  # only the side Python evaluates
        with b.narrow(positive if test.const else negative):
            return b.expr(node.body if test.const else node.orelse)
    if effects(b, node.body).any or effects(b, node.orelse).any:
        return _ifexp_flow(b, node, test, positive, negative)
    with b.narrow(positive):
        body = b.expr(node.body)
    with b.narrow(negative):
        orelse = b.expr(node.orelse)
    if test.is_const:
        return body if test.const else orelse
    guards = test.guards + tuple(g.under(test.code, test.helpers, test.reads) for g in body.guards) \
        + tuple(g.under(f"$not({test.code})", test.helpers, test.reads) for g in orelse.guards)
    code = f"({test.code} ? {body.code} : {orelse.code})"
    ty = pytypes.join(body.ty, orelse.ty)
    return Expr(code, ty, guards, test.reads | body.reads | orelse.reads, test.helpers | body.helpers | orelse.helpers,
                kind=_chosen_kind(test, body, orelse) if mixed_number(ty) else None)


def _chosen_kind(test: Expr, body: Expr, orelse: Expr) -> Expr | None:
    """Whether `body if test else orelse` is a float (`total / n if n else 0`)."""
    kinds = float_kind(body), float_kind(orelse)
    if None in kinds:
        return None
    yes, no = kinds
    return Expr(f"({test.code} ? {yes.code} : {no.code})", pytypes.BOOL, reads=test.reads | yes.reads | no.reads,
                helpers=test.helpers | yes.helpers | no.helpers)


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
            left, right = right, b.expr(node.comparators[index])
        if index < len(node.ops) - 1:
            right = materialize(b, right, node.comparators[index])  # evaluated once, compared twice
            b.read_again(right.reads)
        b.assign([(result, _compare(node, _CMP[type(op)], left, right, b.int_keys))], f"Set {result}")
    b.then(b.pending + decided)
    return Expr("$" + result, pytypes.BOOL, reads=frozenset([result]))


_NUMERIC_ORDER = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


def transform_compare(b, node: ast.Compare) -> Expr:
    if len(node.ops) > 1 and later_effects(b, node.comparators):
        return _compare_flow(b, node)
    exprs = operands(b, [node.left, *node.comparators])
    if len(exprs) == 2 and isinstance(node.ops[0], _NUMERIC_ORDER):
        # a number compares the same as an int or a float (== with anything; an order with a
        # number, since another kind's TypeError names the type): no stop for an ambiguous one
        left, right = exprs
        equality = isinstance(node.ops[0], (ast.Eq, ast.NotEq))
        exprs = [float_blind(left) if equality or right.ty.only("int", "float", "bool") else left,
                 float_blind(right) if equality or left.ty.only("int", "float", "bool") else right]
    # a computed operand between two comparisons is evaluated once, as in Python: its value is
    # bound to a JSONata name where the chain reaches it. The guards keep the expression itself
    # (a Choice rule checks them, outside the binding).
    names = {index: f"$__mid{b.next_comprehension()}" for index in range(1, len(exprs) - 1)
             if not is_var(exprs[index].code) and not exprs[index].is_const}

    def bound(index: int) -> Expr:
        e = exprs[index]
        return Expr(names[index], e.ty, (), e.reads, e.helpers) if index in names else e

    parts, codes = [], []
    for index, op in enumerate(node.ops):
        parts.append(_compare(node, _CMP[type(op)], exprs[index], exprs[index + 1], b.int_keys))
        codes.append(_compare(node, _CMP[type(op)], bound(index), bound(index + 1), b.int_keys).code
                     if {index, index + 1} & set(names) else parts[-1].code)
    if len(parts) == 1:
        return parts[0]
    chain = short_circuit(parts, "and")
    if not names:
        return chain
    code = codes[-1]
    for index in range(len(codes) - 2, -1, -1):
        code = f"({codes[index]} and {code})"
        if index + 1 in names:
            code = f"({names[index + 1]} := {exprs[index + 1].code}; {code})"
    return Expr(code, pytypes.BOOL, chain.guards, chain.reads, chain.helpers)


def _compare(node, op: str, left: Expr, right: Expr, int_keys: bool = False) -> Expr:
    """operations.compare, and a set's membership, equality and subset tests (lowering/sets.py)."""
    never = unreachable(left, right)
    if never is not None:
        return attrs.evolve(never, ty=pytypes.BOOL)
    if op in ("in", "not in") and sets.is_set(right.ty):
        found = sets.contains(node, right, left)
        return found if op == "in" else combine(f"$not({found.code})", pytypes.BOOL, found)
    if sets.is_set(left.ty) or sets.is_set(right.ty):
        return sets.compare(node, op, left, right)
    return compare(node, op, left, right, int_keys)


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
    present = (isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Name)
               and b.key_present(node.value.id, node.slice.id)) \
        or (index.is_const and isinstance(index.const, str) and container.ty.only("dict")
            and index.const in container.ty.present and b.keys_stable())
    return subscript(node, container, index, present=present, int_keys=b.int_keys)


# -- f-strings ---------------------------------------------------------------------------
def transform_joinedstr(b, node: ast.JoinedStr) -> Expr:
    # evaluated in Python's order: each field's value, then what its spec computes
    pieces = [piece for v in node.values if isinstance(v, ast.FormattedValue)
              for piece in [v.value, *_computed_spec(v)]]
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
        computed = _computed_spec(value)
        if computed:
            specs = value.format_spec.values
            at = next(i for i, v in enumerate(specs) if not isinstance(v, ast.Constant))
            width = next(values)
            parts.append(formatting.format_with_width(value, expr, "".join(v.value for v in specs[:at]), width,
                                                      "".join(v.value for v in specs[at + 1:])))
            continue
        if value.format_spec is not None:
            spec = "".join(v.value for v in value.format_spec.values)
        scaled = _scaled_int(b, node, value, expr, spec)
        parts.append(scaled if scaled is not None else formatting.format_value(value, expr, spec))
    if all(p.is_const for p in parts):
        text = "".join(p.const for p in parts)
        return const(text, pytypes.STR)
    code = " & ".join(p.code for p in parts if not (p.is_const and p.const == ""))
    return combine(f"({code})", pytypes.STR, *parts)


def _computed_spec(value: ast.FormattedValue) -> list[ast.expr]:
    """What a field's format spec computes (`w` of `{name:<{w}}`): one plain field at most."""
    if value.format_spec is None:
        return []
    fields = [v for v in value.format_spec.values if not isinstance(v, ast.Constant)]
    if len(fields) > 1 or any(f.conversion != -1 or f.format_spec is not None for f in fields):
        raise Refusal(value, "a format spec computed at run time is supported for its width only",
                      "write the rest of the spec literally: f'{name:<{width}}'")
    return [f.value for f in fields]


def _scaled_int(b, node: ast.JoinedStr, value: ast.FormattedValue, quotient: Expr, spec: str) -> Expr | None:
    """`f"{cents / 100:.2f}"`: formatting.format_scaled, which reads the numerator again (so
    only where nothing in the f-string acts or calls: it reads the same value)."""
    division = value.value
    if value.conversion != -1 or not spec or not (isinstance(division, ast.BinOp) and isinstance(division.op, ast.Div)
                                                  and isinstance(division.right, ast.Constant)):
        return None
    divisor = division.right.value
    if type(divisor) is not int or divisor < 10 or str(divisor) != "1" + "0" * (len(str(divisor)) - 1) \
            or effects(b, node).any:
        return None
    return formatting.format_scaled(value, quotient, b.expr(division.left), divisor, spec)


def transform_formatted_value(b, node) -> Expr:
    raise Refusal(node, "a formatted value outside an f-string")


# -- lambdas (a comprehension is the visitor's: pure, or a Map state when it calls a callee) --
def transform_lambda(b, node) -> Expr:
    raise Refusal(node, "a lambda is supported only as a sorted()/min()/max() key or an sfn.parallel branch")


def _is_sfn_fail(b, raised: ast.expr) -> bool:
    """Whether `raise <raised>` raises sfn.Fail (`sfn.Fail(...)`, or `Fail(...)` imported from it)."""
    cls = raised.func if isinstance(raised, ast.Call) else raised
    if isinstance(cls, ast.Attribute) and isinstance(cls.value, ast.Name):
        return cls.attr == "Fail" and b.info.is_sfn_module(cls.value.id)
    return isinstance(cls, ast.Name) and b.info.objects.get(cls.id) is sfn.Fail


_MATH_CONSTANTS = frozenset({"pi", "e", "tau"})
_STRING_CONSTANTS = frozenset({"ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits", "hexdigits",
                               "octdigits", "punctuation", "whitespace", "printable"})
# the module constants a workflow reads as literals: math's floats (not inf or nan: no JSON),
# string's strs (string.ascii_lowercase, string.digits)
_MODULE_CONSTANTS = ((math, _MATH_CONSTANTS, pytypes.FLOAT), (string, _STRING_CONSTANTS, pytypes.STR))


def _class_constant(b, node: ast.Attribute) -> Expr | None:
    """`Config.RETRIES`, `Status.OK.value`: JSON data a module-level class holds (None if not)."""
    names = []
    root = node
    while isinstance(root, ast.Attribute):
        names.insert(0, root.attr)
        root = root.value
    if not isinstance(root, ast.Name) or b.lookup(root.id, record=False)[0] is not None:
        return None
    value = b.info.class_attribute(root.id, names)
    if value is MISSING:
        return None
    text = ast.unparse(node)
    if isinstance(value, enum.Enum):
        raise Refusal(node, f"{text} is an Enum member, which is not JSON data: the state machine holds its value",
                      f"use {text}.value")
    return const(jsonata_lib.held_keys(value), type_of_value(value))


def _member_choice(b, node: ast.Attribute) -> ast.IfExp | None:
    """`(Status.OK if ok else Status.FAIL).value`: the attribute of the member the test picks,
    `Status.OK.value if ok else Status.FAIL.value` (the same read of the same member), where
    both branches are Enum members (nested conditionals too); else None."""
    inner = node.value
    if not isinstance(inner, ast.IfExp):
        return None
    branches = []
    for branch in (inner.body, inner.orelse):
        if isinstance(branch, ast.IfExp):
            branch = _member_choice(b, ast.copy_location(ast.Attribute(value=branch, attr=node.attr, ctx=node.ctx),
                                                          node))
            if branch is None:
                return None
            branches.append(branch)
            continue
        read = ast.copy_location(ast.Attribute(value=branch, attr=node.attr, ctx=node.ctx), node)
        try:
            member = _class_constant(b, branch) if isinstance(branch, ast.Attribute) else None
        except Refusal:  # an Enum member itself: exactly what this reads the attribute of
            member = True
        if member is not True:
            return None
        branches.append(read)
    return ast.copy_location(ast.IfExp(test=inner.test, body=branches[0], orelse=branches[1]), inner)


def transform_attribute(b, node: ast.Attribute) -> Expr:
    """`type(x).__name__` (and `x.__class__.__name__`): the name of the value's class."""
    inner = node.value
    of = None
    if node.attr == "__name__" and isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
            and inner.func.id == "type" and len(inner.args) == 1 and not inner.keywords \
            and b.lookup("type")[0] is None and "type" not in b.info.objects:
        of = inner.args[0]
    elif node.attr == "__name__" and isinstance(inner, ast.Attribute) and inner.attr == "__class__":
        of = inner.value
    if of is None:
        constant = _class_constant(b, node)
        if constant is not None:
            return constant
        chosen = _member_choice(b, node)
        if chosen is not None:
            return b.expr(chosen)
        module = b.info.objects.get(inner.id) if isinstance(inner, ast.Name) \
            and b.lookup(inner.id, record=False)[0] is None else None
        for constants, names, ty in _MODULE_CONSTANTS:
            if module is constants and node.attr in names:
                return const(getattr(module, node.attr), ty)
        caught = b.lookup(inner.id, record=False)[1] if isinstance(inner, ast.Name) else None
        if caught is not None and caught.only("exc"):
            raise Refusal(node, f"an exception's attribute (.{node.attr}) is not supported: the machine keeps a caught "
                          "exception's class and message (str(e)) only, which is what a Lambda's error carries",
                          f"use str({inner.id}), or pass what .{node.attr} holds as the exception's message")
        raise Refusal(node, f"attribute access (.{node.attr}) is not supported in a workflow",
                      "move this into a callee (a module-level function, run as a Lambda)", computable=True)
    value = b.expr(of)
    ty, v = value.ty, value.code
    if ty.only("exc"):
        if any(isinstance(n, ast.Raise) and n.exc is not None and _is_sfn_fail(b, n.exc)
               for n in ast.walk(b.info.tree)):  # a caught sfn.Fail carries its error name, not 'Fail'
            raise Refusal(node, "type(e).__name__ in a module that raises sfn.Fail is not supported (Python names "
                          "a caught sfn.Fail 'Fail', the machine by its error name)",
                          "test the exception classes of your own with isinstance(e, ...)")
        if any(isinstance(n, ast.Call) and ast.unparse(n.func).endswith("wait_for_callback")
               for n in ast.walk(b.info.tree)):  # a caught sfn.Timeout is 'States.Timeout' in the machine
            raise Refusal(node, "type(e).__name__ in a module that waits for callbacks is not supported (a "
                          "timeout is sfn.Timeout in Python, States.Timeout in the machine)",
                          "use isinstance(e, ...)")
        # (the last part of a name dispatch.error_type qualified: `binascii.Error` is Error)
        return combine(f"$split({v}.type, '.')[-1]", pytypes.STR, value)
    if len(ty.kinds) == 1 and (ty.kinds != {"list"} or ty.form != "either"):
        (kind_name,) = ty.kinds
        name = "tuple" if kind_name == "list" and ty.form == "tuple" else pytypes.RUNTIME_NAMES[kind_name]
        return combine(jsonata_lib.string(name), pytypes.STR, value)
    kind = float_kind(value) if mixed_number(ty) and "exc" not in ty.kinds and ty.form == "list" else None
    if kind is not None:  # its companion says int or float (Expr.kind)
        number = f"({kind.code} ? 'float' : 'int')"
        if ty.only("int", "float"):
            return combine(number, pytypes.STR, value, kind)
        return combine(f"($type({v}) = 'number' ? {number} : $__pytype({v}))", pytypes.STR, value, kind,
                       helpers={"pytype"})
    if "exc" in ty.kinds or ("float" in ty.kinds and not ty.json_number and "int" in ty.kinds) \
            or ("list" in ty.kinds and ty.form != "list") or not ty.kinds:
        raise Refusal(node, f"type().__name__ of {ty.describe()} cannot be told at run time",
                      "keep the kinds apart")
    return combine(f"$__pytype({v})", pytypes.STR, value, helpers={"pytype"})
