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


@pytest.mark.parametrize("package", ["pysfn_compile", "pysfn_emulator"])
def test_every_module_imports_in_a_fresh_interpreter(package):
    """lint-imports does not see an import of a module that does not exist (a move left
    `from ...jsonata import text` behind once); a fresh interpreter importing each module does."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module({package!r})\n"
        "bad = []\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    try:\n"
        "        importlib.import_module(info.name)\n"
        "    except Exception as error:\n"
        "        bad.append(f'{info.name}: {error!r}')\n"
        "print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
