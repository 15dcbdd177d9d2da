"""The JSON boundary (jsontext.loads / accept): numbers and strings that JSON and Python read
differently are decided where they enter, as AWS's parser decides them (docs/json-numbers.md),
so nothing later meets them. Each test here failed with a Python exception before."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime

import pytest

import pysfn_emulator
from pysfn_emulator import InvalidExecutionInput, MockConfigError
from pysfn_emulator.cli import main
from pysfn_emulator.core import jsontext
from pysfn_emulator.core.jsontext import PAYLOAD_LIMIT_BYTES, NotJson

BIG = 10**120 + 7  # 121 digits: exact in JSONPath (Jackson's BigInteger), a double in JSONata
HUGE = 10**400  # past a double's range: Infinity to JavaScript


def passing(parameters: dict) -> dict:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": parameters, "End": True}}}


def jsonata_output(expression: str) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": f"{{% {expression} %}}", "End": True}}}


ECHO = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def run(definition, input=None, **options):
    execution = pysfn_emulator.run(definition, input, **options)
    assert execution.history  # rendering the history must not fail either
    return execution


def unsupported(execution) -> bool:
    return execution.error == "States.QueryEvaluationError" and execution.cause.endswith("returned an unsupported result type.")


# --- reading JSON text --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("1e400", "Infinity"),
        ("-1e400", "-Infinity"),
        ("[1E+999, 2.5]", ["Infinity", 2.5]),
        ("1e-400", 0.0),
        ("-0", 0),
        (str(BIG), BIG),
        ('"\\ud800"', "\ud800"),
        ('"\\ud83d\\ude00"', "\U0001f600"),
    ],
)
def test_loads_reads_numbers_and_strings_as_jackson_does(text, value):
    assert jsontext.loads(text) == value


@pytest.mark.parametrize("text, pointer", [("NaN", ""), ('{"a": [1, Infinity]}', "/a/1"), ('{"b": -Infinity}', "/b")])
def test_loads_refuses_non_json_numbers_and_says_where(text, pointer):
    with pytest.raises(NotJson) as refused:
        jsontext.loads(text)
    assert refused.value.pointer == pointer
    assert "is not a JSON value" in str(refused.value)


def test_accept_copies_a_python_value_and_refuses_what_json_cannot_carry():
    plain = {"a": [1, 2.5, "é"], "big": BIG}
    assert jsontext.accept(plain) is plain  # nothing to change: no copy
    assert jsontext.accept({"t": (1, 2), "big": BIG, "pair": "\ud83d\ude00"}) == {"t": [1, 2], "big": BIG, "pair": "\U0001f600"}
    for value, pointer in [
        (math.nan, ""),
        ({"a": [0, math.inf]}, "/a/1"),
        ({"x/y": {1, 2}}, "/x~1y"),
        ([10**20000], "/0"),
    ]:
        with pytest.raises(NotJson) as refused:
            jsontext.accept(value)
        assert refused.value.pointer == pointer


# --- numbers -------------------------------------------------------------------------------


def test_a_big_integer_passes_exactly_through_jsonpath():
    execution = run(passing({"n.$": "$.n", "s.$": "States.Format('{}', $.n)"}), {"n": BIG})
    assert execution.output == {"n": BIG, "s": str(BIG)}
    assert str(BIG) in execution.history[-1]["executionSucceededEventDetails"]["output"]


def test_a_big_integer_is_a_double_in_jsonata():
    assert run(jsonata_output("$states.input.n * 1"), {"n": BIG}).output == float(BIG)
    assert run(jsonata_output("[$states.input.n]"), {"n": BIG}).output == [float(BIG)]


@pytest.mark.parametrize(
    "expression",
    ["[$states.input.n]", "$number($states.input.n)", "$states.input.n * 1", "$states.input.n + 0.5",
     "$string($states.input.n)", "$sort([$states.input.n, 1])", "{'a': $states.input.n}"],
)
def test_an_integer_past_the_double_range_is_infinity_to_jsonata(expression):
    execution = run(jsonata_output(expression), {"n": HUGE})  # OverflowError escaped before
    assert execution.status == "FAILED" and unsupported(execution), execution.cause


@pytest.mark.parametrize(
    "call, output",
    [
        ("States.StringToJson('1e400')", "Infinity"),
        ("States.StringToJson('[-1e400]')", ["-Infinity"]),
        ("States.Array(1e400)", ["Infinity"]),
        ("States.JsonToString(States.StringToJson('1e400'))", '"Infinity"'),
        ("States.Format('{}', 1e400)", "Infinity"),
        ("States.Hash(States.Array(1e400), 'MD5')", hashlib.md5(b'["Infinity"]').hexdigest()),
    ],
)
def test_a_number_past_the_double_range_is_what_jackson_writes_for_it(call, output):
    execution = run(passing({"v.$": call}))
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {"v": output}
    assert json.loads(execution.history[-1]["executionSucceededEventDetails"]["output"]) == {"v": output}


@pytest.mark.parametrize(
    "call, name",
    [
        ("States.MathAdd(1e400, 1)", "States.MathAdd"),
        ("States.MathAdd(States.StringToJson('1e400'), 1)", "States.MathAdd"),
        ("States.ArrayRange(1, 1e400, 1)", "States.ArrayRange"),
        ("States.StringToJson('NaN')", "States.StringToJson"),
        ("States.StringToJson('[Infinity]')", "States.StringToJson"),
    ],
)
def test_intrinsics_refuse_what_is_not_a_finite_number(call, name):
    execution = run(passing({"v.$": call}))
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith(f"Invalid arguments in {name}")


@pytest.mark.parametrize(
    "value, where",
    [(math.nan, "/n"), (math.inf, "/n"), (-math.inf, "/n"), ([1, math.nan], "/n/1")],
)
def test_an_input_holding_a_non_finite_number_is_refused_as_start_execution_refuses_it(value, where):
    with pytest.raises(InvalidExecutionInput, match=f"Invalid State Machine Execution Input: .* \\(at {where}\\)"):
        pysfn_emulator.run(passing({"n.$": "States.MathAdd($.n, 1)"}), {"n": value})
    with pytest.raises(InvalidExecutionInput):
        pysfn_emulator.start(ECHO, {"n": value})
    assert issubclass(InvalidExecutionInput, ValueError)


def test_an_input_that_is_not_json_is_refused():
    with pytest.raises(InvalidExecutionInput, match="a set is not a JSON value"):
        pysfn_emulator.run(ECHO, {"tags": {"a"}})


def test_a_handler_result_or_mock_result_holding_nan_never_reaches_the_execution():
    lambda_task = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:f", "End": True}}}
    execution = run(lambda_task, {}, lambdas={"f": lambda event, context: {"x": math.nan}})
    assert execution.error == "Runtime.MarshalError"
    config = {
        "StateMachines": {"m": {"TestCases": {"t": {"T": "nan"}}}},
        "MockedResponses": {"nan": {"0": {"Return": {"x": [math.nan]}}}},
    }
    with pytest.raises(MockConfigError, match="/Return/x/0"):
        pysfn_emulator.run(lambda_task, {}, mock_config=config, test_case="t", state_machine_name="m")
    with pytest.raises(MockConfigError, match="not valid JSON"):
        pysfn_emulator.run(lambda_task, {}, mock_config=json.dumps(config), test_case="t", state_machine_name="m")


# --- lone surrogates -----------------------------------------------------------------------


def test_a_lone_surrogate_passes_through_and_counts_one_byte():
    execution = run(passing({"s.$": "$.s", "h.$": "States.Hash($.s, 'MD5')"}), {"s": "\ud800"})
    assert execution.output == {"s": "\ud800", "h": hashlib.md5(b"?").hexdigest()}
    assert jsontext.size_in_bytes("\ud800") == 3  # '"?"', as Java's UTF-8 encoder writes it
    assert '"\ud800"' in execution.history[0]["executionStartedEventDetails"]["input"]


def test_the_payload_limit_counts_a_lone_surrogate_as_one_byte():
    fits = "\udc00" * (PAYLOAD_LIMIT_BYTES - 2)  # with its two quotes: exactly the limit
    assert run(ECHO, fits).status == "SUCCEEDED"
    execution = run(ECHO, fits + "\udc00")
    assert execution.error == "States.DataLimitExceeded"


def test_a_surrogate_pair_held_as_two_code_points_is_the_character():
    assert run(ECHO, {"s": "\ud83d\ude00"}).output == {"s": "\U0001f600"}


def test_a_lone_surrogate_in_jsonata():
    assert run(jsonata_output("$states.input.s & 'x'"), {"s": "\ud800"}).output == "\ud800x"


def test_the_cli_prints_a_lone_surrogate_as_its_json_escape(tmp_path, capsys):
    definition = tmp_path / "echo.json"
    definition.write_text(json.dumps(ECHO), encoding="utf-8")
    status = main([str(definition), "--input", '{"s": "\\ud800", "n": 1e400}', "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert json.loads(out)["output"] == {"s": "\ud800", "n": "Infinity"}
    status = main([str(definition), "--input", '"\\udfff"', "--history"])
    out, err = capsys.readouterr()
    assert status == 0 and "\\udfff" in out, err


# --- a distributed Map's ItemReader --------------------------------------------------------

GET_OBJECT = "arn:aws:states:::s3:getObject"


def reading_map(input_type: str) -> dict:
    return {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemReader": {"Resource": GET_OBJECT, "ReaderConfig": {"InputType": input_type}, "Parameters": {"Bucket": "b", "Key": "k"}},
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Keep",
                    "States": {"Keep": {"Type": "Pass", "End": True}},
                },
                "Catch": [{"ErrorEquals": ["States.ItemReaderFailed"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }


def uncaught(definition: dict) -> dict:
    del definition["States"]["Each"]["Catch"], definition["States"]["Caught"]
    return definition


def read(input_type: str, content) -> pysfn_emulator.Execution:
    return run(reading_map(input_type), {}, lambdas={GET_OBJECT: lambda event, context: content})


@pytest.mark.parametrize("input_type", ["CSV", "JSON", "JSONL"])
def test_item_reader_bytes_that_are_not_utf8_fail_the_read(input_type):
    definition = uncaught(reading_map(input_type))
    execution = run(definition, {}, lambdas={GET_OBJECT: lambda event, context: b'id\n"caf\xe9"\n'})
    assert execution.error == "States.ItemReaderFailed"
    assert execution.cause.startswith("The object is not UTF-8 text: byte 0xe9 at offset 7")
    assert read(input_type, b"\xff\xfe").path == ["Each", "Caught"]  # catchable, as AWS's failure is


@pytest.mark.parametrize(
    "input_type, content, output",
    [
        ("JSON", b"[1e400, 2]", ["Infinity", 2]),
        ("JSONL", "1e400\n[1]\n", ["Infinity", [1]]),
        ("CSV", b"id\n1e400\n", [{"id": "1e400"}]),  # CSV values stay text
    ],
)
def test_item_reader_reads_json_numbers_as_the_boundary_does(input_type, content, output):
    assert read(input_type, content).output == output


@pytest.mark.parametrize("content", [b"[NaN]", "[1, Infinity]", [1, math.nan]])
def test_item_reader_content_holding_nan_fails_the_read(content):
    definition = uncaught(reading_map("JSON"))
    execution = run(definition, {}, lambdas={GET_OBJECT: lambda event, context: content})
    assert execution.error == "States.ItemReaderFailed"
    assert "is not a JSON value" in execution.cause


# --- definitions -----------------------------------------------------------------------------

NAN_TEXT = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": [1, NaN], "End": true}}}'


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_definition_text_holding_a_non_json_number_is_refused(constant):
    text = NAN_TEXT.replace("NaN", constant)
    [problem] = pysfn_emulator.validate(text)
    assert problem.pointer == "/States/A/Result/1"
    assert f"{constant} is not a JSON value" in problem.message
    with pytest.raises(pysfn_emulator.DefinitionError):
        pysfn_emulator.run(text)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, {1, 2}])
def test_a_definition_dict_holding_what_json_cannot_is_refused(value):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": value}, "End": True}}}
    [problem] = pysfn_emulator.validate(definition)
    assert problem.pointer == "/States/A/Result/x"
    with pytest.raises(pysfn_emulator.DefinitionError):
        pysfn_emulator.run(definition)


def test_a_definition_dict_holding_a_tuple_holds_an_array():
    """A tuple in a definition given as a dict is the array an SDK would send (it used to reach
    a variable as a tuple: "returned an unsupported result type" when read)."""
    definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": (1, (2, 3))}, "Output": {"y": (4,)}, "Next": "B"},
        "B": {"Type": "Succeed", "Output": {"x": "{% $x %}", "y": "{% $states.input.y %}"}}}}
    assert pysfn_emulator.run(definition).output == {"x": [1, [2, 3]], "y": [4]}
    assert definition["States"]["A"]["Assign"]["x"] == (1, (2, 3))  # the caller's dict as it was


def test_the_cli_refuses_a_definition_file_holding_nan(tmp_path, capsys):
    path = tmp_path / "nan.json"
    path.write_text(NAN_TEXT, encoding="utf-8")
    assert main([str(path)]) == 2
    _, err = capsys.readouterr()
    assert "NaN is not a JSON value" in err and "/States/A/Result/1" in err and "Traceback" not in err


def test_a_number_past_the_double_range_in_a_definition_is_the_string_jackson_writes():
    text = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1e400, "End": true}}}'
    assert run(text).output == "Infinity"


@pytest.mark.parametrize("value", [2**1024 - 1, -(2**1024), 10**4000])
def test_integers_at_and_past_the_double_range_edge_in_jsonata(value):
    # 2**1024 - 1 rounds up to 2**1024: Python's float() overflows where JavaScript says Infinity
    for expression in ("[$states.input.n]", "$states.input.n & ''"):
        execution = run(jsonata_output(expression), {"n": value})
        assert unsupported(execution), execution.cause


def test_a_start_execution_task_refuses_input_text_holding_nan():
    child = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    arn = "arn:aws:states:us-east-1:111111111111:stateMachine:Child"
    parent = {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": arn, "Input": '{"n": NaN}'}, "End": True}}}
    execution = run(parent, {}, state_machines={"Child": child})
    assert execution.error == "StepFunctions.InvalidExecutionInputException"


def test_a_definition_dict_nested_too_deeply_is_a_definition_error():
    """A Pass's Result nested 5,000 lists deep, given as a dict, raised RecursionError out of run
    (a session-25 trial); JSON text that deep no parser reads: DefinitionError."""
    nested: list = []
    for _ in range(5_000):
        nested = [nested]
    with pytest.raises(pysfn_emulator.DefinitionError, match="nested too deeply"):
        pysfn_emulator.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": nested, "End": True}}}, {})


def test_start_time_takes_a_datetime_or_iso_text_within_the_clock_s_range():
    """`start_time="2024-01-01T00:00:00Z"` raised AttributeError inside the clock, and a start in
    the year 9999 OverflowError at the first Wait (session-25 trial)."""
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    execution = pysfn_emulator.run(wait, {}, start_time="2024-01-01T00:00:00Z")
    assert execution.status == "SUCCEEDED" and execution.history[-1]["timestamp"] == datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC)
    with pytest.raises(TypeError, match="start_time must be a datetime or ISO 8601 text, not int"):
        pysfn_emulator.run(wait, {}, start_time=5)
    for text in ("2024-13-01", "9999-12-31T12:00:00Z", "1900-01-01T00:00:00Z"):
        with pytest.raises(ValueError, match="start_time"):
            pysfn_emulator.run(wait, {}, start_time=text)


def test_json_text_nested_too_deeply_is_refused_not_a_recursion_error():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(NotJson, match="nested too deeply"):
        jsontext.loads(deep)
    with pytest.raises(NotJson):  # refused at the NaN, which cannot be located past the depth
        jsontext.loads("[NaN, " + deep + "]")
    execution = run(passing({"v.$": "States.StringToJson($.s)"}), {"s": deep})
    assert execution.error == "States.Runtime" and execution.cause.endswith("Invalid arguments in States.StringToJson")
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(InvalidExecutionInput, match="nested too deeply"):
        pysfn_emulator.run(ECHO, nested)
