"""Static types of workflow values, as far as the compiler can know them.

A value in the state machine is JSON, and JSON cannot tell 3 from 3.0: whether a number is a
Python int or float is known only statically. A `Ty` is a set of possible kinds (a union), with
the element type of lists, the value type of dicts, and for ints a bound on the magnitude in
bits (ints stay exact in JSON's doubles up to 2**53). Anything unknown (an unannotated input,
an unannotated callee result) is ANY: every JSON kind, numbers of unknown int/float-ness.

The rule for such numbers (JSON has one number type): a number that comes from outside with no
annotation saying what it is, is an int when it is integral and a float otherwise. The plain
run carries the input and every callee result across the same boundary (`boundary.py`), so
both runs agree. `Ty.json_number` marks the types whose numbers follow that rule at run time:
ANY and everything inside it, and results of int arithmetic on them (guarded). A float the
workflow computes itself does not (2.0 is integral, yet a float), so a type mixing the two
loses the mark.
"""

from __future__ import annotations

import typing

import attrs

JSON_KINDS = frozenset({"int", "float", "bool", "str", "none", "list", "dict"})
SAFE_BITS = 53  # |n| <= 2**53: exact in a double
SMALL_BITS = 32  # lengths, indexes, counters from range()
_MAX_DEPTH = 4


@attrs.frozen
class Ty:
    kinds: frozenset
    elem: Ty | None = None  # list element type; None means ANY
    value: Ty | None = None  # dict value type; None means ANY
    bits: int = SAFE_BITS  # bound on |int| when "int" in kinds
    items: tuple | None = None  # a list of fixed length whose positions have these types
    fields: tuple | None = None  # a TypedDict: ((key, Ty), ...) for dicts
    name: str = ""  # the TypedDict's name, for messages
    json_number: bool = False  # its numbers follow the rule above: integral means int
    form: str = "list"  # for "list" kinds: a Python "list", a "tuple", or "either" (JSON: an array)
    present: frozenset = frozenset()  # for dicts: keys every value of this type holds (a literal's, a TypedDict's required)

    def field(self, key: str):
        """The type of a TypedDict's key, or None."""
        if self.fields is None:
            return None
        for name, ty in self.fields:
            if name == key:
                return ty
        return None

    # -- questions ---------------------------------------------------------------------
    def only(self, *kinds: str) -> bool:
        return bool(self.kinds) and self.kinds <= frozenset(kinds)

    def may(self, *kinds: str) -> bool:
        return bool(self.kinds & frozenset(kinds))

    @property
    def is_any(self) -> bool:
        return self.kinds >= JSON_KINDS

    @property
    def numeric(self) -> bool:
        """int, float or bool (bool counts as int in arithmetic)."""
        return self.only("int", "float", "bool")

    @property
    def exact_number(self) -> bool:
        """A number whose int/float-ness is known."""
        return self.only("int", "bool") or self.only("float")

    @property
    def mutable(self) -> bool:
        return self.may("list", "dict")

    @property
    def element(self) -> Ty:
        return self.elem if self.elem is not None else ANY

    @property
    def values(self) -> Ty:
        return self.value if self.value is not None else ANY

    @property
    def integral_means_int(self) -> bool:
        """At run time an integral number of this type is an int (the module's rule, or no floats)."""
        return self.json_number or "float" not in self.kinds

    def without(self, *kinds: str) -> Ty:
        return attrs.evolve(self, kinds=self.kinds - frozenset(kinds))

    def describe(self) -> str:
        if self.is_any:
            return "any JSON value"
        names = []
        for kind in ("int", "float", "bool", "str", "none", "list", "dict", "exc"):
            if kind in self.kinds:
                if kind == "list" and self.form != "list":
                    names.append("tuple" if self.form == "tuple" else "list or tuple")
                elif kind == "list" and self.elem is not None and not self.elem.is_any:
                    names.append(f"list[{self.elem.describe()}]")
                elif kind == "dict" and self.value is not None and not self.value.is_any:
                    names.append(f"dict[str, {self.value.describe()}]")
                else:
                    names.append(PY_NAMES[kind])
        return " | ".join(names) or "nothing"


PY_NAMES = {"int": "int", "float": "float", "bool": "bool", "str": "str", "none": "None",
            "list": "list", "dict": "dict", "exc": "exception"}
RUNTIME_NAMES = {"int": "int", "float": "float", "bool": "bool", "str": "str", "none": "NoneType",
                 "list": "list", "dict": "dict"}


def kind(name: str, bits: int = SAFE_BITS) -> Ty:
    return Ty(frozenset({name}), bits=bits)


NOTHING = Ty(frozenset())
KEY = Ty(frozenset({"str", "int"}), json_number=True)  # a dict's key where the machine stores int keys too (its
# numbers are ints: the number rule holds, and makes every operation on it dispatch at run time)
ANY = Ty(JSON_KINDS, json_number=True)
INT = kind("int")
SMALL_INT = kind("int", SMALL_BITS)
FLOAT = kind("float")
NUMBER = Ty(frozenset({"int", "float"}))
BOOL = kind("bool")
STR = kind("str")
NONE = kind("none")
EXC = kind("exc")


def list_of(elem: Ty | None) -> Ty:
    return Ty(frozenset({"list"}), elem=None if elem is None or _unknown(elem) else _cap(elem))


def pair_of(*items: Ty, form: str = "list") -> Ty:
    """A fixed-length list whose positions have these types; `form` says whether Python
    holds it as a list (an sfn.parallel result) or a tuple (an enumerate pair)."""
    elem = None
    for item in items:
        elem = join(elem, item)
    return attrs.evolve(list_of(elem), items=tuple(items), form=form)


def tuple_of(*items: Ty) -> Ty:
    """A Python tuple of these item types."""
    if not items:
        return attrs.evolve(list_of(NOTHING), items=(), form="tuple")
    return pair_of(*items, form="tuple")


def as_form(ty: Ty, form: str) -> Ty:
    return attrs.evolve(ty, form=form) if "list" in ty.kinds else ty


def forms_may_differ(a: Ty, b: Ty, depth: int = 0) -> bool:
    """Whether a list in one value may meet a tuple in the other, at any depth (Python's
    equality and printing tell them apart, JSON does not)."""
    if depth > 5:
        return False
    if a.is_any or b.is_any:  # JSON from outside holds lists only, never tuples
        return has_tuple(b if a.is_any else a)
    if a.may("list") and b.may("list"):
        if a.form != b.form or a.form == "either":
            return True
        if forms_may_differ(a.element, b.element, depth + 1):
            return True
    return a.may("dict") and b.may("dict") and forms_may_differ(a.values, b.values, depth + 1)


def has_tuple(ty: Ty, depth: int = 0) -> bool:
    """Whether a tuple (or a value that may be one) is anywhere inside `ty`."""
    if depth > 5 or ty.is_any:
        return False
    if ty.may("list") and (ty.form != "list" or has_tuple(ty.element, depth + 1)):
        return True
    return ty.may("dict") and has_tuple(ty.values, depth + 1)


def typed_dict(name: str, fields: dict, required=None) -> Ty:
    """A record: its keys' types; `required`: the keys it always holds (None: all of them)."""
    if not fields:
        return dict_of(NOTHING)
    value = None
    for ty in fields.values():
        value = join(value, ty)
    present = frozenset(fields) if required is None else frozenset(required) & frozenset(fields)
    return attrs.evolve(dict_of(value), fields=tuple(fields.items()), name=name, present=present)


def dict_of(value: Ty | None) -> Ty:
    return Ty(frozenset({"dict"}), value=None if value is None or _unknown(value) else _cap(value))


def int_bits(value: int) -> int:
    return max(1, abs(value).bit_length())


def literal_int(value: int) -> Ty:
    return kind("int", int_bits(value))


def join(a: Ty | None, b: Ty | None) -> Ty:
    """The union of two types (None is 'no information yet')."""
    if a is None:
        return b if b is not None else NOTHING
    if b is None or a == b:
        return a
    kinds = a.kinds | b.kinds
    elem = value = None
    if "list" in kinds:
        elem = _join_part(a, b, "list", "elem")
    if "dict" in kinds:
        value = _join_part(a, b, "dict", "value")
    bits = max(a.bits if "int" in a.kinds else 0, b.bits if "int" in b.kinds else 0) or SAFE_BITS
    items = None
    if a.items is not None and b.items is not None and len(a.items) == len(b.items):
        items = tuple(join(x, y) for x, y in zip(a.items, b.items, strict=True))
    elif a.items is not None and "list" not in b.kinds:
        items = a.items
    elif b.items is not None and "list" not in a.kinds:
        items = b.items
    form = "list"
    if "list" in a.kinds and "list" in b.kinds:
        form = a.form if a.form == b.form else "either"
    elif "list" in a.kinds or "list" in b.kinds:
        form = a.form if "list" in a.kinds else b.form
    fields, name = None, ""
    if a.fields is not None and a.fields == b.fields:
        fields, name = a.fields, a.name
    elif a.fields is not None and b.fields is not None and _extends(a.fields, b.fields):
        # one record whose fields changed (`rec["lines"].append(1)` after `"lines": []`), or that
        # gained keys (`rec["total"] = ...`): field by field (a key one side lacks is not `present`)
        longer, shorter = (a.fields, b.fields) if len(a.fields) >= len(b.fields) else (b.fields, a.fields)
        known = dict(shorter)
        fields = tuple((k, join(x, known[k]) if k in known else x) for k, x in longer)
        name = a.name if a.name == b.name else ""
    elif a.fields is not None and "dict" not in b.kinds:
        fields, name = a.fields, a.name
    elif b.fields is not None and "dict" not in a.kinds:
        fields, name = b.fields, b.name
    number_rule = "float" in kinds and a.integral_means_int and b.integral_means_int
    if "dict" in a.kinds and "dict" in b.kinds:
        present = a.present & b.present
    else:
        present = a.present if "dict" in a.kinds else b.present
    return Ty(kinds, elem=elem, value=value, bits=bits, items=items, fields=fields, name=name,
              json_number=number_rule, form=form, present=present)


def _extends(a: tuple, b: tuple) -> bool:
    """Whether one record's keys are the other's first keys, in order (or the same keys)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return [k for k, _ in short] == [k for k, _ in long[:len(short)]]


def _join_part(a: Ty, b: Ty, kind_name: str, field: str) -> Ty | None:
    parts = [getattr(t, field) if getattr(t, field) is not None else ANY
             for t in (a, b) if kind_name in t.kinds]
    if len(parts) == 1:
        result = parts[0]
    else:
        result = join(parts[0], parts[1])
    return None if _unknown(result) else _cap(result)


def _unknown(ty: Ty) -> bool:
    """Whether a container's items of this type are ANY's (None: unknown, numbers by the number
    rule); not where a float joined in (`[x, f * 2]`, `[x, {"z": f}]`: 3 and 3.0 differ, and no
    rule tells them apart)."""
    return ty.is_any and not holds_float(ty)


def holds_float(ty: Ty, json_number: bool = False, depth: int = 0) -> bool:
    """Whether a value of this type may be or hold a number known to be a float (with
    `json_number`: a number of unknown type instead, which the number rule reads as an int
    when integral)."""
    if "float" in ty.kinds and ty.json_number == json_number:
        return True
    if depth > _MAX_DEPTH:
        return False
    parts = [ty.element] if "list" in ty.kinds else []
    parts += [ty.values] if "dict" in ty.kinds else []
    parts += list(ty.items or ()) + [t for _, t in ty.fields or ()]
    return any(holds_float(part, json_number, depth + 1) for part in parts)


# what a type nested deeper than _MAX_DEPTH becomes where it holds a float: a value of unknown
# kind whose numbers do not follow the number rule (printing it, passing it to a Lambda or an
# integral result of its arithmetic is refused or stops), never ANY, which would read 10.0 as 10
DEEP_FLOAT = Ty(JSON_KINDS)


def _cap(ty: Ty, depth: int = 0) -> Ty:
    """Bound the nesting so that type inference over loops reaches a fixpoint."""
    if depth >= _MAX_DEPTH:
        return DEEP_FLOAT if holds_float(ty) else ANY
    elem = _cap(ty.elem, depth + 1) if ty.elem is not None else None
    value = _cap(ty.value, depth + 1) if ty.value is not None else None
    if elem is not None and _unknown(elem):
        elem = None
    if value is not None and _unknown(value):
        value = None
    fields = ty.fields
    if fields is not None:
        fields = tuple((k, _cap(t, depth + 1)) for k, t in fields)
        if fields == ty.fields:
            fields = ty.fields
    if elem is ty.elem and value is ty.value and fields is ty.fields:
        return ty
    return attrs.evolve(ty, elem=elem, value=value, fields=fields)


def number_part(ty: Ty) -> Ty:
    """The numbers of `ty` as arithmetic sees them (a bool as an int); a value of any kind, or
    one following the number rule, is a number of that rule."""
    if ty.is_any or ty.json_number:
        return attrs.evolve(NUMBER, json_number=True)
    numbers = restrict(ty, ("int", "float"))
    return join(numbers, kind("int", 1)) if ty.may("bool") else numbers


def restrict(ty: Ty, kinds) -> Ty:
    """`ty`'s values of these kinds only (what `isinstance` leaves of it)."""
    kept = frozenset(k for k in kinds if k in ty.kinds)
    return Ty(kept, elem=ty.elem, value=ty.value, bits=ty.bits, items=ty.items if "list" in kept else None,
              fields=ty.fields if "dict" in kept else None, name=ty.name, json_number=ty.json_number, form=ty.form,
              present=ty.present if "dict" in kept else frozenset())


def widen(old: Ty | None, new: Ty) -> Ty:
    """Join for the fixpoint: an int bound that keeps growing jumps to the safe bound."""
    joined = join(old, new)
    if old is not None and "int" in joined.kinds and joined.bits > (old.bits if "int" in old.kinds else 0):
        if "int" in old.kinds:
            joined = attrs.evolve(joined, bits=SAFE_BITS)
    return joined


def widen_bits(old: Ty | None, new: Ty, depth: int = 0) -> Ty:
    """`new`, where an int bound grew since `old` (at any depth: a dict's values, a list's
    items, a record's fields) at the safe bound: the fixpoint over a loop must not stop at a
    bound one more pass would raise (`d[k] = d.get(k, 1) * 3` grows without end)."""
    if old is None or depth > _MAX_DEPTH:
        return new
    out = new
    if "int" in new.kinds and "int" in old.kinds and new.bits > old.bits:
        out = attrs.evolve(out, bits=SAFE_BITS)
    if new.elem is not None and old.elem is not None:
        out = attrs.evolve(out, elem=widen_bits(old.elem, new.elem, depth + 1))
    if new.value is not None and old.value is not None:
        out = attrs.evolve(out, value=widen_bits(old.value, new.value, depth + 1))
    if new.fields is not None and old.fields is not None:
        before = dict(old.fields)
        out = attrs.evolve(out, fields=tuple((k, widen_bits(before.get(k), t, depth + 1)) for k, t in new.fields))
    if new.items is not None and old.items is not None and len(new.items) == len(old.items):
        out = attrs.evolve(out, items=tuple(widen_bits(a, b, depth + 1)
                                            for a, b in zip(old.items, new.items, strict=True)))
    return out


def hint_type(hint) -> Ty:
    """The static type a Python type hint promises (a parameter's or a callee's return)."""
    if hint is typing.Any or hint is object:
        return ANY
    if hint is None or hint is type(None):
        return NONE
    simple = {int: INT, float: FLOAT, str: STR, bool: BOOL,
              list: list_of(None), dict: dict_of(None)}
    if hint in simple:
        return simple[hint]
    if typing.is_typeddict(hint):
        try:
            fields = typing.get_type_hints(hint)
        except Exception:
            return dict_of(None)
        return typed_dict(hint.__name__, {k: hint_type(v) for k, v in fields.items()},
                          getattr(hint, "__required_keys__", None))
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    # a value annotated tuple is a list when it comes from JSON (a parameter), a tuple when a
    # callee returns one as Python runs it: either
    if hint is tuple:
        return as_form(list_of(None), "either")
    if origin is tuple:
        items = [p for p in parameters if p is not Ellipsis]
        if len(parameters) == 2 and parameters[1] is Ellipsis:
            return as_form(list_of(hint_type(parameters[0])), "either")
        return pair_of(*(hint_type(p) for p in items), form="either") if items \
            else as_form(list_of(NOTHING), "either")
    if origin is list:
        return list_of(hint_type(parameters[0]) if parameters else None)
    if origin is dict:
        return dict_of(hint_type(parameters[1]) if len(parameters) == 2 else None)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        result = None
        for option in parameters:
            result = join(result, hint_type(option))
        return result
    return ANY


# -- floats across JSON (a callee's or a computed block's parameters) --------------------
def float_safe(ty: Ty, hint, depth: int = 0) -> bool:
    """Whether a value of type `ty` reaches the callee as Python would pass it. JSON carries
    3.0 as 3, so a float reaches the Lambda as a float only where the parameter is annotated
    float (the dispatcher converts); and an int must not reach such a parameter (it would be
    converted, Python passes the int)."""
    if depth > 5 or ty.is_any:
        return True
    if hint is float:
        return ty.only("float")
    if not may_hold_float(ty):
        return not expects_float(hint)
    record = _record_hints(hint)
    if record is not None and ty.only("dict") and ty.fields is not None:  # key by key, as dispatch converts
        return all(float_safe(field, record[key], depth + 1) if key in record else not may_hold_float(field)
                   for key, field in ty.fields)
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin is list and parameters and ty.only("list"):
        return float_safe(ty.element, parameters[0], depth + 1)
    if origin is dict and len(parameters) == 2 and ty.only("dict"):
        return float_safe(ty.values, parameters[1], depth + 1)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        numeric = [p for p in parameters if p in (int, float)]
        if numeric == [float]:
            return ty.without("none").only("int", "float", "bool")
    return False


def expects_float(hint, depth: int = 0) -> bool:
    """Whether the dispatcher would turn an int somewhere in this value into a float."""
    if depth > 5:
        return False
    if hint is float:
        return True
    record = _record_hints(hint)
    if record is not None:
        return any(expects_float(field, depth + 1) for field in record.values())
    origin, parameters = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, dict) and parameters:
        return expects_float(parameters[-1], depth + 1)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        return [p for p in parameters if p in (int, float)] == [float]
    return False


def _record_hints(hint) -> dict | None:
    """A TypedDict annotation's keys and their annotations (runtime/dispatch.py converts an int
    to a float under a key annotated float), else None."""
    if not typing.is_typeddict(hint):
        return None
    try:
        return typing.get_type_hints(hint)
    except Exception:  # (a name it cannot resolve: dispatch leaves such a value as it is)
        return {}


def float_paths(ty: Ty, depth: int = 0) -> list[tuple] | None:
    """Where a value of this type holds numbers that are floats in Python, as paths for the
    dispatcher to turn JSON's integral numbers back into floats (runtime/dispatch.py): () the
    value itself, a key or position, None every item or value. None where a number may be an
    int or a float (no path can tell which), or a float sits among numbers of unknown type (a
    computed float stored in a value nobody annotated: `rec["x"] = n / 2`); [] where no float is
    known."""
    if depth > _MAX_DEPTH:
        return []
    if ty.is_any or not ty.kinds:
        return None if holds_float(ty) else []
    paths: list[tuple] = []
    if ty.may("float") and not ty.json_number:
        if ty.may("int"):
            return None
        paths.append(())
    parts = []
    if "list" in ty.kinds:
        parts += list(enumerate(ty.items)) if ty.items is not None else [(None, ty.element)]
    if "dict" in ty.kinds:
        parts += list(ty.fields) if ty.fields is not None else [(None, ty.values)]
    for step, part in parts:
        inner = float_paths(part, depth + 1)
        if inner is None:
            return None
        paths += [(step, *path) for path in inner]
    return paths


def float_keys(ty: Ty) -> list[str]:
    """The keys of a record type whose values may be or hold a float (for a hint)."""
    return [key for key, field in ty.fields or () if may_hold_float(field)]


def may_hold_float(ty: Ty, depth: int = 0) -> bool:
    """Whether the value is known to hold a float (a value of unknown type is JSON: see the
    README on integral floats inside untyped values)."""
    if depth > 5 or ty.is_any:
        return False
    if ty.may("float") and not ty.json_number:  # by the number rule, an integral one is an int
        return True
    if ty.may("list") and may_hold_float(ty.element, depth + 1):
        return True
    return ty.may("dict") and may_hold_float(ty.values, depth + 1)
