"""JSONPath as Step Functions evaluates it (Jayway semantics): values, lists, roots, messages,
reference paths and ResultPath placement."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpath_ng.ext import parse as _parse_ext

import pysfn_emulator
from pysfn_emulator.core.errors import StatesError
from pysfn_emulator.query.jsonpath import (
    PathNotFound,
    PathSyntaxError,
    compile_path,
    compile_reference_path,
    set_result,
)

DATA = {
    "a": [{"b": 1}, {"b": 2}, {"b": 3}],
    "o": {"p": {"q": "deep"}},
    "n": None,
    "x y": "spaced",
    "a.b": "dotted",
}


def evaluate(text, data=DATA, context=None, variables=None):
    return compile_path(text).evaluate(data, context, variables)


# -- definite paths give the value itself ------------------------------------------------------


def test_definite_path_gives_a_value_not_a_list():
    assert evaluate("$.a[0].b") == 1


def test_root_path_gives_the_whole_document():
    assert evaluate("$") == DATA


def test_root_path_on_a_scalar_gives_the_scalar():
    assert evaluate("$", data=7) == 7


def test_nested_object_value():
    assert evaluate("$.o.p") == {"q": "deep"}


def test_null_value_is_found_not_missing():
    assert evaluate("$.n") is None


def test_bracket_notation_equals_dot_notation():
    assert evaluate("$['a'][1]['b']") == evaluate("$.a[1].b") == 2


def test_bracket_notation_reaches_names_with_spaces_and_dots():
    assert evaluate("$['x y']") == "spaced"
    assert evaluate("$['a.b']") == "dotted"


def test_negative_index_counts_from_the_end():
    assert evaluate("$.a[-1].b") == 3
    assert evaluate("$.a[-3].b") == 1


def test_definite_paths_are_compiled_to_steps():
    path = compile_path("$.a[0].b")
    assert path.definite
    assert path.steps == ("a", 0, "b")


# -- indefinite paths give lists ------------------------------------------------------------------


def test_wildcard_gives_a_list():
    assert evaluate("$.a[*].b") == [1, 2, 3]


def test_deep_scan_gives_a_list():
    assert evaluate("$..b") == [1, 2, 3]


def test_slice_gives_a_list():
    assert evaluate("$.a[0:2]") == [{"b": 1}, {"b": 2}]


def test_open_slice_from_the_end():
    assert evaluate("$.a[-1:]") == [{"b": 3}]


def test_filter_gives_a_list():
    assert evaluate("$.a[?(@.b > 1)].b") == [2, 3]


def test_union_of_indexes_gives_a_list():
    assert evaluate("$.a[0,2].b") == [1, 3]


def test_indefinite_path_with_one_match_is_still_a_list():
    assert evaluate("$.a[?(@.b == 2)].b") == [2]


def test_indefinite_path_on_missing_data_gives_an_empty_list():
    # AWS: base__TestSnfBase__test_json_path_array_wildcard_or_slice_with_no_input_.items
    assert evaluate("$.items[*]", data={}) == []
    assert evaluate("$.item.items[1:5].itemValue", data={}) == []


def test_indefinite_paths_are_not_definite():
    assert not compile_path("$.a[*]").definite


def test_wildcard_in_parameters_through_run():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"item.$": "$.items[*]"}, "End": True}},
    }
    assert pysfn_emulator.run(definition, {}).output == {"item": []}


# -- roots: $$ (context) and $name (variable) -------------------------------------------------


def test_context_root_reads_the_context_object():
    context = {"Execution": {"Id": "arn:x"}}
    assert evaluate("$$.Execution.Id", data={"Execution": "not me"}, context=context) == "arn:x"


def test_bare_context_root_is_the_whole_context():
    context = {"State": {"Name": "S"}}
    assert evaluate("$$", data={}, context=context) == context


def test_variable_root_reads_a_variable():
    assert evaluate("$total", data={}, variables={"total": 42}) == 42


def test_variable_root_with_a_path_into_the_variable():
    assert evaluate("$order.items[1]", data={}, variables={"order": {"items": ["x", "y"]}}) == "y"


def test_undefined_variable_is_not_found():
    with pytest.raises(PathNotFound):
        evaluate("$missing", data={}, variables={"other": 1})


# -- Jayway's messages, as AWS quotes them ------------------------------------------------------


def test_missing_last_property_says_no_results():
    with pytest.raises(PathNotFound) as caught:
        evaluate("$.nope", data={"a": 1})
    assert str(caught.value) == "No results for path: $['nope']"


def test_missing_intermediate_property_says_missing_property():
    # AWS: scenarios__TestBaseScenarios__test_catch_states_runtime
    with pytest.raises(PathNotFound) as caught:
        evaluate("$.no.such.result.path", data={})
    assert str(caught.value) == "Missing property in path $['no']"


def test_missing_property_message_names_the_path_up_to_the_break():
    with pytest.raises(PathNotFound) as caught:
        evaluate("$.o.x.y", data={"o": {"p": 1}})
    assert str(caught.value) == "Missing property in path $['o']['x']"


def test_index_out_of_range_is_not_found():
    with pytest.raises(PathNotFound):
        evaluate("$.a[3]")
    with pytest.raises(PathNotFound):
        evaluate("$.a[-4]")


def test_no_results_message_uses_bracket_notation_with_indexes():
    with pytest.raises(PathNotFound) as caught:
        evaluate("$.a[7]")
    assert str(caught.value) == "No results for path: $['a'][7]"


def test_bracket_name_keeps_backslashes_literally():
    # AWS: scenarios__TestBaseScenarios__test_escape_sequence_parsing_ESCAPE_SEQUENCES_JSONPATH
    key = 'Test\\""Name"'
    assert evaluate("$['Test\\\"\"Name\"']", data={key: 'Value"\\'}) == 'Value"\\'


# -- syntax ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a.b", "", "$.", "$[", "$.a["])
def test_invalid_paths_are_refused(text):
    with pytest.raises(PathSyntaxError):
        compile_path(text)


@pytest.mark.parametrize(
    "text", ["$.a[*]", "$..a", "$.a[0:1]", "$.a[?(@.b)]", "$.a[0,1]", "$.*"]
)
def test_reference_paths_refuse_indefinite_forms(text):
    with pytest.raises(PathSyntaxError):
        compile_reference_path(text)


@pytest.mark.parametrize("text", ["$", "$.a", "$.a[0].b", "$['x y']", "$.a[-1]"])
def test_reference_paths_accept_single_nodes(text):
    assert compile_reference_path(text).definite


def test_a_resultpath_with_a_wildcard_makes_the_definition_invalid():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "ResultPath": "$.a[*]", "End": True}},
    }
    assert pysfn_emulator.validate(definition)


# -- ResultPath placement ------------------------------------------------------------------------


def test_set_result_adds_a_field():
    data = {"a": {"b": 1}}
    assert set_result(data, compile_reference_path("$.a.c"), 2) == {"a": {"b": 1, "c": 2}}


def test_set_result_never_mutates_the_input():
    data = {"a": {"b": 1}, "list": [1, 2]}
    before = copy.deepcopy(data)
    set_result(data, compile_reference_path("$.a.c"), 2)
    set_result(data, compile_reference_path("$.list[0]"), 9)
    set_result(data, compile_reference_path("$.new.deep"), 3)
    assert data == before


def test_set_result_copies_the_containers_on_its_way():
    data = {"a": {"b": 1}, "other": {"kept": True}}
    result = set_result(data, compile_reference_path("$.a.c"), 2)
    assert result["a"] is not data["a"]


def test_set_result_creates_missing_objects():
    assert set_result({}, compile_reference_path("$.x.y.z"), 1) == {"x": {"y": {"z": 1}}}


def test_set_result_replaces_an_existing_value():
    assert set_result({"a": 1}, compile_reference_path("$.a"), {"b": 2}) == {"a": {"b": 2}}


def test_set_result_at_the_root_replaces_everything():
    assert set_result({"a": 1}, compile_reference_path("$"), [1, 2]) == [1, 2]


def test_set_result_into_an_array_element():
    assert set_result([1, 2, 3], compile_reference_path("$[1]"), "x") == [1, "x", 3]


def test_set_result_on_a_non_object_fails_with_result_path_match_failure():
    with pytest.raises(StatesError) as caught:
        set_result(5, compile_reference_path("$.a"), 1)
    assert caught.value.error == "States.ResultPathMatchFailure"
    assert "$.a" in caught.value.cause


def test_set_result_through_a_string_fails_with_result_path_match_failure():
    with pytest.raises(StatesError) as caught:
        set_result({"a": "text"}, compile_reference_path("$.a.b"), 1)
    assert caught.value.error == "States.ResultPathMatchFailure"


def test_set_result_past_the_end_of_an_array_fails():
    with pytest.raises(StatesError) as caught:
        set_result({"a": [1]}, compile_reference_path("$.a[3]"), 1)
    assert caught.value.error == "States.ResultPathMatchFailure"


# -- `$..*` and `$..name`, walked by the emulator itself ---------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=3),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_json_values, st.sampled_from(["$..*", "$..a", "$..[*]", "$..b"]))
def test_descendant_paths_match_what_jsonpath_ng_finds(value, text):
    path = compile_path(text)
    assert path.descendant is not None
    assert path.evaluate(value) == [match.value for match in _parse_ext(text).find(value)]


def test_a_descendant_output_path_stops_gathering_past_a_limit_but_never_before():
    value = {"a": ["x" * 50, "y" * 50], "b": {"c": "z" * 50}}
    path = compile_path("$..*")
    whole = path.evaluate(value)
    exact = len(json.dumps(whole, separators=(",", ":")))
    assert path.evaluate(value, limit=exact) == whole
    cut = path.evaluate(value, limit=60)
    assert len(cut) < len(whole) and len(json.dumps(cut, separators=(",", ":"))) > 60
