"""JSON text of values however deeply nested, and of values built around values already written.

Python's C encoder and decoder recurse once per nesting level and stop at the interpreter's
recursion limit, and AWS documents no nesting limit for a payload: a loop with
`"ResultPath": "$.a"` and `Next` pointing to itself nests its data one level deeper each pass
until the history quota or the 256 KiB payload limit ends it. So:

- `encode` tries the C encoder and falls back to an iterative encoder with the same output
  and the same errors; `copy` does the same for a JSON round trip;
- a `Memo` remembers texts by identity, so a value built around one already written (this
  pass's output around the previous pass's) costs only its new part. Measuring each state's
  output, and rendering each event's input and output, then stay linear in what is new
  instead of quadratic in the depth.

Texts by identity are safe because values are never changed in place once made (payload
templates, jsonpath.set_result and the JSONata fields build new containers); a memo keeps the
values it remembers alive, so an identity is never reused while it is remembered.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

_c_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_END = object()


class Memo:
    """Texts of containers by identity; with `capacity`, the oldest are forgotten first, and
    texts longer than `longest` characters are not kept."""

    def __init__(self, capacity: int | None = None, longest: int | None = None):
        self._texts: dict[int, tuple[Any, str]] = {}
        self._capacity = capacity
        self._longest = longest

    def get(self, value: Any) -> str | None:
        entry = self._texts.get(id(value))
        return entry[1] if entry is not None and entry[0] is value else None

    def put(self, value: Any, text: str) -> None:
        if self._longest is not None and len(text) > self._longest:
            return
        texts = self._texts
        texts[id(value)] = (value, text)
        if self._capacity is not None and len(texts) > self._capacity:
            del texts[next(iter(texts))]


def encode(value: Any, memo: Memo | None = None) -> str:
    """Compact JSON text (non-ASCII kept), exactly as the C encoder writes it, at any depth;
    TypeError or ValueError for what JSON cannot carry."""
    if memo is None or not isinstance(value, (dict, list)):
        return _whole(value)
    text = memo.get(value)
    if text is None:
        text = _around_known(value, memo)
        if text is None:
            text = _whole(value)
        memo.put(value, text)
    return text


def copy(value: Any) -> Any:
    """`json.loads(encode(value))` at any depth: a deep copy as JSON would carry it."""
    text = encode(value)
    try:
        return json.loads(text)
    except RecursionError:
        return _copy(value)


_local = threading.local()


def measuring_memo() -> Memo:
    """This thread's memo for payload sizes: the few most recent values measured, enough for
    the next state's output that is built around the last one."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        memo = _local.memo = Memo(capacity=64, longest=1 << 20)
    return memo


def forget_measured() -> None:
    """Start measuring afresh (an execution starts): values from outside, such as an input the
    caller changed since an earlier run, must not be measured by an old text."""
    _local.memo = None


def _whole(value: Any) -> str:
    try:
        return _c_encode(value)
    except RecursionError:
        return _iterative(value)


def _around_known(value: dict | list, memo: Memo) -> str | None:
    """The text of a container one of whose direct children the memo knows, or None."""
    is_dict = isinstance(value, dict)
    if not _leads_to_known(value, memo._texts):
        return None
    parts = ["{" if is_dict else "["]  # joined once: a remembered text is copied once
    for key, child in (value.items() if is_dict else enumerate(value)):
        if len(parts) > 1:
            parts.append(",")
        if is_dict:
            parts.append(_key_text(key))
            parts.append(":")
        parts.append(encode(child, memo))
    parts.append("}" if is_dict else "]")
    return "".join(parts)


def _leads_to_known(value: dict | list, known: dict) -> bool:
    """Whether a remembered value is a child of `value`, or lies a few narrow levels below it
    (a template that wraps its input in several objects). Identities alone suffice: the memo
    keeps what it remembers alive, so no other live value can have one of its identities."""
    children = list(value.values()) if isinstance(value, dict) else value
    if any(id(child) in known for child in children):
        return True
    frontier = [child for child in children if isinstance(child, (dict, list)) and len(child) <= _NARROW][:_NARROW]
    for _ in range(_LEVELS):
        below = []
        for node in frontier:
            for child in node.values() if isinstance(node, dict) else node:
                if id(child) in known:
                    return True
                if isinstance(child, (dict, list)) and len(child) <= _NARROW:
                    below.append(child)
        frontier = below[:_NARROW]
    return False


_NARROW, _LEVELS = 4, 8


def _key_text(key: Any) -> str:
    """A key as the C encoder writes it (an int, float, bool or None key becomes text)."""
    return _c_encode({key: 0})[1:-3]


def _iterative(root: Any) -> str:
    """The C encoder's output, with an explicit stack instead of recursion."""
    return write(root, _c_encode, _key_text)


def write(root: Any, scalar: Callable[[Any], str], key_text: Callable[[Any], str], item_separator: str = ",", key_separator: str = ":") -> str:
    """JSON text of `root` with an explicit stack, however deep: dicts, lists and tuples are
    written here, everything else by `scalar`, keys by `key_text`. A value that contains
    itself is refused (ValueError), as the C encoder refuses it."""
    parts: list[str] = []
    stack: list[list] = []  # [iterator, is a dict, first item still to come, identity]
    active: set[int] = set()
    value = root
    while True:
        if isinstance(value, (dict, list, tuple)):
            identity = id(value)
            if identity in active:
                raise ValueError("Circular reference detected")
            active.add(identity)
            is_dict = isinstance(value, dict)
            parts.append("{" if is_dict else "[")
            stack.append([iter(value.items() if is_dict else value), is_dict, True, identity])
        else:
            parts.append(scalar(value))
        while stack:
            frame = stack[-1]
            item = next(frame[0], _END)
            if item is _END:
                parts.append("}" if frame[1] else "]")
                active.discard(frame[3])
                stack.pop()
                continue
            if not frame[2]:
                parts.append(item_separator)
            frame[2] = False
            if frame[1]:
                key, value = item
                parts.append(key_text(key))
                parts.append(key_separator)
            else:
                value = item
            break
        else:
            return "".join(parts)


def _copy(root: Any) -> Any:
    """A JSON round trip of a value `encode` accepted, with an explicit stack."""
    if not isinstance(root, (dict, list, tuple)):
        return json.loads(_c_encode(root))
    top: Any = {} if isinstance(root, dict) else []
    stack = [(root, top)]
    while stack:
        source, target = stack.pop()
        items = ((json.loads(_key_text(key)), child) for key, child in source.items()) if isinstance(source, dict) else enumerate(source)
        for key, child in items:
            if isinstance(child, (dict, list, tuple)):
                made: Any = {} if isinstance(child, dict) else []
                stack.append((child, made))
            else:
                made = json.loads(_c_encode(child))
            if type(target) is dict:
                target[key] = made
            else:
                target.append(made)
    return top
