"""A list a folded loop changes item by item, held by position while the loop's JSONata runs.

`xs[i] = v` (and `row[...] = ...` of `for row in rows`, run by index) is `$__setitem`, a
`$map` over the whole list with a function call per item, and each `xs[i]` a filter that
tests every item: a loop changing n items costs n * n JSONata nodes (1,000 records: 20 s in
the emulator). Where a step uses such a list only by position (`$xs[$i]` with `i` a counter or
another int the compiler has checked, negative from the end: `counts[v % n] += 1`, `xs[-1]`;
`$count($xs)`, `$__setitem($xs, k, v)`), the loop's evaluation holds it as an object keyed by
position instead: an item is `$lookup`, a change `$merge` of one key (native, a copy of the
keys and no function call per item), its length a local bound once (a change keeps it). The
list becomes an object where the evaluation starts and a list again where it ends.

Everything else about the step is left as it was; a step that uses the list any other way
(passes it to a function, tests its type, sets it to another value) is not rewritten.

A list the loop sets whole and reads by position only (the list a nested `for` walks, set by
each iteration of the loop around it: `$items[$i]`, `$count($items)`) is held as its
positions, with the list and its length (see hold), built where it is set. Its reads are
then `$lookup`s, not a filter over every item (an inner loop over n items cost n * n nodes;
the budget let an evaluation run two steps of an inner loop over 18,000 strings).
"""

from __future__ import annotations

import re

from . import jsonata_lib

_SETITEM = "$__setitem("
_APPEND = "$__append("
_NATIVE_APPEND = "$append("  # xs.append(v) of a value known to be no list, xs.extend(ys), xs + ys
_COUNT = "$count("
_INDEX = re.compile(r"\[\$([A-Za-z_][A-Za-z0-9_]*)\]")
# an item read at an int the compiler has checked: a literal, a variable, one plus or minus a
# literal (lowering.operations.item_at binds any other index to `$__ix` first)
_AT = re.compile(r"\[(-?\d+|\$[A-Za-z_][A-Za-z0-9_]*|\(\$[A-Za-z_][A-Za-z0-9_]* [+-] \d+\))\]")


def _item(var: str, index: str, counters: frozenset, length: str) -> str:
    """`$xs[index]` of the list held by position as `var`: a counter is a position; another
    index counts from the end where it is negative, as the filter does."""
    if index.startswith("$") and index[1:] in counters or index.isdigit():
        return f"$lookup({var}, $string({index}))"
    return f"($__at := {index}; $lookup({var}, $string($__at < 0 ? {length} + $__at : $__at)))"


def grows(step: str, name: str) -> bool:
    """Whether the step appends to the list `$name` (its length is then kept in its object)."""
    return f"{_APPEND}${name}, " in step or f"{_NATIVE_APPEND}${name}, " in step


def grown_length(name: str) -> str:
    """JSONata: the length of the list `$name` held by position that grows (its object's "n")."""
    return f'$lookup(${name}, "n")'


def is_grown(length: str) -> bool:
    """Whether `length` (of a list held by position) is a growing list's (grown_length)."""
    return length.startswith("$lookup(")


def rewrite(step: str, name: str, counters: frozenset, length: str, state: str) -> str | None:
    """`step` (a folded loop's step function) with the carried list `$name` held by position,
    its length read from `length`: a local bound as the evaluation starts, or, where the step
    appends to it (grows), grown_length; `state`: the step's state local (`$s`), which it binds
    the list from. None where the step uses the list in another way."""
    if _SETITEM + f"${name}, " not in step or not _fields_and_bindings_only(step, name, state):
        return None
    return _convert(step, name, counters, length)


def to_growing_positions(value: str) -> str:
    """JSONata: the list `value` as an object keyed by position with its length as `"n"`."""
    return f"$merge($append([{{\"n\": $count({value})}}], {_keyed(value)}))"


END = "/*end*/"  # a JSONata comment before a field of a step's end naming a list it may hold (see hold)


def hold(step: str, name: str, counters: frozenset, state: str, holder: str) -> str | None:
    """`step` with the carried `$name` held as its positions (`{"0": item, "1": item, ...}`) with
    the list, its length and the items held before it (`"l"`, `"n"`, `"c"`: no position's key):
    each value it is set to (`$name := value`) passed to the function `holder` (see holder)
    with what it replaces; a read by position a `$lookup`, its length `"n"`, any other read the
    list itself (`"l"`). A step's end (`/*end*/"name": $name`, marked by the caller, which sets
    the name by `:=` only) carries the held object; a dict display naming it reads the list.
    None where the step reads it from its state but to bind it, or never reads it by position.
    Its "c" counts the items of the lists held earlier in the evaluation, which the loop's
    steps stop at (a loop leaving each inner list at its first item would build positions for
    nothing)."""
    var, key = f"${name}", jsonata_lib.string(name)
    previous = f"$lookup({state}, {key})"
    binding = f"{var} := {previous}"
    codes = {position for position, _ in jsonata_lib.code_positions(step)}
    mention = re.compile(re.escape(var) + r"(?![A-Za-z0-9_])|" + re.escape(key))
    by_position = [False]

    def rewritten(low: int, high: int) -> str | None:
        out: list[str] = []
        done = low
        for match in mention.finditer(step, low, high):
            start, end = match.start(), match.end()
            if start < done:
                continue
            if match.group(0) == key:
                if start > 0 and start - 1 not in codes or step.endswith(binding, 0, end + 1):
                    continue  # inside another string literal; the binding's read
                if step.endswith(END, 0, start) and step.startswith(": ", end):
                    value_end = jsonata_lib.value_end(step, end + 2)
                    if step[end + 2:value_end].strip() != var:
                        return None
                    out.append(step[done:value_end])  # a step's end: the held object
                    done = value_end
                elif step.endswith(f"$lookup({state}, ", 0, start):
                    return None  # read from the state other than by its binding
                continue  # (a dict display's key: its value is read below as any other)
            if start not in codes:
                continue
            if step.endswith(_COUNT, 0, start) and step.startswith(")", end):
                out += [step[done:start - len(_COUNT)], f'$lookup({var}, "n")']
                done, by_position[0] = end + 1, True
                continue
            index = _INDEX.match(step, end)
            if index and index.group(1) in counters:
                out += [step[done:start], f'$lookup({var}, $string(${index.group(1)}))']
                done, by_position[0] = index.end(), True
                continue
            assigned = re.match(r"\s*:=\s*", step[end:end + 8])
            if assigned is None:
                out += [step[done:start], f'$lookup({var}, "l")']  # the list itself
                done = end
                continue
            if step.startswith(binding, start):
                out.append(step[done:start + len(binding)])
                done = start + len(binding)
                continue
            value_start = end + assigned.end()
            value_end = jsonata_lib.value_end(step, value_start)
            value = rewritten(value_start, value_end)
            if value is None:
                return None
            out += [step[done:value_start], f"{holder}({value.strip()}, {previous})"]
            done = value_end
        out.append(step[done:high])
        return "".join(out)

    if re.search(r"function\([^)]*" + re.escape(var) + r"(?![A-Za-z0-9_])|[@#]" + re.escape(var) + r"(?![A-Za-z0-9_])",
                 step):
        return None  # a function's parameter (or a path's variable) of that name: another value
    text = rewritten(0, len(step))
    return text if text is not None and by_position[0] else None


def unmarked(step: str) -> str:
    """`step` without the END marks (in code: a string literal may hold the same text)."""
    codes = {position for position, _ in jsonata_lib.code_positions(step)}
    out, done = [], 0
    position = step.find(END)
    while position >= 0:
        if position in codes:
            out.append(step[done:position])
            done = position + len(END)
        position = step.find(END, position + len(END))
    return "".join(out) + step[done:]


def holder(local: str) -> str:
    """JSONata: the statement binding the function `local` that holds a list (see hold), from
    the value and what it replaces (null where nothing is held yet)."""
    return (f"{local} := function($l, $o) {{ $merge($append([{{\"l\": $l, \"n\": $count($l), \"c\": $sum([$o.c, $o.n])}}], "
            f"{_keyed('$l')})) }}; ")


def to_positions(value: str) -> str:
    """JSONata: the list `value` as an object keyed by position (`{"0": ..., "1": ...}`)."""
    return f"$merge({_keyed(value)})"


def _keyed(value: str) -> str:
    """JSONata: each item of the list `value` as a one-key object keyed by its position."""
    return f"$map({value}, function($v, $i) {{ {{$string($i): $v}} }})"


def to_list(value: str, length: str, local: str) -> str:
    """JSONata: the object `value` keyed by position back as a list of `length` items
    (`$__map`: a list of one list stays one; none is the empty list). `local`: a name no
    text around it reads."""
    return (f"({local} := {value}; $__map([0..{length} - 1], function($k) "
            f"{{ $lookup({local}, $string($k)) }}))")


def merges(step: str, name: str) -> int:
    """How many changes of the list a step's text writes (each copies its keys)."""
    return step.count(f"$merge([${name}, {{$string(")


def _fields_and_bindings_only(step: str, name: str, state: str) -> bool:
    """Every `"name": value` field and `$name := value` statement of the step sets the list
    to itself or to a change of it, and the step reads it from its state only to bind it:
    so the state holds the list by position everywhere. A field is a step's end's, marked END
    by the caller; any other object naming the list (a dict display) reads the list itself."""
    key = jsonata_lib.string(name)
    binding = f"${name} := $lookup({state}, {key})"
    codes = {position for position, _ in jsonata_lib.code_positions(step)}
    position = step.find(key)
    while position >= 0:
        if position == 0 or position - 1 in codes:  # a string literal starts here (its quote is no code)
            after = step[position + len(key):]
            if step.endswith(binding[:-1], 0, position + len(key)) and after.startswith(")"):
                pass  # the binding
            elif not (step.endswith(END, 0, position) and after.startswith(": ")
                      and _itself_or_change(after[2:], name)):
                return False  # (unmarked: a dict display naming the list, `{"xs": xs}`)
        position = step.find(key, position + 1)
    for match in re.finditer(re.escape(f"${name}") + r"\s*:=\s*", step):
        value = step[match.end():]
        if not (value.startswith(f"$lookup({state}, {key})") or _itself_or_change(value, name)):
            return False
    return True


def _itself_or_change(value: str, name: str) -> bool:
    """Whether `value` starts with the list itself or a change of it, or is one of them in
    parentheses (`"xs": ($__setitem($xs, $i, $v))`)."""
    var = f"${name}"
    if value.startswith("("):
        close = jsonata_lib.closing(value, 0)
        return close > 0 and _whole(value[1:close].strip(), name)
    if value.startswith(var) and not re.match(r"[A-Za-z0-9_\[]", value[len(var):len(var) + 1]):
        return True
    return value.startswith((f"{_SETITEM}{var}, ", f"{_APPEND}{var}, ", f"{_NATIVE_APPEND}{var}, "))


def _whole(text: str, name: str) -> bool:
    """Whether `text` is exactly the list, or a change of it, in parentheses or not."""
    if text == f"${name}":
        return True
    if text.startswith("("):
        return jsonata_lib.closing(text, 0) == len(text) - 1 and _whole(text[1:-1].strip(), name)
    return any(text.startswith(f"{call}${name}, ") and jsonata_lib.closing(text, len(call) - 1) == len(text) - 1
               for call in (_SETITEM, _APPEND, _NATIVE_APPEND))


def _sets_itself(text: str, call: int, name: str) -> bool:
    """Whether the call at `call` is the value the list `$name` is set to (`$name := ` or a
    step's end's field before it, in parentheses or not): `$append($xs, ...)` anywhere else
    is a new list read from it (`xs + ys`), which stays a list."""
    before = text[:call].rstrip().rstrip("(").rstrip()
    return before.endswith((f"${name} :=", f"{END}{jsonata_lib.string(name)}:"))


def _convert(text: str, name: str, counters: frozenset, length: str) -> str | None:
    var = f"${name}"
    mention = re.compile(re.escape(var) + r"(?![A-Za-z0-9_])")
    codes = {position for position, _ in jsonata_lib.code_positions(text)}
    out: list[str] = []
    done = 0
    for match in mention.finditer(text):
        start, end = match.start(), match.end()
        if start < done:
            continue  # inside a call already rewritten
        if start not in codes:
            continue  # in a string literal
        if text.endswith(_COUNT, 0, start) and text.startswith(")", end):
            out += [text[done:start - len(_COUNT)], length]
            done = end + 1
            continue
        if text.endswith(_SETITEM, 0, start) and text.startswith(", ", end):
            close = jsonata_lib.closing(text, start - 1)
            parts = jsonata_lib.arguments(text[end + 2:close]) if close > 0 else None
            if parts is None or len(parts) != 2:
                return None
            converted = [_convert(part, name, counters, length) for part in parts]
            if None in converted:
                return None
            at, value = converted
            out += [text[done:start - len(_SETITEM)], f"$merge([{var}, {{$string({at}): {value}}}])"]
            done = close + 1
            continue
        if text.endswith(_APPEND, 0, start) and text.startswith(", ", end) and is_grown(length):
            close = jsonata_lib.closing(text, start - 1)  # (growing: the length is the object's "n")
            value = _convert(text[end + 2:close], name, counters, length) if close > 0 else None
            if value is None:
                return None
            out += [text[done:start - len(_APPEND)],
                    f'($__n := {length}; $merge([{var}, {{$string($__n): {value.strip()}, "n": $__n + 1}}]))']
            done = close + 1
            continue
        if text.endswith(_NATIVE_APPEND, 0, start) and text.startswith(", ", end) and is_grown(length) \
                and _sets_itself(text, start - len(_NATIVE_APPEND), name):
            close = jsonata_lib.closing(text, start - 1)  # `$xs := $append($xs, ys)`: its items appended
            added = _convert(text[end + 2:close], name, counters, length) if close > 0 else None
            if added is None:
                return None
            out += [text[done:start - len(_NATIVE_APPEND)],
                    f'($__n := {length}; $__y := {added.strip()}; $__l := $type($__y) = \'array\' ? $__y : [$__y]; '
                    f'$merge([{var}, $merge($map($__l, function($v, $i) {{ {{$string($__n + $i): $v}} }})), '
                    f'{{"n": $__n + $count($__l)}}]))']
            done = close + 1
            continue
        index = _AT.match(text, end)
        if index:
            out += [text[done:start], _item(var, index.group(1), counters, length)]
            done = index.end()
            continue
        rest = text[end:]
        if re.match(r"\s*:=", rest) or re.search(r"(?:\{|,)\s*" + re.escape(END)
                                                  + re.escape(jsonata_lib.string(name)) + r":\s*$", text[:start]):
            continue  # its binding, a statement setting it, a field naming it (checked above)
        return None
    out.append(text[done:])
    return "".join(out)
