"""Compiled expressions: JSONata text with a static type, and the guards that must be checked
before it is evaluated (the places where Python would raise).

A guard is a JSONata condition that is true exactly when Python would raise, with the
exception's class and message. The statement that uses the expression turns its guards into
Choice rules ahead of the state that evaluates it; the first guard that holds raises, in
Python's evaluation order.
"""

from __future__ import annotations

import json
import re
from typing import Any

import attrs

from ..analysis.pytypes import ANY, BOOL, NOTHING, Ty, join
from . import ir, jsonata_lib

_NO_CONST = object()
UNSUPPORTED = "pysfn.Unsupported"  # the error of a value known only at run time that the machine cannot handle


@attrs.frozen
class Scan:
    """The search a comprehension's guards share, over its items, for the first that would
    raise: a list [the guard's number, the items bound where it fails], else null. The guards'
    conditions and messages read its result as the local `name`. Computed once per check: the
    builder binds it to a variable before the Choice rules that test it (Guard.reading); a
    guard inside another comprehension's item computes it where it is checked (Guard.inline)."""

    code: str
    helpers: frozenset
    reads: frozenset
    name: str = "$__ff"
    depth: int = 1  # 1 + the depth of the scans inlined in it (their names differ from this one's)

    def under(self, condition: str, helpers: frozenset, reads: frozenset) -> Scan:
        return attrs.evolve(self, code=f"(({condition}) ? {self.code} : null)", helpers=self.helpers | helpers,
                            reads=self.reads | reads)


@attrs.frozen
class Guard:
    cond: str  # JSONata: true when the exception happens
    error: type | None  # the exception class (None: known at run time only)
    message: str  # JSONata text of str(exception)
    helpers: frozenset = frozenset()
    reads: frozenset = frozenset()
    error_code: str | None = None  # JSONata text of the class name, when error is None
    abort: bool = False  # not a Python exception: the machine stops (error_name, message_literal)
    error_name: str = ""
    message_literal: str | None = None
    scan: Scan | None = None  # the search its cond and message read (their `scan.name`)
    # an AmbiguousNumber stop: the code of the value whose int-or-float kind it protects
    # (operations.float_blind drops it where nothing can observe that kind)
    blurs: str | None = None
    # a stop where a float prints otherwise than in Python: with compute_in_lambda, the
    # expression runs in the workflow's Lambda instead (lowering/visitor.py)
    lambda_exact: bool = False
    # where the message would cost more than one evaluation may spend (JSONata, and the stop's
    # cause): a loud stop there instead, if anything reads the message (graph/builder.guard_rule)
    costly: tuple[str, str] | None = None

    def under(self, condition: str, helpers: frozenset, reads: frozenset) -> Guard:
        """This guard, checked only where `condition` holds (short-circuit operands)."""
        if self.scan is not None:  # searched only there: its cond is false on null
            return attrs.evolve(self, scan=self.scan.under(condition, helpers, reads),
                                helpers=self.helpers | helpers, reads=self.reads | reads)
        return attrs.evolve(self, cond=f"({condition}) and ({self.cond})",
                            helpers=self.helpers | helpers, reads=self.reads | reads)

    def scan_texts(self) -> int:
        """How many of its texts read its scan's result (its cond, and its message or class
        name when they name the failing item)."""
        if self.scan is None:
            return 0
        local = _local(self.scan.name)
        return 1 + sum(1 for text in (self.message, self.error_code) if text and local.search(text))

    def inline(self) -> Guard:
        """This guard with its scan computed in the texts that read it: inside a text evaluated
        per item (another comprehension's search), or where only one text reads it."""
        if self.scan is None:
            return self
        local = _local(self.scan.name)
        bind = f"{self.scan.name} := {self.scan.code}; "

        def within(text: str | None) -> str | None:
            return f"({bind}{text})" if text and local.search(text) else text

        return attrs.evolve(self, cond=within(self.cond), message=within(self.message),
                            error_code=within(self.error_code), scan=None, helpers=self.helpers | self.scan.helpers)

    def reading(self, variable: str) -> Guard:
        """This guard with its scan's result read from the workflow variable `variable` (set
        to the scan's code by a state before the rule)."""
        if self.scan is None:
            return self
        local = _local(self.scan.name)

        def sub(text: str) -> str:
            return local.sub(lambda _: "$" + variable, text)

        return attrs.evolve(self, cond=sub(self.cond), message=sub(self.message),
                            error_code=sub(self.error_code) if self.error_code else None, scan=None,
                            reads=self.reads | {variable})


def _local(name: str) -> re.Pattern:
    """`name` (a JSONata `$variable`) where a text reads it."""
    return re.compile(re.escape(name) + r"(?![A-Za-z0-9_])")


def record(guard: Guard) -> dict:
    """The exception record {"type", "message"} a raise carries to its handler."""
    if guard.error is not None:
        name = guard.error.__name__
    else:
        name = ir.Code(guard.error_code or "'Exception'", guard.helpers)
    return {"type": name, "message": _message(guard)}


def _message(guard: Guard) -> Any:
    """A message known at compile time is a plain JSON string (not `{% "..." %}`)."""
    message = guard.message
    if len(message) > 1 and message[0] == message[-1] == "'" and not any(c in message[1:-1] for c in "'\\"):
        message = json.dumps(message[1:-1])  # the same text in JSONata's other quotes
    if message.startswith('"') and message.endswith('"'):
        try:
            text = json.loads(message)
        except ValueError:
            text = None
        if isinstance(text, str) and not (text.startswith("{%") and text.endswith("%}")):
            return text
    return ir.Code(guard.message, guard.helpers)


@attrs.frozen
class Expr:
    code: str  # JSONata, safe as an operand (atomic or parenthesized)
    ty: Ty
    guards: tuple = ()
    reads: frozenset = frozenset()  # ASL variables read
    helpers: frozenset = frozenset()
    const: Any = _NO_CONST  # the Python value, when known at compile time
    # a dict display with literal keys: ((key, value Expr), ...), so that a field holding it can
    # be a JSON object of one expression per key (builder.template)
    entries: tuple | None = None
    # a number that may be an int or a float (`total = 0`, then `total += x * 1.5`): a boolean
    # expression that is true where it is a float (JSON holds 3.0 as 3; see float_kind)
    kind: Expr | None = None

    NO_CONST = _NO_CONST

    @property
    def is_const(self) -> bool:
        return self.const is not _NO_CONST

    def unguarded(self) -> Expr:
        """The same code without its guards (checked elsewhere already: before the items of a
        comprehension, or by a state of their own); its type, reads and helpers kept."""
        return Expr(self.code, self.ty, (), self.reads, self.helpers)


def is_var(code: str) -> bool:
    """Whether JSONata `code` is a variable alone (`$total`): read twice at no cost."""
    return code.startswith("$") and code[1:].replace("_", "a").isalnum()


def mixed_number(ty: Ty) -> bool:
    """A type whose numbers may be ints or floats, which JSON does not tell apart (3.0 travels
    as 3); not the numbers nobody annotated (the number rule: integral means int)."""
    return "int" in ty.kinds and "float" in ty.kinds and not ty.json_number and not ty.is_any


_TRUE, _FALSE = Expr("true", BOOL, const=True), Expr("false", BOOL, const=False)
# the kind of a number of unknown type whose stop for an integral float result went
# (operations.float_blind) with no kind carried: nothing tells whether it is a float
NO_KIND = Expr("null", BOOL)


def float_kind(value: Expr) -> Expr | None:
    """Whether `value`, where it is a number, is a float: a boolean expression (constant where
    its type settles it, else the `kind` its transform carried; for a number of unknown type,
    the number rule: a float where it is not integral), or None where nothing tells."""
    ty = value.ty
    if ty.json_number or ty.is_any:
        if value.kind is NO_KIND:
            return None
        if value.kind is not None:
            return value.kind
        code = value.code
        test = "($type({v}) = 'number' and $floor({v}) != {v})"
        if is_var(code):
            return Expr(test.format(v=code), BOOL, reads=value.reads, helpers=value.helpers)
        return Expr(f"(function($__nk) {{ {test.format(v='$__nk')} }})({code})", BOOL, reads=value.reads,
                    helpers=value.helpers)  # (its code once more, evaluated as a function's argument)
    if not ty.may("float"):
        return _FALSE
    if not ty.may("int"):
        return _TRUE
    return value.kind if value.kind is not NO_KIND else None


def carried_kind(value: Expr) -> Expr | None:
    """The kind a number of unknown type carries (a variable's companion, an operation's), where
    the number rule would take an integral float for an int; None where it carries none."""
    ty, kind = value.ty, value.kind
    if not (ty.json_number and ty.may("int", "float")) or kind is None or kind is NO_KIND:
        return None
    return kind


def printed_kind(value: Expr) -> Expr | None:
    """The kind str() and json.dumps write a number by: a number that may be an int or a float
    as float_kind says, one of unknown type as it carries."""
    return float_kind(value) if mixed_number(value.ty) else carried_kind(value)


def either_kind(left: Expr | None, right: Expr | None) -> Expr | None:
    """The kind of `a op b` for + - * // %: a float where either operand is."""
    if any(side is not None and side.is_const and side.const for side in (left, right)):
        return _TRUE  # a float either way
    if left is None or right is None:
        return None
    for one, other in ((left, right), (right, left)):
        if one.is_const:
            return other  # (a constant false: as the other operand)
    return Expr(f"({left.code} or {right.code})", BOOL, reads=left.reads | right.reads,
                helpers=left.helpers | right.helpers)


def by_kind(value: Expr, build) -> Expr:
    """`build(value)` for a number that may be an int or a float whose kind is known at run
    time (value.kind): built once as each, the kind choosing (a number of unknown type then
    is the float or the int it is: no number rule); each side's guards hold only where it is chosen."""
    kind = value.kind
    bare = attrs.evolve(value, guards=(), kind=None)
    as_float = build(attrs.evolve(bare, ty=attrs.evolve(value.ty, kinds=value.ty.kinds - {"int"}, json_number=False)))
    as_int = build(attrs.evolve(bare, ty=attrs.evolve(value.ty, kinds=value.ty.kinds - {"float"}, json_number=False)))
    negated = f"$not({kind.code})"
    guards = (*value.guards, *(g.under(kind.code, kind.helpers, kind.reads) for g in as_float.guards),
              *(g.under(negated, kind.helpers, kind.reads) for g in as_int.guards))
    return Expr(f"({kind.code} ? {as_float.code} : {as_int.code})", join(as_float.ty, as_int.ty), guards,
                value.reads | kind.reads | as_float.reads | as_int.reads,
                value.helpers | kind.helpers | as_float.helpers | as_int.helpers)


def const(value: Any, ty: Ty) -> Expr:
    return Expr(jsonata_lib.literal(value), ty, const=value)


def combine(code: str, ty: Ty, *parts: Expr, helpers=(), guards=()) -> Expr:
    """An expression built from `parts` (their guards first, in order, then `guards`)."""
    all_guards: tuple = ()
    reads: frozenset = frozenset()
    used = frozenset(helpers)
    for part in parts:
        all_guards += part.guards
        reads |= part.reads
        used |= part.helpers
    for guard in guards:
        reads |= guard.reads
    # a number of unknown type made from one that carries its kind (a companion: it may be an
    # integral float) follows the number rule no more: NO_KIND, unless the caller says its kind
    kind = NO_KIND if (ty.json_number or ty.is_any) and any(part.kind is not None for part in parts) else None
    return Expr(code, ty, all_guards + tuple(guards), reads, jsonata_lib.closure(used) if used else frozenset(),
                kind=kind)


def unreachable(*operands: Expr) -> Expr | None:
    """An operation on a value that never exists (of no kind: an item of a list or dict that
    never holds one, `out[0]` of `out = []`): the operand's own check (IndexError, KeyError)
    always raises first, so the operation is never evaluated. Its operands' checks and a
    placeholder value; None where every operand may exist."""
    if not any(not o.ty.kinds and not o.is_const for o in operands):
        return None
    return combine("null", NOTHING, *operands)


def guard(cond: str, error: type, message: str, *parts: Expr, helpers=()) -> Guard:
    """A guard whose condition and message read the given expressions."""
    used = frozenset(helpers)
    reads: frozenset = frozenset()
    for part in parts:
        used |= part.helpers
        reads |= part.reads
    return Guard(cond, error, message, jsonata_lib.closure(used) if used else frozenset(), reads)


def stop_where(expr: Expr, cond: str, message: str, ty: Ty | None = None) -> Expr:
    """`expr`, and the machine stopping loudly (pysfn.Unsupported, `message`) where `cond`
    holds when it runs: a value whose kind only the run tells, where the machine follows
    Python for some kinds only (`ty`: its type where it goes on)."""
    stop = Guard(cond, None, "''", expr.helpers, expr.reads, abort=True, error_name=UNSUPPORTED,
                 message_literal=message)
    return attrs.evolve(expr, ty=expr.ty if ty is None else ty, guards=(*expr.guards, stop))


def paren(code: str) -> str:
    return f"({code})"


_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")


def record_expr(value: Any) -> Expr:
    """A record (JSON with ir.Code values, e.g. an exception's {"type", "message"}) as an
    expression; it reads every variable its code names (so that no Assign that sets one of
    them takes it: Assign fields read the values from before)."""
    if isinstance(value, ir.Code):
        reads = frozenset(name for name in _VARIABLE.findall(value.text) if name != "states")
        return Expr(value.text, ANY, (), reads, value.helpers)
    if isinstance(value, dict):
        parts = [(k, record_expr(v)) for k, v in value.items()]
        if all(p.is_const for _, p in parts):
            return const({k: p.const for k, p in parts}, ANY)
        helpers: frozenset = frozenset()
        reads: frozenset = frozenset()
        for _, p in parts:
            helpers |= p.helpers
            reads |= p.reads
        return Expr("{" + ", ".join(f"{jsonata_lib.string(k)}: {p.code}" for k, p in parts) + "}", ANY,
                    (), reads, helpers)
    return const(value, ANY)
