"""Local stand-ins for the Lambda functions the recorded cases call (see LAMBDAS.md).

Each handler is compiled from a small source under AWS's file name, `/var/task/handler.py`,
with the raising line at the line number AWS reported, and that source is placed in
`linecache`: a traceback of a raised handler then reads exactly like the stack trace AWS put
in the recorded error cause. The handler is registered as is (no wrapper frame) so that the
traceback holds the handler's frame alone below the emulator's.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from typing import Any

from conformance.corpus import Case

AWS_HANDLER_FILE = "/var/task/handler.py"

Handler = Callable[[Any, Any], Any]

# Keyed by the base name of the file AWS ran; line numbers of `raise` match LAMBDAS.md.
SOURCES: dict[str, str] = {
    "id_function.py": """\
def handler(event, context):
    return event
""",
    "raise_exception.py": """\
def handler(event, context):
    raise Exception("Some exception was raised.")
""",
    "wait_60_seconds.py": """\
import time


def handler(event, context):
    time.sleep(60)
    return event
""",
    "raise_custom_exception.py": """\
class CustomException(Exception):
    message: str

    def __init__(self):
        self.message = "CustomException message"


def handler(event, context):
    raise CustomException()
""",
    "large_output_string.py": """\
def handler(event, context):
    return bytes(257 * 1024 * "a", "utf-8")
""",
    "return_bytes_str.py": """\
def handler(event, context):
    return b'"HelloWorld!"'
""",
    "echo_function.py": """\
def handler(event, context):
    return {"Return": "HelloWorld"}
""",
}


def make_handler(source_name: str) -> Handler:
    """A fresh handler with the behaviour of the Lambda source file `source_name`."""
    try:
        source = SOURCES[source_name]
    except KeyError:
        raise KeyError(f"no local behaviour for Lambda source {source_name!r}") from None
    namespace: dict[str, Any] = {"__name__": "handler"}
    exec(compile(source, AWS_HANDLER_FILE, "exec", dont_inherit=True), namespace)  # as written, not with this file's __future__
    return namespace["handler"]


def install_source(source_name: str) -> None:
    """Make tracebacks show the lines of `source_name` for `/var/task/handler.py`.

    All handlers share AWS's file name, so only one source can be shown at a time: the
    runner installs a case's sources just before it runs the case.
    """
    source = SOURCES[source_name]
    linecache.cache[AWS_HANDLER_FILE] = (
        len(source),
        None,
        source.splitlines(True),
        AWS_HANDLER_FILE,
    )


def _concrete(text: str, values: dict[str, str]) -> str:
    """`text` with any recorded placeholder replaced by the concrete value the harness used."""
    for placeholder, value in values.items():
        if placeholder.startswith("<"):
            text = text.replace(placeholder, value)
    return values.get(text, text)


def lambdas_for(case: Case) -> dict[str, Handler]:
    """The `lambdas` argument for running `case`: each function under its name and its ARN."""
    values = dict(case.placeholders.values)
    handlers: dict[str, Handler] = {}
    for function in case.lambdas:
        handler = make_handler(function.source)
        handlers[_concrete(function.function_name, values)] = handler
        handlers[_concrete(function.arn, values)] = handler
    # Raising handlers last, so that theirs is the source tracebacks show.
    for source_name in sorted(
        {f.source for f in case.lambdas}, key=lambda s: "raise " in SOURCES[s]
    ):
        install_source(source_name)
    return handlers
