"""Which expressions do more than compute a value: call a callee or an AWS service (a Task),
run branches or a map, wait, or change a variable in place (`xs.pop()`). Their operands keep Python's order."""

from __future__ import annotations

import ast

import attrs

from .aws_models import facade_operation

MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "reverse", "sort",  # list
    "update", "setdefault", "popitem",  # dict (pop, clear too)
    "add", "discard",  # set (remove, update, clear too)
})
# ...and a set's in-place operations besides: every method that changes its receiver in place
IN_PLACE_METHODS = MUTATING_METHODS | {"difference_update", "intersection_update", "symmetric_difference_update"}
SFN_EFFECTS = frozenset({"parallel", "map", "sleep", "sleep_until", "wait_for_callback"})
# modules whose calls act on the world or the clock: not pure computation (compute_in_lambda
# does not move their calls into the Lambda)
EFFECTFUL_MODULES = frozenset({"time", "asyncio", "random", "secrets", "os", "subprocess", "socket", "urllib",
                                "requests", "boto3", "threading", "shutil", "sys", "uuid"})


@attrs.frozen
class Effects:
    calls: bool = False  # a Task, Parallel, Map or Wait
    mutates: frozenset = frozenset()  # python names changed in place

    @property
    def any(self) -> bool:
        return self.calls or bool(self.mutates)


NONE = Effects()


_REMOVE_KEYS = frozenset({"pop", "popitem", "clear", "__delitem__"})


def removes_keys(body: list[ast.stmt]) -> bool:
    """Whether anything in `body` (nested functions included) may take a key out of a dict:
    `del x[k]`, or a call of pop/popitem/clear on anything. Without any, a dict keeps every key
    it was built with or given, so `d["k"]` of a key its type says it holds needs no check."""
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Delete) and any(not isinstance(t, ast.Name) for t in node.targets):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REMOVE_KEYS:
            return True
    return False


def effects(b, node: ast.AST) -> Effects:
    cache = b.effects_cache
    key = id(node)
    if key not in cache:
        cache[key] = _effects(b, node)
    return cache[key]


def _effects(b, node: ast.AST) -> Effects:
    """This node's own effect joined with its children's (each child cached, so a whole
    function costs one walk)."""
    calls = False
    mutates: set = set()
    for child in ast.iter_child_nodes(node):
        sub = effects(b, child)
        if sub is not NONE:
            calls = calls or sub.calls
            mutates |= sub.mutates
    if isinstance(node, ast.Call):
        sub = node
        func = sub.func
        if isinstance(func, ast.Name):
            if b.is_callee(func.id) or b.info.sfn_function(func.id) in SFN_EFFECTS:
                calls = True
        elif isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and b.info.is_sfn_module(func.value.id):
                if func.attr in SFN_EFFECTS:
                    calls = True
            elif facade_operation(b, func) is not None:  # sfn.aws.<service>.<method>(...): a Task
                calls = True
            elif func.attr in MUTATING_METHODS:
                root = func.value
                while isinstance(root, ast.Subscript):
                    root = root.value
                if isinstance(root, ast.Name):
                    mutates.add(root.id)
    if not calls and not mutates:
        return NONE
    return Effects(calls, frozenset(mutates))
