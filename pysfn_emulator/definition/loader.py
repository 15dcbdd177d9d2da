"""Definition dict → frozen model, compiling every path, template, intrinsic, JSONata
expression and Choice rule once.

The loader reports what it cannot compile as Problems (with JSON pointers) rather than
stopping at the first, so `validate` can list them all. Structure (fields, types, names) is
checked beforehand by `validation.structural_problems`.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Problem, pointer_token
from ..core.jsontext import message_text
from ..core.timestamps import parse_timestamp
from ..query import jsonata
from ..query.choice import compile_rule
from ..query.intrinsics import parse_intrinsic
from ..query.jsonpath import compile_path, compile_reference_path
from ..query.payload import Evaluator, TemplateSyntaxError, compile_expression, compile_template
from ..query.pipeline import DataIO, Env, PathIO
from . import model

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

    def problem(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))

    # -- JSONPath fields -----------------------------------------------------------------
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

    def expression(self, spec: dict, field: str, pointer: str, string_only: bool = False) -> model.Value | None:
        """A `…Path` field holding a path or an intrinsic, as a Value of the effective input."""
        if field not in spec:
            return None
        text = spec[field]
        if string_only and isinstance(text, str) and text.startswith("States."):
            try:
                if not parse_intrinsic(text).returns_string:
                    self.problem(f"{pointer}/{field}", f"The value for the field '{field}' must be a valid JSONPath or a string-returning intrinsic function")
                    return None
            except ValueError:
                pass  # compile_expression reports it
        try:
            evaluate = compile_expression(field, text)
        except TemplateSyntaxError as error:
            self.problem(f"{pointer}/{field}", str(error))
            return None
        return lambda data, env: evaluate(data, env.context, env.variables, env.rng)

    # -- JSONata fields ------------------------------------------------------------------
    def data(self, spec: dict, field: str, pointer: str, expect: str | None = None) -> jsonata.Evaluator | None:
        """A JSONata field (any JSON, `{% %}` strings evaluated) as (states, variables, runtime);
        with `expect`, an expression must give a value of that JSONata type."""
        if field not in spec:
            return None
        try:
            return jsonata.compile_value(spec[field], field, expect=expect)
        except ValueError as error:
            self.problem(f"{pointer}/{field}", str(error))
            return None

    def data_value(self, spec: dict, field: str, pointer: str, expect: str | None = None) -> model.Value | None:
        """A JSONata field read from the state's input, as a Value."""
        evaluate = self.data(spec, field, pointer, expect)
        if evaluate is None:
            return None
        return lambda raw, env: evaluate({"input": raw, "context": env.context}, env.variables, env.runtime)

    # -- machines and states -------------------------------------------------------------
    def machine(self, spec: dict, pointer: str, language: str) -> model.Machine:
        states = {}
        for name, state_spec in (spec.get("States") or {}).items():
            state_pointer = f"{pointer}/States/{pointer_token(name)}"
            jsonata_state = state_spec.get("QueryLanguage", language) == JSONATA
            states[name] = self.state(name, state_spec, state_pointer, language, jsonata_state)
        return model.Machine(
            start_at=spec.get("StartAt", ""),
            states=states,
            timeout_seconds=spec.get("TimeoutSeconds"),
            comment=spec.get("Comment"),
        )

    def state(self, name: str, spec: dict, pointer: str, language: str, data: bool) -> model.State:
        kind = spec.get("Type")
        build = getattr(self, f"state_{str(kind).lower()}", None)
        common = {
            "name": name,
            "type": kind,
            "io": self.data_io(spec, pointer) if data else self.path_io(spec, pointer),
            "next": spec.get("Next"),
            "comment": spec.get("Comment"),
        }
        if build is None:
            self.problem(f"{pointer}/Type", f"unknown state type {kind!r}")
            return model.Succeed(**common)
        return build(spec, pointer, common, language, data)

    def path_io(self, spec: dict, pointer: str) -> PathIO:
        is_map = spec.get("Type") == "Map"
        return PathIO(
            input_path=self.path(spec, "InputPath", pointer),
            parameters=None if is_map else self.template(spec, "Parameters", pointer),
            result_selector=self.template(spec, "ResultSelector", pointer),
            result_path=self.path(spec, "ResultPath", pointer, reference=True),
            output_path=self.path(spec, "OutputPath", pointer),
            assign=self.template(spec, "Assign", pointer),
        )

    def data_io(self, spec: dict, pointer: str) -> DataIO:
        return DataIO(
            arguments_=self.data(spec, "Arguments", pointer),
            output_=self.data(spec, "Output", pointer),
            assign=self.data(spec, "Assign", pointer),
        )

    def state_pass(self, spec, pointer, common, language, data):
        return model.Pass(**common, result=spec.get("Result"), has_result="Result" in spec)

    def state_succeed(self, spec, pointer, common, language, data):
        return model.Succeed(**common)

    def state_fail(self, spec, pointer, common, language, data):
        if data:
            # As AWS fails a JSONata Items that is not an array (recorded): an Error or Cause
            # that is not a string is a States.QueryEvaluationError.
            error, cause = self.data_value(spec, "Error", pointer, "string"), self.data_value(spec, "Cause", pointer, "string")
            return model.Fail(**common, error=error, cause=cause)
        error = self.expression(spec, "ErrorPath", pointer, string_only=True) or _literal(spec, "Error")
        cause = self.expression(spec, "CausePath", pointer, string_only=True) or _literal(spec, "Cause")
        return model.Fail(**common, error=error, cause=cause, error_path=spec.get("ErrorPath"), cause_path=spec.get("CausePath"))

    def state_wait(self, spec, pointer, common, language, data):
        fields: dict[str, Any] = {}
        for field in ("Seconds", "Timestamp"):
            value = spec.get(field)
            if data and jsonata.is_expression(value):
                fields[f"{field.lower()}_expression"] = self.data_value(spec, field, pointer)
        if "seconds_expression" not in fields:
            fields["seconds"] = spec.get("Seconds")
        if "timestamp_expression" not in fields and isinstance(spec.get("Timestamp"), str):
            fields["timestamp"] = parse_timestamp(spec["Timestamp"])
            if fields["timestamp"] is None:
                self.problem(f"{pointer}/Timestamp", "The Timestamp field must be a valid ISO-8601 extended offset date-time")
        return model.Wait(
            **common,
            **fields,
            seconds_path=self.path(spec, "SecondsPath", pointer, reference=True),
            timestamp_path=self.path(spec, "TimestampPath", pointer, reference=True),
        )

    def state_choice(self, spec, pointer, common, language, data):
        rules = []
        for index, rule in enumerate(spec.get("Choices") or []):
            rule_pointer = f"{pointer}/Choices/{index}"
            if data:
                condition = self.data_value(rule, "Condition", rule_pointer)
                matches = _truthy(condition) if condition else (lambda raw, env: False)
                assign, output = self.data(rule, "Assign", rule_pointer), self.data(rule, "Output", rule_pointer)
            else:
                try:
                    compiled = compile_rule(rule)
                except ValueError as error:
                    self.problem(rule_pointer, str(error))
                    continue
                matches = _path_rule(compiled)
                assign, output = self.template(rule, "Assign", rule_pointer), None
            rules.append(model.ChoiceRule(matches, rule.get("Next", ""), assign, output))
        return model.Choice(**common, choices=tuple(rules), default=spec.get("Default"))

    def retrying(self, spec: dict, pointer: str, data: bool) -> dict:
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
        catchers = []
        for i, c in enumerate(spec.get("Catch") or []):
            where = f"{pointer}/Catch/{i}"
            catchers.append(
                model.Catcher(
                    error_equals=tuple(c.get("ErrorEquals", ())),
                    next=c.get("Next", ""),
                    result_path=None if data else self.path(c, "ResultPath", where, reference=True),
                    assign=self.data(c, "Assign", where) if data else self.template(c, "Assign", where),
                    output=self.data(c, "Output", where) if data else None,
                )
            )
        return {"retriers": retriers, "catchers": tuple(catchers)}

    def state_task(self, spec, pointer, common, language, data):
        fields: dict[str, Any] = {}
        for field, key in (("TimeoutSeconds", "timeout"), ("HeartbeatSeconds", "heartbeat")):
            if data and jsonata.is_expression(spec.get(field)):
                fields[f"{key}_expression"] = self.data_value(spec, field, pointer)
            else:
                fields[f"{key}_seconds"] = spec.get(field)
        return model.Task(
            **common,
            **self.retrying(spec, pointer, data),
            **fields,
            resource=spec.get("Resource", ""),
            timeout_seconds_path=self.path(spec, "TimeoutSecondsPath", pointer, reference=True),
            heartbeat_seconds_path=self.path(spec, "HeartbeatSecondsPath", pointer, reference=True),
            credentials=None if data else self.template(spec, "Credentials", pointer),
        )

    def state_parallel(self, spec, pointer, common, language, data):
        branches = tuple(
            self.machine(branch, f"{pointer}/Branches/{i}", language)
            for i, branch in enumerate(spec.get("Branches") or [])
        )
        return model.Parallel(**common, **self.retrying(spec, pointer, data), branches=branches)

    def state_map(self, spec, pointer, common, language, data):
        processor_field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor_spec = spec.get(processor_field) or {}
        config = processor_spec.get("ProcessorConfig") or {}
        if "ResultWriter" in spec and config.get("Mode") != "DISTRIBUTED":
            self.unsupported.append(Problem(f"{pointer}/ResultWriter", "ResultWriter is emulated on a distributed Map only"))
        fields: dict[str, Any] = {}
        if data:
            fields["items"] = self.data_value(spec, "Items", pointer)
            fields["items_text"] = _expression_text(spec.get("Items"))
            fields["item_selector_data"] = self.data(spec, "ItemSelector", pointer)
            for field, key in (
                ("MaxConcurrency", "max_concurrency"),
                ("ToleratedFailureCount", "tolerated_failure_count"),
                ("ToleratedFailurePercentage", "tolerated_failure_percentage"),
            ):
                if jsonata.is_expression(spec.get(field)):
                    fields[f"{key}_expression"] = self.data_value(spec, field, pointer)
                elif field in spec:
                    fields[key] = spec[field]
        else:
            selector_field = "ItemSelector" if "ItemSelector" in spec else "Parameters"
            fields.update(
                items_path=self.path(spec, "ItemsPath", pointer, reference=True),
                item_selector=self.template(spec, selector_field, pointer),
                max_concurrency=spec.get("MaxConcurrency", 0),
                max_concurrency_path=self.path(spec, "MaxConcurrencyPath", pointer, reference=True),
                tolerated_failure_count=spec.get("ToleratedFailureCount"),
                tolerated_failure_count_path=self.path(spec, "ToleratedFailureCountPath", pointer, reference=True),
                tolerated_failure_percentage=spec.get("ToleratedFailurePercentage"),
                tolerated_failure_percentage_path=self.path(spec, "ToleratedFailurePercentagePath", pointer, reference=True),
            )
        return model.Map(
            **common,
            **self.retrying(spec, pointer, data),
            **fields,
            processor=self.machine(processor_spec, f"{pointer}/{processor_field}", language),
            distributed=config.get("Mode") == "DISTRIBUTED",
            child_execution_type=config.get("ExecutionType", "STANDARD"),
            item_batcher=self.item_batcher(spec, pointer, data),
            item_reader=self.item_reader(spec, pointer, data),
            result_writer=self.result_writer(spec, pointer, data),
            label=spec.get("Label"),
        )

    def item_reader(self, spec: dict, pointer: str, data: bool) -> model.ItemReader | None:
        reader = spec.get("ItemReader")
        if not isinstance(reader, dict):
            return None
        where = f"{pointer}/ItemReader"
        config = reader.get("ReaderConfig") if isinstance(reader.get("ReaderConfig"), dict) else {}
        expression = None
        if data and jsonata.is_expression(config.get("MaxItems")):
            expression = self.data_value(config, "MaxItems", f"{where}/ReaderConfig")
        return model.ItemReader(
            resource=reader.get("Resource", ""),
            parameters=None if data else self.template(reader, "Parameters", where),
            arguments=self.data(reader, "Arguments", where) if data else None,
            config=dict(config),
            max_items_path=None if data else self.path(config, "MaxItemsPath", f"{where}/ReaderConfig", reference=True),
            max_items_expression=expression,
        )

    def result_writer(self, spec: dict, pointer: str, data: bool) -> model.ResultWriter | None:
        writer = spec.get("ResultWriter")
        if not isinstance(writer, dict):
            return None
        where = f"{pointer}/ResultWriter"
        config = writer.get("WriterConfig")
        return model.ResultWriter(
            resource=writer.get("Resource"),
            parameters=None if data else self.template(writer, "Parameters", where),
            arguments=self.data(writer, "Arguments", where) if data else None,
            config=dict(config) if isinstance(config, dict) else {},
        )

    def item_batcher(self, spec: dict, pointer: str, data: bool) -> model.ItemBatcher | None:
        batcher = spec.get("ItemBatcher")
        if not isinstance(batcher, dict):
            return None
        where = f"{pointer}/ItemBatcher"
        if data:  # each field a literal or a JSONata expression; no `…Path` fields
            limits = {}
            for field, key in (("MaxItemsPerBatch", "max_items"), ("MaxInputBytesPerBatch", "max_bytes")):
                if jsonata.is_expression(batcher.get(field)):
                    limits[f"{key}_expression"] = self.data_value(batcher, field, where)
                else:
                    limits[key] = batcher.get(field)
            return model.ItemBatcher(**limits, batch_input_data=self.data(batcher, "BatchInput", where))
        return model.ItemBatcher(
            max_items=batcher.get("MaxItemsPerBatch"),
            max_items_path=self.path(batcher, "MaxItemsPerBatchPath", where, reference=True),
            max_bytes=batcher.get("MaxInputBytesPerBatch"),
            max_bytes_path=self.path(batcher, "MaxInputBytesPerBatchPath", where, reference=True),
            batch_input=self.template(batcher, "BatchInput", where),
        )


def load(definition: dict) -> tuple[model.Machine, list[Problem], list[Problem]]:
    """Compile a structurally valid definition: (machine, problems, unsupported features)."""
    loader = _Loader()
    machine = loader.machine(definition, "", definition.get("QueryLanguage", "JSONPath"))
    return machine, loader.problems, loader.unsupported


def _literal(spec: dict, field: str) -> model.Value | None:
    if field not in spec:
        return None
    value = spec[field]
    return lambda data, env: value


def _path_rule(rule: Any) -> model.Value:
    evaluate = rule.evaluate
    return lambda data, env: evaluate(data, env.context, env.variables)


def _truthy(condition: model.Value) -> model.Value:
    def matches(raw: Any, env: Env) -> bool:
        value = condition(raw, env)
        if not isinstance(value, bool):
            raise jsonata.QueryEvaluationError(
                f"The Condition field must evaluate to a boolean, but was: {message_text(value)}", "Condition"
            )
        return value

    return matches


def _expression_text(value: Any) -> str | None:
    if jsonata.is_expression(value):
        return value.strip()[2:-2].strip()
    return None
