"""`pysfn-emulate`, the console script: the emulator's command line, handed this package's
compiler so that it runs a Python workflow (compiled first, with its local callees) as well as
an ASL definition. The emulator itself never imports the compiler."""

from __future__ import annotations

from typing import Any

import pysfn_compile
from pysfn_emulator import cli


def main(argv: list[str] | None = None) -> int:
    """Run one execution and report it (pysfn_emulator.cli.main); returns the exit status."""
    return cli.main(argv, compiler=_compiler())


def _compiler() -> cli.Compiler | None:
    # Read when the command runs, so an installation without compile_file (or a test that
    # replaces it) is seen as it is.
    compile_file = getattr(pysfn_compile, "compile_file", None)
    if compile_file is None:
        return None

    def compile_workflow(path: str, entry: str | None, compute_in_lambda: bool) -> Any:
        return compile_file(path, entry=entry, compute_in_lambda=compute_in_lambda)

    return compile_workflow


if __name__ == "__main__":  # python -m pysfn_compile.emulate: what the pysfn-emulate script runs
    raise SystemExit(main())
