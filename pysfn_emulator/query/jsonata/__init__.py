"""JSONata fields (`"{% expr %}"`), as AWS Step Functions evaluates them.

    evaluate = compile_value(value, "Output")   # JsonataSyntaxError if AWS would refuse it
    result = evaluate(states, variables, runtime)
    is_expression("{% $x %}")                     # True

`compile_value` takes any JSON from a definition: a string `"{% ... %}"` at any depth inside
objects and arrays is an expression, everything else is a literal (shared, never copied).
Every expression is parsed once, here. An evaluation binds `$states` to the `states` dict
(`input`, `context`, and where available `result` / `errorOutput`) and each workflow variable
by name; there is no context item, so a top-level `$`, `$$` or bare field name finds nothing.

AWS's additions are bound too: `$partition`, `$range`, `$hash`, `$random([seed])`, `$uuid`,
`$parse`; `$eval` is refused when the definition loads. `$now`, `$millis`, `$random()`,
`$uuid()` and `$shuffle` draw from the `Runtime` (the virtual clock and the execution's
seeded random source), so a run with a fixed start time and seed repeats exactly.

A failure raises `QueryEvaluationError` (a `StatesError` named States.QueryEvaluationError)
whose cause is AWS's sentence without the "An error occurred while executing the state ..."
prefix, and whose `location` is the field path AWS reports ("Output/result").

Speed: simple expressions (literals, variables, `$states.a.b` paths, arithmetic, comparisons,
`and` / `or` / `in`, `&`, `? :`, blocks with `:=`, object and array constructors, a few
builtins) are compiled to Python closures with JSONata's semantics, and so are the bodies of
functions without a signature (a compiled machine's helpers and loop bodies, called per item
by `$map` / `$filter` / `$reduce`), which call other functions through the port; anything
else, or any unusual value met at run time, goes to jsonata-python (a JSONata 2 port), with
the differences from AWS's JSONata fixed here and listed in docs/jsonata-differences.md.

Where things live (each module imports only those above it):

    values.py      the sentinels (NULL, MISSING, UNDEFINED) and JSONata type names
    runtime.py     `Runtime`: the clock and random source an execution lends its expressions
    exceptions.py  `JsonataSyntaxError`, `QueryEvaluationError`, `unexpected_type`
    javascript.py  JavaScript's number and JSON text, arithmetic, equality and ordering
    messages.py    errors as JSONata words them
    closure_calls.py  the closures' values: the fallback signal, truth, the builtins they call
    closures.py    the fast path: simple expressions as Python closures
    lambdas.py     the fast path for functions: a lambda's body as closures, over the port's frames
    engine.py      the slow path: jsonata-python adapted to AWS's JSONata, the root scope
    functions.py   Step Functions' functions and the function table
    fields.py      compiling a field's value: `compile_value`, `Expression`, results as JSON
"""

from __future__ import annotations

from .exceptions import JsonataSyntaxError, QueryEvaluationError, unexpected_type
from .fields import Evaluator, Expression, compile_value, expression_text, is_expression
from .runtime import Runtime
from .values import UNDEFINED, type_name

__all__ = [
    "Evaluator",
    "JsonataSyntaxError",
    "QueryEvaluationError",
    "Runtime",
    "compile_value",
    "expression_text",
    "is_expression",
    "type_name",
    "unexpected_type",
]

# The names the tests reach in for (tests/emulator/test_jsonata.py), as the one module had them.
_Expression = Expression
_UNDEFINED = UNDEFINED
