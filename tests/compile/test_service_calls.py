"""sfn.aws: AWS service calls from a workflow (issue 11 §1). The facade in plain runs, the
compile-time checks against botocore's models (each a located refusal), the Task each call
becomes (Resource, Arguments, Catch), the SAM policies, and both ways against one LocalAws each."""

from __future__ import annotations

import io
import json
import random
import textwrap
from datetime import UTC, datetime

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

import pysfn_emulator
from pysfn_compile import sfn
from pysfn_compile.emulate import main as emulate_main
from pysfn_compile.local_services import LocalServices
from pysfn_compile.package import sam_template, service_policies
from pysfn_compile.runtime.aws import Boto3Services
from pysfn_emulator.query.jsonata import Runtime, compile_value

from .deploy_checks import cfn_lint_problems, role_statements, sam_transform
from .helpers import compile_text, refusal, same

TOPIC = "arn:aws:sns:us-east-1:123456789012:events"


class Recorder:
    """A facade target that records calls and answers from a table."""

    def __init__(self, answers=None, raises=None):
        self.calls = []
        self.answers = answers or {}
        self.raises = raises

    def call(self, service, method, params):
        self.calls.append((service, method, params))
        if self.raises is not None:
            raise self.raises
        return self.answers.get((service, method), {})


def states_of(definition):
    for state in definition["States"].values():
        yield state
        for branch in state.get("Branches", []):
            yield from states_of(branch)
        if "ItemProcessor" in state:
            yield from states_of(state["ItemProcessor"])


def service_tasks(compiled):
    return [s for s in states_of(compiled.definition)
            if s["Type"] == "Task" and s["Resource"] != "arn:aws:states:::lambda:invoke"
            or s["Type"] == "Task" and s["Arguments"].get("FunctionName") != compiled.lambda_arn]


def both_ways(source, *inputs, prepare=None):
    """[(plain, machine)] with a fresh LocalAws each; also checks the services hold the same."""
    compiled = compile_text(source)
    out = []
    for payload in inputs:
        plain_aws, machine_aws = pysfn_emulator.LocalAws(), pysfn_emulator.LocalAws()
        if prepare is not None:
            prepare(plain_aws)
            prepare(machine_aws)
        python = compiled.run_python(payload, services=plain_aws)
        execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                       services=machine_aws, execution_name="plain-run")  # as the plain run
        machine = {"status": execution.status, "output": execution.output, "error": execution.error,
                   "cause": execution.cause}
        assert same(machine, python), f"input {payload!r}:\n  python:  {python}\n  machine: {machine}"
        assert machine_aws.snapshot() == plain_aws.snapshot()
        out.append(python)
    return out


# -- the facade, run plainly -----------------------------------------------------------------
def test_plain_call_goes_to_the_target_with_boto3_names():
    target = Recorder({("dynamodb", "get_item"): {"Item": {"id": {"S": "1"}}}})
    with sfn.using_services(target):
        got = sfn.aws.dynamodb.get_item(TableName="t", Key={"id": {"S": "1"}})
    assert got == {"Item": {"id": {"S": "1"}}}
    assert target.calls == [("dynamodb", "get_item", {"TableName": "t", "Key": {"id": {"S": "1"}}})]
    assert sfn.aws.lambda_.invoke.service == "lambda"


def test_plain_call_without_services_says_how_to_give_them():
    with pytest.raises(RuntimeError, match="services="):
        sfn.aws.sns.publish(TopicArn=TOPIC, Message="m")


def test_positional_arguments_refused_as_boto3_does():
    with sfn.using_services(Recorder()), pytest.raises(TypeError, match="only accepts keyword arguments"):
        sfn.aws.sns.publish(TOPIC, "m")


def test_exception_classes_made_once_per_service_and_code():
    cls = sfn.aws.dynamodb.ConditionalCheckFailedException
    assert cls is sfn.aws.dynamodb.ConditionalCheckFailedException
    assert issubclass(cls, sfn.aws.ServiceError) and issubclass(cls, Exception)
    assert cls is not sfn.aws.s3.ConditionalCheckFailedException
    assert cls.__name__ == "ConditionalCheckFailedException" and cls.service == "dynamodb"
    with sfn.using_services(Recorder(raises=cls("The conditional request failed"))):
        with pytest.raises(sfn.aws.dynamodb.ConditionalCheckFailedException, match="conditional request"):
            sfn.aws.dynamodb.put_item(TableName="t", Item={})


def test_using_services_is_scoped_to_the_block():
    outer, inner = Recorder(), Recorder()
    with sfn.using_services(outer):
        with sfn.using_services(inner):
            sfn.aws.sqs.send_message(QueueUrl="q", MessageBody="b")
        sfn.aws.sqs.send_message(QueueUrl="q", MessageBody="c")
    assert [c[2]["MessageBody"] for c in inner.calls] == ["b"]
    assert [c[2]["MessageBody"] for c in outer.calls] == ["c"]


def test_adapter_calls_the_registry_in_camel_case_and_raises_the_modeled_class():
    aws = pysfn_emulator.LocalAws()
    adapter = LocalServices(aws)
    assert adapter.call("dynamodb", "put_item", {"TableName": "orders", "Item": {"id": {"S": "1"}}}) == {}
    with pytest.raises(sfn.aws.dynamodb.ConditionalCheckFailedException) as caught:
        adapter.call("dynamodb", "put_item", {"TableName": "orders", "Item": {"id": {"S": "1"}},
                                              "ConditionExpression": "attribute_not_exists(id)"})
    assert str(caught.value) == "The conditional request failed"
    with pytest.raises(AttributeError, match="put_itme"):
        adapter.call("dynamodb", "put_itme", {})


def test_adapter_names_a_wire_code_by_its_modeled_error():
    class Refusing:
        def call(self, service, action, params):
            raise pysfn_emulator.ServiceFailure("NotFound", "Topic does not exist")

    with pytest.raises(sfn.aws.sns.NotFoundException, match="Topic does not exist"):
        LocalServices(Refusing()).call("sns", "publish", {"TopicArn": TOPIC, "Message": "m"})


# -- compile-time checks against botocore's models -------------------------------------------
def check(call: str, before: str = "") -> str:
    return refusal(f"""
        @sfn.workflow
        def main(x: str):
            {before}
            return {call}
        """)


def test_unknown_service_refused_with_a_suggestion():
    message = check('sfn.aws.dynamdb.put_item(TableName="t", Item={})')
    assert "wf.py:6:" in message and "'dynamdb' is not an AWS service" in message
    assert "did you mean dynamodb?" in message


def test_unknown_operation_refused_with_a_suggestion():
    message = check('sfn.aws.dynamodb.put_itme(TableName="t", Item={})')
    assert "wf.py:6:12: sfn.aws.dynamodb.put_itme: dynamodb has no operation 'put_itme'" in message
    assert "did you mean put_item?" in message


def test_misspelled_parameter_refused_at_the_argument():
    message = check('sfn.aws.dynamodb.put_item(TableNam="t", Item={})')
    assert "wf.py:6:47: dynamodb.put_item() has no parameter 'TableNam'" in message
    assert "did you mean TableName?" in message


def test_missing_required_parameter_refused():
    message = check('sfn.aws.sns.publish(TopicArn=x)')
    assert "wf.py:6:12: sns.publish() needs the parameter Message" in message
    assert "pass Message=..." in message


def test_literal_of_the_wrong_type_refused():
    message = check('sfn.aws.sqs.send_message(QueueUrl="q", MessageBody="b", DelaySeconds="5")')
    assert "DelaySeconds must be an int, not str" in message
    message = check('sfn.aws.dynamodb.get_item(TableName="t", Key={"id": {"S": x}}, ConsistentRead="yes")')
    assert "ConsistentRead must be a bool, not str" in message
    message = check('sfn.aws.dynamodb.get_item(TableName="t", Key={"id": {"Q": x}})')
    assert "Key['id'] has no member 'Q'" in message
    message = check('sfn.aws.dynamodb.get_item(TableName=["t"], Key={})')
    assert "TableName must be a str, not list" in message
    message = check('sfn.aws.dynamodb.get_item(TableName="t", Key={}, ProjectionExpression=None)')
    assert "ProjectionExpression cannot be None" in message


def test_positional_and_star_arguments_refused():
    assert "only accepts keyword arguments" in check('sfn.aws.sns.publish(x, Message="m")')
    assert "**kwargs in a service call" in check('sfn.aws.sns.publish(**{"TopicArn": x, "Message": "m"})')


def test_exception_the_service_does_not_define_refused():
    message = refusal("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.dynamodb.put_item(TableName="t", Item={"id": {"S": x}})
            except sfn.aws.dynamodb.ConditionalCheckFailed:
                return "dup"
            return "ok"
        """)
    assert "wf.py:7:12: sfn.aws.dynamodb.ConditionalCheckFailed: dynamodb defines no error" in message
    assert "did you mean ConditionalCheckFailedException?" in message


def test_isinstance_of_service_error_refused():
    message = refusal("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.sns.publish(TopicArn=x, Message="m")
            except Exception as e:
                return isinstance(e, sfn.aws.ServiceError)
            return False
        """)
    assert "isinstance(e, sfn.aws.ServiceError) cannot be decided" in message


# -- the Task each call becomes --------------------------------------------------------------
def test_optimized_integrations_resource_and_arguments():
    compiled = compile_text(f"""
        @sfn.workflow
        def main(x: str, n: int):
            sfn.aws.dynamodb.put_item(TableName="t", Item={{"id": {{"S": x}}, "n": {{"N": str(n)}}}})
            sfn.aws.dynamodb.get_item(TableName="t", Key={{"id": {{"S": x}}}})
            sfn.aws.dynamodb.update_item(TableName="t", Key={{"id": {{"S": x}}}}, UpdateExpression="SET a = :a",
                                         ExpressionAttributeValues={{":a": {{"S": x}}}})
            sfn.aws.dynamodb.delete_item(TableName="t", Key={{"id": {{"S": x}}}})
            sfn.aws.sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody=x)
            sfn.aws.sns.publish(TopicArn="{TOPIC}", Message=x)
            sfn.aws.events.put_events(Entries=[{{"Source": "s", "DetailType": "d", "Detail": x}}])
            sfn.aws.lambda_.invoke(FunctionName="other", Payload=x)
            sfn.aws.states.start_execution(stateMachineArn="arn:aws:states:us-east-1:1:stateMachine:m", input=x)
            return x
        """)
    tasks = service_tasks(compiled)
    assert [t["Resource"] for t in tasks] == [
        "arn:aws:states:::dynamodb:putItem", "arn:aws:states:::dynamodb:getItem",
        "arn:aws:states:::dynamodb:updateItem", "arn:aws:states:::dynamodb:deleteItem",
        "arn:aws:states:::sqs:sendMessage", "arn:aws:states:::sns:publish", "arn:aws:states:::events:putEvents",
        "arn:aws:states:::lambda:invoke", "arn:aws:states:::states:startExecution"]
    assert tasks[0]["Arguments"] == {"TableName": "t", "Item": "{% {\"id\": {\"S\": $x}, \"n\": {\"N\": "
                                                                 "$formatNumber($n, '0')}} %}"}
    assert tasks[4]["Arguments"]["MessageBody"] == "{% $x %}"
    # Step Functions' own API names members in camelCase; Step Functions writes them capitalized
    assert tasks[8]["Arguments"] == {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:m",
                                     "Input": "{% $x %}"}
    assert all("Retry" not in t for t in tasks)  # a service call is made once, as in Python
    assert pysfn_emulator.validate(compiled.definition) == []


def test_other_actions_are_aws_sdk_integrations():
    compiled = compile_text("""
        @sfn.workflow
        def main(x: str):
            a = sfn.aws.s3.get_object(Bucket="b", Key=x)
            b = sfn.aws.dynamodb.query(TableName="t", KeyConditionExpression="id = :id",
                                       ExpressionAttributeValues={":id": {"S": x}})
            c = sfn.aws.s3.list_objects_v2(Bucket="b")
            d = sfn.aws.secretsmanager.get_secret_value(SecretId=x)
            e = sfn.aws.events.list_rules()
            f = sfn.aws.states.describe_execution(executionArn=x)
            return [a, b, c, d, e, f]
        """)
    tasks = service_tasks(compiled)
    assert [t["Resource"] for t in tasks] == [
        "arn:aws:states:::aws-sdk:s3:getObject", "arn:aws:states:::aws-sdk:dynamodb:query",
        "arn:aws:states:::aws-sdk:s3:listObjectsV2", "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        "arn:aws:states:::aws-sdk:eventbridge:listRules", "arn:aws:states:::aws-sdk:sfn:describeExecution"]
    assert tasks[5]["Arguments"] == {"ExecutionArn": "{% $x %}"}
    assert "$lowercase($substring($k, 0, 1))" in json.dumps(tasks[5])  # the response's names as boto3's


def test_catch_names_per_integration_and_service_error_catches_all():
    compiled = compile_text("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.dynamodb.put_item(TableName="t", Item={"id": {"S": x}})
            except sfn.aws.dynamodb.ConditionalCheckFailedException:
                return "dup"
            except (sfn.aws.s3.NoSuchKey, KeyError):
                return "not this call's"
            except sfn.aws.ServiceError as e:
                return str(e)
            try:
                sfn.aws.s3.get_object(Bucket="b", Key=x)
            except sfn.aws.s3.NoSuchKey:
                return "missing"
            try:
                sfn.aws.sns.publish(TopicArn=x, Message=x)
            except sfn.aws.sns.NotFoundException:
                return "no topic"
            return "ok"
        """)
    put, get, publish = service_tasks(compiled)
    # (the state's own evaluation error is no service error: it fails the execution, first)
    assert [c["ErrorEquals"] for c in put["Catch"]] == [["States.QueryEvaluationError"],
                                                        ["DynamoDB.ConditionalCheckFailedException"], ["States.ALL"]]
    assert [c["ErrorEquals"] for c in get["Catch"]] == [["S3.NoSuchKeyException"], ["States.ALL"]]
    assert [c["ErrorEquals"] for c in publish["Catch"]] == [["SNS.NotFoundException"], ["States.ALL"]]


def test_service_error_is_caught_by_name_around_callees_and_branches():
    """Around a callee or a branch the machine knows an exception by its class name only: a
    service error class is caught by its name (whatever classes this process has made), and
    `except sfn.aws.ServiceError` (which would need every service error's name) is refused."""
    sfn.aws.kinesis.ResourceNotFoundException  # noqa: B018 (a class made elsewhere in this process)
    compiled = compile_text("""
        def f(x: str) -> str:
            return x

        @sfn.workflow
        def main(x: str):
            try:
                return f(x)
            except (sfn.aws.dynamodb.ConditionalCheckFailedException, LookupError):
                return "service"
        """)
    task = next(s for s in states_of(compiled.definition) if s["Type"] == "Task")
    names = task["Catch"][0]["ErrorEquals"]
    assert names[:2] == ["ConditionalCheckFailedException", "LookupError"] and "KeyError" in names
    assert "ResourceNotFoundException" not in names
    for call in ("f(x)", "sfn.map(lambda i: sfn.aws.sns.publish(TopicArn=i, Message=i), [x])"):
        message = refusal(f"""
            def f(x: str) -> str:
                return x

            @sfn.workflow
            def main(x: str):
                try:
                    return {call}
                except sfn.aws.ServiceError:
                    return "service"
            """)
        assert "wf.py:10:5: except sfn.aws.ServiceError catches here what a callee or branch raises" in message


def test_sam_policies_for_literal_and_computed_resources(tmp_path):
    compiled = compile_text(f"""
        @sfn.workflow
        def main(x: str, table: str):
            sfn.aws.dynamodb.put_item(TableName="orders", Item={{"id": {{"S": x}}}})
            sfn.aws.dynamodb.get_item(TableName=table, Key={{"id": {{"S": x}}}})
            sfn.aws.sns.publish(TopicArn="{TOPIC}", Message=x)
            sfn.aws.sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                                     MessageBody=x)
            sfn.aws.s3.get_object(Bucket="reports", Key=x)
            sfn.aws.events.put_events(Entries=[{{"Source": "s", "DetailType": "d", "Detail": x}}])
            sfn.aws.lambda_.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:other")
            return x
        """)
    policies, notes = service_policies(compiled.definition)
    assert policies == [
        {"DynamoDBCrudPolicy": {"TableName": "orders"}},
        {"SNSPublishMessagePolicy": {"TopicName": "events"}},
        {"SQSSendMessagePolicy": {"QueueName": "jobs"}},
        {"S3ReadPolicy": {"BucketName": "reports"}},
        {"LambdaInvokePolicy": {"FunctionName": "other"}},
        {"Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "events:PutEvents"], "Resource": "*"}]},
    ]
    assert notes[0].startswith("dynamodb:GetItem on every resource")
    template = sam_template(compiled, "wf.zip")
    machine = template["Resources"]["StateMachine"]
    assert "StateMachineRole" not in template["Resources"] and "Role" not in machine["Properties"]
    assert machine["Properties"]["Policies"][0] == {"LambdaInvokePolicy": {"FunctionName": {"Ref": "CalleesFunction"}}}
    # the function the workflow invokes itself keeps its name (only the dispatcher's is replaced)
    invoke = [s for s in states_of(machine["Properties"]["Definition"]) if s.get("Resource", "").endswith("invoke")]
    assert invoke[0]["Arguments"]["FunctionName"] == "arn:aws:lambda:us-east-1:123456789012:function:other"
    assert cfn_lint_problems(template, tmp_path) == []
    statements = role_statements(sam_transform(template))
    assert "dynamodb:PutItem" in statements and "sns:Publish" in statements and "events:PutEvents" in statements


def test_sam_policies_for_start_execution_and_wait(tmp_path):
    """wait=True (`.sync:2`) needs, beyond starting the child, to describe and stop its
    executions and the EventBridge rule Step Functions watches them through (Developer Guide,
    "IAM policies for AWS Step Functions", synchronous nested executions); without wait only
    StartExecution."""
    child = "arn:aws:states:us-east-1:111111111111:stateMachine:child"
    compiled = compile_text(f"""
        @sfn.workflow
        def main(n: str, other: str):
            sfn.aws.states.start_execution(stateMachineArn="{child}", input=n, wait=True)
            sfn.aws.states.start_execution(stateMachineArn=other, input=n, wait=True)
            return sfn.aws.states.start_execution(stateMachineArn="{child}", input=n)["executionArn"]
        """)
    policies, _ = service_policies(compiled.definition)
    rule = {"Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
                                     "rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}]}
    describe = {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"]}
    assert policies == [
        {"Statement": [{**describe, "Resource": ["arn:aws:states:us-east-1:111111111111:execution:child:*"]}, rule]},
        {"StepFunctionsExecutionPolicy": {"StateMachineName": "child"}},
        {"Statement": [{**describe, "Resource": ["*"]}, rule]},
        {"Statement": [{"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": "*"}]},
    ]
    without_wait = compile_text(f"""
        @sfn.workflow
        def main(n: str):
            return sfn.aws.states.start_execution(stateMachineArn="{child}", input=n)["executionArn"]
        """)
    assert service_policies(without_wait.definition)[0] == [{"StepFunctionsExecutionPolicy": {"StateMachineName": "child"}}]
    template = sam_template(compiled, "wf.zip")
    assert cfn_lint_problems(template, tmp_path) == []
    statements = role_statements(sam_transform(template))
    for action in ("states:StartExecution", "states:DescribeExecution", "states:StopExecution", "events:PutRule",
                   "events:PutTargets", "events:DescribeRule"):
        assert action in statements, action


def test_machine_without_services_keeps_its_role():
    compiled = compile_text("""
        def f(x: str) -> str:
            return x

        @sfn.workflow
        def main(x: str):
            return f(x)
        """)
    assert "StateMachineRole" in sam_template(compiled, "wf.zip")["Resources"]


# -- both ways -------------------------------------------------------------------------------
def test_conditional_put_caught_both_ways():
    source = """
        @sfn.workflow
        def main(ids: list[str]):
            out = []
            for i in ids:
                try:
                    sfn.aws.dynamodb.put_item(TableName="orders", Item={"id": {"S": i}},
                                              ConditionExpression="attribute_not_exists(id)")
                    out.append("put " + i)
                except sfn.aws.dynamodb.ConditionalCheckFailedException as e:
                    out.append([type(e).__name__, str(e), isinstance(e, sfn.aws.dynamodb.ConditionalCheckFailedException)])
            return out
        """
    [first, _] = both_ways(source, {"ids": ["a", "b", "a"]}, {"ids": []})
    assert first["output"] == ["put a", "put b", ["ConditionalCheckFailedException", "The conditional request failed",
                                                   True]]


def test_uncaught_service_error_ends_the_run_with_its_class_name_and_message():
    source = """
        @sfn.workflow
        def main(key: str):
            return sfn.aws.s3.get_object(Bucket="b", Key=key)["Body"]
        """
    [missing, found] = both_ways(source, {"key": "nope"}, {"key": "k"},
                                 prepare=lambda aws: aws.call("s3", "putObject", {"Bucket": "b", "Key": "k",
                                                                                   "Body": "text"}))
    assert missing["status"] == "FAILED" and missing["error"] == "NoSuchKey"
    assert found["output"] == "text"


def test_service_error_base_class_and_an_unmodeled_code_both_ways():
    source = """
        @sfn.workflow
        def main(key: str):
            try:
                sfn.aws.dynamodb.put_item(TableName="orders", Item={"id": {"S": key}})
            except sfn.aws.ServiceError as e:
                return [type(e).__name__, str(e)]
            return "ok"
        """
    [bad, good] = both_ways(source, {"key": ""}, {"key": "k"})
    assert bad["output"][0] == "ValidationException"  # DynamoDB.AmazonDynamoDBException in the machine
    assert good["output"] == "ok"


def test_call_happens_only_where_python_makes_it():
    source = f"""
        @sfn.workflow
        def main(flag: bool, items: list[str]):
            sent = flag or sfn.aws.sns.publish(TopicArn="{TOPIC}", Message="a")
            other = sfn.aws.sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                             MessageBody="m") if not flag else None
            ids = [sfn.aws.sns.publish(TopicArn="{TOPIC}", Message=i)["MessageId"] for i in items if i]
            return [sent, other is None, len(ids)]
        """

    def prepare(aws):
        aws.sns.create_topic("events")
        aws.sqs.create_queue("q")

    results = both_ways(source, {"flag": True, "items": ["x", "", "y"]}, {"flag": False, "items": []},
                        prepare=prepare)
    assert results[0]["output"] == [True, True, 2]
    assert results[1]["output"][1:] == [False, 0]


def test_put_events_both_ways_with_the_executions_resources():
    source = """
        @sfn.workflow
        def main(detail: str):
            return sfn.aws.events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": detail}])
        """
    [result] = both_ways(source, {"detail": json.dumps({"id": 1})})
    assert result["output"]["FailedEntryCount"] == 0


def test_start_execution_and_wait_both_ways():
    """wait=True is `.sync:2`: the result is the execution's description, `output` parsed; an
    execution that fails is sfn.aws.states.ExecutionFailed (States.TaskFailed in the machine)."""
    child = compile_text("""
        @sfn.workflow
        def main(n: int):
            if n < 0:
                raise ValueError("negative")
            return {"double": n * 2}
        """, path="child.py")
    parent = compile_text("""
        @sfn.workflow
        def main(n: int):
            try:
                done = sfn.aws.states.start_execution(
                    stateMachineArn="arn:aws:states:us-east-1:111111111111:stateMachine:child",
                    input='{"n": ' + str(n) + '}', wait=True)
            except sfn.aws.ServiceError as e:
                return ["failed", type(e).__name__]
            return [done["status"], done["output"]]
        """, path="parent.py")
    task = next(s for s in states_of(parent.definition) if s["Type"] == "Task")
    assert task["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert sorted(task["Arguments"]) == ["Input", "StateMachineArn"]
    for n, expected in ((3, ["SUCCEEDED", {"double": 6}]), (-1, ["failed", "ExecutionFailed"])):
        execution = pysfn_emulator.run(parent.definition, {"n": n}, state_machines={"child": child.definition})
        assert execution.output == expected
        ran = {}

        def start(params, ran=ran):
            ran["result"] = child.run_python(json.loads(params["input"]))
            return {"executionArn": "arn:child", "startDate": 0}

        def describe(params, ran=ran):
            return {"executionArn": params["executionArn"], "status": ran["result"]["status"],
                    "output": json.dumps(ran["result"]["output"])}

        aws = pysfn_emulator.LocalAws(handlers={"states:startExecution": start, "states:describeExecution": describe})
        assert parent.run_python({"n": n}, services=aws)["output"] == expected


def test_wait_must_be_a_literal_and_execution_failed_is_not_caught_by_name():
    message = check('sfn.aws.states.start_execution(stateMachineArn=x, wait=bool(x))')
    assert "wait=...) must be True or False" in message
    message = refusal("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.states.start_execution(stateMachineArn=x, wait=True)
            except sfn.aws.states.ExecutionFailed:
                return "failed"
            return "ok"
        """)
    assert "cannot be caught by name" in message and "type(e).__name__ == 'ExecutionFailed'" in message
    assert "has no parameter 'wait'" in check('sfn.aws.sns.publish(TopicArn=x, Message=x, wait=True)')


def test_boto3_target_answers_as_the_machine_sees_it():
    """sfn.using_services("boto3"): boto3's response made JSON as Step Functions gives it (no
    ResponseMetadata, datetimes as ISO text, an S3 Body as text), a ClientError the facade's class."""
    boto3 = pytest.importorskip("boto3")
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    stubber = Stubber(client)
    stubber.add_response("get_object", {"Body": StreamingBody(io.BytesIO(b"hello"), 5),
                                        "LastModified": datetime(2026, 1, 1, tzinfo=UTC), "ContentLength": 5},
                         {"Bucket": "b", "Key": "k"})
    stubber.add_client_error("get_object", "NoSuchKey", "The specified key does not exist.",
                             expected_params={"Bucket": "b", "Key": "missing"})
    target = Boto3Services()
    target._clients["s3"] = client
    with stubber, sfn.using_services(target):
        got = sfn.aws.s3.get_object(Bucket="b", Key="k")
        with pytest.raises(sfn.aws.s3.NoSuchKey, match="does not exist"):
            sfn.aws.s3.get_object(Bucket="b", Key="missing")
    assert got == {"Body": "hello", "LastModified": "2026-01-01T00:00:00+00:00", "ContentLength": 5}


def test_lambda_invoke_payload_is_the_event_itself():
    compiled = compile_text("""
        @sfn.workflow
        def main(x: str):
            return sfn.aws.lambda_.invoke(FunctionName="other", Payload={"x": x})["Payload"]
        """)
    [task] = service_tasks(compiled)
    assert task["Arguments"] == {"FunctionName": "other", "Payload": '{% {"x": $x} %}'}
    execution = pysfn_emulator.run(compiled.definition, {"x": "a"}, lambdas={"other": lambda event, context: [event]})
    assert execution.output == [{"x": "a"}]
    aws = pysfn_emulator.LocalAws(handlers={"lambda:invoke": lambda params: {"StatusCode": 200,
                                                                             "Payload": [params["Payload"]]}})
    assert compiled.run_python({"x": "a"}, services=aws)["output"] == [{"x": "a"}]


def test_s3_put_object_body_is_sent_as_json_text_both_ways():
    """Step Functions' aws-sdk s3:putObject writes its Body as JSON text (AWS-recorded: "text"
    is stored with its quotes): the plain run sends it so too, and reads back the same."""
    source = """
        @sfn.workflow
        def main(text: str):
            sfn.aws.s3.put_object(Bucket="b", Key="k", Body=text)
            return sfn.aws.s3.get_object(Bucket="b", Key="k")["Body"]
        """
    [result] = both_ways(source, {"text": "héllo"}, prepare=lambda aws: aws.s3.create_bucket("b"))
    assert result["output"] == '"héllo"'


def test_service_error_chosen_at_run_time_is_refused():
    """After a finally, the exception is known by its record's class name only: a handler of
    sfn.aws.ServiceError there cannot be chosen exactly."""
    message = refusal("""
        @sfn.workflow
        def main(x: str):
            try:
                try:
                    sfn.aws.sns.publish(TopicArn=x, Message=x)
                finally:
                    x = x + "!"
            except sfn.aws.ServiceError:
                return "service"
            return x
        """)
    assert "wf.py:10:5: except sfn.aws.ServiceError here would choose by the exception's class name" in message
    both_ways("""
        @sfn.workflow
        def main(x: str):
            try:
                try:
                    sfn.aws.sns.publish(TopicArn=x, Message=x)
                finally:
                    x = x + "!"
            except sfn.aws.sns.NotFoundException as e:
                return [x, type(e).__name__]
            return x
        """, {"x": "arn:aws:sns:us-east-1:123456789012:none"})


def test_put_events_with_a_failed_entry_fails_both_ways():
    """Step Functions' events:putEvents fails with EventBridge.FailedEntry when an entry failed
    (boto3 would return the response): the facade raises sfn.aws.events.FailedEntry in plain runs."""
    source = """
        @sfn.workflow
        def main(detail: str):
            try:
                return sfn.aws.events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": detail}])
            except sfn.aws.events.FailedEntry as e:
                return ["failed", type(e).__name__, str(e)]
        """
    [failed, ok] = both_ways(source, {"detail": "not json"}, {"detail": "{}"})
    assert failed["output"][:2] == ["failed", "FailedEntry"] and '"FailedEntryCount":1' in failed["output"][2]
    assert ok["output"]["FailedEntryCount"] == 0


def test_start_execution_errors_named_as_the_emulator_fails_them():
    compiled = compile_text("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.states.start_execution(stateMachineArn=x, name="once")
            except sfn.aws.states.ExecutionAlreadyExists:
                return "again"
            return "started"
        """)
    [task] = service_tasks(compiled)
    assert task["Catch"][0]["ErrorEquals"] == ["StepFunctions.ExecutionAlreadyExistsException"]


def test_pysfn_emulate_gives_a_workflow_an_empty_local_account(tmp_path, capsys):
    """`pysfn-emulate workflow.py` without --services: the workflow's calls reach a fresh LocalAws
    (an empty account), as its plain run would, rather than failing as unregistered."""
    workflow = tmp_path / "orders.py"
    workflow.write_text(textwrap.dedent('''
        from pysfn_compile import sfn

        @sfn.workflow
        def main(order_id):
            sfn.aws.dynamodb.put_item(TableName="orders", Item={"id": {"S": order_id}})
            got = sfn.aws.dynamodb.get_item(TableName="orders", Key={"id": {"S": order_id}})
            return got["Item"]["id"]["S"]
    '''))
    assert emulate_main([str(workflow), "--input", '{"order_id": "a1"}', "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == "a1"


def test_caught_service_error_class_from_the_machines_error_and_cause():
    """The Catch's class expression (declared names by an `in` test, the renamed few by a table,
    an undeclared code read from the cause) names each error as the full table did."""
    compiled = compile_text("""
        @sfn.workflow
        def main(x: str):
            try:
                sfn.aws.sns.publish(TopicArn=x, Message=x)
            except sfn.aws.ServiceError as e:
                return type(e).__name__
            return "ok"
        """)
    (publish,) = service_tasks(compiled)
    field = compile_value(publish["Catch"][-1]["Assign"]["e"]["type"], "Assign")
    sdk = "(Service: AmazonSNS; Status Code: 400; Error Code: {}; Request ID: r-1)"
    cases = [
        ("SNS.NotFoundException", sdk.format("NotFound"), "NotFoundException"),
        ("SNS.KMSOptInRequiredException", sdk.format("KMSOptInRequired"), "KMSOptInRequired"),
        ("SNS.AmazonSNSException", sdk.format("ThrottledException"), "ThrottledException"),
        ("SNS.AmazonSNSException", "no code here", "AmazonSNSException"),
        ("States.Timeout", None, "States.Timeout"),
        ("Other.NotFoundException", "x", "NotFoundException"),
    ]
    for error, cause, expected in cases:
        states = {"input": {}, "context": {}, "errorOutput": {"Error": error, "Cause": cause}}
        assert field(states, {}, Runtime(rng=random.Random(1), now_ms=lambda: 0)) == expected, error
