"""Definition dict → frozen model, compiling every path, template, intrinsic and rule once.

The loader reports what it cannot compile as Problems (with JSON pointers) rather than
stopping at the first, so `validate` can list them all. Structure (fields, types, names) is
checked beforehand by `validation.structural_problems`.
"""

from __future__ import annotations

from typing import Any

from . import model
from .choice import compile_rule
from .errors import Problem
from .jsonpath import Path, compile_path, compile_reference_path
from .payload import Evaluator, TemplateSyntaxError, compile_expression, compile_template
from .timestamps import parse_timestamp

JSONATA = "JSONata"


class NotSupportedError(Exception):
    """A valid definition using a feature this emulator does not run yet."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("not supported by pysfn yet:\n" + "\n".join(f"  {p}" for p in problems))


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.unsupported: list[Problem] = []

    # -- helpers -----------------------------------------------------------------------
    def problem(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))

    def path(self, spec: dict, field: str, pointer: str, reference: bool = False) -> Any:
        """A path field: None when absent, DISCARD when null, else a compiled Path."""
        if field not in spec:
            return None
        text = spec[field]
        if text is None:
            return model.DISCARD
        try:
            return compile_reference_path(text) if reference else compile_path(text)
        except ValueError as error:
            self.problem(f"{pointer}/{field}", f"The value for the field '{field}' must be a valid JSONPath: {error}")
            return None

    def template(self, spec: dict, field: str, pointer: str) -> Evaluator | None:
        if field not in spec:
            return None
        try:
            return compile_template(spec[field])
        except TemplateSyntaxError as error:
            self.problem(f"{pointer}/{field}", f"{error} (field '{error.field}')")
            return None

    def expression(self, spec: dict, field: str, pointer: str) -> Evaluator | None:
        if field not in spec:
            return None
        try:
            return compile_expression(field, spec[field])
        except TemplateSyntaxError as error:
            self.problem(f"{pointer}/{field}", str(error))
            return None

    # -- machines and states -------------------------------------------------------------
    def machine(self, spec: dict, pointer: str, language: str) -> model.Machine:
        states = {}
        for name, state_spec in (spec.get("States") or {}).items():
            state_pointer = f"{pointer}/States/{_escape(name)}"
            state_language = state_spec.get("QueryLanguage", language)
            if state_language == JSONATA:
                self.unsupported.append(Problem(state_pointer, "the JSONata query language (planned)"))
                continue
            states[name] = self.state(name, state_spec, state_pointer, language)
        return model.Machine(
            start_at=spec.get("StartAt", ""),
            states=states,
            timeout_seconds=spec.get("TimeoutSeconds"),
            comment=spec.get("Comment"),
        )

    def state(self, name: str, spec: dict, pointer: str, language: str) -> model.State:
        kind = spec.get("Type")
        build = getattr(self, f"state_{str(kind).lower()}", None)
        common = {
            "name": name,
            "type": kind,
            "io": self.io(spec, pointer),
            "next": spec.get("Next"),
            "comment": spec.get("Comment"),
        }
        if build is None:
            self.problem(f"{pointer}/Type", f"unknown state type {kind!r}")
            return model.Succeed(**common)
        return build(spec, pointer, common, language)

    def io(self, spec: dict, pointer: str) -> model.IO:
        parameters_field = "ItemSelector" if "ItemSelector" in spec else "Parameters"
        is_map = spec.get("Type") == "Map"
        return model.IO(
            input_path=self.path(spec, "InputPath", pointer),
            parameters=None if is_map else self.template(spec, parameters_field, pointer),
            result_selector=self.template(spec, "ResultSelector", pointer),
            result_path=self.path(spec, "ResultPath", pointer, reference=True),
            output_path=self.path(spec, "OutputPath", pointer),
            assign=self.template(spec, "Assign", pointer),
        )

    def state_pass(self, spec, pointer, common, language):
        return model.Pass(**common, result=spec.get("Result"), has_result="Result" in spec)

    def state_succeed(self, spec, pointer, common, language):
        return model.Succeed(**common)

    def state_fail(self, spec, pointer, common, language):
        error = self.expression(spec, "ErrorPath", pointer) or _literal(spec, "Error")
        cause = self.expression(spec, "CausePath", pointer) or _literal(spec, "Cause")
        return model.Fail(**common, error=error, cause=cause)

    def state_wait(self, spec, pointer, common, language):
        timestamp = None
        if isinstance(spec.get("Timestamp"), str):
            timestamp = parse_timestamp(spec["Timestamp"])
            if timestamp is None:
                self.problem(f"{pointer}/Timestamp", "The Timestamp field must be a valid ISO-8601 extended offset date-time")
        return model.Wait(
            **common,
            seconds=spec.get("Seconds"),
            seconds_path=self.path(spec, "SecondsPath", pointer, reference=True),
            timestamp=timestamp,
            timestamp_path=self.path(spec, "TimestampPath", pointer, reference=True),
        )

    def state_choice(self, spec, pointer, common, language):
        rules, assigns = [], []
        for index, rule in enumerate(spec.get("Choices") or []):
            try:
                rules.append(compile_rule(rule))
            except ValueError as error:
                self.problem(f"{pointer}/Choices/{index}", str(error))
                continue
            assigns.append(self.template(rule, "Assign", f"{pointer}/Choices/{index}"))
        return model.Choice(
            **common, choices=tuple(rules), rule_assigns=tuple(assigns), default=spec.get("Default")
        )

    def retrying(self, spec: dict, pointer: str) -> dict:
        retriers = tuple(
            model.Retrier(
                error_equals=tuple(r.get("ErrorEquals", ())),
                interval_seconds=r.get("IntervalSeconds", 1),
                max_attempts=r.get("MaxAttempts", 3),
                backoff_rate=r.get("BackoffRate", 2.0),
                max_delay_seconds=r.get("MaxDelaySeconds"),
                jitter=r.get("JitterStrategy") == "FULL",
            )
            for r in spec.get("Retry") or []
        )
        catchers = tuple(
            model.Catcher(
                error_equals=tuple(c.get("ErrorEquals", ())),
                next=c.get("Next", ""),
                result_path=self.path(c, "ResultPath", f"{pointer}/Catch/{i}", reference=True),
                assign=self.template(c, "Assign", f"{pointer}/Catch/{i}"),
            )
            for i, c in enumerate(spec.get("Catch") or [])
        )
        return {"retriers": retriers, "catchers": catchers}

    def state_task(self, spec, pointer, common, language):
        return model.Task(
            **common,
            **self.retrying(spec, pointer),
            resource=spec.get("Resource", ""),
            timeout_seconds=spec.get("TimeoutSeconds"),
            timeout_seconds_path=self.path(spec, "TimeoutSecondsPath", pointer, reference=True),
            heartbeat_seconds=spec.get("HeartbeatSeconds"),
            heartbeat_seconds_path=self.path(spec, "HeartbeatSecondsPath", pointer, reference=True),
            credentials=self.template(spec, "Credentials", pointer),
        )

    def state_parallel(self, spec, pointer, common, language):
        branches = tuple(
            self.machine(branch, f"{pointer}/Branches/{i}", language)
            for i, branch in enumerate(spec.get("Branches") or [])
        )
        return model.Parallel(**common, **self.retrying(spec, pointer), branches=branches)

    def state_map(self, spec, pointer, common, language):
        processor_field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor_spec = spec.get(processor_field) or {}
        config = processor_spec.get("ProcessorConfig") or {}
        selector_field = "ItemSelector" if "ItemSelector" in spec else "Parameters"
        batcher = None
        if isinstance(spec.get("ItemBatcher"), dict):
            b = spec["ItemBatcher"]
            bp = f"{pointer}/ItemBatcher"
            batcher = model.ItemBatcher(
                max_items=b.get("MaxItemsPerBatch"),
                max_items_path=self.path(b, "MaxItemsPerBatchPath", bp, reference=True),
                max_bytes=b.get("MaxInputBytesPerBatch"),
                max_bytes_path=self.path(b, "MaxInputBytesPerBatchPath", bp, reference=True),
                batch_input=self.template(b, "BatchInput", bp),
            )
        if "ItemReader" in spec:
            self.unsupported.append(Problem(f"{pointer}/ItemReader", "Map ItemReader (reading items from S3) is not emulated yet"))
        return model.Map(
            **common,
            **self.retrying(spec, pointer),
            processor=self.machine(processor_spec, f"{pointer}/{processor_field}", language),
            distributed=config.get("Mode") == "DISTRIBUTED",
            items_path=self.path(spec, "ItemsPath", pointer, reference=True),
            item_selector=self.template(spec, selector_field, pointer),
            max_concurrency=spec.get("MaxConcurrency", 0),
            max_concurrency_path=self.path(spec, "MaxConcurrencyPath", pointer, reference=True),
            tolerated_failure_count=spec.get("ToleratedFailureCount"),
            tolerated_failure_count_path=self.path(spec, "ToleratedFailureCountPath", pointer, reference=True),
            tolerated_failure_percentage=spec.get("ToleratedFailurePercentage"),
            tolerated_failure_percentage_path=self.path(spec, "ToleratedFailurePercentagePath", pointer, reference=True),
            item_batcher=batcher,
            label=spec.get("Label"),
        )


def load(definition: dict) -> tuple[model.Machine, list[Problem], list[Problem]]:
    """Compile a structurally valid definition: (machine, problems, unsupported features)."""
    loader = _Loader()
    machine = loader.machine(definition, "", definition.get("QueryLanguage", "JSONPath"))
    return machine, loader.problems, loader.unsupported


def _literal(spec: dict, field: str) -> Evaluator | None:
    if field not in spec:
        return None
    value = spec[field]
    return lambda data, context, variables: value


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


__all__ = ["load", "NotSupportedError", "Path"]
