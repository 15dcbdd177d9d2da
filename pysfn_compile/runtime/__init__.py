"""What runs with the workflow: `sfn` (what a workflow imports), `dispatch` (the Lambda side of
a callee call), `boundary` (the plain run's view of that call) and `compute_runtime` (the
check of the values leaving a block computed in the Lambda, compute_in_lambda).

Rule: the standard library only; nothing here imports the rest of pysfn (.importlinter,
contract compile-runtime), because `sfn`, `dispatch` and `compute_runtime` are copied into the
Lambda package and imported there without pysfn installed.
"""
