"""The conformance results as JUnit XML, the report format CI systems read.

One `<testsuite>` per corpus category (`corpus.<category>`) and one for the examples. A case
that fails unexpectedly, or is listed as an expected failure but passes, is a `<failure>`; a
listed case that fails as expected is `<skipped>` with its reason; an example that cannot run
because the compiler is missing is `<skipped>` too.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from conformance.examples import FAIL, SKIP, ExampleResult
from conformance.runner import CaseResult, by

_MESSAGE_WIDTH = 300
_INVALID_XML = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def build(results: Sequence[CaseResult], examples: Sequence[ExampleResult] = ()) -> str:
    """The XML text: a `<testsuites>` with the corpus categories, then the examples."""
    root = ElementTree.Element("testsuites", name="pysfn conformance")
    for category, cases in by(results, "category").items():
        suite = _suite(root, f"corpus.{category}")
        for case in cases:
            _corpus_case(suite, case)
    if examples:
        suite = _suite(root, "examples")
        for example in examples:
            _example_cases(suite, example)
    _count(root)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode") + "\n"


def write(path: Path, results: Sequence[CaseResult],
          examples: Sequence[ExampleResult] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build(results, examples), encoding="utf-8")
    return path


def _suite(root: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(root, "testsuite", name=name)


def _case(suite: ElementTree.Element, name: str, seconds: float) -> ElementTree.Element:
    return ElementTree.SubElement(suite, "testcase", classname=suite.get("name", ""),
                                  name=_text(name), time=f"{seconds:.4f}")


def _corpus_case(suite: ElementTree.Element, case: CaseResult) -> None:
    element = _case(suite, case.name, case.seconds)
    if case.outcome == "fail":
        _failure(element, case.differences[0] if case.differences else "failed",
                 "\n".join(case.differences))
    elif case.outcome == "xpass":
        _failure(element, "listed as an expected failure, but passes: remove it from "
                          "conformance/expected_failures.txt", case.expected_failure or "")
    elif case.outcome == "xfail":
        ElementTree.SubElement(element, "skipped",
                               message=_text(f"expected failure: {case.expected_failure}"))


def _example_cases(suite: ElementTree.Element, example: ExampleResult) -> None:
    if example.problem is not None:
        element = _case(suite, example.name, 0.0)
        if example.outcome == SKIP:
            ElementTree.SubElement(element, "skipped", message=_text(example.problem))
        else:
            _failure(element, example.problem, example.problem)
        return
    for run in example.runs:
        element = _case(suite, f"{example.name} {run.label}", run.seconds)
        if run.outcome == FAIL:
            body = "\n".join(line for line in (
                run.detail,
                f"Python:   {run.python}" if run.python else "",
                f"emulated: {run.emulated}" if run.emulated else "") if line)
            _failure(element, run.detail, body)
        elif run.outcome == SKIP:
            ElementTree.SubElement(element, "skipped", message=_text(run.detail))


def _failure(element: ElementTree.Element, message: str, body: str) -> None:
    failure = ElementTree.SubElement(element, "failure", message=_text(message)[:_MESSAGE_WIDTH])
    failure.text = _text(body)


def _count(root: ElementTree.Element) -> None:
    totals = {"tests": 0, "failures": 0, "skipped": 0, "errors": 0}
    time_total = 0.0
    for suite in root:
        cases = suite.findall("testcase")
        counts = {"tests": len(cases),
                  "failures": sum(c.find("failure") is not None for c in cases),
                  "skipped": sum(c.find("skipped") is not None for c in cases),
                  "errors": 0}
        seconds = sum(float(c.get("time", "0")) for c in cases)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{seconds:.4f}")
        time_total += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{time_total:.4f}")


def _text(value: str) -> str:
    """XML 1.0 has no place for most control characters: drop them."""
    return str(value).translate(_INVALID_XML)
