"""A boto3 client routed in-process to a fresh service, its clock fixed."""

from __future__ import annotations

import boto3
import pytest
from sfn_api_helpers import START

from pysfn_emulator.sfn_api import mock_aws


@pytest.fixture
def service():
    with mock_aws(now=lambda: START, seed=7) as service:
        yield service


@pytest.fixture
def sfn(service):
    return boto3.client("stepfunctions", region_name="us-east-1")
