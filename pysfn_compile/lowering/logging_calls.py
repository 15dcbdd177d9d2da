"""`log.info("loaded %d rows", n)` through a module-level `logging.Logger` (or `logging.info`):
the call a Lambda handler's author writes by habit. A state machine has no log handlers; its
history is the log. The arguments are evaluated as Python evaluates them (a callee in them is
called, a KeyError raised), and the record, `[level, msg, *args]`, is set to a hidden
variable by a state of its own, "Log (line N)", as `print` is (Builder.assign_shown: a folded
block sets it too). The message is not formatted:
logging formats it only if a handler wants it, and reports a bad format without raising, so
the machine shows the parts and never fails on them."""

from __future__ import annotations

import ast
import logging
import types

import attrs

from ..analysis import pytypes
from ..errors import Refusal
from ..graph.exprs import Expr, const
from .evaluation import operands
from .operations import build_list

LEVELS = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "warn": "WARNING", "error": "ERROR",
          "exception": "ERROR", "critical": "CRITICAL", "fatal": "CRITICAL"}
_LITERAL_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel"})


def logger_call(obj, method: str) -> str | None:
    """The level of `obj.method(...)` when `obj` is a Logger or the logging module, else None."""
    if isinstance(obj, logging.Logger) or (isinstance(obj, types.ModuleType) and obj is logging):
        return LEVELS.get(method)
    return None


def log(b, node: ast.Call, level: str) -> Expr:
    if not node.args:
        raise Refusal(node, "a logging call needs its message", "log.info('what happened')")
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise Refusal(arg, "*args in a logging call is not supported", "pass the arguments one by one")
    extra = []
    for keyword in node.keywords:
        if keyword.arg in _LITERAL_KEYWORDS and isinstance(keyword.value, ast.Constant):
            continue
        if keyword.arg != "extra":
            raise Refusal(node, f"a logging call takes exc_info=, stack_info= and stacklevel= as literals and "
                          f"extra= here, not {keyword.arg or '**'}", "log the value in the message's arguments")
        extra.append(keyword.value)
    values = operands(b, [*node.args, *extra])
    record = build_list([const(level, pytypes.STR), *values[: len(node.args)]])
    if extra:  # evaluated, as Python does, and its checks kept; the record shows the message only
        record = attrs.evolve(record, guards=record.guards + values[-1].guards)
    b.assign_shown(b.temp("logged"), record, f"Log (line {node.lineno})")
    return const(None, pytypes.NONE)
