"""What runs with the workflow: `sfn` (what a workflow imports), `dispatch` (the Lambda side of
a callee call) and `boundary` (the plain run's view of that call).

Rule: the standard library (and attrs) only; nothing here imports the rest of the compiler,
because these modules are copied into the Lambda package and imported by plain runs.
"""
