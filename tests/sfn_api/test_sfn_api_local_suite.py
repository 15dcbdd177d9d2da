"""examples/step_functions_local: a suite written for Step Functions Local runs unchanged
against `pysfn-emulate serve` (its mock file given with --mock-config)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SUITE = ROOT / "examples" / "step_functions_local"


def test_the_step_functions_local_suite_passes_against_serve():
    server = subprocess.Popen(
        [sys.executable, "-m", "pysfn_compile.emulate", "serve", "--port", "0",
         "--mock-config", str(SUITE / "MockConfigFile.json")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = server.stdout.readline()
        assert "mock config" in banner, banner + server.stderr.read()
        endpoint = banner.split(" on ", 1)[1].split()[0]
        suite = subprocess.run(
            [sys.executable, "-m", "pytest", str(SUITE), "-o", "addopts=", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT, env={**os.environ, "SFN_ENDPOINT": endpoint}, capture_output=True, text=True, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert suite.returncode == 0, suite.stdout + suite.stderr
    assert "4 passed" in suite.stdout
