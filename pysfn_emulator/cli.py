"""`pysfn-emulate`: run an ASL definition (or a Python workflow, compiled first) from the
command line, as StartExecution would.

Exit status: 0 the execution succeeded; 1 it failed, timed out or was aborted; 2 bad input
(an unreadable or malformed file, an invalid definition, a workflow that does not compile, a
feature the emulator does not run yet, wrong usage). Bad input is reported as one message
naming the file, line and column or JSON pointer, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pysfn_emulator
from pysfn_emulator import coverage, graph
from pysfn_emulator.core.jsontext import loads
from pysfn_emulator.core.limits import DEFAULT_MAX_SECONDS, DEFAULT_MAX_TRANSITIONS
from pysfn_emulator.options import start_moment
from pysfn_emulator.tools.output_paths import output_problem

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

PROG = "pysfn-emulate"

EPILOG = """\
examples:
  pysfn-emulate serve --port 8083 --mock-config MockConfigFile.json --lambdas handlers.py
      serve the Step Functions API (boto3, the AWS CLI, any SDK: --endpoint-url http://127.0.0.1:8083)
  pysfn-emulate examples/hello_world.asl.json --input-file examples/hello_world.input.json
      run a definition; print its output (or its error and cause on stderr)
  pysfn-emulate machine.json --input '{"name": "Ada"}' --history
      the input as an argument; the execution history as a table before the output
  echo '{"n": 3}' | pysfn-emulate machine.json --input-file - --json
      the input from standard input; one JSON object {status, output, error, cause}
  pysfn-emulate machine.json --trace
      each state entered, with its input and output, in the order the execution took
  pysfn-emulate machine.json --graph run.md
      also write the machine as a Mermaid flowchart, the path taken highlighted
      (.md: a Markdown page with a ```mermaid block; any other name: the Mermaid text)
  pysfn-emulate workflow.py --input '{"order_id": 7}'
      compile a Python workflow, then run it with its callees as local Lambda functions
  pysfn-emulate definition.json --source workflow.py
      run a compiled definition with the callees of the workflow it came from (a Task
      calling a function the workflow does not define is refused before the run)
  pysfn-emulate machine.json --lambdas handlers.py
      Task states call the module's functions: def charge_card(event, context) serves the
      Lambda function charge_card and charge-card (other names: a dict LAMBDAS = {name or ARN: handler})
  pysfn-emulate machine.json --services services.py
      Task states that call AWS services use local ones: DynamoDB, S3, SQS, SNS and EventBridge
      in memory, plus the module's handlers (def secretsmanager_get_secret_value(params))
  pysfn-emulate machine.json --mock-config MockConfigFile.json --test-case HappyPath
      answer Task states from a Step Functions Local mock file
  pysfn-emulate machine.json --start-time 2024-01-01T00:00:00Z --execution-name nightly-1
  pysfn-emulate machine.json --max-transitions 5000 --max-seconds 10
      stop a runaway machine sooner (FAILED, pysfn.TransitionLimitExceeded / TimeLimitExceeded)

exit status: 0 succeeded, 1 failed / timed out / aborted, 2 bad input or usage
"""

# AWS's rule for state machine and execution names: 1-80 characters, none of these.
_NAME_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_HISTORY_DETAIL_WIDTH = 100
_TRACE_VALUE_WIDTH = 160
MOCK_CONFIG_ENVIRONMENT = "SFN_MOCK_CONFIG"  # Step Functions Local's: the mock file's path


class BadInput(Exception):
    """Something wrong with what the user gave us: one message, exit status 2."""


# Compiles a Python workflow: (path, entry function or None, compute_in_lambda) → an object with
# `definition` and `local_lambdas()`. The emulator knows no compiler: `pysfn-emulate`, the console script, is
# pysfn_compile.emulate.main, which passes pysfn_compile's.
Compiler = Callable[[str, "str | None", bool], Any]


EXIT_INTERRUPTED = 130  # (128 + SIGINT, as a shell reports Ctrl-C)


def main(argv: list[str] | None = None, *, compiler: Compiler | None = None) -> int:
    """Run one execution and report it; returns the exit status (the console script exits with it).
    A Python workflow (.py, or --source) needs a `compiler`.
    `pysfn-emulate serve ...` serves the Step Functions API instead (sfn_api/command.py)."""
    try:
        return _main(argv, compiler)
    except KeyboardInterrupt:  # Ctrl-C: one line, not Python's traceback
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str] | None, compiler: Compiler | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        # Lazy for speed, not to dodge a cycle (the command line is the layer above sfn_api):
        # the server brings botocore, which a plain run does not need (~0.25 s at every start).
        from pysfn_emulator.sfn_api import command  # noqa: PLC0415

        return command.main(argv[1:])
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already explained
        return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    mistake = _mock_usage_mistake(args)
    if mistake:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {mistake}", file=sys.stderr)
        return EXIT_BAD_INPUT
    overwrite = output_problem(  # (before the run: its output would be lost with the file)
        [("--graph", args.graph)],
        [("the definition", args.definition), ("the input file", args.input_file), ("the workflow", args.source),
         ("the --lambdas module", args.lambdas), ("the --services module", args.services),
         ("the --callbacks module", args.callbacks), ("the mock config", args.mock_config)])
    if overwrite:
        print(f"{PROG}: {overwrite}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        definition, lambdas, compiled = _load_machine(args, compiler)
        services = _services(args.services)
        callbacks = _callbacks(args.callbacks, compiled)
        if services is None and compiled is not None:
            # a workflow's own run: an empty local AWS account (the plain run would need one too)
            services = pysfn_emulator.LocalAws()
        execution_input = _load_input(args)
        if args.mock_config is not None:  # read here too, for a located message on bad JSON
            _parse_json(_read_file(args.mock_config, "mock config"), args.mock_config)
        execution = _run(definition, execution_input, args, lambdas=lambdas, services=services,
                         callbacks=callbacks)
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
    try:
        _report(execution, as_json=args.json, with_history=args.history, with_trace=args.trace)
        sys.stdout.flush()
        hint = missing_function_hint(execution) or missing_service_hint(execution) or (
            unanswered_token_hint(execution) if args.callbacks is None else None)
        if hint:
            print(hint, file=sys.stderr)
    except BrokenPipeError:  # `| head` stopped reading: not an error, as for any Unix tool
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if args.graph is not None:
        try:
            write_graph(args.graph, definition, execution, title=args.definition)
        except OSError as error:
            print(f"{PROG}: {args.graph}: cannot write the graph: {error.strerror or error}",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
    return EXIT_SUCCEEDED if execution.status == "SUCCEEDED" else EXIT_FAILED


def _mock_usage_mistake(args: argparse.Namespace) -> str | None:
    if args.mock_config is not None and args.test_case is None:
        return "--mock-config needs --test-case NAME (the test case of the file to run)"
    if args.test_case is not None and args.mock_config is None \
            and not os.environ.get(MOCK_CONFIG_ENVIRONMENT):
        return f"--test-case needs --mock-config FILE (or ${MOCK_CONFIG_ENVIRONMENT} naming it)"
    return None


def _run(definition: Any, execution_input: Any, args: argparse.Namespace, *,
         lambdas: dict | None, services: Any = None, callbacks: dict | None = None) -> Any:
    options: dict[str, Any] = {
        "state_machine_name": args.state_machine_name,
        "execution_name": args.execution_name,
        "state_machine_type": args.state_machine_type,
        "start_time": args.start_time,
        "max_transitions": args.max_transitions,
        "max_seconds": args.max_seconds,
    }
    if lambdas:
        options["lambdas"] = lambdas
    if services is not None:
        options["services"] = services
    if callbacks:
        options["callbacks"] = callbacks
    if args.seed is not None:
        options["seed"] = args.seed
    if args.test_case is not None:
        if args.mock_config is not None:
            options["mock_config"] = args.mock_config
        options["test_case"] = args.test_case
        try:
            return pysfn_emulator.run(definition, execution_input, **options)
        except ValueError as error:  # MockConfigError: the file's problem, or a missing case
            source = args.mock_config or os.environ.get(MOCK_CONFIG_ENVIRONMENT, "")
            text = str(error)
            raise BadInput(text if text.startswith(source) else f"{source}: {text}") from None
    return pysfn_emulator.run(definition, execution_input, **options)


def write_graph(path: str, definition: Any, execution: Any = None, title: str | None = None) -> None:
    """The machine as Mermaid, overlaid with the execution: a Markdown page when `path` ends
    in .md (or .markdown), else the bare Mermaid text (.mmd)."""
    if path.lower().endswith((".md", ".markdown")):
        text = graph.to_markdown(definition, execution, title=title)
    else:
        text = graph.to_mermaid(definition, execution)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


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
    parser.add_argument("definition", help="the state machine definition, an ASL .json file, "
                        "or a Python workflow (.py) to compile first")
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
    parser.add_argument("--trace", action="store_true",
                        help="also print each state entered, with its input and output "
                        '(with --json: as a "trace" list in the object)')
    parser.add_argument("--graph", metavar="FILE",
                        help="write the machine as a Mermaid flowchart with the path taken "
                        "(FILE.md: a Markdown page; otherwise the Mermaid text)")
    workflow = parser.add_argument_group("Python workflows")
    workflow.add_argument("--entry", metavar="NAME",
                          help="the workflow's entry function (default: the compiler's choice)")
    workflow.add_argument("--compute-in-lambda", action="store_true",
                          help="compile the workflow so that what JSONata cannot compute exactly "
                          "(float formatting, round(x, n), math, ...) runs as Python in its Lambda, "
                          "as @sfn.workflow(compute_in_lambda=True) does")
    workflow.add_argument("--source", metavar="WORKFLOW.py",
                          help="with a definition compiled from WORKFLOW.py: run the workflow's "
                          "callees locally as the Lambda functions its Task states call")
    workflow.add_argument("--lambdas", metavar="HANDLERS.py",
                          help="a Python module whose functions are the Lambda functions Task "
                          "states call, each under its name ('_' also serving '-': charge_card "
                          "serves charge-card), and its LAMBDAS dict {name or ARN: handler}; with "
                          "a workflow, a function named like a callee replaces that callee")
    aws = parser.add_argument_group("AWS services")
    aws.add_argument("--services", metavar="SERVICES.py",
                     help="local AWS services for Task states that call DynamoDB, S3, SQS, SNS, "
                     "EventBridge or any aws-sdk action: a Python module defining `services` (a "
                     "pysfn_emulator.LocalAws, or {'service:action': handler(params)}) or functions "
                     "named <service>_<action>, e.g. secretsmanager_get_secret_value(params); "
                     "`setup(aws)` may declare tables and objects first")
    aws.add_argument("--callbacks", metavar="RESPONDERS.py",
                     help="who answers .waitForTaskToken tasks: a Python module whose RESPONDERS dict, "
                     "or else whose functions, are responder(token, payload) -> answer (raise to send a "
                     "failure), keyed by state name or resource; for a workflow, by the callee that "
                     "sfn.wait_for_callback calls. Unanswered tokens wait until their timeout")
    mocks = parser.add_argument_group("mocked service integrations")
    mocks.add_argument("--mock-config", metavar="FILE",
                       help="a Step Functions Local mock config file (JSON; default: "
                       f"${MOCK_CONFIG_ENVIRONMENT})")
    mocks.add_argument("--test-case", metavar="NAME",
                       help="the test case of the mock config file to run; the state machine "
                       "is found by --state-machine-name, or is the file's only one")
    parser.add_argument("--execution-name", metavar="NAME", type=_aws_name,
                        help="the execution's name, as in $$.Execution.Name and its ARN")
    parser.add_argument("--state-machine-name", metavar="NAME", type=_aws_name,
                        help="the state machine's name, as in $$.StateMachine.Name and its ARN")
    parser.add_argument("--state-machine-type", choices=("STANDARD", "EXPRESS"), default="STANDARD",
                        help="STANDARD (default) or EXPRESS")
    parser.add_argument("--start-time", metavar="ISO", type=_start_time,
                        help="start the virtual clock here, e.g. 2024-01-01T00:00:00Z "
                        "(default: now; a time without an offset is UTC)")
    parser.add_argument("--seed", metavar="N", type=int,
                        help="seed the execution's random source (UUIDs, States.MathRandom, "
                        "Retry jitter) so runs repeat exactly")
    guard = parser.add_argument_group(
        "pysfn's guard against runaway machines (not AWS limits; past one, the execution fails "
        "with pysfn.TransitionLimitExceeded or pysfn.TimeLimitExceeded)")
    guard.add_argument("--max-transitions", metavar="N", type=_limit(int), default=DEFAULT_MAX_TRANSITIONS,
                       help="states the run may enter, branches, Map items and child executions "
                       f"together (default {DEFAULT_MAX_TRANSITIONS:,}; 'none': no limit)")
    guard.add_argument("--max-seconds", metavar="S", type=_limit(float), default=DEFAULT_MAX_SECONDS,
                       help=f"real seconds the run may take (default {DEFAULT_MAX_SECONDS:g}; "
                       "'none': no limit)")
    return parser


def _limit(number: type) -> Any:
    """A non-negative number, or 'none' for no limit."""

    def parse(text: str) -> Any:
        if text.strip().lower() == "none":
            return None
        try:
            value = number(text)
        except ValueError:
            value = -1
        if not value >= 0:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative number (or 'none')")
        return value

    parse.__name__ = number.__name__  # argparse names the type in its messages
    return parse


def _aws_name(text: str) -> str:
    """Reject names AWS would refuse, so ARNs and $$ values are ones AWS could produce."""
    if not 1 <= len(text) <= 80 or _NAME_FORBIDDEN.search(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a valid name: 1 to 80 characters, without whitespace, "
            "brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /")
    return text


def _start_time(text: str) -> datetime:
    """ISO 8601 with a trailing Z allowed; naive means UTC (options.start_moment)."""
    try:
        return start_moment(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("start_time ")) from None


def _load_machine(args: argparse.Namespace, compiler: Compiler | None) -> tuple[Any, dict | None, Any]:
    """The definition to run, the Lambda handlers it calls (a workflow's local callees, the
    --lambdas module's functions) and the compiled workflow it came from (None for ASL)."""
    handlers = _handlers(args.lambdas)
    if args.definition.endswith(".py"):
        if args.source is not None:
            raise BadInput(f"--source {args.source}: only a definition (.json) takes --source; "
                           f"{args.definition} is a workflow and brings its callees itself")
        compiled = compile_workflow(compiler, args.definition, args.entry, args.compute_in_lambda)
        return compiled.definition, _workflow_lambdas(compiled, handlers, args.lambdas), compiled
    if args.entry is not None and args.source is None:
        raise BadInput("--entry: only a Python workflow (.py or --source) has an entry function")
    definition = _parse_json(_read_file(args.definition, "definition"), args.definition)
    if args.source is None:
        return definition, handlers or None, None
    try:
        return (definition, *_served(definition, args, compiler, handlers, args.compute_in_lambda))
    except BadInput:
        if args.compute_in_lambda:
            raise
        try:  # a definition compiled with --compute-in-lambda calls the blocks the Lambda computes
            return (definition, *_served(definition, args, compiler, handlers, True))
        except BadInput:
            pass
        raise


def _served(definition: Any, args: argparse.Namespace, compiler: Compiler | None, handlers: dict,
            compute_in_lambda: bool) -> tuple[dict, Any]:
    """(the Lambda handlers, the compiled workflow) of `--source`: every Lambda Task of the
    definition must call a function the workflow's dispatcher has."""
    compiled = compile_workflow(compiler, args.source, args.entry, compute_in_lambda)
    lambdas = _workflow_lambdas(compiled, handlers, args.lambdas)
    # The definition may have been compiled with another --lambda-arn: its functions are
    # the same dispatcher, whatever they are called.
    dispatcher = lambdas.get(getattr(compiled, "lambda_arn", None)) or next(iter(lambdas.values()), None)
    for reference in _lambda_references(definition):
        lambdas.setdefault(reference, dispatcher)
    foreign = getattr(compiled, "foreign_calls", None)
    problems = foreign(definition, lambda name: lambdas.get(name) is dispatcher) if foreign else []
    if problems:
        names = sorted(compiled.function_names())
        raise BadInput("\n".join([
            f"{args.definition} was not compiled from {args.source} (its functions: {', '.join(names) or 'none'}):",
            *(f"  {problem}" for problem in problems),
            f"hint: --source runs a definition compiled from that workflow (pysfn-compile {args.source} -o "
            "machine.json); a definition calling other Lambda functions runs without --source, with --lambdas "
            "handlers.py"]))
    return lambdas, compiled


def _handlers(path: str | None) -> dict:
    if path is None:
        return {}
    try:
        return pysfn_emulator.handlers_from_file(path)
    except pysfn_emulator.HandlersError as problem:
        raise BadInput(str(problem)) from None


def _callbacks(path: str | None, compiled: Any) -> dict | None:
    """The --callbacks module's responders: by state name or resource for a definition; by the
    callee a compiled workflow waits on (sfn.wait_for_callback), as its plain run takes them."""
    if path is None:
        return None
    try:
        responders = pysfn_emulator.responders_from_file(path)
    except pysfn_emulator.HandlersError as problem:
        raise BadInput(f"--callbacks {problem}") from None
    if compiled is None or not hasattr(compiled, "local_callbacks"):
        return responders
    try:
        return compiled.local_callbacks(responders)
    except LookupError as problem:
        raise BadInput(f"--callbacks {path}: {problem.args[0]}") from None


def _services(path: str | None) -> Any:
    if path is None:
        return None
    try:
        return pysfn_emulator.services_from_file(path)
    except pysfn_emulator.HandlersError as problem:
        raise BadInput(f"--services {problem}") from None


def _workflow_lambdas(compiled: Any, handlers: dict, path: str | None) -> dict:
    """A compiled workflow's local callees, with the --lambdas module's functions replacing
    those they name (a callee, or the workflow's Lambda function)."""
    if not handlers:
        return compiled.local_lambdas()
    try:
        return compiled.local_lambdas(handlers)
    except LookupError as problem:
        raise BadInput(f"--lambdas {path}: {problem.args[0]}") from None


def missing_function_hint(execution: Any) -> str | None:
    """What to do when a Task called a Lambda function nobody provided (the execution
    failed as AWS fails it: Lambda.ResourceNotFoundException)."""
    if execution.error != "Lambda.ResourceNotFoundException":
        return None
    found = re.search(r"Function not found: (\S+)", execution.cause or "")
    name = found.group(1).split(":function:")[-1].split(":")[0] if found else "NAME"
    python = name.replace("-", "_") if name.replace("-", "_").isidentifier() else None
    given = (f"def {python}(event, context)" if python
             else f"LAMBDAS = {{{name!r}: handler}}")
    return (f"hint: no local handler for the Lambda function {name!r}: pass --lambdas "
            f"handlers.py, a module with {given}; for a definition compiled by pysfn, "
            "--source workflow.py runs its callees")


def unanswered_token_hint(execution: Any) -> str | None:
    """What to do when a Task waited for a task token nobody sent back and timed out (with
    the execution, where the Task had no TimeoutSeconds)."""
    if execution.error != "States.Timeout" and execution.status != "TIMED_OUT":
        return None
    waited = [event for event in execution.history if event.get("type") == "TaskSubmitted"
              and str(event.get("taskSubmittedEventDetails", {}).get("resource", "")).endswith(".waitForTaskToken")]
    if not waited:
        return None
    return ("hint: a Task waited for a task token nobody answered: pass --callbacks responders.py, a module "
            "whose functions responder(token, payload) answer by state name (or a RESPONDERS dict {state name "
            "or resource: responder}); for a workflow, def CALLEE(token, payload) for "
            "sfn.wait_for_callback(CALLEE, ...)")


def missing_service_hint(execution: Any) -> str | None:
    """What to do when a Task called an AWS service integration nobody provided."""
    if execution.error != "pysfn.ResourceNotRegistered" or ":::" not in (execution.cause or ""):
        return None
    found = re.search(r"arn:aws:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)", execution.cause or "")
    if not found or found.group(1) in ("lambda", "states"):
        return None
    service, action = found.groups()
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
    return (f"hint: no local service answers {service}:{action}: pass --services services.py, a module "
            f"defining def {service.replace('-', '_')}_{snake}(params) or services = "
            "pysfn_emulator.LocalAws(...) (DynamoDB, S3, SQS, SNS and EventBridge are built in)")


def _lambda_references(value: Any) -> set[str]:
    """Every Lambda function a definition's tasks name (FunctionName, or a function ARN)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "FunctionName" and isinstance(child, str) and not child.startswith("{%"):
                    found.add(child)
                elif key == "Resource" and isinstance(child, str) and child.startswith("arn:aws:lambda:"):
                    found.add(child)
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def compile_workflow(compiler: Compiler | None, path: str, entry: str | None = None,
                     compute_in_lambda: bool = False) -> Any:
    """Compile a Python workflow; any problem becomes one BadInput message."""
    if compiler is None:
        raise BadInput(f"{path}: cannot compile Python workflows: no compiler in this installation "
                       "(pysfn_compile's pysfn-emulate brings one); pass an ASL definition (.json)")
    _read_file(path, "workflow")  # a missing or unreadable file reads as such, not as a crash
    try:
        return compiler(path, entry, compute_in_lambda)
    except SyntaxError as error:
        where = f"{error.filename or path}:{error.lineno or 0}:{error.offset or 0}"
        raise BadInput(f"{where}: {error.msg}") from None
    except Exception as error:  # CompileError: its text is `path:line:col: message` lines
        if type(error).__name__ == "CompileError":
            raise BadInput(str(error)) from None
        raise BadInput(f"{path}: cannot compile: {type(error).__name__}: {error}") from None


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
    """JSON as AWS reads it (jsontext.loads: no NaN or Infinity); errors located as
    source:line:col, or by JSON pointer."""
    try:
        return loads(text)
    except json.JSONDecodeError as error:
        message = error.msg.removesuffix(" at")  # "Invalid control character at" reads cut off
        raise BadInput(f"{source}:{error.lineno}:{error.colno}: invalid JSON: {message}") from None
    except ValueError as error:
        raise BadInput(f"{source}: invalid JSON: {error}") from None


def _print_problems(headline: str, problems: list[Any]) -> None:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    print(f"{PROG}: {headline} ({count}):", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)


def _report(execution: Any, *, as_json: bool, with_history: bool, with_trace: bool = False) -> None:
    if as_json:
        result = {"status": execution.status, "output": execution.output,
                  "error": execution.error, "cause": execution.cause}
        if with_history:
            result["history"] = execution.history
        if with_trace:
            result["trace"] = trace_records(execution.history)
        print(_printable(json.dumps(result, indent=2, ensure_ascii=False, default=_json_default)))
        return
    sections = []  # printed one after another, a blank line between
    if with_history:
        sections.append(format_history(execution.history))
    if with_trace:
        sections.append(format_trace(execution.history))
    if execution.status == "SUCCEEDED":
        sections.append(json.dumps(execution.output, indent=2, ensure_ascii=False))
    if sections:
        print(_printable("\n\n".join(sections)))
    if execution.status != "SUCCEEDED":
        print(f"execution {execution.status}", file=sys.stderr)
        for label, value in (("error", execution.error), ("cause", execution.cause)):
            if value is not None:  # AWS leaves both unset on a timeout, say
                print(_printable(f"{label}: {value}"), file=sys.stderr)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    """Text a UTF-8 stream can take: a lone surrogate (JSON strings may hold one) becomes its
    \\u escape, which is also how JSON text writes it."""
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


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


def trace_records(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each state entered, in order: name, type, nesting depth, input, output (None when it
    never exited), retries and the errors recorded; input and output as JSON values."""
    walked = coverage.walk(events)
    return [{"state": v.name, "type": v.type, "depth": v.depth, "input": _json_value(v.input),
             "output": _json_value(v.output),
             "assigned": {k: _json_value(t) for k, t in (v.assigned or {}).items()},
             "retries": v.retries, "errors": list(v.errors)}
            for v in walked.visits]


def format_trace(events: list[dict[str, Any]], width: int = _TRACE_VALUE_WIDTH) -> str:
    """Each state entered with its input and output, nested states indented; values longer
    than `width` are cut (--json --trace gives them whole)."""
    walked = coverage.walk(events)
    lines = []
    for number, visit in enumerate(walked.visits, start=1):
        pad = "  " * visit.depth
        lines.append(f"{pad}{number:>3}. {visit.name} ({visit.type})")
        lines.append(f"{pad}       input:  {_cut(visit.input, width)}")
        if visit.output is not None:
            lines.append(f"{pad}       output: {_cut(visit.output, width)}")
        if visit.assigned:
            assigned = ", ".join(f"${name} = {text}" for name, text in visit.assigned.items())
            lines.append(f"{pad}       assign: {_cut(assigned, width)}")
        if visit.retries:
            lines.append(f"{pad}       retried {visit.retries}x after "
                         + ", ".join(str(e) for e in visit.errors[: visit.retries]))
        if visit.output is None:
            lines.append(f"{pad}       did not exit"
                         + (f": {visit.errors[-1]}" if visit.errors else ""))
        elif visit.failed_at_exit:
            lines.append(f"{pad}       caught: {visit.errors[-1] if visit.errors else 'an error'}")
    if walked.failing_states:
        lines.append("failed in: " + " > ".join(walked.failing_states))
    return "\n".join(lines)


def _json_value(text: str | None) -> Any:
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return text


def _cut(text: str | None, width: int) -> str:
    text = "null" if text is None else " ".join(text.splitlines())
    return text if len(text) <= width else text[: width - 1] + "…"


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
