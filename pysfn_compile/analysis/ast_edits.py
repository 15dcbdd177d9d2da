"""Edits of a function's syntax tree that the rewrites before lowering share (walrus,
inline_functions, plain_collections): walking its blocks of statements, putting one node in
the place of another."""

from __future__ import annotations

import ast


def blocks(body: list[ast.stmt]):
    """`body` and every block of statements inside it (not inside nested functions or classes),
    each the list itself: a rewrite inserts into it in place."""
    yield body
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                yield from blocks(inner)
        for handler in getattr(statement, "handlers", ()):
            yield from blocks(handler.body)


def replace_child(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put `new` where `old` is among `parent`'s fields (a field or an item of a list field)."""
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for position, item in enumerate(value):
                if item is old:
                    value[position] = new
                    return
