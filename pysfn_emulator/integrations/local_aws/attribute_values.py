"""DynamoDB AttributeValues: `{"S": "a"}`, `{"N": "12"}`, `{"B": ...}`, `{"BOOL": true}`,
`{"NULL": true}`, `{"M": {...}}`, `{"L": [...]}`, `{"SS": [...]}`, `{"NS": [...]}`, `{"BS": [...]}`.

Checked as DynamoDB checks them (exactly one type, numbers that parse, sets non-empty and
without duplicates), numbers normalised as DynamoDB returns them (`"1.50"` -> `"1.5"`), and
converted from and to plain Python values for tests (`to_attribute`, `from_attribute`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .service_failure import validation

TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
MAX_DEPTH = 32  # DynamoDB nests documents at most 32 levels deep


def check_item(item: Any, what: str = "item") -> dict:
    """A normalised copy of an item (a map of attribute names to AttributeValues)."""
    if not isinstance(item, dict):
        raise validation(f"1 validation error detected: Value null at '{what}' failed to satisfy constraint: Member must not be null"
                         if item is None else f"The {what} must be a map of attribute names to AttributeValues")
    checked = {}
    for name, value in item.items():
        if not isinstance(name, str) or not name:
            raise validation("One or more parameter values were invalid: An AttributeValue may not contain an empty string")
        checked[name] = check_value(value)
    return checked


def check_value(value: Any, depth: int = 0) -> dict:
    """A normalised copy of one AttributeValue, or ValidationException."""
    if depth > MAX_DEPTH:
        raise validation("Nesting Levels have exceeded supported limits")
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in TYPES:
        raise validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
    kind, data = next(iter(value.items()))
    if kind == "S" and isinstance(data, str):
        return {"S": data}
    if kind == "N":
        return {"N": number_text(data)}
    if kind == "B" and isinstance(data, str):
        return {"B": data}
    if kind in ("BOOL",) and isinstance(data, bool):
        return {"BOOL": data}
    if kind == "NULL" and data is True:
        return {"NULL": True}
    if kind == "NULL":
        raise validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
    if kind == "M" and isinstance(data, dict):
        return {"M": {str(key): check_value(item, depth + 1) for key, item in data.items()}}
    if kind == "L" and isinstance(data, list):
        return {"L": [check_value(item, depth + 1) for item in data]}
    if kind in ("SS", "NS", "BS") and isinstance(data, list):
        if not data:
            raise validation("One or more parameter values were invalid: An number set  may not be empty"
                             if kind == "NS" else "One or more parameter values were invalid: An string set  may not be empty")
        members = [number_text(item) for item in data] if kind == "NS" else list(data)
        if not all(isinstance(item, str) for item in members):
            raise validation(f"The members of a {kind} must be strings")
        keys = [Decimal(item) for item in members] if kind == "NS" else members
        if len(set(keys)) != len(keys):
            raise validation(f"One or more parameter values were invalid: Input collection {data} contains duplicates.")
        return {kind: members}
    raise validation(f"The AttributeValue of type {kind} holds a value of the wrong type: {data!r}")


def number_text(data: Any) -> str:
    """A DynamoDB number's text, normalised (no exponent, no trailing zeros), or ValidationException."""
    if not isinstance(data, str):
        raise validation("NUMBER_VALUE cannot be converted to String" if data is not None else
                         "One or more parameter values were invalid: An AttributeValue may not contain a null number")
    try:
        number = Decimal(data.strip())
    except InvalidOperation:
        raise validation("A value provided cannot be converted into a number") from None
    if not number.is_finite():
        raise validation("A value provided cannot be converted into a number")
    if number != 0 and not (Decimal("1E-130") <= abs(number) < Decimal("1E+126")):
        raise validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
    if number == number.to_integral_value():
        return str(int(number))
    text = format(number.normalize(), "f")
    return text


def decimal(value: dict) -> Decimal:
    return Decimal(value["N"])


def same(left: dict, right: dict) -> bool:
    """DynamoDB's `=`: same type, same value (numbers by value, sets as sets)."""
    (lkind, ldata), (rkind, rdata) = next(iter(left.items())), next(iter(right.items()))
    if lkind != rkind:
        return False
    if lkind == "N":
        return Decimal(ldata) == Decimal(rdata)
    if lkind == "NS":
        return {Decimal(item) for item in ldata} == {Decimal(item) for item in rdata}
    if lkind in ("SS", "BS"):
        return set(ldata) == set(rdata)
    if lkind == "M":
        return ldata.keys() == rdata.keys() and all(same(ldata[key], rdata[key]) for key in ldata)
    if lkind == "L":
        return len(ldata) == len(rdata) and all(same(a, b) for a, b in zip(ldata, rdata, strict=True))
    return ldata == rdata


def order_key(value: dict) -> Any:
    """How DynamoDB orders a key attribute (N by value, S and B by their UTF-8 bytes)."""
    kind, data = next(iter(value.items()))
    if kind == "N":
        return Decimal(data)
    return data.encode("utf-8", "surrogatepass")


def compare(left: dict, right: dict) -> int | None:
    """-1, 0 or 1 for two values of one scalar type (N, S or B); None when they do not compare."""
    (lkind, _), (rkind, _) = next(iter(left.items())), next(iter(right.items()))
    if lkind != rkind or lkind not in ("N", "S", "B"):
        return None
    a, b = order_key(left), order_key(right)
    return (a > b) - (a < b)


def to_attribute(value: Any) -> dict:
    """A plain Python value as an AttributeValue (str S, int/float/Decimal N, bool BOOL, None
    NULL, dict M, list/tuple L, set of str SS, set of numbers NS, bytes B as base64)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": number_text(str(value))}
    if isinstance(value, dict):
        return {"M": {str(key): to_attribute(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        if value and all(isinstance(item, str) for item in value):
            return {"SS": sorted(value)}
        if value and all(isinstance(item, (int, float, Decimal)) and not isinstance(item, bool) for item in value):
            return {"NS": [number_text(str(item)) for item in sorted(value)]}
    raise TypeError(f"no DynamoDB AttributeValue for {value!r}")


def to_item(values: dict) -> dict:
    return {name: to_attribute(value) for name, value in values.items()}


def from_attribute(value: dict) -> Any:
    """An AttributeValue as a plain Python value (N as int when integral, else float)."""
    kind, data = next(iter(value.items()))
    if kind == "N":
        number = Decimal(data)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "M":
        return {key: from_attribute(item) for key, item in data.items()}
    if kind == "L":
        return [from_attribute(item) for item in data]
    if kind == "NS":
        return {from_attribute({"N": item}) for item in data}
    if kind in ("SS", "BS"):
        return set(data)
    if kind == "NULL":
        return None
    return data


def from_item(item: dict) -> dict:
    return {name: from_attribute(value) for name, value in item.items()}


def item_size(item: dict) -> int:
    """DynamoDB's item size, approximately: names plus values in UTF-8 (400 KB at most)."""
    return sum(len(name.encode("utf-8", "surrogatepass")) + _size(value) for name, value in item.items())


def _size(value: dict) -> int:
    kind, data = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(data.encode("utf-8", "surrogatepass"))
    if kind == "N":
        return len(data) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(key.encode("utf-8", "surrogatepass")) + _size(item) + 1 for key, item in data.items())
    if kind == "L":
        return 3 + sum(_size(item) + 1 for item in data)
    return sum(len(item.encode("utf-8", "surrogatepass")) for item in data)
