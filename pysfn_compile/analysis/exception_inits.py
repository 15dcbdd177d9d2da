"""What str(e) is for an exception class of the workflow's module whose __init__ builds its
message: `super().__init__(f"{field}: {problem}")`, with `self.x = ...` beside it.

    class ValidationError(Exception):
        def __init__(self, field, problem):
            super().__init__(f"{field}: {problem}")
            self.field = field

`raise ValidationError("email", "invalid")` then has the message of that f-string, its names
bound to the arguments; so has a subclass that only inherits it (`class Missing(ValidationError):
pass`). Any other __init__ (a call, a branch, *args) is not read: None.
"""

from __future__ import annotations

import ast
import builtins

import attrs

from .ast_edits import root_name
from .module_info import ModuleInfo


@attrs.frozen
class InitMessage:
    params: tuple  # the parameters after self, in order
    defaults: dict  # parameter -> its default (an ast.Constant)
    message: ast.expr | None  # what super().__init__ gets (None: nothing, str(e) is '')
    free: frozenset  # the names the message reads that are not parameters (module-level or builtins)


def init_message(info: ModuleInfo, cls: type) -> InitMessage | None:
    """The message `cls.__init__` passes to its base, when that is all it does."""
    if cls.__module__ != info.module.__name__ or "__str__" in vars(cls):
        return None
    if "__init__" not in vars(cls) and len(cls.__bases__) == 1:
        return init_message(info, cls.__bases__[0])  # `class TooBig(Rejected): pass`: Rejected's __init__
    if any(("__init__" in vars(k) or "__str__" in vars(k)) for k in cls.__mro__[1:]
           if k.__module__ != "builtins" and k is not object):
        return None  # a base of the module's own builds the message too
    fdef = _init_def(info, cls.__name__)
    if fdef is None:
        return None
    args = fdef.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or not args.args:
        return None
    params = tuple(a.arg for a in args.args[1:])
    if not all(isinstance(d, ast.Constant) for d in args.defaults):
        return None
    defaults = dict(zip(params[len(params) - len(args.defaults):], args.defaults, strict=True))
    body = list(fdef.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    calls = [s for s in body if _is_super_init(s)]
    rest = [s for s in body if not _is_super_init(s)]
    if len(calls) != 1 or not all(_is_attribute_store(s, args.args[0].arg) for s in rest):
        return None
    (call,) = calls
    arguments = call.value.args
    if call.value.keywords or len(arguments) > 1 or any(isinstance(a, ast.Starred) for a in arguments):
        return None
    message = arguments[0] if arguments else None
    if message is not None and _reads_self_or_calls(message, args.args[0].arg, info):
        return None
    free = frozenset(n.id for n in ast.walk(message) if isinstance(n, ast.Name) and n.id not in params) \
        if message is not None else frozenset()
    if any(n not in info.objects and not hasattr(builtins, n) for n in free):
        return None
    return InitMessage(params, defaults, message, free)


def _init_def(info: ModuleInfo, name: str) -> ast.FunctionDef | None:
    for node in info.tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__" and not item.decorator_list:
                    return item
    return None


def _is_super_init(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = statement.value.func
    return isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call) \
        and isinstance(func.value.func, ast.Name) and func.value.func.id == "super" and not func.value.args


def _is_attribute_store(statement: ast.stmt, self_name: str) -> bool:
    """`self.x = <pure value>`: str(e) does not read it (and the workflow cannot: e.x is refused)."""
    return isinstance(statement, ast.Assign) and all(
        isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == self_name
        for t in statement.targets) and not _reads_self_or_calls(statement.value, self_name)


def _reads_self_or_calls(node: ast.AST, self_name: str, info: ModuleInfo | None = None) -> bool:
    """Whether `node` reads self or calls anything but str/repr/len (its value then depends on
    more than the arguments: not compiled). With `info` (the message, which is compiled where
    the exception is raised): a builtin the module does not rebind (`type(got).__name__`) and a
    method of a value (`event.get("kind")`) are fine too; a module's function (a callee) is not."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id == self_name:
            return True
        if isinstance(sub, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.Await)):
            return True
        if isinstance(sub, ast.Call) and not (isinstance(sub.func, ast.Name) and sub.func.id in ("str", "repr", "len")):
            if info is None:
                return True
            func = sub.func
            if isinstance(func, ast.Name) and (func.id in info.objects or not hasattr(builtins, func.id)):
                return True
            if isinstance(func, ast.Attribute) and root_name(func.value) in info.objects:
                return True  # (a module's or an object's method: anything may happen there)
            if not isinstance(func, (ast.Name, ast.Attribute)):
                return True
    return False
