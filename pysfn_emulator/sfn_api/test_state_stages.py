"""The stages of TestState's inspectionData that a history does not record, each computed by
the emulator itself on the value before it: a JSONPath state's afterInputPath, a Pass state's
afterParameters, afterResultSelector and afterResultPath (the state's own field in a Pass
state), and a Map state's afterItemsPath, afterItemSelector and afterItemBatcher (the Map
itself, its iterations a Pass state that returns its input), maxConcurrency and its tolerated
failures (the state's own fields, evaluated).
"""

from __future__ import annotations

import json
from typing import Any

import pysfn_emulator

from .executions import dump_json

SETUP = "pysfn-test-state-setup"
_ITEM = "pysfn-test-state-item"
# A Map's fields that say how its iterations are run, not which items they get.
_RUN_FIELDS = ("ResultSelector", "ResultPath", "OutputPath", "Output", "Assign", "Catch", "Retry", "ResultWriter",
               "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
               "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label", "Next", "End")


def setup_state(variables: dict, next_state: str) -> dict:
    """A first Pass state that assigns the test's variables and passes the test's input on
    (the machine's input is {"variables": ..., "input": ...})."""
    return {"Type": "Pass", "QueryLanguage": "JSONPath", "OutputPath": "$.input", "Next": next_state,
            "Assign": {f"{name}.$": f"$.variables[{json.dumps(name)}]" for name in variables}}


class Stages:
    def __init__(self, name: str, state: dict, input_value: Any, variables: dict, query_language: str | None,
                 options: dict):
        self.name = name
        self.state = state
        self.input = input_value
        self.variables = variables
        self.language = query_language or "JSONPath"
        self.jsonata = self.language == "JSONata"
        self.options = options
        self.items_failure: tuple[str | None, str | None] | None = None  # the Map's items could not be had
        self.items_count: int | None = None

    # -- JSONPath data flow -------------------------------------------------------------------

    def fill(self, data: dict, succeeded: bool) -> None:
        kind = self.state.get("Type")
        if self.jsonata:  # JSONata has Arguments and Output, no paths (recorded: no afterResultPath)
            if "afterParameters" in data:  # a JSONata Task's Arguments
                data["afterArguments"] = data.pop("afterParameters")
            data.pop("afterResultPath", None)
            return
        state = self.state
        after_input = self.through({"InputPath": state["InputPath"]}, self.input) if "InputPath" in state else \
            dump_json(self.input)
        if kind != "Parallel":  # recorded: AWS shows a Parallel state's afterInputPath not
            data["afterInputPath"] = after_input
        if "Parameters" in state and kind not in ("Task", "Map") and after_input is not None:
            data["afterParameters"] = self.through({"Parameters": state["Parameters"]}, json.loads(after_input))
        if not succeeded or "result" not in data:
            return
        after_selector = data["result"]
        if "ResultSelector" in state:
            after_selector = self.through({"Parameters": state["ResultSelector"]}, json.loads(data["result"]))
            data["afterResultSelector"] = after_selector
        elif kind in ("Map", "Parallel"):  # recorded: a Map or Parallel shows it without a ResultSelector
            data["afterResultSelector"] = after_selector
        if after_selector is not None:
            data["afterResultPath"] = self.through(
                {"Result": json.loads(after_selector), "ResultPath": state.get("ResultPath", "$")}, self.input)

    def through(self, fields: dict, value: Any) -> str | None:
        """The output of a Pass state with these fields, on this input and the test's variables."""
        execution = self._run({"Type": "Pass", **fields, "End": True}, value, "Stage")
        return dump_json(execution.output) if execution is not None and execution.status == "SUCCEEDED" else None

    def _run(self, state: dict, value: Any, name: str) -> Any:
        states: dict[str, Any] = {}
        if self.variables:
            states[SETUP] = setup_state(self.variables, name)
            value = {"variables": self.variables, "input": value}
        states[name] = state
        definition = {"QueryLanguage": self.language, "StartAt": next(iter(states)), "States": states}
        try:
            return pysfn_emulator.run(definition, value, **self.options)
        except (pysfn_emulator.DefinitionError, pysfn_emulator.NotSupportedError, ValueError):
            return None

    # -- a Map state's items -----------------------------------------------------------------

    def map_items(self, data: dict) -> None:
        """afterItemsPath, afterItemSelector, afterItemBatcher, maxConcurrency and the tolerated
        failures; a failure to get the items is kept in `items_failure` (the Map fails with it)."""
        state = self.state
        plain = {key: value for key, value in state.items()
                 if key not in ("ItemSelector", "Parameters", "ItemBatcher")}
        items = self._items(plain)
        if items is None:
            return
        if not self.jsonata and "ItemReader" not in state:
            data["afterItemsPath"] = items
        self.items_count = len(json.loads(items))
        if "ItemSelector" in state or "Parameters" in state:
            data["afterItemSelector"] = self._items({k: v for k, v in state.items() if k != "ItemBatcher"})
        if "ItemBatcher" in state:
            data["afterItemBatcher"] = self._items(state)

    def settings(self, data: dict) -> None:
        data["maxConcurrency"] = self.setting("MaxConcurrency", 0)
        count = self.setting("ToleratedFailureCount", None)
        if count is not None:
            data["toleratedFailureCount"] = count
        percentage = self.setting("ToleratedFailurePercentage", None)
        if percentage is not None:
            data["toleratedFailurePercentage"] = float(percentage)

    def setting(self, field: str, default: Any) -> Any:
        """A Map's count or percentage field, evaluated: a number, its `...Path` on the state's
        input (after InputPath), or a JSONata expression."""
        state = self.state
        value = state.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        path = state.get(f"{field}Path")
        if isinstance(path, str) and not self.jsonata:
            fields = {"Parameters": {"value.$": path}}
            if "InputPath" in state:
                fields["InputPath"] = state["InputPath"]
            found = self.through(fields, self.input)
            return json.loads(found)["value"] if found is not None else default
        if isinstance(value, str) and self.jsonata:
            found = self.through({"Output": value}, self.input)
            return json.loads(found) if found is not None else default
        return default

    def _items(self, fields: dict) -> str | None:
        """The inputs of the Map's iterations, as the Map's own fields give them."""
        processor = dict(fields.get("ItemProcessor") or fields.get("Iterator") or {})
        processor.update(StartAt=_ITEM, States={_ITEM: {"Type": "Pass", "End": True}})
        map_state = {key: value for key, value in fields.items() if key not in _RUN_FIELDS + ("Iterator",)}
        map_state.update(ItemProcessor=processor, End=True)
        execution = self._run(map_state, self.input, self.name)
        if execution is None:
            return None
        if execution.status != "SUCCEEDED":
            if self.items_failure is None:
                self.items_failure = (execution.error, execution.cause)
            return None
        return dump_json(execution.output)
