"""`pysfn-emulate`: run an ASL definition from the command line, as StartExecution would.

Exit status: 0 the execution succeeded; 1 it failed, timed out or was aborted; 2 bad input
(an unreadable or malformed file, an invalid definition, a feature the emulator does not run
yet, wrong usage). Bad input is reported as one message naming the file, line and column or
JSON pointer, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import datetime, timezone
from typing import Any

import pysfn_emulator

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

PROG = "pysfn-emulate"

EPILOG = """\
examples:
  pysfn-emulate examples/hello_world.asl.json --input-file examples/hello_world.input.json
  pysfn-emulate machine.json --input '{"name": "Ada"}' --history
  echo '{"n": 3}' | pysfn-emulate machine.json --input-file - --json
  pysfn-emulate machine.json --start-time 2024-01-01T00:00:00Z --execution-name nightly-1

exit status: 0 succeeded, 1 failed / timed out / aborted, 2 bad input or usage
"""

# AWS's rule for state machine and execution names: 1-80 characters, none of these.
_NAME_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_HISTORY_DETAIL_WIDTH = 100


class BadInput(Exception):
    """Something wrong with what the user gave us: one message, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    """Run one execution and report it; returns the exit status (the console script exits with it)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already explained
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    try:
        definition = _load_definition(args.definition)
        execution_input = _load_input(args)
        execution = pysfn_emulator.run(
            definition,
            execution_input,
            state_machine_name=args.state_machine_name,
            execution_name=args.execution_name,
            state_machine_type=args.state_machine_type,
            start_time=args.start_time,
        )
    except BadInput as problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except pysfn_emulator.DefinitionError as invalid:
        _print_problems(f"{args.definition}: invalid state machine definition", invalid.problems)
        return EXIT_BAD_INPUT
    except pysfn_emulator.NotSupportedError as unsupported:
        _print_problems(f"{args.definition}: valid, but not supported by pysfn yet",
                        unsupported.problems)
        return EXIT_BAD_INPUT
    _report(execution, as_json=args.json, with_history=args.history)
    return EXIT_SUCCEEDED if execution.status == "SUCCEEDED" else EXIT_FAILED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run an Amazon States Language definition in the pysfn emulator, in-process "
        "and on a virtual clock (a one-day Wait takes no time), and print the execution's "
        "output, or its error and cause.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("definition", help="the state machine definition, an ASL .json file")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", metavar="JSON",
                        help="the execution input as JSON text (default: {}, as StartExecution)")
    source.add_argument("--input-file", metavar="FILE",
                        help="read the execution input from FILE ('-' reads standard input)")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object {"status", "output", "error", "cause"}')
    parser.add_argument("--history", action="store_true",
                        help="also print the execution history as a table "
                        '(with --json: as a "history" list in the object)')
    parser.add_argument("--execution-name", metavar="NAME", type=_aws_name,
                        help="the execution's name, as in $$.Execution.Name and its ARN")
    parser.add_argument("--state-machine-name", metavar="NAME", type=_aws_name,
                        help="the state machine's name, as in $$.StateMachine.Name and its ARN")
    parser.add_argument("--state-machine-type", choices=("STANDARD", "EXPRESS"), default="STANDARD",
                        help="STANDARD (default) or EXPRESS")
    parser.add_argument("--start-time", metavar="ISO", type=_start_time,
                        help="start the virtual clock here, e.g. 2024-01-01T00:00:00Z "
                        "(default: now; a time without an offset is UTC)")
    return parser


def _aws_name(text: str) -> str:
    """Reject names AWS would refuse, so ARNs and $$ values are ones AWS could produce."""
    if not 1 <= len(text) <= 80 or _NAME_FORBIDDEN.search(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a valid name: 1 to 80 characters, without whitespace, "
            "brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /")
    return text


def _start_time(text: str) -> datetime:
    """ISO 8601 with a trailing Z allowed (Python 3.10's parser lacks it); naive means UTC."""
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time (e.g. 2024-01-01T00:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _load_definition(path: str) -> Any:
    if path.endswith(".py"):
        raise BadInput(f"{path}: compiling Python workflows is not available yet (pysfn_compile "
                       "is planned); pass an ASL definition (.json) instead")
    return _parse_json(_read_file(path, "definition"), path)


def _load_input(args: argparse.Namespace) -> Any:
    if args.input is not None:
        return _parse_json(args.input, "--input")
    if args.input_file == "-":
        return _parse_json(sys.stdin.read(), "<stdin>")
    if args.input_file is not None:
        return _parse_json(_read_file(args.input_file, "input file"), args.input_file)
    return {}


def _read_file(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as file:  # -sig: tolerate a byte order mark
            return file.read()
    except UnicodeDecodeError as error:
        raise BadInput(f"{path}: the {what} is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot read the {what}: {error.strerror or error}") from None


def _parse_json(text: str, source: str) -> Any:
    """JSON as AWS accepts it (no NaN or Infinity); errors located as source:line:col."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        message = error.msg.removesuffix(" at")  # "Invalid control character at" reads cut off
        raise BadInput(f"{source}:{error.lineno}:{error.colno}: invalid JSON: {message}") from None
    except ValueError as error:
        raise BadInput(f"{source}: invalid JSON: {error}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _print_problems(headline: str, problems: list[Any]) -> None:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    print(f"{PROG}: {headline} ({count}):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def _report(execution: Any, *, as_json: bool, with_history: bool) -> None:
    if as_json:
        result = {"status": execution.status, "output": execution.output,
                  "error": execution.error, "cause": execution.cause}
        if with_history:
            result["history"] = execution.history
        print(json.dumps(result, indent=2, ensure_ascii=False, default=_json_default))
        return
    if with_history:
        print(format_history(execution.history), end="\n\n")
    if execution.status == "SUCCEEDED":
        print(json.dumps(execution.output, indent=2, ensure_ascii=False))
    else:
        print(f"execution {execution.status}", file=sys.stderr)
        for label, value in (("error", execution.error), ("cause", execution.cause)):
            if value is not None:  # AWS leaves both unset on a timeout, say
                print(f"{label}: {value}", file=sys.stderr)


def format_history(events: list[dict[str, Any]]) -> str:
    """The events as an aligned table, one line each, to see at a glance how an execution went.

    Events that carry no state name (TaskScheduled, ParallelStateSucceeded, ...) are shown
    with the state they belong to, found through previousEventId.
    """
    header = ("id", "prev", "timestamp", "type", "state", "details")
    rows = [header]
    by_id = {event["id"]: event for event in events}
    for event in events:
        details = _details(event)
        state = details.get("name")
        if state is None and not event["type"].startswith("Execution"):
            state = _open_state(event, by_id)
        rows.append((str(event["id"]), str(event.get("previousEventId", "")),
                     _iso(event.get("timestamp")), event["type"], state or "",
                     _summarise(details)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    return "\n".join(
        "  ".join([cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
                  + [row[-1]]).rstrip()
        for row in rows)


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}


def _open_state(event: dict[str, Any], by_id: dict[Any, dict[str, Any]]) -> str:
    """The state still open at this event: walk previousEventId back, skipping each state
    that was entered and exited on the way, to the Entered event that was not."""
    depth = 0
    current = event
    while (previous := by_id.get(current.get("previousEventId"))) is not None:
        if previous["id"] >= current["id"]:  # ids only grow; anything else is not a chain
            break
        current = previous
        if current["type"].endswith("StateExited"):
            depth += 1
        elif current["type"].endswith("StateEntered"):
            if depth == 0:
                return _details(current).get("name", "")
            depth -= 1
    return ""


def _summarise(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        if key in ("name", "inputDetails", "outputDetails"):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={text}".replace("\n", "\\n"))
    summary = " ".join(parts)
    if len(summary) > _HISTORY_DETAIL_WIDTH:
        summary = summary[: _HISTORY_DETAIL_WIDTH - 1] + "…"
    return summary


def _iso(value: Any) -> str:
    return value.isoformat(timespec="milliseconds") if isinstance(value, datetime) else str(value)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return _iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


if __name__ == "__main__":  # python -m pysfn_emulator.cli
    raise SystemExit(main())
