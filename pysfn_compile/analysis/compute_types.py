"""The Python types of the variables a block computed in the Lambda assigns, as far as its
syntax tells: enough to give the machine the static type of each value leaving the block
(a float stays a float although JSON carries 2.0 as 2), and to refuse at compile time the
values JSON cannot carry (a set, a tuple, a datetime, an object, a dict with non-str keys).

Types are `pytypes.Ty`; a kind that JSON has no equivalent for is written "py:<name>"
("py:set", "py:datetime"). What the syntax does not tell is ANY: the Lambda checks such a
value at run time (runtime/compute_runtime.py).
"""

from __future__ import annotations

import ast
import builtins
import datetime
import types

import attrs

from . import pytypes
from .pytypes import Ty

ANY, INT, FLOAT, STR, BOOL, NONE, NUMBER = (pytypes.ANY, pytypes.INT, pytypes.FLOAT, pytypes.STR, pytypes.BOOL,
                                            pytypes.NONE, pytypes.NUMBER)


def py(name: str) -> Ty:
    """A Python type JSON cannot carry."""
    return Ty(frozenset({"py:" + name}))


def foreign(ty: Ty) -> list[str]:
    """The kinds of `ty` (and of its items) that JSON cannot carry, as Python type names."""
    found = sorted(k[3:] for k in ty.kinds if k.startswith("py:"))
    if "list" in ty.kinds and ty.form != "list":
        found.append("tuple")
    if "list" in ty.kinds and ty.elem is not None:
        found += foreign(ty.elem)
    if "dict" in ty.kinds and ty.value is not None:
        found += foreign(ty.value)
    return found


# what the standard library's functions return (by module and name)
_INT_MATH = {"floor", "ceil", "trunc", "comb", "perm", "factorial", "gcd", "lcm", "isqrt"}
_BOOL_MATH = {"isclose", "isfinite", "isinf", "isnan"}
_NUMBER_MATH = {"prod", "fabs_int"}
_STATISTICS = {"fmean": FLOAT, "stdev": FLOAT, "pstdev": FLOAT, "geometric_mean": FLOAT, "correlation": FLOAT,
               "quantiles": pytypes.list_of(NUMBER)}
_BUILTINS = {
    "len": INT, "int": INT, "hash": INT, "ord": INT, "float": FLOAT, "str": STR, "repr": STR, "format": STR,
    "chr": STR, "ascii": STR, "hex": STR, "oct": STR, "bin": STR, "bool": BOOL, "isinstance": BOOL,
    "callable": BOOL, "any": BOOL, "all": BOOL, "print": NONE, "dict": pytypes.dict_of(None),
    "set": py("set"), "frozenset": py("frozenset"), "tuple": py("tuple"), "range": py("range"),
    "enumerate": py("enumerate"), "zip": py("zip"), "map": py("map"), "filter": py("filter"),
    "reversed": py("reversed"), "divmod": py("tuple"), "iter": py("iterator"), "open": py("file"),
    "bytes": py("bytes"), "bytearray": py("bytearray"), "object": py("object"), "type": py("type"),
}
_CHANGES = {"append", "insert", "extend", "setdefault", "update", "sort", "reverse", "pop", "remove", "clear"}
_STR_METHODS_LIST = {"split", "rsplit", "splitlines"}
_STR_METHODS_BOOL = {"startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
                     "istitle", "isdecimal", "isnumeric", "isidentifier", "isprintable", "isascii"}
_STR_METHODS_INT = {"find", "rfind", "index", "rindex", "count"}
_DATETIME_INT = {"year", "month", "day", "hour", "minute", "second", "microsecond", "days", "seconds",
                 "microseconds"}
_DATETIME_METHODS = {"isoformat": STR, "strftime": STR, "ctime": STR, "timestamp": FLOAT, "total_seconds": FLOAT,
                     "weekday": INT, "isoweekday": INT, "toordinal": INT}


@attrs.define
class Inference:
    """Types of a block's variables: `env` by name, starting from the machine's types of the
    block's inputs; `objects` is the workflow module's namespace."""

    env: dict
    objects: dict
    origin: dict = attrs.Factory(dict)  # name -> the assignment that last set it (for messages)
    ever: dict = attrs.Factory(dict)  # name -> the union of every type it held (what a raise may leave)

    def __attrs_post_init__(self) -> None:
        self.ever = dict(self.env)

    def set(self, name: str, ty: Ty) -> None:
        self.env[name] = ty
        self.ever[name] = pytypes.join(self.ever.get(name), ty)

    # -- statements --------------------------------------------------------------------
    def block(self, statements: list, conditional: bool = False) -> None:
        for statement in statements:
            self.statement(statement, conditional)

    def statement(self, node: ast.stmt, conditional: bool) -> None:
        self.changes(node)
        if isinstance(node, ast.Assign):
            ty = self.expr(node.value)
            for target in node.targets:
                self.bind(target, ty, conditional, node)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.bind(node.target, self.expr(node.value), conditional, node)
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name):
                ty = self.binop(node.op, self.name(node.target.id), self.expr(node.value))
                self.bind(node.target, ty, conditional, node)
        elif isinstance(node, ast.If):
            self.block(node.body, True)
            self.block(node.orelse, True)
        elif isinstance(node, (ast.For, ast.While)):
            for _ in range(2):  # a second round sees what the first carried round the loop
                if isinstance(node, ast.For):
                    self.bind_loop(node.target, node.iter, True, node)
                self.block(node.body, True)
            self.block(node.orelse, True)
        elif isinstance(node, ast.Try):
            self.block(node.body, True)
            for handler in node.handlers:
                if handler.name:
                    self.set(handler.name, py("exception"))
                self.block(handler.body, True)
            self.block(node.orelse, True)
            self.block(node.finalbody, conditional)
        elif isinstance(node, ast.With):
            self.block(node.body, conditional)

    def changes(self, node: ast.stmt) -> None:
        """In-place changes in a simple statement: `xs.append(v)`, `d[k] = v` widen the type
        of the list or dict changed (an item deeper down: its items become of unknown type)."""
        if isinstance(node, (ast.If, ast.For, ast.While, ast.Try, ast.With)):
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in _CHANGES:
                receiver, method = sub.func.value, sub.func.attr
                if isinstance(receiver, ast.Name) and receiver.id in self.env:
                    self.change(receiver.id, method, [self.expr(a) for a in sub.args])
                else:
                    self.widen_root(receiver)
            elif isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                for target in targets:
                    if not isinstance(target, ast.Subscript):
                        continue
                    if isinstance(target.value, ast.Name) and target.value.id in self.env and sub.value is not None:
                        value = self.expr(sub.value) if not isinstance(sub, ast.AugAssign) else ANY
                        self.change(target.value.id, "__setitem__", [ANY, value])
                    else:
                        self.widen_root(target.value)

    def change(self, name: str, method: str, args: list) -> None:
        ty = self.env[name]
        if ty.only("list") and method in ("append", "insert", "extend", "__setitem__"):
            item = args[-1] if args else ANY
            if method == "extend":
                item = self.element(item)
            self.set(name, pytypes.list_of(pytypes.join(ty.elem, item)) if ty.elem is not None else ty)
        elif ty.only("dict") and method in ("__setitem__", "setdefault"):
            value = args[1] if len(args) > 1 else NONE
            self.set(name, pytypes.dict_of(pytypes.join(ty.value, value)) if ty.value is not None else ty)
        elif ty.only("dict") and method == "update":
            self.set(name, pytypes.dict_of(None))

    def widen_root(self, node: ast.AST) -> None:
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.env:
            ty = self.env[node.id]
            self.set(node.id, attrs.evolve(ty, elem=None, value=None, items=None, fields=None))

    def bind(self, target: ast.AST, ty: Ty, conditional: bool, node: ast.AST) -> None:
        if isinstance(target, ast.Name):
            old = self.env.get(target.id)
            self.set(target.id, pytypes.join(old, ty) if conditional and old is not None else ty)
            if foreign(ty) or target.id not in self.origin:
                self.origin[target.id] = node
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element,
                          pytypes.list_of(None) if isinstance(element, ast.Starred) else ANY, conditional, node)

    # -- expressions -------------------------------------------------------------------
    def name(self, name: str) -> Ty:
        if name in self.env:
            return self.env[name]
        if name in self.objects:
            return _type_of_object(self.objects[name])
        return ANY

    def expr(self, node: ast.AST) -> Ty:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        return method(node) if method is not None else ANY

    def _constant(self, node: ast.Constant) -> Ty:
        return _type_of_object(node.value)

    def _name(self, node: ast.Name) -> Ty:
        return self.name(node.id)

    def _joinedstr(self, node) -> Ty:
        return STR

    def _list(self, node: ast.List) -> Ty:
        elem = None
        for element in node.elts:
            elem = pytypes.join(elem, ANY if isinstance(element, ast.Starred) else self.expr(element))
        return pytypes.list_of(elem if elem is not None else pytypes.NOTHING)

    def _tuple(self, node) -> Ty:
        return py("tuple")

    def _set(self, node) -> Ty:
        return py("set")

    def _setcomp(self, node) -> Ty:
        return py("set")

    def _generatorexp(self, node) -> Ty:
        return py("generator")

    def _lambda(self, node) -> Ty:
        return py("function")

    def _dict(self, node: ast.Dict) -> Ty:
        value = None
        for key, item in zip(node.keys, node.values, strict=True):
            if key is None:
                value = pytypes.join(value, self.expr(item).values if self.expr(item).only("dict") else ANY)
                continue
            if not self.expr(key).may("str"):  # a key of unknown type: the Lambda checks it
                return py("dict with non-str keys")
            value = pytypes.join(value, self.expr(item))
        return pytypes.dict_of(value if value is not None else pytypes.NOTHING)

    def _comprehension_env(self, generators) -> dict:
        saved = dict(self.env)
        for generator in generators:
            self.bind_loop(generator.target, generator.iter, False, generator)
        return saved

    def bind_loop(self, target: ast.AST, iterable: ast.AST, conditional: bool, node: ast.AST) -> None:
        """The loop variables of `for target in iterable` (also `k, v in d.items()`,
        `i, x in enumerate(xs)`)."""
        if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(iterable, ast.Call) \
                and all(isinstance(e, ast.Name) for e in target.elts):
            func = iterable.func
            if isinstance(func, ast.Attribute) and func.attr == "items" and not iterable.args:
                owner = self.expr(func.value)
                if owner.only("dict"):
                    self.bind(target.elts[0], STR, conditional, node)
                    self.bind(target.elts[1], owner.values, conditional, node)
                    return
            if isinstance(func, ast.Name) and func.id == "enumerate" and func.id not in self.env \
                    and len(iterable.args) == 1:
                self.bind(target.elts[0], INT, conditional, node)
                self.bind(target.elts[1], self.element(self.expr(iterable.args[0])), conditional, node)
                return
        self.bind(target, self.element(self.expr(iterable)), conditional, node)

    def _listcomp(self, node: ast.ListComp) -> Ty:
        saved = self._comprehension_env(node.generators)
        try:
            return pytypes.list_of(self.expr(node.elt))
        finally:
            self.env = saved

    def _dictcomp(self, node: ast.DictComp) -> Ty:
        saved = self._comprehension_env(node.generators)
        try:
            if not self.expr(node.key).may("str"):
                return py("dict with non-str keys")
            return pytypes.dict_of(self.expr(node.value))
        finally:
            self.env = saved

    def _ifexp(self, node: ast.IfExp) -> Ty:
        return pytypes.join(self.expr(node.body), self.expr(node.orelse))

    def _boolop(self, node: ast.BoolOp) -> Ty:
        ty = None
        for value in node.values:
            ty = pytypes.join(ty, self.expr(value))
        return ty

    def _compare(self, node) -> Ty:
        return BOOL

    def _unaryop(self, node: ast.UnaryOp) -> Ty:
        if isinstance(node.op, ast.Not):
            return BOOL
        operand = self.expr(node.operand)
        if operand.only("bool"):
            return INT
        return operand if operand.only("int") or operand.only("float") else ANY

    def _binop(self, node: ast.BinOp) -> Ty:
        return self.binop(node.op, self.expr(node.left), self.expr(node.right))

    def binop(self, op: ast.operator, left: Ty, right: Ty) -> Ty:
        if isinstance(op, ast.Div):
            return FLOAT  # whatever the operands, `/` gives a float or raises
        if (left.only("float") or right.only("float")) and isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv,
                                                                          ast.Pow)):
            return FLOAT  # a float with anything: a float, or TypeError
        if left.is_any or right.is_any or left.json_number or right.json_number:
            return ANY
        ints = left.only("int", "bool") and right.only("int", "bool")
        numbers = left.only("int", "float", "bool") and right.only("int", "float", "bool")
        if isinstance(op, ast.Div) and numbers:
            return FLOAT
        if ints:
            return INT if not isinstance(op, ast.Pow) else NUMBER
        if numbers:
            if left.only("float") or right.only("float"):
                return FLOAT
            return NUMBER
        if isinstance(op, ast.Add) and left.only("str") and right.only("str"):
            return STR
        if isinstance(op, ast.Mult) and (left.only("str") and right.only("int", "bool")
                                         or right.only("str") and left.only("int", "bool")):
            return STR
        if isinstance(op, ast.Mod) and left.only("str"):
            return STR
        if isinstance(op, ast.Add) and left.only("list") and right.only("list") and left.form == right.form == "list":
            return pytypes.list_of(pytypes.join(left.element, right.element))
        if isinstance(op, ast.Sub) and left.may("py:datetime", "py:date"):
            return py("timedelta")
        return ANY

    def _subscript(self, node: ast.Subscript) -> Ty:
        container = self.expr(node.value)
        if isinstance(node.slice, ast.Slice):
            return container if container.only("str") or container.only("list") else ANY
        if container.only("str"):
            return STR
        if container.only("list") and container.form == "list":
            return container.element
        if container.only("dict"):
            return container.values
        return ANY

    def _attribute(self, node: ast.Attribute) -> Ty:
        owner = self.expr(node.value) if not isinstance(node.value, ast.Name) or node.value.id in self.env else None
        if owner is not None:
            if owner.may("py:datetime", "py:date", "py:time", "py:timedelta") and node.attr in _DATETIME_INT:
                return INT
            return ANY
        value = _resolve(node, self.objects)
        return _type_of_object(value) if value is not _UNKNOWN else ANY

    def _call(self, node: ast.Call) -> Ty:
        func = node.func
        if isinstance(func, ast.Name) and func.id not in self.env and func.id not in self.objects:
            return self._builtin(func.id, node)
        if isinstance(func, ast.Attribute) and (not isinstance(func.value, ast.Name) or func.value.id in self.env):
            return self._method(self.expr(func.value), func.attr, node)
        target = _resolve(func, self.objects)
        if target is _UNKNOWN:
            return ANY
        return _returns(target, [self.expr(a) for a in node.args])

    def _builtin(self, name: str, node: ast.Call) -> Ty:
        args = [self.expr(a) for a in node.args]
        if name == "round":
            if len(args) == 1 or (len(node.args) == 2 and isinstance(node.args[1], ast.Constant)
                                  and node.args[1].value is None):
                return INT
            if args and args[0].only("int", "bool"):
                return INT
            return FLOAT if args and args[0].only("float") else NUMBER
        if name == "abs":
            return args[0] if args and (args[0].only("int") or args[0].only("float")) else ANY
        if name in ("min", "max"):
            if len(args) == 1:
                return self.element(args[0])
            ty = None
            for arg in args:
                ty = pytypes.join(ty, arg)
            return ty if ty is not None else ANY
        if name == "sum":
            elem = self.element(args[0]) if args else ANY
            if elem.only("int", "bool"):
                return INT
            return FLOAT if elem.only("float") else NUMBER  # numbers, or TypeError
        if name in ("sorted", "list"):
            return pytypes.list_of(self.element(args[0])) if args else pytypes.list_of(pytypes.NOTHING)
        if name in _BUILTINS:
            return _BUILTINS[name]
        return ANY

    def _method(self, receiver: Ty, name: str, node: ast.Call) -> Ty:
        if receiver.only("str"):
            if name in _STR_METHODS_LIST:
                return pytypes.list_of(STR)
            if name in _STR_METHODS_BOOL:
                return BOOL
            if name in _STR_METHODS_INT:
                return INT
            if name in ("partition", "rpartition"):
                return py("tuple")
            if name == "encode":
                return py("bytes")
            return STR
        if receiver.may("py:datetime", "py:date", "py:time", "py:timedelta") and name in _DATETIME_METHODS:
            return _DATETIME_METHODS[name]
        if receiver.may("py:datetime", "py:date") and name in ("replace", "astimezone", "date"):
            return py("date" if name == "date" else "datetime")
        if receiver.only("list") and receiver.form == "list":
            if name in ("index", "count"):
                return INT
            if name == "pop":
                return receiver.element
            if name == "copy":
                return receiver
            if name in ("append", "extend", "insert", "remove", "clear", "reverse", "sort"):
                return NONE
        if receiver.only("dict"):
            if name == "get":
                return pytypes.join(receiver.values, self.expr(node.args[1]) if len(node.args) > 1 else NONE)
            if name in ("keys", "values", "items"):
                return py("dict view")
            if name == "copy":
                return receiver
        return ANY

    def element(self, iterable: Ty) -> Ty:
        """The type of the items a for loop over `iterable` gets."""
        if iterable.only("list"):
            return iterable.element
        if iterable.only("str"):
            return STR
        if iterable.only("dict"):
            return STR
        if iterable == py("range"):
            return INT
        return ANY


_UNKNOWN = object()


def _resolve(node: ast.AST, objects: dict):
    """The object a dotted name of the module's namespace is (math.sqrt), or _UNKNOWN."""
    if isinstance(node, ast.Name):
        if node.id in objects:
            return objects[node.id]
        return getattr(builtins, node.id, _UNKNOWN)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, objects)
        if owner is _UNKNOWN or not isinstance(owner, (types.ModuleType, type)):
            return _UNKNOWN
        return getattr(owner, node.attr, _UNKNOWN)
    return _UNKNOWN


def _type_of_object(value) -> Ty:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        return pytypes.list_of(None)
    if isinstance(value, dict):
        return pytypes.dict_of(None) if all(isinstance(k, str) for k in value) else py("dict with non-str keys")
    return py(type(value).__name__)


def _returns(function, args: list) -> Ty:
    """What calling a standard-library (or module) function returns, as far as known."""
    module = getattr(function, "__module__", None) or ""
    name = getattr(function, "__name__", "")
    if isinstance(function, type):
        if issubclass(function, (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)):
            return py(function.__name__)
        if function in (int, bool, str, float):
            return {int: INT, bool: BOOL, str: STR, float: FLOAT}[function]
        return py(function.__name__)
    owner = getattr(function, "__self__", None)
    if isinstance(owner, type) and issubclass(owner, (datetime.date, datetime.time, datetime.timedelta)):
        return py(owner.__name__)  # datetime.fromisoformat(...), date.today()
    if module == "math":
        if name in _INT_MATH:
            return INT
        if name in _BOOL_MATH:
            return BOOL
        return NUMBER if name in _NUMBER_MATH else FLOAT
    if module == "statistics":
        return _STATISTICS.get(name, NUMBER if name != "mode" else ANY)
    if module == "json":
        return STR if name == "dumps" else ANY
    if module == "re":
        if name in ("sub", "escape"):
            return STR
        if name in ("split", "findall"):
            return pytypes.list_of(None)
        return py("re match") if name in ("match", "search", "fullmatch") else py("re pattern")
    return ANY
