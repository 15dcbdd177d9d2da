"""`python -m conformance`: run the examples both ways and the AWS-recorded corpus, and
write the reports: `conformance.md` (read it first), `conformance.json`, `junit.xml` and a
graph per example in `graphs/`.

Exit status: 0 all as expected, 1 a case failed that is not listed as an expected failure
(or a listed one passes), or an example failed (plain Python and the emulated machine
differ, or it does not compile or run), 2 the corpus or the emulator is missing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance import examples as example_runs
from conformance import junit
from conformance.corpus import CORPUS_ENV, corpus_dir, load_cases
from conformance.runner import (
    DEFAULT_TIMEOUT,
    EXPECTED_FAILURES_FILE,
    CaseResult,
    exit_status,
    load_expected_failures,
    rewrite_expected_failures,
    run_cases,
    tally,
    write_reports,
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Run the AWS-recorded Step Functions executions through the emulator.",
    )
    parser.add_argument(
        "--corpus", type=Path, help=f"corpus folder (default: ${CORPUS_ENV} or ../shared/...)"
    )
    parser.add_argument("--filter", help="only cases whose name contains this text")
    parser.add_argument("--category", action="append", help="only this category (repeatable)")
    parser.add_argument("--report-dir", type=Path, default=Path("reports"))
    parser.add_argument("--expected-failures", type=Path, default=EXPECTED_FAILURES_FILE)
    parser.add_argument(
        "--write-expected-failures",
        action="store_true",
        help="rewrite the expected-failures file to list the cases failing now",
    )
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="wall-clock seconds per case"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every case")
    parser.add_argument(
        "--examples",
        type=Path,
        default=example_runs.EXAMPLES_DIR,
        help="the folder of example workflows (.py) and definitions (.asl.json) to run",
    )
    parser.add_argument("--no-examples", action="store_true", help="run only the corpus")
    parser.add_argument(
        "--through-api",
        choices=("mock", "server"),
        help="run the corpus through the Step Functions API with boto3: in-process (mock) or "
        "over HTTP (server); the examples are not run",
    )
    parser.add_argument(
        "--junit", type=Path, help="where to write JUnit XML (default: REPORT_DIR/junit.xml)"
    )
    return parser.parse_args(argv)


def _progress(verbose: bool):
    def show(result: CaseResult) -> None:
        if verbose:
            print(f"{result.outcome:5}  {result.name}", flush=True)
            if result.unexpected:
                for difference in result.differences[:5]:
                    print(f"         {difference[:300]}")
        else:
            print("." if result.passed else "F", end="", flush=True)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = corpus_dir(args.corpus)
    if not root.is_dir():
        print(f"corpus not found: {root} (set --corpus or ${CORPUS_ENV})", file=sys.stderr)
        return 2
    try:
        import pysfn_emulator
    except ImportError as exc:
        print(f"cannot import the emulator: {exc}", file=sys.stderr)
        return 2
    if not hasattr(pysfn_emulator, "run"):
        print("pysfn_emulator.run does not exist yet", file=sys.stderr)
        return 2

    examples = None
    if args.through_api:
        return _through_api(args, root)
    if not args.no_examples:
        paths = example_runs.find_examples(args.examples)
        examples = example_runs.run_examples(paths, args.timeout, _example_progress(args.verbose))
    cases = load_cases(root, name_filter=args.filter, categories=args.category)
    listed = load_expected_failures(args.expected_failures)
    results = run_cases(cases, listed, args.timeout, _progress(args.verbose))
    if not args.verbose:
        print()
    json_path, md_path = write_reports(results, args.report_dir, root, examples)
    junit_path = junit.write(args.junit or args.report_dir / "junit.xml", results, examples or ())
    written = [json_path, md_path, junit_path]
    if examples:
        example_runs.write_graphs(examples, args.report_dir / "graphs")
        written.append(args.report_dir / "graphs")

    total = tally(results)
    print(
        f"corpus: {total.passed}/{total.cases} passed, {total.failed} unexpected failures, "
        f"{total.expected_failures} expected failures, {total.unexpected_passes} listed but passing; "
        f"history matched {total.history_matched}/{total.history_recorded}"
    )
    if examples is not None:
        print(_examples_summary(examples))
    print("reports: " + ", ".join(str(path) for path in written))

    if args.write_expected_failures:
        entries = rewrite_expected_failures(
            args.expected_failures,
            failing=[r.name for r in results if not r.passed],
            ran=[r.name for r in results],
            listed=listed,
        )
        print(f"{args.expected_failures}: {len(entries)} cases listed")
        return 0
    for result in results:
        if result.outcome == "xpass":
            print(f"listed as an expected failure but passes: {result.name}")
    failed_examples = [e for e in examples or () if e.outcome == example_runs.FAIL]
    for example in failed_examples:
        print(f"example failed: {example.name}: {_example_problem(example)}")
    return max(exit_status(results), 1 if failed_examples else 0)


def _through_api(args: argparse.Namespace, root: Path) -> int:
    """The corpus through boto3 and the API, reported as the in-process run is."""
    from conformance.through_api import api_runner  # brings boto3, which a plain run does not need

    cases = load_cases(root, name_filter=args.filter, categories=args.category)
    listed = load_expected_failures(args.expected_failures)
    with api_runner(args.through_api) as runner:
        results = run_cases(cases, listed, args.timeout, _progress(args.verbose), run=runner)
    if not args.verbose:
        print()
    json_path, md_path = write_reports(results, args.report_dir, root)
    total = tally(results)
    print(
        f"corpus through the API ({args.through_api}): {total.passed}/{total.cases} passed, "
        f"{total.failed} unexpected failures, {total.expected_failures} expected failures, "
        f"{total.unexpected_passes} listed but passing; history matched "
        f"{total.history_matched}/{total.history_recorded}"
    )
    print(f"reports: {json_path}, {md_path}")
    return exit_status(results)


def _example_progress(verbose: bool):
    def show(result: example_runs.ExampleResult) -> None:
        if verbose:
            print(f"{result.outcome:5}  example {result.name}", flush=True)
            if result.outcome == example_runs.FAIL:
                print(f"         {_example_problem(result)[:300]}")

    return show


def _example_problem(example: example_runs.ExampleResult) -> str:
    if example.problem is not None:
        return example.problem
    failed = [run for run in example.runs if run.outcome == example_runs.FAIL]
    return "; ".join(
        f"{run.label}: {run.detail}"
        + (f" (Python {run.python}; emulated {run.emulated})" if run.python else "")
        for run in failed
    )


def _examples_summary(examples: list[example_runs.ExampleResult]) -> str:
    outcomes = [example.outcome for example in examples]
    return (
        f"examples: {outcomes.count(example_runs.PASS)}/{len(outcomes)} passed, "
        f"{outcomes.count(example_runs.FAIL)} failed, {outcomes.count(example_runs.SKIP)} skipped"
    )


if __name__ == "__main__":
    sys.exit(main())
