"""The local DynamoDB (pysfn_emulator/integrations/local_aws/dynamodb.py): items, conditions,
updates, queries, and the ValidationExceptions DynamoDB answers to what it cannot read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pysfn_emulator import LocalAws, ServiceFailure
from pysfn_emulator.local_aws import from_item, to_item


@pytest.fixture
def aws() -> LocalAws:
    aws = LocalAws()
    aws.dynamodb.create_table("orders", key=("pk", "sk"))
    return aws


def put(aws, item, **params):
    return aws.call("dynamodb", "putItem", {"TableName": "orders", "Item": to_item(item), **params})


def refused(call, *args, **keywords) -> ServiceFailure:
    with pytest.raises(ServiceFailure) as raised:
        call(*args, **keywords)
    return raised.value


def test_put_then_get_returns_the_item_as_attribute_values(aws):
    assert put(aws, {"pk": "a", "sk": 1, "total": 12.5, "tags": ["x"], "paid": True, "note": None}) == {}
    got = aws.call("dynamodb", "getItem", {"TableName": "orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}})
    assert got == {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "total": {"N": "12.5"}, "tags": {"L": [{"S": "x"}]},
                            "paid": {"BOOL": True}, "note": {"NULL": True}}}


def test_get_of_a_missing_item_is_an_empty_response(aws):
    assert aws.call("dynamodb", "getItem", {"TableName": "orders", "Key": {"pk": {"S": "z"}, "sk": {"N": "0"}}}) == {}


def test_numbers_are_normalised_as_dynamodb_returns_them(aws):
    put(aws, {"pk": "a", "sk": 1})
    aws.call("dynamodb", "putItem", {"TableName": "orders", "Item": {"pk": {"S": "b"}, "sk": {"N": "01.50"},
                                                                       "big": {"N": "1E+3"}}})
    assert aws.dynamodb.items("orders")[1] == {"pk": {"S": "b"}, "sk": {"N": "1.5"}, "big": {"N": "1000"}}


def test_a_missing_table_is_resource_not_found():
    failure = refused(LocalAws().call, "dynamodb", "getItem", {"TableName": "nope", "Key": {"id": {"S": "1"}}})
    assert (failure.code, failure.message) == ("ResourceNotFoundException", "Requested resource not found")


def test_the_first_put_creates_a_table_and_infers_its_key():
    aws = LocalAws()
    aws.call("dynamodb", "putItem", {"TableName": "users", "Item": {"name": {"S": "Ada"}, "id": {"S": "u1"}}})
    assert aws.dynamodb.tables["users"].key == ("id",)
    aws.call("dynamodb", "putItem", {"TableName": "events", "Item": {"PK": {"S": "a"}, "SK": {"S": "b"}}})
    assert aws.dynamodb.tables["events"].key == ("PK", "SK")
    aws.call("dynamodb", "putItem", {"TableName": "misc", "Item": {"code": {"S": "c"}, "n": {"N": "1"}}})
    assert aws.dynamodb.tables["misc"].key == ("code",)


def test_a_key_that_does_not_match_the_schema_is_refused(aws):
    failure = refused(aws.call, "dynamodb", "getItem", {"TableName": "orders", "Key": {"pk": {"S": "a"}}})
    assert (failure.code, failure.message) == ("ValidationException", "The provided key element does not match the schema")
    failure = refused(put, aws, {"pk": "a"})
    assert failure.message == "One or more parameter values were invalid: Missing the key sk in the item"


@pytest.mark.parametrize("value", [{}, {"S": "a", "N": "1"}, {"X": "1"}, "text", {"N": "one"}, {"NULL": False}, {"SS": []}])
def test_malformed_attribute_values_are_validation_errors(aws, value):
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "bad": value}
    failure = refused(aws.call, "dynamodb", "putItem", {"TableName": "orders", "Item": item})
    assert failure.code == "ValidationException"


def test_attribute_not_exists_makes_a_put_conditional(aws):
    condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    put(aws, {"pk": "a", "sk": 1, "v": 1}, **condition)
    failure = refused(put, aws, {"pk": "a", "sk": 1, "v": 2}, **condition)
    assert (failure.code, failure.message) == ("ConditionalCheckFailedException", "The conditional request failed")
    assert from_item(aws.dynamodb.items("orders")[0])["v"] == 1


def test_conditions_compare_with_expression_attribute_values(aws):
    put(aws, {"pk": "a", "sk": 1, "status": "NEW", "n": 5})
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    params = {"TableName": "orders", "Key": key, "UpdateExpression": "SET #s = :paid",
              "ConditionExpression": "#s = :new AND n <> :zero AND attribute_exists(n)",
              "ExpressionAttributeNames": {"#s": "status"},
              "ExpressionAttributeValues": {":paid": {"S": "PAID"}, ":new": {"S": "NEW"}, ":zero": {"N": "0"}}}
    assert aws.call("dynamodb", "updateItem", params) == {}
    failure = refused(aws.call, "dynamodb", "updateItem", params)  # status is PAID now
    assert failure.code == "ConditionalCheckFailedException"


def test_not_equal_holds_for_a_missing_attribute(aws):
    put(aws, {"pk": "a", "sk": 1}, ConditionExpression="absent <> :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert len(aws.dynamodb.items("orders")) == 1


def test_update_set_add_remove_and_return_values(aws):
    put(aws, {"pk": "a", "sk": 1, "count": 1, "old": "x", "tags": {"red"}})
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    response = aws.call("dynamodb", "updateItem", {
        "TableName": "orders", "Key": key,
        "UpdateExpression": "SET title = :t, #t = if_not_exists(#t, :zero) + :two ADD #c :one, tags :blue REMOVE #o",
        "ExpressionAttributeNames": {"#c": "count", "#t": "total", "#o": "old"},
        "ExpressionAttributeValues": {":t": {"S": "T"}, ":zero": {"N": "0"}, ":two": {"N": "2"}, ":one": {"N": "1"},
                                      ":blue": {"SS": ["blue"]}},
        "ReturnValues": "UPDATED_NEW"})
    assert response == {"Attributes": {"title": {"S": "T"}, "total": {"N": "2"}, "count": {"N": "2"},
                                       "tags": {"SS": ["red", "blue"]}}}
    item = from_item(aws.dynamodb.items("orders")[0])
    assert item == {"pk": "a", "sk": 1, "count": 2, "tags": {"red", "blue"}, "title": "T", "total": 2}


@pytest.mark.parametrize("returns, expected", [
    ("ALL_OLD", {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "1"}}),
    ("UPDATED_OLD", {"v": {"N": "1"}}),
    ("ALL_NEW", {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}}),
    ("NONE", None),
])
def test_update_return_values(aws, returns, expected):
    put(aws, {"pk": "a", "sk": 1, "v": 1})
    response = aws.call("dynamodb", "updateItem", {
        "TableName": "orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "UpdateExpression": "SET v = :v",
        "ExpressionAttributeValues": {":v": {"N": "2"}}, "ReturnValues": returns})
    assert response == ({"Attributes": expected} if expected else {})


def test_update_creates_a_missing_item(aws):
    aws.call("dynamodb", "updateItem", {"TableName": "orders", "Key": {"pk": {"S": "n"}, "sk": {"N": "9"}},
                                        "UpdateExpression": "ADD visits :one", "ExpressionAttributeValues": {":one": {"N": "1"}}})
    assert aws.dynamodb.items("orders", plain=True) == [{"pk": "n", "sk": 9, "visits": 1}]


def test_put_and_delete_return_the_old_item_when_asked(aws):
    put(aws, {"pk": "a", "sk": 1, "v": 1})
    old = put(aws, {"pk": "a", "sk": 1, "v": 2}, ReturnValues="ALL_OLD")
    assert old == {"Attributes": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "1"}}}
    gone = aws.call("dynamodb", "deleteItem", {"TableName": "orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                                               "ReturnValues": "ALL_OLD"})
    assert gone == {"Attributes": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "2"}}}
    assert aws.dynamodb.items("orders") == []
    assert refused(put, aws, {"pk": "a", "sk": 1}, ReturnValues="ALL_NEW").message == "ReturnValues can only be ALL_OLD or NONE"


def test_query_on_the_partition_key_in_sort_key_order(aws):
    for sk in (3, 1, 2):
        put(aws, {"pk": "a", "sk": sk})
    put(aws, {"pk": "b", "sk": 1})
    params = {"TableName": "orders", "KeyConditionExpression": "#k = :a", "ExpressionAttributeNames": {"#k": "pk"},
              "ExpressionAttributeValues": {":a": {"S": "a"}}}
    response = aws.call("dynamodb", "query", params)
    assert [item["sk"]["N"] for item in response["Items"]] == ["1", "2", "3"]
    assert (response["Count"], response["ScannedCount"]) == (3, 3)
    backwards = aws.call("dynamodb", "query", {**params, "ScanIndexForward": False, "Limit": 2})
    assert [item["sk"]["N"] for item in backwards["Items"]] == ["3", "2"]
    assert backwards["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "2"}}


def test_query_with_begins_with_on_the_sort_key():
    aws = LocalAws()
    aws.dynamodb.create_table("events", key=("pk", "sk"),
                              items=[{"pk": "u", "sk": "2024-01"}, {"pk": "u", "sk": "2024-02"}, {"pk": "u", "sk": "2025-01"}])
    response = aws.call("dynamodb", "query", {
        "TableName": "events", "KeyConditionExpression": "pk = :u AND begins_with(sk, :y)",
        "ExpressionAttributeValues": {":u": {"S": "u"}, ":y": {"S": "2024"}}})
    assert [item["sk"]["S"] for item in response["Items"]] == ["2024-01", "2024-02"]


@pytest.mark.parametrize("params, message", [
    ({"UpdateExpression": "SET a.b = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}, "document paths"),
    ({"UpdateExpression": "SET a = :v"}, "attribute value used in expression is not defined; attribute value: :v"),
    ({"UpdateExpression": "SET #a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "attribute name used in the document path is not defined; attribute name: #a"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
    ({"UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     'The "SET" section can only be used once'),
    ({"UpdateExpression": "SET a = :v, a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}, "Two document paths overlap"),
    ({"UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}, "Cannot update attribute pk"),
    ({"UpdateExpression": "ADD a :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}, "operator: ADD, operand type: STRING"),
    ({"UpdateExpression": "SET a = = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}, "Syntax error"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}, "ConditionExpression": "a ! b"},
     "Syntax error"),
    ({"AttributeUpdates": {"a": {"Value": {"S": "x"}}}}, "legacy parameter AttributeUpdates"),
    # DynamoDB's reserved words are refused as bare names, in any case (regression: they were accepted)
    ({"UpdateExpression": "SET status = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "attribute_exists(Data)",
      "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Data"),
])
def test_unsupported_or_wrong_expressions_are_validation_errors(aws, params, message):
    put(aws, {"pk": "a", "sk": 1})
    failure = refused(aws.call, "dynamodb", "updateItem",
                      {"TableName": "orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, **params})
    assert failure.code == "ValidationException"
    assert message in failure.message


def test_a_user_handler_wins_over_the_fake():
    aws = LocalAws(handlers={"dynamodb:getItem": lambda params: {"Item": {"id": {"S": "stub"}}}})
    assert aws.call("dynamodb", "getItem", {"TableName": "t", "Key": {"id": {"S": "1"}}}) == {"Item": {"id": {"S": "stub"}}}


# -- random operation sequences never raise anything but ServiceFailure --------------------------------

_NAMES = st.sampled_from(["pk", "sk", "a", "b", "#n", "status"])
_VALUES = st.sampled_from([":v", ":n", ":s", ":missing"])
_ATTRIBUTE = st.recursive(
    st.one_of(st.builds(lambda s: {"S": s}, st.text(max_size=3)), st.builds(lambda n: {"N": str(n)}, st.integers(-5, 5)),
              st.just({"BOOL": True}), st.just({"NULL": True}), st.builds(lambda s: {"SS": s}, st.lists(st.text(max_size=2), max_size=2)),
              st.just({"N": "x"}), st.just({}), st.just("raw")),
    lambda inner: st.one_of(st.builds(lambda m: {"M": m}, st.dictionaries(st.sampled_from("xy"), inner, max_size=2)),
                            st.builds(lambda items: {"L": items}, st.lists(inner, max_size=2))),
    max_leaves=4,
)
_EXPRESSION = st.lists(st.one_of(_NAMES, _VALUES, st.sampled_from(
    ["=", "<>", "<", "AND", "OR", "NOT", "(", ")", ",", "+", "-", "SET", "ADD", "REMOVE", "DELETE", "BETWEEN", "IN",
     "attribute_exists(", "attribute_not_exists(", "begins_with(", "size(", "if_not_exists(", "a.b", "[0]", "!"])),
    max_size=8).map(" ".join)
_PARAMS = st.fixed_dictionaries({
    "TableName": st.sampled_from(["t", "orders", "x", None, 7]),
    "Key": st.one_of(st.none(), st.dictionaries(_NAMES, _ATTRIBUTE, max_size=2)),
    "Item": st.one_of(st.none(), st.dictionaries(_NAMES, _ATTRIBUTE, max_size=3)),
}, optional={
    "ConditionExpression": _EXPRESSION, "UpdateExpression": _EXPRESSION, "KeyConditionExpression": _EXPRESSION,
    "FilterExpression": _EXPRESSION, "ProjectionExpression": _EXPRESSION,
    "ExpressionAttributeNames": st.dictionaries(st.just("#n"), st.sampled_from(["a", "pk"]), max_size=1),
    "ExpressionAttributeValues": st.dictionaries(st.sampled_from([":v", ":n", ":s"]), _ATTRIBUTE, max_size=3),
    "ReturnValues": st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "BAD"]),
    "Limit": st.one_of(st.integers(-1, 3), st.just("2")), "ScanIndexForward": st.booleans(),
})
_OPERATIONS = st.lists(st.tuples(st.sampled_from(["putItem", "getItem", "updateItem", "deleteItem", "query", "scan"]),
                                 _PARAMS), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_OPERATIONS)
def test_random_operations_raise_nothing_but_service_failures(operations):
    aws = LocalAws()
    aws.dynamodb.create_table("orders", key=("pk", "sk"))
    for action, params in operations:
        params = {key: value for key, value in params.items() if value is not None}
        try:
            response = aws.call("dynamodb", action, params)
        except ServiceFailure:
            continue
        assert isinstance(response, dict)
