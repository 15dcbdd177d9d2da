"""What runs with the workflow: `sfn` (what a workflow imports), `dispatch` (the Lambda side of
a callee call) and `boundary` (the plain run's view of that call).

Rule: the standard library only; nothing here imports the rest of pysfn (.importlinter,
contract compile-runtime), because `sfn` and `dispatch` are copied into the Lambda package
and imported there without pysfn installed.
"""
