"""`pysfn-compile`: compile a Python workflow to an ASL definition.

The compiler does not exist yet; this parses the documented arguments so the command line is
fixed now, and says plainly that it cannot compile (exit status 2).
"""

from __future__ import annotations

import argparse
import sys

PROG = "pysfn-compile"


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, then refuse: the compiler is not implemented yet."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Compile a Python workflow to an Amazon States Language definition "
        "(not implemented yet).",
        allow_abbrev=False,
    )
    parser.add_argument("workflow", help="the Python file that defines the workflow")
    parser.add_argument("--entry", metavar="NAME", help="the workflow's entry function")
    parser.add_argument("-o", "--output", metavar="definition.json",
                        help="where to write the definition (default: standard output)")
    parser.add_argument("--lambda-arn", metavar="ARN",
                        help="the ARN of the Lambda function that runs the callees")
    parser.add_argument("--lambda-zip", metavar="out.zip",
                        help="also write the callees' Lambda deployment package")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already explained
        return stop.code if isinstance(stop.code, int) else 2
    print(f"{PROG}: {args.workflow}: the compiler is not implemented yet; "
          "write the ASL definition by hand and run it with pysfn-emulate", file=sys.stderr)
    return 2


if __name__ == "__main__":  # python -m pysfn_compile.cli
    raise SystemExit(main())
