"""What a callee returns when its return annotation does not say: the type its body makes
certain, as a type checker would infer it, or ANY.

The machine trusts the type (it writes the tight expression, with no run-time dispatch), so
the inference is sound or it says ANY: every binding of a local is typed (a parameter, or a
name bound some other way, is ANY); a list or dict held in a local is followed only while no
other name can reach it (it is changed only by `xs.append(v)` and `d[k] = v` statements, and
read only where nothing can keep or change it); a module-level constant only while no
function changes it; anything else (a call of another function, a method it does not know,
a nested function, `global`, a walrus, a generator) makes what it touches ANY. The result is
the type the value has after crossing JSON: a number that may be a float follows JSON's rule
(integral means int, pytypes), a tuple is ANY.

    def fetch_sales(day, count):            # list[{"id": str, "region": str, "cents": int}]
        return [{"id": f"{day}-{i}", "region": REGIONS[i % 4], "cents": (i * 37) % 1000}
                for i in range(count)]
"""

from __future__ import annotations

import ast
import builtins

import attrs

from . import pytypes
from .module_info import MISSING, ModuleInfo
from .pytypes import ANY, BOOL, INT, NONE, NOTHING, STR, Ty

_FLOAT = pytypes.FLOAT
_ROUNDS = 8  # fixpoint rounds over the bindings (a type still growing after them: ANY)
_STR_TO_STR = frozenset({"upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold",
                         "swapcase", "replace", "join", "center", "ljust", "rjust", "zfill", "removeprefix",
                         "removesuffix", "expandtabs", "format"})
_STR_TO_LIST = frozenset({"split", "rsplit", "splitlines"})
_STR_TO_INT = frozenset({"find", "rfind", "index", "rindex", "count"})
_STR_TO_BOOL = frozenset({"startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "islower",
                          "isupper", "istitle", "isdecimal", "isnumeric", "isidentifier", "isprintable", "isascii"})
_UNSUPPORTED_SYNTAX = (ast.Global, ast.Nonlocal, ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await,
                       ast.Match, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def returned_type(annotated: Ty, fdef: ast.FunctionDef, info: ModuleInfo, arguments: dict | None = None) -> Ty:
    """What a call of the callee `fdef` gives the machine: its return annotation's type
    (`annotated`, ANY when none), made precise where the annotation leaves it open (`-> dict`,
    `-> list[dict]`) by what the body certainly returns, given the static types of the
    arguments of this call (`arguments`: parameter -> Ty)."""
    return _refine(annotated, body_type(fdef, info, arguments))


def body_type(fdef: ast.FunctionDef, info: ModuleInfo, arguments: dict | None = None) -> Ty:
    """inferred_return, once per callee, argument types and compilation."""
    received = _received(fdef, info, arguments or {})
    key = (fdef.name, tuple(sorted(received.items())))
    if key not in info.return_types:
        info.return_types[key] = inferred_return(fdef, info, received)
    return info.return_types[key]


def _received(fdef: ast.FunctionDef, info: ModuleInfo, arguments: dict) -> dict:
    """parameter -> the type of what the Lambda receives for it: an unannotated parameter gets
    the argument's JSON (a tuple arrives as a list); an annotated one, or one the call leaves
    to its default, is not followed (ANY) unless the default is a literal str, int or bool."""
    out = {}
    defaults = dict(zip([a.arg for a in fdef.args.args][::-1], fdef.args.defaults[::-1], strict=False))
    defaults.update({a.arg: d for a, d in zip(fdef.args.kwonlyargs, fdef.args.kw_defaults, strict=True)
                     if d is not None})
    for arg in (*fdef.args.posonlyargs, *fdef.args.args, *fdef.args.kwonlyargs):
        if arg.annotation is not None:
            continue
        if arg.arg in arguments:
            ty = _as_list(arguments[arg.arg])
            if not ty.is_any and not ty.may("exc", "float"):
                out[arg.arg] = ty
        elif isinstance(defaults.get(arg.arg), ast.Constant) and type(defaults[arg.arg].value) in (str, int, bool):
            out[arg.arg] = _value_type(defaults[arg.arg].value)
    return out


def _as_list(ty: Ty, depth: int = 0) -> Ty:
    """`ty` with every tuple a list (JSON has arrays only); ANY beyond a few levels."""
    if depth > 6:
        return ANY
    elem = _as_list(ty.elem, depth + 1) if ty.elem is not None else None
    value = _as_list(ty.value, depth + 1) if ty.value is not None else None
    fields = tuple((k, _as_list(t, depth + 1)) for k, t in ty.fields) if ty.fields is not None else None
    items = tuple(_as_list(t, depth + 1) for t in ty.items) if ty.items is not None else None
    return attrs.evolve(ty, elem=elem, value=value, fields=fields, items=items,
                        form="list" if "list" in ty.kinds else ty.form)


def _refine(annotated: Ty, inferred: Ty) -> Ty:
    """The parts of `annotated` that are ANY (which the plain run's boundary treats as
    unannotated JSON too), taken from `inferred` where it agrees with the rest."""
    if annotated.is_any:
        return inferred
    if annotated.only("list") and inferred.only("list") and annotated.form == inferred.form == "list" \
            and annotated.items is None:
        return pytypes.list_of(_refine(annotated.element, inferred.element))
    if annotated.only("dict") and inferred.only("dict") and annotated.fields is None and annotated.value is None:
        return inferred
    return annotated


def inferred_return(fdef: ast.FunctionDef, info: ModuleInfo, parameters: dict | None = None) -> Ty:
    """The type of what the callee `fdef` returns, after JSON (ANY where not certain), its
    parameters of the types in `parameters` (the others ANY)."""
    if fdef.decorator_list and not all(_is_sfn(d, info) for d in fdef.decorator_list):
        return ANY  # a decorator of the user's may return anything
    if any(isinstance(node, _UNSUPPORTED_SYNTAX) for node in ast.walk(fdef) if node is not fdef):
        return ANY
    result = _Body(fdef, info, parameters=dict(parameters or {})).returns()
    return ANY if result is None or not result.kinds else _across_json(result)


def _is_sfn(decorator: ast.expr, info: ModuleInfo) -> bool:
    """`@sfn.retry(...)`, `@sfn.task(...)`: they keep the function's result."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and info.is_sfn_module(node.value.id)


def _across_json(ty: Ty, depth: int = 0) -> Ty:
    """`ty` as the machine sees a value of it: numbers that may be floats follow JSON's rule,
    tuples are lists of unknown items, an empty list's or dict's items are unknown."""
    if depth > 6 or ty.is_any or not ty.kinds:  # (a part that never exists: the return raised first)
        return ANY
    if "list" in ty.kinds and ty.form != "list":
        return ANY
    kinds = ty.kinds
    if "float" in kinds:
        kinds = kinds | {"int"}
    elem = value = None
    if "list" in kinds and ty.elem is not None and ty.elem.kinds:
        elem = _across_json(ty.elem, depth + 1)
    if "dict" in kinds and ty.value is not None and ty.value.kinds:
        value = _across_json(ty.value, depth + 1)
    fields = None
    if ty.fields is not None:
        fields = tuple((key, _across_json(field, depth + 1)) for key, field in ty.fields)
    return Ty(kinds, elem=None if elem is None or elem.is_any else elem,
              value=None if value is None or value.is_any else value, bits=ty.bits, fields=fields, name=ty.name,
              json_number="float" in kinds, present=ty.present)


@attrs.define
class _Body:
    fdef: ast.FunctionDef
    info: ModuleInfo
    parameters: dict = attrs.Factory(dict)  # parameter -> Ty (the others: ANY)
    env: dict = attrs.Factory(dict)  # local -> Ty (this round)
    locals: set = attrs.Factory(set)
    tracked: set = attrs.Factory(set)  # locals and constants holding a list or dict no other name reaches

    def returns(self) -> Ty | None:
        bindings = _bindings(self.fdef)
        params = {a.arg for a in (*self.fdef.args.posonlyargs, *self.fdef.args.args, *self.fdef.args.kwonlyargs)}
        for extra in (self.fdef.args.vararg, self.fdef.args.kwarg):
            if extra is not None:
                params.add(extra.arg)
        self.locals = set(bindings) | params
        self.tracked, item_readers = _unaliased(self.fdef, self.locals, self.info)
        while True:
            if not self._fixpoint(bindings, params):
                return None
            # a list or dict whose items may be lists or dicts, read item by item: the item
            # read may be changed through its new name, so it is not followed
            shared = {name for name in self.tracked & item_readers if self._items_mutable(name)}
            if not shared:
                break
            self.tracked -= shared
        result = NONE if _may_fall_off(self.fdef.body) else None
        for node in ast.walk(self.fdef):
            if isinstance(node, ast.Return):
                result = pytypes.join(result, self.expr(node.value, self.env) if node.value is not None else NONE)
        return result

    def _items_mutable(self, name: str) -> bool:
        ty = self.env.get(name)
        if ty is None:
            ty = self._name(ast.Name(name, ast.Load()), self.env)
        parts = [t for t in (ty.elem, ty.value) if t is not None]
        parts += [t for _, t in ty.fields or ()]
        return any(t.may("list", "dict") for t in parts) or (ty.may("list") and ty.elem is None) \
            or (ty.may("dict") and ty.value is None and ty.fields is None)

    def _fixpoint(self, bindings: dict, params: set) -> bool:
        """The locals' types: each the union of what its bindings give, until none changes."""
        start = {name: (self.parameters.get(name, ANY) if name in params else NOTHING) for name in self.locals}
        self.env = dict(start)
        for _ in range(_ROUNDS):
            new = dict(start)
            for name, binds in bindings.items():
                for bind in binds:
                    new[name] = pytypes.join(new[name], self.binding(name, bind))
            for name, ty in self.changes().items():
                new[name] = pytypes.join(new[name], ty)
            if new == self.env:
                return True
            for name, ty in new.items():  # an int bound still growing (a counter): no bound
                old = self.env[name]
                if "int" in ty.kinds and "int" in old.kinds and ty.bits > old.bits:
                    new[name] = attrs.evolve(ty, bits=pytypes.SAFE_BITS)
            self.env = new
        return False

    # -- bindings ----------------------------------------------------------------------
    def binding(self, name: str, bind) -> Ty:
        kind, node = bind
        if kind == "assign":
            return self.expr(node.value, self.env)
        if kind == "augassign":
            return _binop(node.op, self.env[name], self.expr(node.value, self.env))
        if kind == "unpack":  # a, b = divmod(x, y) / a, b = x, y
            target, value = node
            position = target.elts.index(_named(target, name))
            if isinstance(value, ast.Tuple) and len(value.elts) == len(target.elts) \
                    and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts)):
                return self.expr(value.elts[position], self.env)
            if isinstance(value, ast.Call) and self._builtin(value.func) == "divmod" and len(target.elts) == 2 \
                    and len(value.args) == 2 and not value.keywords:
                args = [self.expr(a, self.env) for a in value.args]
                return INT if all(a.only("int", "bool") for a in args) else ANY
            return ANY
        if kind == "for":
            loop, target = node
            return self.loop_item(loop.target, loop.iter, name, self.env)
        return NOTHING if kind == "none" else ANY

    def changes(self) -> dict:
        """The types tracked lists and dicts reach through `xs.append(v)` and `d[k] = v`."""
        out: dict = {}
        for node in ast.walk(self.fdef):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if isinstance(call.func, ast.Attribute) and call.func.attr == "append" \
                        and isinstance(call.func.value, ast.Name) and call.func.value.id in self.tracked \
                        and call.func.value.id in self.locals \
                        and len(call.args) == 1 and not call.keywords:
                    name = call.func.value.id
                    item = self.expr(call.args[0], self.env)
                    out[name] = pytypes.join(out.get(name), pytypes.list_of(item) if item.kinds else ANY)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Subscript):
                target = node.targets[0]
                if isinstance(target.value, ast.Name) and target.value.id in self.tracked \
                        and target.value.id in self.locals:
                    name = target.value.id
                    out[name] = pytypes.join(out.get(name), self._set_item(self.env[name], target.slice, node.value))
        return out

    def _set_item(self, container: Ty, key_node: ast.expr, value_node: ast.expr) -> Ty:
        value = self.expr(value_node, self.env)
        if not value.kinds:
            return NOTHING
        if container.only("list") and not isinstance(key_node, ast.Slice):
            return pytypes.list_of(value)
        if container.only("dict") and self.expr(key_node, self.env).only("str"):
            key = key_node.value if isinstance(key_node, ast.Constant) and isinstance(key_node.value, str) else None
            if container.fields is not None and key is not None and container.field(key) is not None:
                return attrs.evolve(container, fields=tuple((k, pytypes.join(t, value) if k == key else t)
                                                            for k, t in container.fields))
            return pytypes.dict_of(value)
        return ANY if container.kinds else NOTHING

    def loop_item(self, target: ast.expr, iterable: ast.expr, name: str, env: dict) -> Ty:
        """The type `name` gets from `for target in iterable`."""
        if isinstance(target, ast.Name):
            return self.element(iterable, env)
        if isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(iterable, ast.Call) \
                and all(isinstance(e, ast.Name) for e in target.elts) and not iterable.keywords:
            first = target.elts[0].id == name
            func = iterable.func
            if self._builtin(func) == "enumerate" and len(iterable.args) == 1:
                return INT if first else self.element(iterable.args[0], env)
            if isinstance(func, ast.Attribute) and func.attr == "items" and not iterable.args:
                owner = self.expr(func.value, env)
                if owner.only("dict") and self._safe_items(owner):
                    return STR if first else owner.values
        return ANY

    def element(self, iterable: ast.expr, env: dict) -> Ty:
        if isinstance(iterable, ast.Call) and self._builtin(iterable.func) == "range" and not iterable.keywords:
            return INT  # range() yields ints or raises
        ty = self.expr(iterable, env)
        if not ty.kinds:
            return NOTHING
        if ty.only("str") or ty.only("dict"):
            return STR
        if ty.only("list") and ty.form == "list" and self._safe_items(ty):
            return ty.element
        return ANY

    @staticmethod
    def _safe_items(ty: Ty) -> bool:
        """An item read out of a list or dict may be changed through that new name: only
        items that cannot change are typed."""
        items = ty.elem if "list" in ty.kinds else ty.value
        return items is not None and not items.may("list", "dict")

    # -- expressions -------------------------------------------------------------------
    def expr(self, node: ast.expr, env: dict) -> Ty:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        return method(node, env) if method is not None else ANY

    def _constant(self, node: ast.Constant, env: dict) -> Ty:
        return _value_type(node.value)

    def _name(self, node: ast.Name, env: dict) -> Ty:
        if node.id in env:
            return env[node.id] if node.id not in self.locals or node.id in self.tracked \
                or not env[node.id].may("list", "dict") else ANY
        if node.id in self.locals:
            return ANY
        value = self.info.constant(node.id)
        if value is MISSING or node.id in self.info.changed_globals():
            return ANY
        ty = _value_type(value)
        return ty if not ty.may("list", "dict") or node.id in self.tracked else ANY

    def _joinedstr(self, node, env: dict) -> Ty:
        return STR

    def _list(self, node: ast.List, env: dict) -> Ty:
        elem = NOTHING
        for item in node.elts:
            elem = pytypes.join(elem, ANY if isinstance(item, ast.Starred) else self.expr(item, env))
        return pytypes.list_of(elem)

    def _dict(self, node: ast.Dict, env: dict) -> Ty:
        fields: dict = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None or not self.expr(key, env).only("str"):
                return ANY  # ** or a key JSON would turn into a string
            ty = self.expr(value, env)
            if isinstance(key, ast.Constant) and fields is not None:
                fields[key.value] = pytypes.join(fields.get(key.value), ty)
            else:
                fields = None
                break
        if fields is not None:
            return pytypes.typed_dict("", fields)
        value = NOTHING
        for item in node.values:
            value = pytypes.join(value, self.expr(item, env))
        return pytypes.dict_of(value)

    def _scoped(self, generators, env: dict) -> dict | None:
        inner = dict(env)
        for generator in generators:
            if generator.is_async:
                return None
            names = [n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)]
            for name in names:
                inner[name] = ANY
            for name in names:
                inner[name] = self.loop_item(generator.target, generator.iter, name, inner) \
                    if isinstance(generator.target, (ast.Name, ast.Tuple)) else ANY
        return inner

    def _listcomp(self, node: ast.ListComp, env: dict) -> Ty:
        inner = self._scoped(node.generators, env)
        return ANY if inner is None else pytypes.list_of(self.expr(node.elt, inner))

    def _generatorexp(self, node: ast.GeneratorExp, env: dict) -> Ty:
        return ANY  # only sum(...), min(...), max(...), any(...), all(...) read one (see _call)

    def _dictcomp(self, node: ast.DictComp, env: dict) -> Ty:
        inner = self._scoped(node.generators, env)
        if inner is None or not self.expr(node.key, inner).only("str"):
            return ANY
        return pytypes.dict_of(self.expr(node.value, inner))

    def _ifexp(self, node: ast.IfExp, env: dict) -> Ty:
        return pytypes.join(self.expr(node.body, env), self.expr(node.orelse, env))

    def _boolop(self, node: ast.BoolOp, env: dict) -> Ty:
        ty = NOTHING
        for value in node.values:
            ty = pytypes.join(ty, self.expr(value, env))
        return ty

    def _compare(self, node, env: dict) -> Ty:
        return BOOL  # a comparison of JSON values gives a bool or raises

    def _unaryop(self, node: ast.UnaryOp, env: dict) -> Ty:
        if isinstance(node.op, ast.Not):
            return BOOL
        operand = self.expr(node.operand, env)
        if not operand.kinds:
            return NOTHING
        if isinstance(node.op, (ast.USub, ast.UAdd)) and operand.only("int", "bool"):
            return INT
        if isinstance(node.op, (ast.USub, ast.UAdd)) and operand.only("int", "float", "bool"):
            return pytypes.NUMBER
        return INT if isinstance(node.op, ast.Invert) and operand.only("int", "bool") else ANY

    def _binop(self, node: ast.BinOp, env: dict) -> Ty:
        return _binop(node.op, self.expr(node.left, env), self.expr(node.right, env))

    def _subscript(self, node: ast.Subscript, env: dict) -> Ty:
        container = self.expr(node.value, env)
        if not container.kinds:
            return NOTHING  # not known yet (this round)
        if isinstance(node.slice, ast.Slice):
            return container if container.only("str") or (container.only("list") and container.form == "list") \
                else ANY
        if container.only("str"):
            return STR
        if not self._safe_items(container) or not container.only("list", "dict"):
            return ANY
        if container.only("list"):
            return container.element if container.form == "list" else ANY
        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
        field = container.field(key) if isinstance(key, str) else None
        return field if field is not None else container.values

    def _builtin(self, func: ast.expr) -> str | None:
        """The builtin `func` names, unless a local or a module-level name hides it."""
        if not isinstance(func, ast.Name) or func.id in self.locals or func.id in self.info.objects:
            return None
        return func.id if hasattr(builtins, func.id) else None

    def _call(self, node: ast.Call, env: dict) -> Ty:
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return ANY
        name = self._builtin(node.func)
        if name is not None:
            return self._builtin_call(name, node, env)
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = self.expr(func.value, env)
            if not receiver.kinds:
                return NOTHING
            if receiver.only("str"):
                if func.attr in _STR_TO_STR:
                    return STR
                if func.attr in _STR_TO_LIST:
                    return pytypes.list_of(STR)
                if func.attr in _STR_TO_INT:
                    return INT
                if func.attr in _STR_TO_BOOL:
                    return BOOL
            if receiver.only("dict") and func.attr == "get" and 1 <= len(node.args) <= 2 and self._safe_items(receiver):
                default = self.expr(node.args[1], env) if len(node.args) == 2 else NONE
                return pytypes.join(receiver.values, default)
        return ANY

    def _builtin_call(self, name: str, node: ast.Call, env: dict) -> Ty:
        args = node.args
        if name in ("sum", "min", "max", "any", "all") and len(args) == 1 and isinstance(args[0], ast.GeneratorExp):
            inner = self._scoped(args[0].generators, env)
            items = self.expr(args[0].elt, inner) if inner is not None else ANY
        elif len(args) == 1:
            items = self.element(args[0], env)
        else:
            items = ANY
        if name in ("len", "ord"):
            return INT
        if name == "int" and not node.keywords:
            return INT
        if name in ("str", "repr", "chr", "ascii", "format", "hex", "oct", "bin"):
            return STR
        if name in ("bool", "any", "all", "isinstance", "callable"):
            return BOOL
        if name == "float":
            return _FLOAT
        if name == "round":
            if len(args) == 1 or (len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is None):
                return INT
            first = self.expr(args[0], env)
            return NOTHING if not first.kinds else INT if first.only("int", "bool") else ANY
        if name == "abs" and len(args) == 1:
            operand = self.expr(args[0], env)
            if not operand.kinds:
                return NOTHING
            return INT if operand.only("int", "bool") else _FLOAT if operand.only("float") else ANY
        if not items.kinds and name in ("sum", "min", "max", "sorted", "list"):
            return NOTHING
        if name == "sum" and not node.keywords and len(args) == 1:
            return INT if items.only("int", "bool") else pytypes.NUMBER if items.only("int", "float", "bool") else ANY
        if name in ("min", "max") and all(k.arg == "key" for k in node.keywords) and args:
            if len(args) == 1:
                return items
            ty = NOTHING
            for arg in args:
                ty = pytypes.join(ty, self.expr(arg, env))
            return ty
        if name in ("sorted", "list") and len(args) == 1 and not (name == "list" and node.keywords):
            return pytypes.list_of(items) if items.kinds and not items.may("list", "dict") else ANY
        return ANY


def _binop(op: ast.operator, left: Ty, right: Ty) -> Ty:
    """Python's result type of `left op right` (or ANY); a TypeError leaves no value."""
    if not left.kinds or not right.kinds:
        return NOTHING  # an operand not known yet (this round of the fixpoint)
    ints = left.only("int", "bool") and right.only("int", "bool")
    numbers = left.only("int", "float", "bool") and right.only("int", "float", "bool")
    if isinstance(op, ast.Div) and numbers:
        return _FLOAT
    if ints and not isinstance(op, (ast.Pow, ast.Div, ast.MatMult)):
        return pytypes.kind("int", min(pytypes.SAFE_BITS, _int_bits(op, left, right)))
    if numbers and not isinstance(op, (ast.MatMult, ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift)):
        return pytypes.NUMBER
    # a str and any JSON value: a str or a TypeError (`"ab" * n`, `prefix + name`)
    strs = [side for side in (left, right) if side.only("str")]
    other = left if strs and strs[0] is right else right
    if isinstance(op, ast.Add | ast.Mult) and strs and other.kinds <= pytypes.JSON_KINDS:
        return STR
    if isinstance(op, ast.Mod) and left.only("str"):
        return STR
    lists = [side for side in (left, right) if side.only("list") and side.form == "list"]
    times = left if lists and lists[0] is right else right
    if isinstance(op, ast.Mult) and len(lists) == 1 and times.kinds <= pytypes.JSON_KINDS:
        return pytypes.list_of(lists[0].elem)  # [row] * n: the same items repeated (or a TypeError)
    if isinstance(op, ast.Add) and len(lists) == 2:
        return pytypes.list_of(pytypes.join(left.element, right.element) if left.elem and right.elem else None)
    return ANY


def _int_bits(op: ast.operator, left: Ty, right: Ty) -> int:
    """A bound on the bits of `left op right` for ints (a bool is 1 bit): |a % b| < |b|,
    |a // b| <= |a|, sums and products grow as they must; other operators: no bound."""
    a = left.bits if "int" in left.kinds else 1
    b = right.bits if "int" in right.kinds else 1
    if isinstance(op, (ast.Add, ast.Sub)):
        return max(a, b) + 1
    if isinstance(op, ast.Mult):
        return a + b
    if isinstance(op, ast.Mod):
        return b
    if isinstance(op, ast.FloorDiv):
        return a
    return pytypes.SAFE_BITS


def _value_type(value, depth: int = 0) -> Ty:
    """The type of a constant's value (floats are floats here; tuples are tuples)."""
    if depth > 6:
        return ANY
    if value is None:
        return NONE
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return pytypes.literal_int(value)
    if isinstance(value, float):
        return _FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, (list, tuple)):
        elem = NOTHING
        for item in value:
            elem = pytypes.join(elem, _value_type(item, depth + 1))
        ty = pytypes.list_of(elem)
        return ty if isinstance(value, list) else pytypes.as_form(ty, "tuple")
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items = NOTHING
        for item in value.values():
            items = pytypes.join(items, _value_type(item, depth + 1))
        return pytypes.dict_of(items)
    return ANY


def _named(target: ast.Tuple, name: str) -> ast.Name:
    return next(e for e in target.elts if isinstance(e, ast.Name) and e.id == name)


def _bindings(fdef: ast.FunctionDef) -> dict:
    """name -> [(kind, node)] for every way the body binds a local (comprehensions have their
    own scope; a kind the inference does not type is "other": ANY)."""
    out: dict = {}

    def add(name: str, kind: str, node) -> None:
        out.setdefault(name, []).append((kind, node))

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return  # their targets are their own
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    add(target.id, "assign", node)
                elif isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
                    for element in target.elts:
                        add(element.id, "unpack", (target, node.value))
                else:
                    _others(target, add)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            add(node.target.id, "assign" if node.value is not None else "none", node)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            add(node.target.id, "augassign", node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            if isinstance(node.target, ast.Name) or (
                    isinstance(node.target, ast.Tuple) and all(isinstance(e, ast.Name) for e in node.target.elts)):
                for element in ast.walk(node.target):
                    if isinstance(element, ast.Name):
                        add(element.id, "for", (node, node.target))
            else:
                _others(node.target, add)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    _others(item.optional_vars, add)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            add(node.name, "other", node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                add((alias.asname or alias.name).split(".")[0], "other", node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    for statement in fdef.body:
        visit(statement)
    return out


def _others(target: ast.expr, add) -> None:
    for node in ast.walk(target):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            add(node.id, "other", target)


def _unaliased(fdef: ast.FunctionDef, local_names: set, info: ModuleInfo) -> tuple[set, set]:
    """The names (locals, or module-level constants) that may hold a list or dict no other
    name can reach: every use of them is one the inference follows (`x.append(v)` and
    `x[k] = v` statements; `x[k]`, `x.get(...)`, `len(x)`, `k in x`, `for v in x`, f-string
    fields, `return x`) and every binding is a new value (`x = []`, not `x = y`). A module-
    level constant must be so in every function of the module. Also: the names whose items
    are read (whose items, if lists or dicts, another name then holds)."""
    safe: dict = {}
    readers: set = set()
    hidden = set(info.objects)  # a module-level name that hides a builtin (len, sorted, ...)
    _uses(fdef, local_names, hidden | local_names, safe, readers)
    for other in info.functions.values():
        if other is not fdef:
            _uses(other, set(), hidden | _local_names(other), safe, readers, only=set(safe) - local_names)
    return {name for name, ok in safe.items() if ok}, readers


def _local_names(fdef) -> set:
    return {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
        a.arg for a in ast.walk(fdef.args) if isinstance(a, ast.arg)}


def _uses(fdef, local_names: set, hidden: set, safe: dict, readers: set, only: set | None = None) -> None:
    parents: dict = {}
    for node in ast.walk(fdef):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(fdef):
        if not isinstance(node, ast.Name) or (only is not None and node.id not in only):
            continue
        parent = parents.get(node)
        ok, reads_items = _safe_use(node, parent, parents, hidden)
        if isinstance(node.ctx, ast.Store) and not (isinstance(parent, ast.Assign) and _new_value(parent.value, local_names)):
            ok = False  # bound to something another name may hold (or by a loop, a with, ...)
        safe[node.id] = safe.get(node.id, True) and ok
        if reads_items:
            readers.add(node.id)


def _new_value(value: ast.expr, local_names: set) -> bool:
    """A value no other name holds: a literal, a comprehension, or a call of sorted()/list()."""
    if isinstance(value, (ast.List, ast.Dict, ast.ListComp, ast.DictComp, ast.Constant, ast.JoinedStr)):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
        and value.func.id in ("sorted", "list", "dict") and value.func.id not in local_names


def _safe_use(node: ast.Name, parent, parents: dict, hidden: set) -> tuple[bool, bool]:
    """(whether this use of a list or dict lets no other name hold it, whether it reads its items)."""
    if isinstance(node.ctx, ast.Store):
        return True, False
    if isinstance(node.ctx, ast.Del):
        return False, False
    if isinstance(parent, ast.Attribute) and parent.value is node:
        call = parents.get(parent)
        if not (isinstance(call, ast.Call) and call.func is parent):
            return False, False
        if parent.attr == "append":
            return isinstance(parents.get(call), ast.Expr), False
        if parent.attr == "get":
            return True, True
        return parent.attr in _STR_TO_STR | _STR_TO_LIST | _STR_TO_INT | _STR_TO_BOOL, False
    if isinstance(parent, ast.Subscript) and parent.value is node:
        if isinstance(parent.ctx, ast.Store):
            assign = parents.get(parent)
            return isinstance(assign, ast.Assign) and len(assign.targets) == 1, False
        return isinstance(parent.ctx, ast.Load), True
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) \
            and parent.func.id not in hidden:
        if parent.func.id in ("len", "str", "any", "all"):
            return True, False
        if parent.func.id in ("sorted", "list", "sum", "min", "max"):
            return True, True
        return False, False
    if isinstance(parent, ast.Compare) and node in parent.comparators:
        return all(isinstance(op, (ast.In, ast.NotIn)) for op in parent.ops), False
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
        return True, True
    if isinstance(parent, ast.FormattedValue):
        return True, False
    return isinstance(parent, ast.Return), False


def _may_fall_off(body: list) -> bool:
    """Whether running `body` may reach its end (conservative: True unless certainly not)."""
    if not body:
        return True
    last = body[-1]
    if isinstance(last, (ast.Return, ast.Raise)):
        return False
    if isinstance(last, ast.If):
        return _may_fall_off(last.body) or _may_fall_off(last.orelse)
    if isinstance(last, ast.Try) and not last.finalbody:
        return (_may_fall_off(last.body + last.orelse) if last.orelse else _may_fall_off(last.body)) \
            or any(_may_fall_off(h.body) for h in last.handlers)
    if isinstance(last, ast.While) and isinstance(last.test, ast.Constant) and last.test.value is True:
        return any(isinstance(n, ast.Break) for n in ast.walk(last))
    return True
