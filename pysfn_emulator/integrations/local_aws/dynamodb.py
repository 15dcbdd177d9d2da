"""An in-memory DynamoDB: putItem, getItem, updateItem, deleteItem, query and scan.

    aws.dynamodb.create_table("orders", key=("pk", "sk"), items=[{"pk": "a", "sk": 1, "total": 5}])
    aws.dynamodb.items("orders")                # AttributeValue items, in key order
    aws.dynamodb.items("orders", plain=True)    # as plain Python values

A table is declared with its key (partition key, optional sort key), or created by the first
putItem, whose key is inferred: `pk` (and `sk`, any case) when the item has them, else `id`,
else the item's first attribute. A request to a table that does not exist fails as AWS fails
it (ResourceNotFoundException), so does a key that does not match the schema.

Expressions (dynamodb_expressions.py): conditions, updates, key conditions and projections on
top-level attributes; the legacy parameters (Expected, AttributeUpdates, KeyConditions, ...) and
secondary indexes are refused with a ValidationException that says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from . import attribute_values as av
from . import dynamodb_expressions as ex
from .ids import Budget
from .service_failure import ServiceFailure, validation

MAX_ITEM_BYTES = 400 * 1024
MAX_ITEMS = 100_000  # the fake's bound on the items of all tables together
MAX_PAGE_BYTES = 1024 * 1024
_LEGACY = ("Expected", "AttributeUpdates", "ConditionalOperator", "AttributesToGet", "KeyConditions", "QueryFilter",
           "ScanFilter", "Segment", "TotalSegments")
_RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


@attrs.define
class Table:
    """One table: its key attribute names (partition key first) and its items by key."""

    name: str
    key: tuple[str, ...]
    items: dict[tuple, dict] = attrs.field(factory=dict)

    def key_of(self, key: Any, what: str = "key") -> tuple:
        """The index of an item by its `Key` parameter (exactly the key attributes)."""
        if not isinstance(key, dict):
            raise validation(f"1 validation error detected: Value null at '{what}' failed to satisfy constraint: Member must not be null")
        checked = av.check_item(key, what)
        if set(checked) != set(self.key):
            raise validation("The provided key element does not match the schema")
        return self.index(checked)

    def index(self, item: dict) -> tuple:
        values = []
        for name in self.key:
            if name not in item:
                raise validation(f"One or more parameter values were invalid: Missing the key {name} in the item")
            value = item[name]
            kind = next(iter(value))
            if kind not in ("S", "N", "B"):
                raise validation(f"One or more parameter values were invalid: Type mismatch for key {name} expected: S, N "
                                 f"or B actual: {kind}")
            if kind in ("S", "B") and value[kind] == "":
                raise validation("One or more parameter values are not valid. The AttributeValue for a key attribute "
                                 f"cannot contain an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}")
            values.append((kind, av.order_key(value)))
        return tuple(values)

    def sorted_items(self) -> list[dict]:
        return [self.items[key] for key in sorted(self.items, key=_sortable)]


def _sortable(key: tuple) -> tuple:
    return tuple((kind, value if kind != "N" else (value,)) for kind, value in key)


class DynamoDb:
    """The tables of one LocalAws, and DynamoDB's API over them."""

    ACTIONS = ("putItem", "getItem", "updateItem", "deleteItem", "query", "scan")

    def __init__(self, budget: Budget | None = None) -> None:
        self.tables: dict[str, Table] = {}
        self.budget = budget or Budget()

    # -- for tests ----------------------------------------------------------------------------

    def create_table(self, name: str, key: str | Iterable[str] = "pk", items: Iterable[dict] = ()) -> Table:
        """Declare a table by its key attribute names (`"pk"` or `("pk", "sk")`); `items`, given
        as plain Python values or AttributeValues, are put into it."""
        names = (key,) if isinstance(key, str) else tuple(key)
        if not 1 <= len(names) <= 2 or not all(isinstance(part, str) and part for part in names):
            raise ValueError("key is a partition key name, or (partition key, sort key)")
        table = self.tables.setdefault(name, Table(name, names))
        if table.key != names:
            raise ValueError(f"table {name!r} exists with the key {table.key}")
        for item in items:
            self.put_item({"TableName": name, "Item": _as_item(item)})
        return table

    def items(self, table: str, plain: bool = False) -> list[dict]:
        """The table's items in key order (AttributeValues, or plain values)."""
        found = self.tables.get(table)
        items = found.sorted_items() if found else []
        return [av.from_item(item) for item in items] if plain else [dict(item) for item in items]

    def snapshot(self) -> dict:
        return {name: self.items(name) for name, table in sorted(self.tables.items())}

    # -- the API -------------------------------------------------------------------------------

    def put_item(self, params: dict) -> dict:
        _refuse_legacy(params)
        item = av.check_item(params.get("Item"), "item")
        table = self._table(params, create_from=item)
        _check_size(item)
        index = table.index(item)
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
        test = _condition(params, names)
        names.check_all_used()
        returns = _return_values(params, ("NONE", "ALL_OLD"))
        old = table.items.get(index)
        _check_condition(test, old, params)
        self._store(table, index, old, item)
        return {"Attributes": dict(old)} if returns == "ALL_OLD" and old else {}

    def get_item(self, params: dict) -> dict:
        _refuse_legacy(params)
        table = self._table(params, key=params.get("Key"))
        index = table.key_of(params.get("Key"))
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), None)
        projection = _projection(params, names)
        names.check_all_used()
        item = table.items.get(index)
        if item is None:
            return {}
        return {"Item": _project(item, projection)}

    def delete_item(self, params: dict) -> dict:
        _refuse_legacy(params)
        table = self._table(params, key=params.get("Key"))
        index = table.key_of(params.get("Key"))
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
        test = _condition(params, names)
        names.check_all_used()
        returns = _return_values(params, ("NONE", "ALL_OLD"))
        old = table.items.get(index)
        _check_condition(test, old, params)
        if table.items.pop(index, None) is not None:
            self.budget.release(av.item_size(old))
        return {"Attributes": dict(old)} if returns == "ALL_OLD" and old else {}

    def update_item(self, params: dict) -> dict:
        _refuse_legacy(params)
        table = self._table(params, key=params.get("Key"))
        index = table.key_of(params.get("Key"))
        key = av.check_item(params["Key"])
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
        actions = ex.update(params["UpdateExpression"], names) if params.get("UpdateExpression") is not None else []
        test = _condition(params, names)
        names.check_all_used()
        returns = _return_values(params, _RETURN_VALUES)
        for _, attribute, _ in actions:
            if attribute in table.key:
                raise validation(f"One or more parameter values were invalid: Cannot update attribute {attribute}. "
                                 "This attribute is part of the key")
        old = table.items.get(index)
        _check_condition(test, old, params)
        current = dict(old) if old is not None else dict(key)
        new = dict(current)
        for clause, attribute, operand in actions:
            _apply(clause, attribute, operand, current, new)
        _check_size(new)
        self._store(table, index, old, new)
        return _update_response(returns, old, new, [attribute for _, attribute, _ in actions])

    def query(self, params: dict) -> dict:
        _refuse_legacy(params)
        if params.get("IndexName") is not None:
            raise validation("pysfn's local DynamoDB has no secondary indexes: query the table, or register your own "
                             "handler with LocalAws(handlers={'dynamodb:query': fn})")
        table = self._table(params)
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
        if params.get("KeyConditionExpression") is None:
            raise validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        parts = ex.key_condition(params["KeyConditionExpression"], names)
        test = _key_test(table, parts)
        keep = _condition(params, names, "FilterExpression")
        projection = _projection(params, names)
        names.check_all_used()
        candidates = [item for item in table.sorted_items() if test(item)]
        if params.get("ScanIndexForward") is False:
            candidates.reverse()
        return _page(table, candidates, keep, projection, params)

    def scan(self, params: dict) -> dict:
        _refuse_legacy(params)
        if params.get("IndexName") is not None:
            raise validation("pysfn's local DynamoDB has no secondary indexes")
        table = self._table(params)
        names = ex.Placeholders(params.get("ExpressionAttributeNames"), params.get("ExpressionAttributeValues"))
        keep = _condition(params, names, "FilterExpression")
        projection = _projection(params, names)
        names.check_all_used()
        return _page(table, table.sorted_items(), keep, projection, params)

    # -- tables ---------------------------------------------------------------------------------

    def _table(self, params: dict, create_from: dict | None = None, key: Any = None) -> Table:
        if not isinstance(params, dict):
            raise validation("The request must be a JSON object")
        name = params.get("TableName")
        if not isinstance(name, str):
            raise validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                             "Member must not be null")
        if not 3 <= len(name) <= 255:
            constraint = "greater than or equal to 3" if len(name) < 3 else "less than or equal to 255"
            raise validation(f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
                             f"Member must have length {constraint}")
        if not all(ch.isalnum() and ch.isascii() or ch in "_.-" for ch in name):
            raise validation(f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
        table = self.tables.get(name)
        if table is None and create_from is not None:
            table = self.tables[name] = Table(name, _inferred_key(create_from))
        if table is None:
            raise ServiceFailure("ResourceNotFoundException", "Requested resource not found")
        return table

    def _store(self, table: Table, index: tuple, old: dict | None, new: dict) -> None:
        if old is None and sum(len(table.items) for table in self.tables.values()) >= MAX_ITEMS:
            raise ServiceFailure("LimitExceededException", f"pysfn's local DynamoDB holds at most {MAX_ITEMS} items")
        self.budget.charge(av.item_size(new), av.item_size(old) if old else 0,
                           lambda message: ServiceFailure("ProvisionedThroughputExceededException", message))
        table.items[index] = new


# -- helpers ------------------------------------------------------------------------------------------


def _as_item(item: dict) -> dict:
    """An item given to create_table: AttributeValues as they are, plain values converted."""
    if all(isinstance(value, dict) and len(value) == 1 and next(iter(value)) in av.TYPES for value in item.values()):
        return item
    return av.to_item(item)


def _inferred_key(item: dict) -> tuple[str, ...]:
    lower = {name.lower(): name for name in item}
    if "pk" in lower:
        return (lower["pk"], lower["sk"]) if "sk" in lower else (lower["pk"],)
    if "id" in lower:
        return (lower["id"],)
    if not item:
        raise validation("One or more parameter values were invalid: Missing the key in the item")
    return (next(iter(item)),)


def _refuse_legacy(params: Any) -> None:
    if not isinstance(params, dict):
        raise validation("The request must be a JSON object")
    for name in _LEGACY:
        if params.get(name) is not None:
            raise validation(f"pysfn's local DynamoDB does not support the legacy parameter {name}: use the expression "
                             "parameters (ConditionExpression, UpdateExpression, KeyConditionExpression, ...)")


def _check_size(item: dict) -> None:
    if av.item_size(item) > MAX_ITEM_BYTES:
        raise validation("Item size has exceeded the maximum allowed size")


def _condition(params: dict, names: ex.Placeholders, field: str = "ConditionExpression"):
    text = params.get(field)
    return None if text is None else ex.condition(text, names, field)


def _check_condition(test, old: dict | None, params: dict) -> None:
    if test is not None and not test(old or {}):
        details = {}
        if params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
            details["Item"] = dict(old)
        raise ServiceFailure("ConditionalCheckFailedException", "The conditional request failed", details=details)


def _return_values(params: dict, allowed: tuple[str, ...]) -> str:
    value = params.get("ReturnValues", "NONE")
    if value not in _RETURN_VALUES:
        raise validation(f"1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")
    if value not in allowed:
        raise validation("ReturnValues can only be ALL_OLD or NONE")
    return value


def _projection(params: dict, names: ex.Placeholders) -> list[str] | None:
    text = params.get("ProjectionExpression")
    return None if text is None else ex.projection(text, names)


def _project(item: dict, projection: list[str] | None) -> dict:
    if projection is None:
        return dict(item)
    return {name: value for name, value in item.items() if name in projection}


def _apply(clause: str, attribute: str, operand: Any, current: dict, new: dict) -> None:
    if clause == "SET":
        new[attribute] = operand(current)
    elif clause == "REMOVE":
        new.pop(attribute, None)
    elif clause == "ADD":
        new[attribute] = _add(current.get(attribute), operand)
    else:
        remaining = _delete(current.get(attribute), operand)
        if remaining is None:
            new.pop(attribute, None)
        else:
            new[attribute] = remaining


def _add(old: dict | None, value: dict) -> dict:
    kind = next(iter(value))
    if kind not in ("N", "SS", "NS", "BS"):
        raise validation(f"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
                         f"operand type: {_TYPE_NAMES.get(kind, kind)}")
    if old is None:
        return value
    if next(iter(old)) != kind:
        raise validation("An operand in the update expression has an incorrect data type")
    if kind == "N":
        return {"N": av.number_text(str(av.decimal(old) + av.decimal(value)))}
    merged = list(old[kind])
    seen = set(merged) if kind != "NS" else {av.decimal({"N": item}) for item in merged}
    for member in value[kind]:
        probe = member if kind != "NS" else av.decimal({"N": member})
        if probe not in seen:
            merged.append(member)
            seen.add(probe)
    return {kind: merged}


def _delete(old: dict | None, value: dict) -> dict | None:
    kind = next(iter(value))
    if kind not in ("SS", "NS", "BS"):
        raise validation(f"Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, "
                         f"operand type: {_TYPE_NAMES.get(kind, kind)}")
    if old is None:
        return None
    if next(iter(old)) != kind:
        raise validation("An operand in the update expression has an incorrect data type")
    drop = set(value[kind]) if kind != "NS" else {av.decimal({"N": item}) for item in value[kind]}
    kept = [member for member in old[kind] if (member if kind != "NS" else av.decimal({"N": member})) not in drop]
    return {kind: kept} if kept else None


_TYPE_NAMES = {"S": "STRING", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL", "M": "MAP", "L": "LIST"}


def _update_response(returns: str, old: dict | None, new: dict, updated: list[str]) -> dict:
    if returns == "ALL_OLD":
        attributes = dict(old or {})
    elif returns == "ALL_NEW":
        attributes = dict(new)
    elif returns == "UPDATED_OLD":
        attributes = {name: (old or {})[name] for name in updated if name in (old or {})}
    elif returns == "UPDATED_NEW":
        attributes = {name: new[name] for name in updated if name in new}
    else:
        attributes = {}
    return {"Attributes": attributes} if attributes else {}


def _key_test(table: Table, parts: list[tuple[str, str, list]]):
    partition = table.key[0]
    by_name = {attribute: (op, operands) for attribute, op, operands in parts}
    if len(by_name) != len(parts):
        raise validation("KeyConditionExpressions must only contain one condition per key")
    if partition not in by_name:
        raise validation(f"Query condition missed key schema element: {partition}")
    op, operands = by_name.pop(partition)
    if op != "=":
        raise validation("Query key condition not supported")
    for attribute in by_name:
        if len(table.key) < 2 or attribute != table.key[1]:
            raise validation(f"Query condition missed key schema element: {table.key[1] if len(table.key) > 1 else partition}"
                             if len(table.key) > 1 else "Query key condition not supported")
    tests = [lambda item: item.get(partition) is not None and av.same(item[partition], operands[0])]
    for attribute, (sort_op, sort_operands) in by_name.items():
        tests.append(_sort_test(attribute, sort_op, sort_operands))
    return lambda item: all(test(item) for test in tests)


def _sort_test(attribute: str, op: str, operands: list):
    if op == "begins_with":
        prefix = operands[0]
        if next(iter(prefix)) not in ("S", "B"):
            raise validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                             "operator or function: begins_with, operand type: N")
        kind, text = next(iter(prefix.items()))
        return lambda item: attribute in item and kind in item[attribute] and item[attribute][kind].startswith(text)
    if op == "between":
        low, high = operands
        return lambda item: attribute in item and av.compare(item[attribute], low) in (0, 1) and av.compare(item[attribute], high) in (-1, 0)
    value = operands[0]
    allowed = {"=": (0,), "<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (0, 1)}[op]
    return lambda item: attribute in item and av.compare(item[attribute], value) in allowed


def _page(table: Table, candidates: list[dict], keep, projection: list[str] | None, params: dict) -> dict:
    start = params.get("ExclusiveStartKey")
    if start is not None:
        after = table.key_of(start, "exclusiveStartKey")
        indexes = [table.index(item) for item in candidates]
        candidates = candidates[indexes.index(after) + 1 :] if after in indexes else []
    limit = params.get("Limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise validation(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
                         "Member must have value greater than or equal to 1")
    scanned = candidates[:limit] if limit is not None else candidates
    last = None
    if limit is not None and len(candidates) > limit:
        last = {name: scanned[-1][name] for name in table.key}
    items = [_project(item, projection) for item in scanned if keep is None or keep(item)]
    response: dict[str, Any] = {"Count": len(items)}
    if params.get("Select") != "COUNT":
        response["Items"] = items
    response["ScannedCount"] = len(scanned)
    if last is not None:
        response["LastEvaluatedKey"] = last
    return response
