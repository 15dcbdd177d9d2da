"""json.dumps(value) as Python writes it, and json.loads(text) as Python reads it, in JSONata
(message bodies for SQS, SNS, S3, and the bodies of events).

Python's encoder, exactly: `", "` and `": "` between items (`","` with an indent), `\\uXXXX` for
what is not printable ASCII with ensure_ascii (a surrogate pair beyond U+FFFF), a float's repr
(the check that stops the machine where JSONata cannot write it, as str() has), `true`,
`false`, `null`, a dict's keys in insertion order or, with sort_keys, in Python's order of strs.
The options are literals: `ensure_ascii`, `indent` (an int or a str), `separators`, `sort_keys`.
The printing follows the value's static type where it knows one (a float is written `2.0`, an
int `2`), else the number rule (helper `pyjson`: integral means int). A set, an exception, or a
number that may be an int or a float is refused: Python raises TypeError for the first two, and
JSON cannot tell 3 from 3.0.

json.loads is Step Functions' `$parse`, where a check first (helper `jsonl`, a few regular
expressions over the text) finds what Python reads otherwise: a text it refuses raises
json.JSONDecodeError with Python's message (helper `jsonerr`, its parser's rules: computed only
on the way to the handler), and NaN, Infinity, an int past 2**53 or an integral float (`1.0`:
the machine would hold the int 1) stop the machine, as they do wherever values cross JSON.
"""

from __future__ import annotations

import ast
import json

from ..analysis import pytypes
from ..analysis.pytypes import Ty
from ..errors import Refusal
from ..graph import jsonata_lib
from ..graph.exprs import UNSUPPORTED, Expr, Guard, Scan, combine, guard, printed_kind
from . import formatting, operations, sets
from .evaluation import operands

_OPTIONS = ("ensure_ascii", "indent", "separators", "sort_keys")
_HINT = "json.dumps takes ensure_ascii=, indent=, separators= and sort_keys= here, as literals"
_QUOTED = {bracket: jsonata_lib.string(bracket) for bracket in "[]{}"}
_DEPTH = 4  # levels written out by their types; deeper, the run-time helper (no float known there)


def json_dumps(b, node: ast.Call) -> Expr:
    if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise Refusal(node, "json.dumps() takes the value to write as its one positional argument here", _HINT)
    options, indent_node = _options(node)
    if options["s"] and b.int_keys:
        where = "".join(f" (line {line}: `{text}`)" for line, text in b.int_key_lines[:1])
        raise Refusal(node, "json.dumps(..., sort_keys=True) in a workflow that may store int dict keys is not "
                      f"supported: a key whose type is not known to be a str is stored{where}, and Python sorts int "
                      "keys as numbers, and refuses a mix of int and str keys",
                      "make the key a str where it is stored (d[str(k)] = ...), or sort the keys yourself: "
                      "{str(k): d[k] for k in sorted(d)}")
    guards = []
    if indent_node is None:
        (value,) = operands(b, node.args)
        parts = [value]
    else:  # (the value, then the indent: Python's order)
        value, indent = parts = operands(b, [node.args[0], indent_node])
        options["n"] = _runtime_indent(indent_node, indent)
        guards = _indent_checks(value, indent)
        if "i" not in options:
            options["i"] = f"({options['n']} = null ? ', ' : ',')"
    var = "$__jv"
    kind = printed_kind(value)
    code = _json_code(node, value.ty, var, 0, options, kind.code if kind is not None else None)
    if kind is not None:
        parts.append(kind)
    if options["runtime"]:
        code = f"($__jo := {_options_code(options)}; {code})"
    code = f"({var} := {value.code}; {code})" if code.count(var) > 1 else code.replace(var, value.code)
    helpers = {name for name in jsonata_lib.HELPERS if f"$__{name}(" in code}
    return combine(code, pytypes.STR, *parts, helpers=helpers,
                   guards=[*guards, *formatting.printable_guards(node, value)])


# Python's JSONDecodeError message walks the text's tokens (helper jsonerr): about a second of
# jsonata-js per 8,000; for a longer text the machine stops where the message is read
_MESSAGE_LIMIT = 5000
_COSTLY = (f"json.loads() of a text over {_MESSAGE_LIMIT:,} characters that Python refuses, where its "
           "JSONDecodeError's message is read: the machine does not compute it for a text that long")


def json_loads(b, node: ast.Call) -> Expr:
    if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
        raise Refusal(node, "json.loads() takes the text to read as its one argument here",
                      "read the text with json.loads(text); convert what it gives afterwards")
    (text,) = operands(b, node.args)
    v = text.code
    guards = []
    if text.ty.kinds != {"str"}:
        if not text.ty.may("str"):
            raise Refusal(node, f"json.loads() of {text.ty.describe()}: Python raises TypeError (the JSON object must "
                          "be str, bytes or bytearray)", "pass it the text")
        guards.append(guard(f"($type({v}) != 'string')", TypeError, "'the JSON object must be str, bytes or bytearray, "
                            f"not ' & $__pytype({v})", text, helpers={"pytype"}))
    helpers = jsonata_lib.closure({"jsonl"}) | text.helpers
    scan = Scan(f"$__jsonl({v})", helpers, text.reads, name="$__jl")
    reads = text.reads

    def stop(code: str, error: str, cause: str) -> Guard:
        return Guard(f"($__jl = '{code}')", None, "''", helpers, reads, abort=True, error_name=error,
                     message_literal=cause, scan=scan)

    guards += [
        Guard("($__jl = 'e')", json.JSONDecodeError, f"$__jsonerr({v})", helpers | jsonata_lib.closure({"jsonerr"}),
              reads, scan=scan, costly=(f"$length({v}) > {_MESSAGE_LIMIT}", _COSTLY)),
        stop("u", UNSUPPORTED, "json.loads() of NaN, Infinity, an exponent of 3 digits or lists and dicts nested over "
             "100 deep: Python reads a float JSON cannot carry, or nesting the machine does not check"),
        stop("i", operations.OVERFLOW, "json.loads() of an int beyond 2**53 - 1: Python reads it exactly, the machine "
             "as a double"),
        stop("f", operations.AMBIGUOUS_NUMBER, "json.loads() of an integral float (10.0, 1e3): Python reads the float "
             "10.0, the machine (its numbers are JSON's) the int 10"),
    ]
    if b.int_keys:  # (the machine's int keys are strs starting with NUL)
        guards.append(Guard(f"$contains({v}, '\"\\\\u0000')", None, "''", text.helpers, reads, abort=True,
                            error_name=operations.NON_STRING_KEY, message_literal="json.loads() of a str starting "
                            "with NUL, in a machine that keeps int dict keys as such strs"))
    return combine(f"$parse({v})", pytypes.ANY, text, guards=guards)


def _runtime_indent(node: ast.expr, indent: Expr) -> str:
    """JSONata text of the indent `json.dumps(..., indent=expr)` writes: None, the str, or an
    int's (or a bool's) count of spaces (none for 0 or less)."""
    if not indent.ty.may("none", "int", "str", "bool"):
        raise Refusal(node, f"json.dumps's indent= is {indent.ty.describe()} here; it must be None, an int or a str",
                      "compute the indent as None, an int or a str (e.g. 2 if pretty else None)")
    v = indent.code
    return (f"($type({v}) = 'null' ? null : $type({v}) = 'string' ? {v} : "
            f"$pad('', ($type({v}) = 'boolean' ? ({v} ? 1 : 0) : {v} < 0 ? 0 : {v})))")


def _indent_checks(value: Expr, indent: Expr) -> list:
    """Python's TypeError for an indent that is no int, str or None (`' ' * indent` fails), but
    for a str value, which json.dumps writes without looking at the indent."""
    if not indent.ty.may("float", "list", "dict"):
        return []
    v, i = value.code, indent.code
    return [guard(f"($type({v}) != 'string' and ($type({i}) in ['array', 'object'] or ($type({i}) = 'number' and "
                  f"$floor({i}) != {i})))", TypeError, f"\"can't multiply sequence by non-int of type '\" & "
                  f"$__pytype({i}) & \"'\"", value, indent, helpers={"pytype"})]


def _options_code(options: dict) -> str:
    """The options object of a call whose indent is known at run time only."""
    parts = {"i": options["i"] if options["i"].startswith("(") else jsonata_lib.string(options["i"]),
             "k": jsonata_lib.string(options["k"]), "a": "true" if options["a"] else "false", "n": options["n"],
             "s": "true" if options["s"] else "false"}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in parts.items()) + "}"


def _options(node: ast.Call) -> tuple[dict, ast.expr | None]:
    """The encoder's options as the helper reads them, {"i": item separator, "k": key separator,
    "a": ensure_ascii, "n": indent text or None, "s": sort_keys, "runtime": whether the indent is
    known at run time only}, and the expression of such an indent (no "i" yet unless given)."""
    given = {}
    indent_node = None
    for keyword in node.keywords:
        if keyword.arg not in _OPTIONS:
            raise Refusal(keyword.value if keyword.arg else node, f"json.dumps(..., {keyword.arg or '**'}=...) is not "
                          "supported", _HINT)
        try:
            given[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            if keyword.arg != "indent":
                raise Refusal(keyword.value, f"json.dumps's {keyword.arg}= must be a literal here", _HINT) from None
            indent_node = keyword.value
    if indent_node is not None:
        separators = given.get("separators")
        options = {"k": ": " if separators is None else separators[1], "runtime": True, "n": None,
                   "a": given.get("ensure_ascii", True), "s": given.get("sort_keys", False)}
        if separators is not None:
            options["i"] = separators[0]
        return _checked(node, options, separators), indent_node
    indent = given.get("indent")
    if isinstance(indent, bool) or not (indent is None or isinstance(indent, str) or isinstance(indent, int)
                                        and indent >= 0):
        raise Refusal(node, "json.dumps's indent= must be None, an int of 0 or more, or a str here", _HINT)
    separators = given.get("separators", (",", ": ") if indent is not None else (", ", ": "))
    options = {"i": separators[0] if isinstance(separators, (tuple, list)) and separators else None,
               "k": separators[1] if isinstance(separators, (tuple, list)) and len(separators) > 1 else None,
               "a": given.get("ensure_ascii", True), "n": " " * indent if isinstance(indent, int) else indent,
               "s": given.get("sort_keys", False), "runtime": False}
    return _checked(node, options, separators), None


def _checked(node: ast.Call, options: dict, separators) -> dict:
    if separators is not None and not (isinstance(separators, (tuple, list)) and len(separators) == 2
                                       and all(isinstance(s, str) for s in separators)):
        raise Refusal(node, "json.dumps's separators= must be a pair of strs, (item separator, key separator)", _HINT)
    if type(options["a"]) is not bool or type(options["s"]) is not bool:
        raise Refusal(node, "json.dumps's ensure_ascii= and sort_keys= must be True or False here", _HINT)
    return options


def _json_code(node: ast.AST, ty: Ty, var: str, level: int, options: dict, kind: str | None = None) -> str:
    """JSONata text writing the value `var` of type `ty` at nesting `level`; `kind`: where it
    may be an int or a float, the code that tells whether it is a float (Expr.kind)."""
    kinds = ty.kinds
    unwritable = _unwritable(ty)
    if unwritable:
        raise Refusal(node, f"json.dumps() of a {unwritable}: Python raises TypeError (Object of type {unwritable} is "
                      "not JSON serializable)", "write sorted(s) for a set, str(e) for an exception")
    if kind is not None:
        return formatting.number_by_kind(ty, var, kind, lambda others: _json_code(node, others, var, level, options))
    if "float" in kinds and "int" in kinds and not ty.json_number:  # (also anything joined with a float)
        raise Refusal(node, "json.dumps() of a number that may be an int or a float: 3 and 3.0 are written "
                      "differently, and JSON holds both as 3", "make it always a float (float(...)) or an int")
    if not pytypes.holds_float(ty):  # (the run-time writer: it writes what the types would, and is short)
        literal = {k: v for k, v in options.items() if k != "runtime"}
        return f"$__pyjson({var}, {'$__jo' if options['runtime'] else jsonata_lib.literal(literal)}, {level})"
    if ty.is_any:  # (something else joined with a float: `[x, {"z": f}]`)
        raise Refusal(node, "json.dumps() of a value that may hold a float or a number of unknown type in the same "
                      "place: 3 and 3.0 are written differently, and JSON holds both as 3",
                      "make the numbers there always floats (float(...)), or annotate the other value")
    if level >= _DEPTH:
        raise Refusal(node, "json.dumps() of floats nested this deeply is not supported", "build the text in a callee")
    ascii_flag = "true" if options["a"] else "false"
    parts = []
    if "none" in kinds:
        parts.append(("null", "'null'"))
    if "bool" in kinds:
        parts.append(("boolean", f"({var} ? 'true' : 'false')"))
    if "int" in kinds or "float" in kinds:
        printed = (f"$__jnum({var})" if ty.json_number else f"$__pyfloat({var})" if "float" in kinds
                   else jsonata_lib.int_text(var))
        parts.append(("number", printed))
    if "str" in kinds:
        parts.append(("string", f"$__jstr({var}, {ascii_flag})"))
    inner, outer = _indent(options, level + 1), _indent(options, level)
    between = _cat("$__jo.i" if options["runtime"] else jsonata_lib.string(options["i"]), inner)
    if "list" in kinds:
        item = f"$__e{level}"
        text = _json_code(node, ty.element if ty.element is not None else pytypes.ANY, item, level + 1, options)
        joined = f"$join($map({var}, function({item}) {{ {text} }}), {between})"
        parts.append(("array", f"($count({var}) = 0 ? '[]' : {_cat(_QUOTED['['], inner, joined, outer, _QUOTED[']'])})"))
    if "dict" in kinds:
        key, item = f"$__k{level}", f"$__v{level}"
        text = _values_code(node, ty, key, item, level, options)
        keys = f"$__jkeys({var}, {'true' if options['s'] else 'false'})"
        member = (f"({item} := $lookup({var}, {key}); $__jstr($__jkey({key}), {ascii_flag}) & "
                  f"{jsonata_lib.string(options['k'])} & {text})")
        joined = f"$join($map($__ks{level}, function({key}) {{ {member} }}), {between})"
        parts.append(("object", f"($__ks{level} := {keys}; $count($__ks{level}) = 0 ? '{{}}' : "
                                f"{_cat(_QUOTED['{'], inner, joined, outer, _QUOTED['}'])})"))
    text = parts[-1][1]
    for json_type, printed in reversed(parts[:-1]):
        text = f"($type({var}) = '{json_type}' ? {printed} : {text})"
    return text


def _values_code(node: ast.AST, ty: Ty, key: str, item: str, level: int, options: dict) -> str:
    """JSONata text writing a dict's value `item` under `key`: by its field's type where the
    dict is a record of known str keys (`{"n": n, "total": f * 2}`: the int and the float each
    as Python writes it), else by the type of its values."""
    fields = [(k, t) for k, t in ty.fields or () if isinstance(k, str)]
    if not fields or len(fields) != len(ty.fields):
        return _json_code(node, ty.values, item, level + 1, options)
    try:
        text = _json_code(node, ty.values, item, level + 1, options)
    except Refusal:  # (every key of a record is one of its fields: this is never written)
        text = "''"
    for name, field in reversed(fields):
        text = f"({key} = {jsonata_lib.string(name)} ? {_json_code(node, field, item, level + 1, options)} : {text})"
    return text


def _unwritable(ty: Ty, depth: int = 0) -> str:
    """'set' or 'exception' where a value of this type may be or hold one, else ''."""
    if sets.is_set(ty) or ty.form == sets.SET and "list" in ty.kinds:
        return "set"
    if "exc" in ty.kinds:
        return "exception"
    if depth > 6:
        return ""
    parts = [t for t in (ty.elem, ty.value) if t is not None] + [t for _, t in ty.fields or ()]
    return next((found for part in parts if (found := _unwritable(part, depth + 1))), "")


def _cat(*parts: str) -> str:
    """JSONata text joining these texts with `&`, leaving out empty literals."""
    return " & ".join(part for part in parts if part != "''")


def _indent(options: dict, level: int) -> str:
    """JSONata text of the line break and indent before an item at `level`."""
    if options["runtime"]:
        return f"$__jindent($__jo, {level})"
    return jsonata_lib.string("" if options["n"] is None else "\n" + options["n"] * level)
