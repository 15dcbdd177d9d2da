"""Where a command line may write: checked before anything is written, so that a mistake in
the arguments loses nothing the user had (an output named like an input, two outputs on one
path) and a path that cannot be written is named as the user wrote it."""

from __future__ import annotations

import os
from collections.abc import Iterable


def output_problem(outputs: Iterable[tuple[str, str]], inputs: Iterable[tuple[str, str]]) -> str | None:
    """What is wrong with writing to `outputs` ((option, path): `-o`, `--graph`, ...) beside
    `inputs` ((what, path): the workflow, the definition, ...), or None."""
    seen: dict[str, str] = {}
    given = [(what, path) for what, path in inputs if path and path != "-"]
    for option, path in outputs:
        if path is None or path == "-":
            continue
        if not path.strip():
            return f"{option}: the path is empty (give a file's path)"
        for what, source in given:
            if _same(path, source):
                return f"{option} {path} is {what}: writing there would replace it (choose another file)"
        key = os.path.realpath(path)
        if key in seen:
            return f"{option} {path} is also {seen[key]}'s file: one would replace the other (choose two files)"
        seen[key] = option
        if os.path.isdir(path):
            return f"{option} {path} is a directory (give a file's path)"
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            return f"{option} {path}: the folder {os.path.dirname(path) or '.'} does not exist"
    return None


def _same(path: str, other: str) -> bool:
    if os.path.exists(path) and os.path.exists(other):
        try:
            return os.path.samefile(path, other)
        except OSError:
            return False
    return os.path.realpath(path) == os.path.realpath(other)
