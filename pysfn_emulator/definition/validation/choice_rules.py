"""Choice states and their rules: JSONPath comparisons (one operator, a Variable, a value of the
operator's kind) and And/Or/Not combinators, JSONata Conditions. Where the rules lead (Next,
Default) is checked with the other transitions.
"""

from __future__ import annotations

from typing import Any

from .context import Context, is_expression, is_number, join
from .field_checks import check_unknown_fields, is_timestamp
from .fields import JSONATA, JSONPATH, other
from .templates import check_assign, check_expressions

# --- Choice rule operators ----------------------------------------------------------------

_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
STRING_OPERATORS = frozenset({f"String{c}" for c in _COMPARISONS} | {"StringMatches"})
NUMERIC_OPERATORS = frozenset(f"Numeric{c}" for c in _COMPARISONS)
TIMESTAMP_OPERATORS = frozenset(f"Timestamp{c}" for c in _COMPARISONS)
BOOLEAN_OPERATORS = frozenset(
    {"BooleanEquals", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
)
PATH_OPERATORS = frozenset(
    f"{kind}{c}Path" for kind in ("String", "Numeric", "Timestamp") for c in _COMPARISONS
) | {"BooleanEqualsPath"}
COMPARISON_OPERATORS = (
    STRING_OPERATORS | NUMERIC_OPERATORS | TIMESTAMP_OPERATORS | BOOLEAN_OPERATORS | PATH_OPERATORS
)
BOOLEAN_COMBINATORS = ("And", "Or", "Not")
_RULE_FIELDS = {
    JSONPATH: frozenset({"Variable", "Next", "Comment", "Assign", *BOOLEAN_COMBINATORS})
    | COMPARISON_OPERATORS,
    JSONATA: frozenset({"Condition", "Next", "Comment", "Assign", "Output"}),
}


# --- Choice -------------------------------------------------------------------------------


def check_choice(ctx: Context, state: dict, pointer: str, language: str) -> None:
    choices = state.get("Choices")
    field_pointer = join(pointer, "Choices")
    if "Choices" not in state:
        ctx.add(pointer, "the field 'Choices' is required in a Choice state")
    elif not isinstance(choices, list) or not choices:
        ctx.add(field_pointer, "'Choices' must be a non-empty array of rules")
    else:
        for index, rule in enumerate(choices):
            _check_rule(ctx, rule, join(field_pointer, index), language, top=True)


def _check_rule(ctx: Context, rule: Any, pointer: str, language: str, top: bool) -> None:
    """One Choice rule; `top` rules transition (Next), nested ones (in And/Or/Not) do not."""
    if not isinstance(rule, dict):
        ctx.add(pointer, "a choice rule must be an object")
        return
    check_unknown_fields(ctx, rule, pointer, _RULE_FIELDS[language], "in a choice rule",
                         _RULE_FIELDS[other(language)] - _RULE_FIELDS[language], language)
    if top and "Next" not in rule:
        ctx.add(pointer, "the field 'Next' is required in a top-level choice rule")
    for field in ("Next", "Assign", "Output"):
        if not top and field in rule:
            ctx.add(join(pointer, field), f"'{field}' is allowed only in a top-level choice"
                                          " rule, not inside And, Or or Not")
    if "Assign" in rule and top:
        check_assign(ctx, rule["Assign"], join(pointer, "Assign"), language)
    if language == JSONATA:
        _check_condition(ctx, rule, pointer)
    else:
        _check_comparison(ctx, rule, pointer, language)


def _check_condition(ctx: Context, rule: dict, pointer: str) -> None:
    if "Output" in rule:
        check_expressions(ctx, rule["Output"], join(pointer, "Output"))
    if "Condition" not in rule:
        ctx.add(pointer, "the field 'Condition' is required in a JSONata choice rule")
        return
    condition = rule["Condition"]
    if is_expression(condition):
        check_expressions(ctx, condition, join(pointer, "Condition"))
    elif not isinstance(condition, bool):
        ctx.add(join(pointer, "Condition"),
                "'Condition' must be a boolean or a JSONata expression '{% ... %}'")


def _check_comparison(ctx: Context, rule: dict, pointer: str, language: str) -> None:
    operators = [k for k in rule if k in COMPARISON_OPERATORS or k in BOOLEAN_COMBINATORS]
    if len(operators) != 1:
        found = f"found {', '.join(operators)}" if operators else "found none"
        ctx.add(pointer, "a choice rule needs exactly one comparison operator or And/Or/Not"
                         f" ({found})")
    for operator in operators:
        if operator in BOOLEAN_COMBINATORS:
            _check_combinator(ctx, rule, operator, pointer, language)
        else:
            _check_operator_value(ctx, operator, rule[operator], join(pointer, operator))
    comparison = any(op in COMPARISON_OPERATORS for op in operators)
    if comparison:
        _check_variable(ctx, rule, pointer)
    elif "Variable" in rule and operators:
        ctx.add(join(pointer, "Variable"), "'Variable' is not allowed with And, Or or Not")


def _check_variable(ctx: Context, rule: dict, pointer: str) -> None:
    variable = rule.get("Variable")
    if "Variable" not in rule:
        ctx.add(pointer, "the field 'Variable' is required with a comparison operator")
    elif not isinstance(variable, str) or not variable.startswith("$"):
        ctx.add(join(pointer, "Variable"), "'Variable' must be a path string starting with '$'")


def _check_combinator(
    ctx: Context, rule: dict, operator: str, pointer: str, language: str
) -> None:
    value = rule[operator]
    field_pointer = join(pointer, operator)
    if operator == "Not":
        _check_rule(ctx, value, field_pointer, language, top=False)
    elif not isinstance(value, list) or not value:
        ctx.add(field_pointer, f"'{operator}' must be a non-empty array of choice rules")
    else:
        for index, nested in enumerate(value):
            _check_rule(ctx, nested, join(field_pointer, index), language, top=False)


def _check_operator_value(ctx: Context, operator: str, value: Any, pointer: str) -> None:
    if operator in PATH_OPERATORS:
        ok, expected = isinstance(value, str) and value.startswith("$"), "a path string ('$...')"
    elif operator in NUMERIC_OPERATORS:
        ok, expected = is_number(value), "a number"
    elif operator in BOOLEAN_OPERATORS:
        ok, expected = isinstance(value, bool), "a boolean"
    elif operator in TIMESTAMP_OPERATORS:
        ok, expected = is_timestamp(value), "an RFC 3339 timestamp string"
    else:
        ok, expected = isinstance(value, str), "a string"
    if not ok:
        ctx.add(pointer, f"the value of '{operator}' must be {expected}")
