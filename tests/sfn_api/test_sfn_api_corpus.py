"""A sample of the AWS-recorded corpus through boto3 and the API gives, case by case, the
result and history an in-process run gives. (The whole corpus runs through the HTTP server
in CI: `python -m conformance --through-api server`.)"""

from __future__ import annotations

import pytest

from conformance.corpus import corpus_dir, load_cases
from conformance.runner import check_case, load_expected_failures
from conformance.through_api import api_runner

CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="AWS-recorded corpus not found")


def _sample(every: int) -> list:
    return load_cases(CORPUS)[::every] if CORPUS.is_dir() else []


@pytest.mark.parametrize(("way", "every"), [("mock", 8), ("server", 40)])
def test_a_corpus_sample_through_the_api_matches_in_process_runs(way, every):
    listed = load_expected_failures()
    cases = _sample(every)
    with api_runner(way) as runner:
        through_api = [check_case(case, listed.get(case.name), run=runner) for case in cases]
    in_process = [check_case(case, listed.get(case.name)) for case in cases]
    differing = [(api.name, api.differences, api.history_differences[:2]) for api, local in zip(through_api, in_process, strict=True)
                 if (api.passed, api.history_matched) != (local.passed, local.history_matched)]
    assert not differing
    assert all(result.outcome in ("pass", "xfail") for result in through_api)
