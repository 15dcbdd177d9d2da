"""The emulator's layout holds: imports run one way (the `.importlinter` contracts CI checks
with `lint-imports`), every folder states its rule, and run/start take one options object."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_emulator import ExecutionOptions

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = ("emulator-layers", "emulator-acyclic", "emulator-not-compiler")
START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_the_import_contracts_are_kept(monkeypatch, capsys):
    cli = pytest.importorskip("importlinter.cli")
    monkeypatch.chdir(REPO)
    status = cli.lint_imports(config_filename=str(REPO / ".importlinter"), limit_to_contracts=CONTRACTS,
                              no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.count("KEPT") == len(CONTRACTS)


FOLDERS = ("core", "query", "definition", "virtual_time", "integrations", "runtime", "tools", "sfn_api")


def test_every_folder_states_its_rule():
    folders = [info.name for info in pkgutil.iter_modules(pysfn_emulator.__path__) if info.ispkg]
    assert set(FOLDERS) <= set(folders)
    for name in FOLDERS:
        doc = importlib.import_module(f"pysfn_emulator.{name}").__doc__ or ""
        assert "Rule:" in doc, name


def test_a_plain_import_and_run_do_not_load_botocore():
    """sfn_api brings botocore (~0.25 s); `pysfn_emulator` and its command line load it only
    for `serve` (the one function-local import the layers allow); `mock_aws` is sfn_api's."""
    code = ("import sys, pysfn_emulator, pysfn_emulator.cli, pysfn_compile.emulate; "
            "pysfn_emulator.run({'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}}); "
            "assert 'botocore' not in sys.modules; "
            "from pysfn_emulator.sfn_api import mock_aws; assert 'botocore' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_the_public_api_is_importable_from_the_package():
    for name in pysfn_emulator.__all__:
        assert getattr(pysfn_emulator, name) is not None, name


def test_options_and_keywords_give_the_same_execution():
    options = ExecutionOptions(seed=7, execution_name="e1", start_time=START)
    by_object = pysfn_emulator.run(PASS, {"a": 1}, options=options)
    by_keywords = pysfn_emulator.run(PASS, {"a": 1}, seed=7, execution_name="e1", start_time=START)
    assert by_object.execution_arn == by_keywords.execution_arn
    assert by_object.history == by_keywords.history
    overridden = pysfn_emulator.run(PASS, {"a": 1}, options=options, execution_name="e2")
    assert overridden.name == "e2" and options.execution_name == "e1"  # the object is frozen


def test_an_unknown_option_is_a_type_error_as_for_a_signature():
    with pytest.raises(TypeError, match="unexpected keyword argument: lambda_handlers"):
        pysfn_emulator.run(PASS, lambda_handlers={})
    with pytest.raises(ValueError, match="state_machine_type must be 'STANDARD' or 'EXPRESS'"):
        pysfn_emulator.start(PASS, state_machine_type="express")

