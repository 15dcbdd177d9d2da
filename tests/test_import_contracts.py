"""The import contracts of .importlinter hold (the same check as `lint-imports` in CI): in
pysfn_compile each folder imports only the ones below it, only the visitor imports the
transforms, the runtime imports nothing of the compiler, and no folder has an import cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    pytest.importorskip("importlinter")
    command = Path(sys.executable).with_name("lint-imports")
    if not command.exists():
        pytest.skip("lint-imports is not installed next to this interpreter")
    done = subprocess.run([str(command), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout
