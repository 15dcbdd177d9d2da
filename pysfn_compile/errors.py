"""Compile problems: every one located (path:line:col) with a hint, all reported at once."""

from __future__ import annotations

import attrs


@attrs.frozen
class Problem:
    """One reason the compiler refuses a file: where, what, and what to do instead."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class CompileError(Exception):
    """The file cannot be compiled; `problems` lists every located reason, in source order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.col))
        super().__init__("\n".join(str(problem) for problem in self.problems))


class Refusal(Exception):
    """Raised inside a transform to abandon one construct; the builder records it and moves on."""

    def __init__(self, node, message: str, hint: str = "", *, follow_on: bool = False,
                 computable: bool = False):
        super().__init__(message)
        self.node = node
        self.message = message
        self.hint = hint
        # computable: what JSONata cannot compute exactly but Python can, so the statement may
        # run as Python in the workflow's Lambda (compute_in_lambda; see lowering/lambda_compute.py)
        self.computable = computable
        # follow_on: caused by an earlier refused statement (a variable it failed to set), so
        # not reported again: the user sees the first problem, not its echoes
        self.follow_on = follow_on
