"""DynamoDB's expression languages, as far as the local fake speaks them: conditions (Condition-
and FilterExpression), UpdateExpression (SET, REMOVE, ADD, DELETE), KeyConditionExpression and
ProjectionExpression; dynamodb.lark is the syntax.

Names are top-level attributes (`name` or `#alias`; a bare name may not be a reserved word,
dynamodb_reserved.py), values `:placeholders`. Document paths (`a.b`, `a[0]`) and anything else
outside the grammar are refused with a ValidationException that says so: the fake never guesses.
Like DynamoDB it refuses placeholders that are not defined, and ExpressionAttributeNames/Values
that no expression uses.

An expression text is parsed once (cached) into a small model that does not depend on the
placeholders; each request binds the model to its placeholders, then evaluates it per item.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache, lru_cache, partial
from pathlib import Path as FilePath
from typing import Any

import attrs
from lark import Lark, Token, Transformer_NonRecursive
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from . import attribute_values as av
from .dynamodb_reserved import RESERVED_WORDS
from .service_failure import ServiceFailure, validation

MAX_BYTES = 4096  # DynamoDB's limit on the length of any expression string
MAX_OPERATORS = 300  # DynamoDB's limit on operators and functions in one expression
_START = {"ConditionExpression": "condition_expression", "FilterExpression": "condition_expression",
          "UpdateExpression": "update_expression", "KeyConditionExpression": "key_condition_expression",
          "ProjectionExpression": "projection_expression"}
_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "ADD", "REMOVE", "DELETE"}


class Placeholders:
    """ExpressionAttributeNames and ExpressionAttributeValues, and which of them are used."""

    def __init__(self, names: Any, values: Any) -> None:
        if names is not None and not isinstance(names, dict):
            raise validation("ExpressionAttributeNames must be a map")
        if values is not None and not isinstance(values, dict):
            raise validation("ExpressionAttributeValues must be a map")
        if names == {}:
            raise validation("ExpressionAttributeNames must not be empty")
        if values == {}:
            raise validation("ExpressionAttributeValues must not be empty")
        self.names = names or {}
        self.values = {key: av.check_value(value) for key, value in (values or {}).items()}
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def name(self, alias: str) -> str:
        if alias not in self.names:
            raise validation(f"An expression attribute name used in the document path is not defined; attribute name: {alias}")
        self.used_names.add(alias)
        return self.names[alias]

    def value(self, key: str) -> dict:
        if key not in self.values:
            raise validation(f"An expression attribute value used in expression is not defined; attribute value: {key}")
        self.used_values.add(key)
        return self.values[key]

    def check_all_used(self) -> None:
        unused = sorted(set(self.names) - self.used_names)
        if unused:
            raise validation(f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused)}}}")
        unused = sorted(set(self.values) - self.used_values)
        if unused:
            raise validation(f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused)}}}")


# -- the model: Name and Value leaves under Op nodes, independent of any request's placeholders ----


@attrs.frozen
class Name:
    text: str  # a bare attribute name or a #alias


@attrs.frozen
class Value:
    key: str  # an ExpressionAttributeValues placeholder, `:v`


@attrs.frozen
class Op:
    name: str  # `and`, `<=`, `between`, `contains`, `size`, `plus`, `if_not_exists`, ..., as in dynamodb.lark
    args: tuple


@attrs.frozen
class Parsed:
    root: Any  # an Op, or a tuple of update actions
    placeholders: tuple[str, ...]  # in the order they are written


@attrs.frozen
class Bindings:
    """A request's placeholders, resolved for one expression."""

    names: dict[str, str]
    values: dict[str, dict]

    def name(self, name: Name) -> str:
        return self.names.get(name.text, name.text)


# -- public entry points -----------------------------------------------------------------------------


def condition(text: Any, placeholders: Placeholders, kind: str = "ConditionExpression") -> Callable[[dict], bool]:
    parsed, bindings = _parse_and_bind(text, kind, placeholders)
    return lambda item: _test(parsed.root, item, bindings)


def update(text: Any, placeholders: Placeholders) -> list[tuple[str, str, Any]]:
    """[(clause, attribute, operand)], each attribute at most once: a SET operand is a function
    of the current item, an ADD or DELETE operand a value, a REMOVE operand None."""
    parsed, bindings = _parse_and_bind(text, "UpdateExpression", placeholders)
    actions = [(clause, bindings.name(name), partial(_set_value, operand, bindings=bindings) if clause == "SET"
                else operand and bindings.values[operand.key]) for clause, name, operand in parsed.root]
    names = [attribute for _, attribute, _ in actions]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise validation("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
                             f"one of these paths; path one: [{name}], path two: [{name}]")
    return actions


def key_condition(text: Any, placeholders: Placeholders) -> list[tuple[str, str, list]]:
    """[(attribute, operator, [values])]: one or two conditions joined by AND."""
    parsed, bindings = _parse_and_bind(text, "KeyConditionExpression", placeholders)
    return [(bindings.name(name), part.name, [bindings.values[value.key] for value in values])
            for part in parsed.root.args for name, *values in [part.args]]


def projection(text: Any, placeholders: Placeholders) -> list[str]:
    parsed, bindings = _parse_and_bind(text, "ProjectionExpression", placeholders)
    return [bindings.name(name) for name in parsed.root.args]


# -- parsing ----------------------------------------------------------------------------------------


def _parse_and_bind(text: Any, kind: str, placeholders: Placeholders) -> tuple[Parsed, Bindings]:
    """The expression's model, and its placeholders resolved in the order they are written (so
    the first undefined one is named, and every one is marked used)."""
    if not isinstance(text, str):
        raise validation(f"{kind} must be a string")
    if not text.strip():
        raise validation(f"Invalid {kind}: The expression can not be empty;")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise validation(f"Invalid {kind}: pysfn's local DynamoDB, like DynamoDB, takes expressions of at most {MAX_BYTES} bytes")
    parsed = _parse(text, kind)
    names, values = {}, {}
    for key in parsed.placeholders:
        if key.startswith("#"):
            names[key] = placeholders.name(key)
        else:
            values[key] = placeholders.value(key)
    return parsed, Bindings(names, values)


@cache
def _parser() -> Lark:
    """Built on first use (~0.1 s): a run that never reads a DynamoDB expression does not pay for it."""
    return Lark(FilePath(__file__).with_name("dynamodb.lark").read_text(encoding="utf-8"),
                parser="lalr", lexer="contextual", start=sorted(set(_START.values())))


@lru_cache(maxsize=512)
def _parse(text: str, kind: str) -> Parsed:
    try:
        tree = _parser().parse(text, start=_START[kind])
    except UnexpectedInput as error:
        position = error.pos_in_stream if isinstance(error, UnexpectedCharacters) else None
        if isinstance(error, UnexpectedToken) and error.token.type != "$END":
            position = error.token.start_pos
        raise _syntax_error(kind, text, position) from None
    subtrees = list(tree.iter_subtrees())
    if sum(subtree.data not in _STRUCTURE for subtree in subtrees) > MAX_OPERATORS:
        raise validation(f"Invalid {kind}: pysfn's local DynamoDB, like DynamoDB, takes at most {MAX_OPERATORS} "
                         "operators and functions in an expression")
    try:
        root = _Builder(kind, text).transform(tree)
    except VisitError as error:
        raise error.orig_exc from None
    tokens = [child for subtree in subtrees for child in subtree.children
              if isinstance(child, Token) and child.type in ("ALIAS", "VALUE")]
    return Parsed(root, tuple(str(token) for token in sorted(tokens, key=lambda token: token.start_pos)))


_STRUCTURE = {"path", "set_action", "path_value", "set_clause", "remove_clause", "add_clause", "delete_clause",
              "update_expression", "key_condition_expression", "projection_expression"}


class _Builder(Transformer_NonRecursive):
    """Tree -> model: every rule an Op named after it (`or_` -> `or`); refuses here what the
    grammar lets through but the fake does not do."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__()
        self.kind, self.text = kind, text

    def __default__(self, data: Any, children: list, meta: Any) -> Op:
        return Op(str(data).rstrip("_"), tuple(children))

    def VALUE(self, token: Token) -> Value:  # lark calls a terminal's callback by its name
        return Value(str(token))

    def path(self, children: list) -> Name:
        if len(children) > 1:
            raise _unsupported(self.kind, "document paths (a.b, a[0]): only top-level attribute names")
        token = children[0]
        if token.type == "NAME" and token.upper() in _KEYWORDS:
            raise _syntax_error(self.kind, self.text, token.start_pos)
        if token.type == "NAME" and token.upper() in RESERVED_WORDS:
            raise validation(f"Invalid {self.kind}: Attribute name is a reserved keyword; reserved keyword: {token}")
        return Name(str(token))

    def compare(self, children: list) -> Op:
        left, op, right = children
        if op == "<>" and self.kind == "KeyConditionExpression":
            raise validation("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>")
        return Op(str(op), (left, right))

    def set_size(self, children: list) -> Op:
        raise _unsupported(self.kind, "size() in a SET action")

    def update_expression(self, clauses: list[Op]) -> tuple:
        """(clause, Name, operand) for each action, each clause at most once."""
        names = [clause.name.removesuffix("_clause").upper() for clause in clauses]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise validation(f'Invalid {self.kind}: The "{name}" section can only be used once in an update expression;')
        return tuple((name, *(action.args if isinstance(action, Op) else (action, None)))
                     for name, clause in zip(names, clauses, strict=True) for action in clause.args)


def _syntax_error(kind: str, text: str, position: int | None) -> ServiceFailure:
    """DynamoDB's message: the token the parser stopped at, and the text from the token before it
    to the token after it; at the end of the text the token is <EOF>, near the last token."""
    spans = _token_spans(text)
    index = None if position is None else next((index for index, (_, end) in enumerate(spans) if end > position), None)
    if index is None:
        token, near = "<EOF>", text[slice(*spans[-1])]
    else:
        token = text[slice(*spans[index])]
        near = text[spans[max(index - 1, 0)][0]:spans[min(index + 1, len(spans) - 1)][1]]
    return validation(f'Invalid {kind}: Syntax error; token: "{token}", near: "{near}"')


def _token_spans(text: str) -> list[tuple[int, int]]:
    """Where the grammar's tokens are; a character no token starts with is a token of its own."""
    spans: list[tuple[int, int]] = []
    offset = 0
    while True:
        try:
            for token in _parser().lex(text[offset:]):
                spans.append((offset + token.start_pos, offset + token.end_pos))
            return spans
        except UnexpectedCharacters as error:
            offset += error.pos_in_stream
            spans.append((offset, offset + 1))
            offset += 1


def _unsupported(kind: str, what: str) -> ServiceFailure:
    return validation(f"Invalid {kind}: pysfn's local DynamoDB does not support {what}; "
                      "register your own handler with LocalAws(handlers={'dynamodb:ACTION': fn}) to go further")


# -- evaluation ---------------------------------------------------------------------------------------


def _test(node: Op, item: dict, bindings: Bindings) -> bool:
    """A condition on one item; AND and OR short-circuit (an error on the side not evaluated is not raised)."""
    if node.name == "or":
        return _test(node.args[0], item, bindings) or _test(node.args[1], item, bindings)
    if node.name == "and":
        return _test(node.args[0], item, bindings) and _test(node.args[1], item, bindings)
    if node.name == "not":
        return not _test(node.args[0], item, bindings)
    if node.name in ("attribute_exists", "attribute_not_exists"):
        return (bindings.name(node.args[0]) in item) == (node.name == "attribute_exists")
    return _PREDICATES[node.name](*(_operand(arg, item, bindings) for arg in node.args))


def _operand(node: Name | Value | Op, item: dict, bindings: Bindings) -> dict | None:
    """A value of the item, a placeholder's value or size(path); None for a missing attribute."""
    if isinstance(node, Name):
        return item.get(bindings.name(node))
    if isinstance(node, Value):
        return bindings.values[node.key]
    return _size_of(item.get(bindings.name(node.args[0])))


def _set_value(node: Name | Value | Op, item: dict, bindings: Bindings) -> dict:
    """The value a SET action writes; an attribute it reads must exist (unless if_not_exists reads it)."""
    if not isinstance(node, Op):
        value = _operand(node, item, bindings)
        if value is None:
            raise validation("The provided expression refers to an attribute that does not exist in the item")
        return value
    if node.name == "if_not_exists":
        name = bindings.name(node.args[0])
        return item[name] if name in item else _set_value(node.args[1], item, bindings)
    first, second = (_set_value(arg, item, bindings) for arg in node.args)
    return _list_append(first, second) if node.name == "list_append" else _arithmetic(node.name, first, second)


def _compare(op: str, left: dict | None, right: dict | None) -> bool:
    if left is None or right is None:
        return op == "<>" and not (left is None and right is None)
    if op == "=":
        return av.same(left, right)
    if op == "<>":
        return not av.same(left, right)
    order = av.compare(left, right)
    if order is None:
        return False
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]


def _between(value: dict | None, low: dict | None, high: dict | None) -> bool:
    if value is None or low is None or high is None:
        return False
    if av.compare(low, high) not in (-1, 0):
        if av.compare(low, high) == 1:
            raise validation("Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
                             "equal to lower bound")
        return False
    first, second = av.compare(value, low), av.compare(value, high)
    return first is not None and second is not None and first >= 0 and second <= 0


def _in(value: dict | None, *options: dict | None) -> bool:
    return value is not None and any(option is not None and av.same(value, option) for option in options)


def _begins_with(value: dict | None, prefix: dict | None) -> bool:
    if value is None or prefix is None:
        return False
    (kind, data), (pkind, pdata) = next(iter(value.items())), next(iter(prefix.items()))
    return kind == pkind and kind in ("S", "B") and data.startswith(pdata)


def _contains(value: dict | None, member: dict | None) -> bool:
    if value is None or member is None:
        return False
    (kind, data), (mkind, mdata) = next(iter(value.items())), next(iter(member.items()))
    if kind == "S" and mkind == "S":
        return mdata in data
    if kind == "SS" and mkind == "S" or kind == "BS" and mkind == "B":
        return mdata in data
    if kind == "NS" and mkind == "N":
        return Decimal(mdata) in {Decimal(item) for item in data}
    if kind == "L":
        return any(av.same(item, member) for item in data)
    return False


def _has_type(value: dict | None, kind: dict | None) -> bool:
    if kind is None or "S" not in kind:
        raise validation("Invalid ConditionExpression: attribute_type takes a string naming a type as its second argument")
    if kind["S"] not in av.TYPES:
        raise validation(f"Invalid ConditionExpression: Invalid attribute type name found; type: {kind['S']}, valid types: "
                         "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
    return value is not None and next(iter(value)) == kind["S"]


_PREDICATES = {"between": _between, "in": _in, "begins_with": _begins_with, "contains": _contains,
               "attribute_type": _has_type, **{op: partial(_compare, op) for op in ("=", "<>", "<", "<=", ">", ">=")}}


def _size_of(value: dict | None) -> dict | None:
    if value is None:
        return None
    kind, data = next(iter(value.items()))
    if kind in ("S", "B", "M", "L", "SS", "NS", "BS"):
        return {"N": str(len(data))}
    return None


def _arithmetic(op: str, left: dict, right: dict) -> dict:
    if "N" not in left or "N" not in right:
        raise validation("An operand in the update expression has an incorrect data type")
    result = av.decimal(left) + av.decimal(right) if op == "plus" else av.decimal(left) - av.decimal(right)
    return {"N": av.number_text(str(result))}


def _list_append(first: dict, second: dict) -> dict:
    if "L" not in first or "L" not in second:
        raise validation("An operand in the update expression has an incorrect data type")
    return {"L": first["L"] + second["L"]}
