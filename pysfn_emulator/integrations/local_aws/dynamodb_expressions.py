"""DynamoDB's expression languages, as far as the local fake speaks them.

- Conditions (ConditionExpression, FilterExpression): `a = b`, `<>`, `<`, `<=`, `>`, `>=`,
  `BETWEEN x AND y`, `IN (...)`, `AND`, `OR`, `NOT`, parentheses, `attribute_exists(p)`,
  `attribute_not_exists(p)`, `begins_with(p, v)`, `contains(p, v)`, `size(p)`,
  `attribute_type(p, t)`.
- UpdateExpression: `SET p = v` (v: an operand, `a + b`, `a - b`, `if_not_exists(p, v)`,
  `list_append(a, b)`), `ADD p v` (numbers and sets), `REMOVE p`, `DELETE p v` (sets).
- KeyConditionExpression: `pk = v`, optionally `AND` a sort-key condition (`=`, `<`, `<=`, `>`,
  `>=`, `BETWEEN`, `begins_with`).
- ProjectionExpression: a comma-separated list of names.

Names are top-level attributes (`name` or `#alias`; a bare name may not be a reserved word,
dynamodb_reserved.py), values `:placeholders`. Document paths
(`a.b`, `a[0]`) and anything else outside this list are refused with a ValidationException
that says so: the fake never guesses. Like DynamoDB it refuses placeholders that are not
defined, and ExpressionAttributeNames/Values that no expression uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import attribute_values as av
from .dynamodb_reserved import RESERVED_WORDS
from .service_failure import validation

_TOKEN = re.compile(
    r"\s*(?:(?P<op><>|<=|>=|[=<>(),+\-])|(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<path>[.\[\]])|(?P<bad>\S))"
)
_KEYWORDS = {"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "ADD", "REMOVE", "DELETE"}
_CONDITION_FUNCTIONS = {"attribute_exists", "attribute_not_exists", "begins_with", "contains", "attribute_type"}
_COMPARATORS = {"=", "<>", "<", "<=", ">", ">="}


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


class _Parser:
    def __init__(self, text: Any, kind: str, placeholders: Placeholders) -> None:
        if not isinstance(text, str):
            raise validation(f"{kind} must be a string")
        if not text.strip():
            raise validation(f"Invalid {kind}: The expression can not be empty;")
        self.kind = kind
        self.text = text
        self.placeholders = placeholders
        self.tokens = self._tokens(text)
        self.at = 0

    def _tokens(self, text: str) -> list[tuple[str, str]]:
        tokens = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            token = match.group(kind)
            if kind == "path":
                self.unsupported("document paths (a.b, a[0]): only top-level attribute names")
            if kind == "bad":
                self.syntax(token)
            if kind == "word" and token.upper() in _KEYWORDS:
                kind, token = "keyword", token.upper()
            tokens.append((kind, token))
        return tokens

    def syntax(self, token: str) -> None:
        raise validation(f'Invalid {self.kind}: Syntax error; token: "{token}", near: "{self.text.strip()[:40]}"')

    def unsupported(self, what: str) -> None:
        raise validation(f"Invalid {self.kind}: pysfn's local DynamoDB does not support {what}; "
                         "register your own handler with LocalAws(handlers={'dynamodb:ACTION': fn}) to go further")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            self.syntax("<EOF>")
        self.at += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (text is None or token[1] == text):
            self.at += 1
            return True
        return False

    def expect(self, kind: str, text: str | None = None) -> str:
        token = self.next()
        if token[0] != kind or (text is not None and token[1] != text):
            self.syntax(token[1])
        return token[1]

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            self.syntax(token[1])

    # -- operands ---------------------------------------------------------------------------------

    def path(self) -> str:
        kind, token = self.next()
        if kind == "name":
            return self.placeholders.name(token)
        if kind == "word":
            if token.upper() in RESERVED_WORDS:
                raise validation(f"Invalid {self.kind}: Attribute name is a reserved keyword; reserved keyword: {token}")
            return token
        self.syntax(token)
        raise AssertionError

    def operand(self) -> Callable[[dict], dict | None]:
        """A value of the item: a path, a placeholder or size(path)."""
        kind, token = self.next()
        if kind == "value":
            value = self.placeholders.value(token)
            return lambda item: value
        if kind == "word" and token == "size" and self.accept("op", "("):
            name = self.path()
            self.expect("op", ")")
            return lambda item: _size_of(item.get(name))
        if kind in ("word", "name"):
            self.at -= 1
            name = self.path()
            return lambda item: item.get(name)
        self.syntax(token)
        raise AssertionError

    # -- conditions -------------------------------------------------------------------------------

    def condition(self) -> Callable[[dict], bool]:
        left = self.conjunction()
        while self.accept("keyword", "OR"):
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Callable[[dict], bool]:
        left = self.negation()
        while self.accept("keyword", "AND"):
            right = self.negation()
            left = _both(left, right)
        return left

    def negation(self) -> Callable[[dict], bool]:
        if self.accept("keyword", "NOT"):
            inner = self.negation()
            return lambda item: not inner(item)
        return self.primary()

    def primary(self) -> Callable[[dict], bool]:
        if self.accept("op", "("):
            inner = self.condition()
            self.expect("op", ")")
            return inner
        token = self.peek()
        if token is not None and token[0] == "word" and token[1] in _CONDITION_FUNCTIONS:
            return self.function()
        left = self.operand()
        if self.accept("keyword", "BETWEEN"):
            low = self.operand()
            self.expect("keyword", "AND")
            high = self.operand()
            return lambda item: _between(left(item), low(item), high(item))
        if self.accept("keyword", "IN"):
            self.expect("op", "(")
            options = [self.operand()]
            while self.accept("op", ","):
                options.append(self.operand())
            self.expect("op", ")")
            return lambda item: _in(left(item), [option(item) for option in options])
        kind, op = self.next()
        if kind != "op" or op not in _COMPARATORS:
            self.syntax(op)
        right = self.operand()
        return lambda item: _compare(op, left(item), right(item))

    def function(self) -> Callable[[dict], bool]:
        name = self.expect("word")
        self.expect("op", "(")
        if name in ("attribute_exists", "attribute_not_exists"):
            attribute = self.path()
            self.expect("op", ")")
            exists = name == "attribute_exists"
            return lambda item: (attribute in item) == exists
        first = self.operand()
        self.expect("op", ",")
        second = self.operand()
        self.expect("op", ")")
        if name == "begins_with":
            return lambda item: _begins_with(first(item), second(item))
        if name == "contains":
            return lambda item: _contains(first(item), second(item))
        return lambda item: _has_type(first(item), second(item))

    # -- update expressions -------------------------------------------------------------------------

    def update(self) -> list[tuple[str, str, Any]]:
        """[(clause, attribute, operand)], each attribute at most once."""
        actions: list[tuple[str, str, Any]] = []
        seen_clauses: set[str] = set()
        while self.peek() is not None:
            clause = self.expect("keyword")
            if clause not in ("SET", "ADD", "REMOVE", "DELETE"):
                self.syntax(clause)
            if clause in seen_clauses:
                raise validation(f'Invalid {self.kind}: The "{clause}" section can only be used once in an update expression;')
            seen_clauses.add(clause)
            while True:
                attribute = self.path()
                if clause == "SET":
                    self.expect("op", "=")
                    actions.append((clause, attribute, self.set_value()))
                elif clause in ("ADD", "DELETE"):
                    kind, token = self.next()
                    if kind != "value":
                        self.syntax(token)
                    actions.append((clause, attribute, self.placeholders.value(token)))
                else:
                    actions.append((clause, attribute, None))
                if not self.accept("op", ","):
                    break
        names = [attribute for _, attribute, _ in actions]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise validation(f"Invalid {self.kind}: Two document paths overlap with each other; must remove or rewrite "
                                 f"one of these paths; path one: [{name}], path two: [{name}]")
        return actions

    def set_value(self) -> Callable[[dict], dict | None]:
        left = self.set_operand()
        token = self.peek()
        if token in (("op", "+"), ("op", "-")):
            self.at += 1
            right = self.set_operand()
            return lambda item: _arithmetic(token[1], left(item), right(item))
        return left

    def set_operand(self) -> Callable[[dict], dict | None]:
        token = self.peek()
        if token in (("word", "if_not_exists"), ("word", "list_append")):
            self.at += 1
            self.expect("op", "(")
        if token == ("word", "if_not_exists"):
            attribute = self.path()
            self.expect("op", ",")
            fallback = self.set_value()
            self.expect("op", ")")
            return lambda item: item[attribute] if attribute in item else fallback(item)
        if token == ("word", "list_append"):
            first = self.set_value()
            self.expect("op", ",")
            second = self.set_value()
            self.expect("op", ")")
            return lambda item: _list_append(first(item), second(item))
        if token is not None and token[0] == "word" and token[1] == "size":
            self.unsupported("size() in a SET action")
        operand = self.operand()

        def value(item: dict) -> dict:
            result = operand(item)
            if result is None:
                raise validation("The provided expression refers to an attribute that does not exist in the item")
            return result

        return value

    # -- key conditions -----------------------------------------------------------------------------

    def key_condition(self) -> list[tuple[str, str, list]]:
        """[(attribute, operator, [operands])]: one or two conditions joined by AND."""
        parts = [self.key_part()]
        if self.accept("keyword", "AND"):
            parts.append(self.key_part())
        self.end()
        return parts

    def key_part(self) -> tuple[str, str, list]:
        if self.accept("op", "("):
            part = self.key_part()
            self.expect("op", ")")
            return part
        if self.peek() == ("word", "begins_with"):
            self.at += 1
            self.expect("op", "(")
            attribute = self.path()
            self.expect("op", ",")
            prefix = self.key_value()
            self.expect("op", ")")
            return attribute, "begins_with", [prefix]
        attribute = self.path()
        if self.accept("keyword", "BETWEEN"):
            low = self.key_value()
            self.expect("keyword", "AND")
            return attribute, "BETWEEN", [low, self.key_value()]
        kind, op = self.next()
        if kind != "op" or op not in _COMPARATORS or op == "<>":
            raise validation(f"Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: {op}"
                             if op == "<>" else f'Invalid KeyConditionExpression: Syntax error; token: "{op}"')
        return attribute, op, [self.key_value()]

    def key_value(self) -> dict:
        kind, token = self.next()
        if kind != "value":
            raise validation("Invalid KeyConditionExpression: Syntax error; a key condition compares with an "
                             f"ExpressionAttributeValues placeholder, not {token!r}")
        return self.placeholders.value(token)

    # -- projections --------------------------------------------------------------------------------

    def projection(self) -> list[str]:
        names = [self.path()]
        while self.accept("op", ","):
            names.append(self.path())
        self.end()
        return names


# -- public entry points ---------------------------------------------------------------------------


def condition(text: Any, placeholders: Placeholders, kind: str = "ConditionExpression") -> Callable[[dict], bool]:
    parser = _Parser(text, kind, placeholders)
    test = parser.condition()
    parser.end()
    return test


def update(text: Any, placeholders: Placeholders) -> list[tuple[str, str, Any]]:
    parser = _Parser(text, "UpdateExpression", placeholders)
    return parser.update()


def key_condition(text: Any, placeholders: Placeholders) -> list[tuple[str, str, list]]:
    return _Parser(text, "KeyConditionExpression", placeholders).key_condition()


def projection(text: Any, placeholders: Placeholders) -> list[str]:
    return _Parser(text, "ProjectionExpression", placeholders).projection()


# -- evaluation -------------------------------------------------------------------------------------


def _either(left: Callable, right: Callable) -> Callable[[dict], bool]:
    return lambda item: left(item) or right(item)


def _both(left: Callable, right: Callable) -> Callable[[dict], bool]:
    return lambda item: left(item) and right(item)


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


def _in(value: dict | None, options: list) -> bool:
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


def _size_of(value: dict | None) -> dict | None:
    if value is None:
        return None
    kind, data = next(iter(value.items()))
    if kind in ("S", "B"):
        return {"N": str(len(data))}
    if kind in ("M", "L", "SS", "NS", "BS"):
        return {"N": str(len(data))}
    return None


def _arithmetic(op: str, left: dict, right: dict) -> dict:
    if "N" not in left or "N" not in right:
        raise validation("An operand in the update expression has an incorrect data type")
    result = av.decimal(left) + av.decimal(right) if op == "+" else av.decimal(left) - av.decimal(right)
    return {"N": av.number_text(str(result))}


def _list_append(first: dict, second: dict) -> dict:
    if "L" not in first or "L" not in second:
        raise validation("An operand in the update expression has an incorrect data type")
    return {"L": first["L"] + second["L"]}
