"""What each object of a definition may hold: the two query languages, the limits on names and
numbers, and the fields allowed per state type and language (and at the top level, in branches,
Map processors, retriers and catchers).
"""

from __future__ import annotations

from collections.abc import Iterable

JSONPATH = "JSONPath"
JSONATA = "JSONata"
LANGUAGES = (JSONPATH, JSONATA)

MAX_STATE_NAME = 80
MAX_VARIABLE_NAME = 80
MAX_LABEL = 40
MAX_SECONDS = 99_999_999
MAX_BATCH_BYTES = 262_144


# --- field tables -------------------------------------------------------------------------
# For each state type: fields allowed in both languages, JSONPath-only and JSONata-only.

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End", "Assign"})
_PATH_IO = frozenset({"InputPath", "OutputPath"})
_PATH_RESULT = _PATH_IO | {"ResultPath", "Parameters", "ResultSelector"}


def _fields(both: Iterable[str], path: Iterable[str], ata: Iterable[str]) -> dict[str, frozenset]:
    return {"both": _COMMON | frozenset(both), JSONPATH: frozenset(path), JSONATA: frozenset(ata)}


STATE_FIELDS: dict[str, dict[str, frozenset]] = {
    "Task": _fields(
        _FLOW | {"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"},
        _PATH_RESULT | {"TimeoutSecondsPath", "HeartbeatSecondsPath"},
        {"Output", "Arguments"},
    ),
    "Parallel": _fields(
        _FLOW | {"Branches", "Retry", "Catch"}, _PATH_RESULT, {"Output", "Arguments"}
    ),
    "Map": _fields(
        _FLOW
        | {"ItemProcessor", "Iterator", "ItemReader", "ItemSelector", "ItemBatcher"}
        | {"ResultWriter", "MaxConcurrency", "ToleratedFailureCount", "Label", "Retry", "Catch"}
        | {"ToleratedFailurePercentage"},
        _PATH_RESULT
        | {"ItemsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath"}
        | {"ToleratedFailurePercentagePath"},
        {"Output", "Items"},
    ),
    "Pass": _fields(_FLOW, _PATH_IO | {"ResultPath", "Parameters", "Result"}, {"Output"}),
    "Wait": _fields(
        _FLOW | {"Seconds", "Timestamp"}, _PATH_IO | {"SecondsPath", "TimestampPath"}, {"Output"}
    ),
    "Choice": _fields({"Choices", "Default", "Assign"}, _PATH_IO, {"Output"}),
    "Succeed": _fields((), _PATH_IO, {"Output"}),
    "Fail": _fields({"Error", "Cause"}, {"ErrorPath", "CausePath"}, ()),
}

TOP_LEVEL_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
BRANCH_FIELDS = frozenset({"Comment", "StartAt", "States"})
PROCESSOR_FIELDS = BRANCH_FIELDS | {"ProcessorConfig"}

RETRIER_FIELDS = frozenset(
    {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"}
    | {"JitterStrategy", "Comment"}
)
CATCHER_FIELDS = {
    "both": frozenset({"ErrorEquals", "Next", "Comment", "Assign"}),
    JSONPATH: frozenset({"ResultPath"}),
    JSONATA: frozenset({"Output"}),
}

# What to write instead, when a field belongs to the other query language.
LANGUAGE_HINTS = {
    "InputPath": "use 'Arguments' or the expressions themselves ($states.input)",
    "OutputPath": "use 'Output'",
    "ResultPath": "use 'Output' (and 'Assign')",
    "ResultSelector": "use 'Output'",
    "Parameters": "use 'Arguments' (Task, Parallel), 'ItemSelector' (Map) or 'Output' (Pass)",
    "Result": "use 'Output'",
    "ItemsPath": "use 'Items'",
    "Output": "use 'OutputPath', 'ResultSelector' or 'ResultPath'",
    "Arguments": "use 'Parameters'",
    "Items": "use 'ItemsPath'",
    "Condition": "use 'Variable' with a comparison operator",
    "Variable": "use 'Condition' with a JSONata expression",
}


def other(language: str) -> str:
    return JSONATA if language == JSONPATH else JSONPATH
