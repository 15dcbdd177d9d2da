"""Structural validation: every reason AWS's CreateStateMachine would refuse a definition.

AWS reports the first SCHEMA_VALIDATION_FAILED it meets; we report them all, each located by a
JSON pointer, so a user can fix a definition in one pass. The syntax of JSONPath expressions
and intrinsic function calls is *not* checked here: the loader compiles those and reports
their problems. Everything else that AWS refuses before running is.

A state's query language is its own `QueryLanguage`, else the top level's; the states inside
a Map or Parallel inherit the top level's, not their parent state's (as the spec says).

Where things live (each module imports only those listed before it):

- `fields`: the query languages, the limits on names and numbers, the fields each object may
  hold per state type and language;
- `context`: the `Context` one walk shares, JSON pointers, small predicates on values;
- `templates`: payload templates and their `.$` keys, JSONata `{% %}` delimiters, Assign;
- `field_checks`: checks of one field or a group of fields (unknown, exclusive, integer, enum,
  string, timestamp);
- `transitions`: StartAt, Next, Default and catchers' targets, Next or End, reachability;
- `states`: what every state has, and the types holding no scope (Task, Pass, Succeed, Wait,
  Fail);
- `map_state`: a Map's own fields beyond its processor;
- `choice_rules`: Choice rules, JSONPath comparisons and combinators, JSONata conditions;
- `error_handling`: Retry and Catch;
- `machine`: the walk over the top level and every scope of States, Parallel and Map included
  (their branches and processors are scopes in turn);
- `scopes`: variable scopes, which Assign names a Parallel branch or Map iteration may not
  reuse;
- this module: `structural_problems`, the entry point (which first refuses a dict holding
  what no JSON text can, such as NaN), and the public names of the modules.
"""

from __future__ import annotations

from ...core.errors import Problem
from ...core.jsontext import not_json
from .choice_rules import (
    BOOLEAN_COMBINATORS,
    BOOLEAN_OPERATORS,
    COMPARISON_OPERATORS,
    NUMERIC_OPERATORS,
    PATH_OPERATORS,
    STRING_OPERATORS,
    TIMESTAMP_OPERATORS,
)
from .context import Context
from .fields import (
    BRANCH_FIELDS,
    CATCHER_FIELDS,
    JSONATA,
    JSONPATH,
    LANGUAGES,
    MAX_BATCH_BYTES,
    MAX_LABEL,
    MAX_SECONDS,
    MAX_STATE_NAME,
    MAX_VARIABLE_NAME,
    PROCESSOR_FIELDS,
    RETRIER_FIELDS,
    STATE_FIELDS,
    TOP_LEVEL_FIELDS,
)
from .machine import check_machine, check_top_level
from .scopes import scope_problems
from .states import OPTIMIZED_ACTIONS

# What `pysfn_emulator.definition.validation` offered as one module (and `pysfn_emulator.scopes`), still
# importable from here.
__all__ = [
    "BOOLEAN_COMBINATORS",
    "BOOLEAN_OPERATORS",
    "BRANCH_FIELDS",
    "CATCHER_FIELDS",
    "COMPARISON_OPERATORS",
    "JSONATA",
    "JSONPATH",
    "LANGUAGES",
    "MAX_BATCH_BYTES",
    "MAX_LABEL",
    "MAX_SECONDS",
    "MAX_STATE_NAME",
    "MAX_VARIABLE_NAME",
    "NUMERIC_OPERATORS",
    "OPTIMIZED_ACTIONS",
    "PATH_OPERATORS",
    "PROCESSOR_FIELDS",
    "RETRIER_FIELDS",
    "STATE_FIELDS",
    "STRING_OPERATORS",
    "TIMESTAMP_OPERATORS",
    "TOP_LEVEL_FIELDS",
    "scope_problems",
    "structural_problems",
]


def structural_problems(
    definition: dict, *, state_machine_type: str = "STANDARD"
) -> list[Problem]:
    """Every structural reason AWS would refuse `definition` ([] when there is none).

    `state_machine_type` matters only for the integrations an EXPRESS machine may not use.
    """
    if not isinstance(definition, dict):
        return [Problem("", "the definition must be a JSON object")]
    found = not_json(definition)  # a dict may hold what no definition text can (NaN, a set)
    if found is not None:
        return [Problem(found[0], f"the definition is not JSON: {found[1]}")]
    language = definition.get("QueryLanguage", JSONPATH)
    ctx = Context(top_language=language if language in LANGUAGES else JSONPATH,
                  machine_type=state_machine_type)
    check_top_level(ctx, definition)
    check_machine(ctx, definition, "", TOP_LEVEL_FIELDS, "at the top level")
    return ctx.problems + scope_problems(definition)
