"""Every execution recorded on real AWS, run in the emulator, must give what AWS gave.

Known gaps are listed in `conformance/expected_failures.txt` and marked strict xfail: a
listed case that starts passing fails the suite, so the list can only shrink.
"""

from __future__ import annotations

import pytest

from conformance.corpus import corpus_dir, load_cases
from conformance.runner import (
    TODO_REASON,
    check_case,
    differences_text,
    load_expected_failures,
    rewrite_expected_failures,
)

CORPUS = corpus_dir()
if not CORPUS.is_dir():
    pytest.skip(f"AWS-recorded corpus not found at {CORPUS}", allow_module_level=True)

CASES = load_cases(CORPUS)
EXPECTED_FAILURES = load_expected_failures()


def _param(case):
    marks = []
    if case.name in EXPECTED_FAILURES:
        reason = EXPECTED_FAILURES[case.name] or "listed in expected_failures.txt"
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_aws_recorded_case(case):
    result = check_case(case)
    assert result.passed, f"{case.name} differs from AWS:\n{differences_text(result.differences)}"


def test_corpus_is_complete():
    assert len(CASES) > 900
    assert len({case.name for case in CASES}) == len(CASES)


def test_expected_failures_name_corpus_cases():
    names = {case.name for case in CASES}
    unknown = sorted(set(EXPECTED_FAILURES) - names)
    assert not unknown, f"not in the corpus: {unknown}"


def test_rewriting_expected_failures_keeps_reasons_and_untouched_entries(tmp_path):
    path = tmp_path / "expected_failures.txt"
    path.write_text("# header\n\nfixed  # was broken\nstill  # known gap\nskipped  # not run\n")
    listed = load_expected_failures(path)
    assert listed == {"fixed": "was broken", "still": "known gap", "skipped": "not run"}

    rewrite_expected_failures(
        path, failing=["still", "new"], ran=["fixed", "still", "new"], listed=listed
    )

    assert load_expected_failures(path) == {
        "still": "known gap",
        "new": TODO_REASON,
        "skipped": "not run",
    }
    assert path.read_text().startswith("# header\n")
