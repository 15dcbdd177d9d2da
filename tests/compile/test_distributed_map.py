"""sfn.map(..., distributed=True): a distributed Map (child executions), its items from a list
or from S3 (sfn.s3_items), in batches or one by one, with or without a tolerance; equal both
ways whatever AWS does with a failed child (children return their exceptions as records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_compile import compile_file, sfn
from pysfn_compile.graph.asl_states import every_state
from pysfn_compile.package import sam_template

from .deploy_checks import cfn_lint_problems, role_statements, sam_transform, statelint_problems
from .helpers import compile_text, refusal, same

SOURCE = '''
class Bad(Exception):
    pass


CALLED = []


def score(item):
    CALLED.append(item)
    if item < 0:
        raise Bad(f"negative {item}")
    return item * 2


def total(batch):
    if any(x < 0 for x in batch):
        raise Bad(f"a negative item in {batch}")
    return sum(batch)


@sfn.workflow
def main(items: list, mode: str = "plain"):
    try:
        if mode == "plain":
            return sfn.map(score, items, distributed=True, max_concurrency=3)
        if mode == "batches":
            return sfn.map(total, items, distributed=True, batch_size=2, execution_type="EXPRESS")
        if mode == "count":
            return sfn.map(score, items, distributed=True, tolerated_failure_count=1)
        if mode == "share":
            return sfn.map(lambda x: score(x), items, distributed=True, tolerated_failure_percentage=25)
        return sfn.map(score, items, distributed=True, tolerated_failure_count=2, tolerated_failure_percentage=50)
    except Bad as e:
        return "bad: " + str(e)
'''


def run_both(compiled, payload, aws_factory=None):
    python = compiled.run_python(payload, services=aws_factory() if aws_factory else None)
    execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                   services=aws_factory() if aws_factory else None)
    machine = {"status": execution.status, "output": execution.output, "error": execution.error,
               "cause": execution.cause}
    return python, machine, execution


def maps(definition):
    found = []
    for state in definition["States"].values():
        if state["Type"] == "Map":
            found.append(state)
    return found


def test_the_map_is_distributed():
    compiled = compile_text(SOURCE)
    states = maps(compiled.definition)
    configs = sorted(s["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] for s in states)
    assert configs == ["EXPRESS", "STANDARD", "STANDARD", "STANDARD", "STANDARD"]
    assert {s["ItemProcessor"]["ProcessorConfig"]["Mode"] for s in states} == {"DISTRIBUTED"}
    assert [s.get("MaxConcurrency") for s in states].count(3) == 1
    (batched,) = [s for s in states if "ItemBatcher" in s]
    assert batched["ItemBatcher"] == {"MaxItemsPerBatch": 2}
    assert batched["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "EXPRESS"
    # the tolerance is the machine's own check after the Map (children return their exceptions)
    assert not any(key.startswith("ToleratedFailure") for state in states for key in state)
    assert pysfn_emulator.validate(compiled.definition) == []


def test_the_definition_passes_statelint():
    statelint = pytest.importorskip("statelint.linter")
    assert statelint.Linter.validate(compile_text(SOURCE).definition) == []


@pytest.mark.parametrize(("payload", "expected"), [
    ({"items": [1, 2, 3]}, [2, 4, 6]),
    ({"items": []}, []),
    ({"items": [5]}, [10]),
    ({"items": [1, -2, -3]}, "bad: negative -2"),  # every item runs; the first failure is raised
    ({"items": [1, 2, 3, 4, 5], "mode": "batches"}, [3, 7, 5]),
    ({"items": [1, -2, 3], "mode": "batches"}, "bad: a negative item in [1, -2]"),
    ({"items": [1, -2, 3], "mode": "count"}, [2, None, 6]),
    ({"items": [-1, -2, 3], "mode": "count"}, None),
    ({"items": [1, -2, 3, 4], "mode": "share"}, [2, None, 6, 8]),
    ({"items": [1, -2, -3, 4], "mode": "share"}, None),
    ({"items": [-1, -2, 3, 4], "mode": "both"}, [None, None, 6, 8]),
    ({"items": [-1, -2, -3, 4, 5, 6, 7], "mode": "both"}, None),  # over the count, not the share
])
def test_equal_both_ways(payload, expected):
    compiled = compile_text(SOURCE)
    python, machine, _ = run_both(compiled, payload)
    assert same(machine, python)
    if expected is None:
        assert (python["error"], python["cause"]) == ("States.ExceedToleratedFailureThreshold",
                                                      "The specified tolerated failure threshold was exceeded")
    else:
        assert python["output"] == expected


def test_every_item_runs_in_both_runs_even_after_a_failure():
    compiled = compile_text(SOURCE)
    compiled.run_python({"items": [-1, 2, 3]})
    plain = sorted(compiled.module.CALLED)
    compiled.module.CALLED.clear()
    pysfn_emulator.run(compiled.definition, {"items": [-1, 2, 3]}, lambdas=compiled.local_lambdas())
    assert sorted(compiled.module.CALLED) == plain == [-1, 2, 3]


def test_the_parent_history_stays_small():
    compiled = compile_text('''
def score(item):
    return item % 7


@sfn.workflow
def main(n: int):
    return sum(sfn.map(score, list(range(n)), distributed=True))
''')
    sizes = {}
    for n in (10, 1000):
        python, machine, execution = run_both(compiled, {"n": n})
        assert same(machine, python)
        sizes[n] = len(execution.history)
    assert sizes[1000] == sizes[10] < 40


S3_SOURCE = '''
def weigh(order):
    return {"id": order["id"], "kg": int(order["kg"]) * 2}


@sfn.workflow
def main(bucket: str, key: str, kind: str = "JSON"):
    if kind == "CSV":
        return sfn.map(weigh, sfn.s3_items(bucket, key, input_type="CSV"), distributed=True)
    if kind == "JSONL":
        return sfn.map(weigh, sfn.s3_items(bucket, key, "JSONL"), distributed=True)
    return sfn.map(weigh, sfn.s3_items(bucket, key), distributed=True)
'''

OBJECTS = {
    "o.json": '[{"id": 1, "kg": 3}, {"id": 2, "kg": 4.0}]',
    "o.jsonl": '{"id": 1, "kg": 3}\n\n{"id": 2, "kg": 5}\n',
    "o.csv": 'id,kg\nA,3\nB,7\n',
}


def _local_s3():
    aws = pysfn_emulator.LocalAws()
    for key, body in OBJECTS.items():
        aws.call("s3", "putObject", {"Bucket": "b", "Key": key, "Body": body})
    return aws


@pytest.mark.parametrize(("payload", "expected"), [
    ({"bucket": "b", "key": "o.json"}, [{"id": 1, "kg": 6}, {"id": 2, "kg": 8}]),
    ({"bucket": "b", "key": "o.jsonl", "kind": "JSONL"}, [{"id": 1, "kg": 6}, {"id": 2, "kg": 10}]),
    ({"bucket": "b", "key": "o.csv", "kind": "CSV"}, [{"id": "A", "kg": 6}, {"id": "B", "kg": 14}]),
    ({"bucket": "b", "key": "missing.json"}, None),
])
def test_s3_items_equal_both_ways(payload, expected):
    compiled = compile_text(S3_SOURCE)
    python, machine, _ = run_both(compiled, payload, _local_s3)
    assert same(machine, python)
    if expected is None:
        assert python["error"] == "States.ItemReaderFailed" and "NoSuchKey" in python["cause"]
    else:
        assert python["output"] == expected


def test_the_item_reader_reads_the_object():
    compiled = compile_text(S3_SOURCE)
    readers = [state["ItemReader"] for state in maps(compiled.definition)]
    assert {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSONL"},
            "Arguments": {"Bucket": "{% $bucket %}", "Key": "{% $key %}"}} in readers
    assert {"Resource": "arn:aws:states:::s3:getObject",
                          "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                          "Arguments": {"Bucket": "{% $bucket %}", "Key": "{% $key %}"}} in readers
    assert not any("Items" in state for state in maps(compiled.definition))


def test_s3_items_of_unknown_type_are_checked_at_run_time():
    compiled = compile_text('''
def f(x):
    return x


@sfn.workflow
def main(bucket, key):
    return sfn.map(f, sfn.s3_items(bucket, key), distributed=True)
''')
    python, machine, _ = run_both(compiled, {"bucket": 5, "key": "o.json"}, _local_s3)
    assert same(machine, python) and python == {"status": "FAILED", "output": None, "error": "TypeError",
                                 "cause": "sfn.s3_items() bucket must be a str, not int"}


HEAD = '''
def f(x):
    return x


@sfn.workflow
def main(items: list, n: int):
'''


@pytest.mark.parametrize(("body", "message"), [
    ("return sfn.map(lambda x: x + n, items, distributed=True)",
     "does not see the workflow's variables: 'n' is one"),
    ("def g(x):\n        return sfn.context()\n    return sfn.map(g, items, distributed=True)",
     "sfn.context() in a distributed Map's item"),
    ("def g(x):\n        raise sfn.Fail('E', 'c')\n    return sfn.map(g, items, distributed=True)",
     "raise sfn.Fail in a distributed Map's item"),
    ("def g(x):\n        return sfn.wait_for_callback(f, x)\n    return sfn.map(g, items, distributed=True, "
     "execution_type='EXPRESS')", "an EXPRESS child execution cannot wait for a callback"),
    ("return sfn.s3_items('b', 'k')", "sfn.s3_items() is only the items of a distributed Map"),
    ("return sfn.map(f, items, distributed=True, batch_size=n)", "batch_size= must be a literal"),
    ("return sfn.map(f, items, distributed=True, batch_size=0)", "batch_size= must be an int >= 1"),
    ("return sfn.map(f, items, batch_size=2)", "batch_size= is for a distributed Map"),
    ("return sfn.map(f, items, distributed=n)", "distributed= must be a literal True or False"),
    ("return sfn.map(f, items, distributed=True, execution_type='FAST')", "execution_type= must be"),
    ("return sfn.map(f, items, distributed=True, tolerated_failure_percentage=120)", "from 0 to 100"),
    ("return sfn.map(f, sfn.s3_items('b', 'k'))", "sfn.s3_items() are the items of a distributed Map"),
    ("return sfn.map(f, sfn.s3_items('b', 'k', input_type='PARQUET'), distributed=True)", "input_type="),
    ("return sfn.map(f, sfn.s3_items('b', n), distributed=True)", "the key of sfn.s3_items() must be a str"),
])
def test_refusals_are_located(body, message):
    text = refusal(HEAD + f"    {body}\n")
    assert message in text and "wf.py:" in text, text


def test_a_plain_run_reads_s3_items_through_the_services():
    items = sfn.s3_items("b", "o.csv", input_type="CSV")
    with sfn.using_services(_PlainS3()):
        assert items.read() == [{"id": "A", "kg": "3"}]


class _PlainS3:
    def call(self, service, method, params):
        assert (service, method, params) == ("s3", "get_object", {"Bucket": "b", "Key": "o.csv"})
        return {"Body": "id,kg\nA,3\n"}


def test_list_results_stay_items_of_the_result():
    """Regression: the values were appended with `[$r.v]`, which flattened a child's list."""
    compiled = compile_text('''
def score(item):
    return item % 7


@sfn.workflow
def main(n: int, nested: bool = False):
    if nested:
        return sfn.map(lambda x: [[x], [], {"a": [x]}, None], list(range(n)), distributed=True)
    return sfn.map(lambda xs: [score(x) for x in xs], list(range(n)), distributed=True, batch_size=3)
''')
    for payload in ({"n": 1}, {"n": 7}, {"n": 2, "nested": True}):
        python, machine, _ = run_both(compiled, payload)
        assert same(machine, python)
    assert python["output"] == [[[0], [], {"a": [0]}, None], [[1], [], {"a": [1]}, None]]


def test_sam_template_for_callbacks_and_a_distributed_map(tmp_path):
    """The callback's Task calls the callees' function too (its FunctionName is replaced), and a
    distributed Map may start, describe and stop its children and read its S3 object."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    approval = sam_template(compile_file(examples / "human_approval.py"), "wf.zip")
    definition = approval["Resources"]["StateMachine"]["Properties"]["Definition"]
    waits = [s for s in every_state(definition) if s.get("Resource", "").endswith(".waitForTaskToken")]
    assert waits and {s["Arguments"]["FunctionName"] for s in waits} == {"${CalleesFunctionArn}"}
    template = sam_template(compile_file(examples / "bulk_fan_out.py"), "wf.zip", state_machine_name="bulk")
    policies = template["Resources"]["StateMachine"]["Properties"]["Policies"]
    text = json.dumps(policies)
    assert "states:StartExecution" in text and ":stateMachine:bulk" in text and "states:StopExecution" in text
    assert {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]} in policies
    assert cfn_lint_problems(template, tmp_path) == []
    roles = role_statements(sam_transform(template))
    assert "states:StartExecution" in roles and "s3:GetObject" in roles and "lambda:InvokeFunction" in roles


# -- results written to S3 (result_writer=sfn.s3_results) ------------------------------------
WRITER_SOURCE = '''
class Bad(Exception):
    pass


def score(item):
    if item < 0:
        raise Bad(f"negative {item}")
    return item * 2


@sfn.workflow
def main(items: list, bucket: str, batches: bool = False):
    if batches:
        where = sfn.map(lambda batch: sum(batch), items, distributed=True, batch_size=2,
                        result_writer=sfn.s3_results(bucket, "runs/batched"))
    else:
        where = sfn.map(score, items, distributed=True, result_writer=sfn.s3_results(bucket, prefix="runs"))
    return where["ResultWriterDetails"]
'''


def _results_aws():
    aws = pysfn_emulator.LocalAws()
    aws.call("s3", "putObject", {"Bucket": "results", "Key": "seed", "Body": "x"})
    return aws


@pytest.mark.parametrize("payload", [
    {"items": [1, 2, 3], "bucket": "results"},
    {"items": [1, -2, 3], "bucket": "results"},  # the exception is the item's record, not raised
    {"items": [], "bucket": "results"},
    {"items": [1, 2, 3], "bucket": "results", "batches": True},
    {"items": [1], "bucket": 3},  # the entry check's TypeError both ways, nothing written
])
def test_result_writer_equal_both_ways_with_the_same_objects(payload):
    python_aws, machine_aws = _results_aws(), _results_aws()
    compiled = compile_text(WRITER_SOURCE)
    python = compiled.run_python(payload, services=python_aws)
    execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                   services=machine_aws, execution_name="plain-run")  # the plain run's name
    machine = {"status": execution.status, "output": execution.output, "error": execution.error,
               "cause": execution.cause}
    assert same(machine, python)
    assert machine_aws.snapshot() == python_aws.snapshot()
    if payload["bucket"] == 3:
        assert python["error"] == "TypeError" and python_aws.snapshot() == _results_aws().snapshot()
        return
    objects = python_aws.snapshot()
    assert python["status"] == "SUCCEEDED" and python["output"]["Bucket"] == "results"
    manifest = json.loads(python_aws.call("s3", "getObject", {"Bucket": "results", "Key": python["output"]["Key"]})["Body"])
    files = manifest["ResultFiles"]["SUCCEEDED"]
    records = [json.loads(python_aws.call("s3", "getObject", {"Bucket": "results", "Key": f["Key"]})["Body"])
               for f in files]
    expected = {(1, 2, 3): [{"v": 2}, {"v": 4}, {"v": 6}],
                (1, -2, 3): [{"v": 2}, {"raised": {"type": "Bad", "message": "negative -2"}}, {"v": 6}],
                (): []}
    if payload.get("batches"):
        assert records == [[{"v": 3}, {"v": 3}]]
    else:
        assert records == ([expected[tuple(payload["items"])]] if payload["items"] else [])
    assert objects


def test_the_result_writer_in_the_definition():
    compiled = compile_text(WRITER_SOURCE)
    writers = sorted((state["Label"], json.dumps(state["ResultWriter"], sort_keys=True))
                     for state in maps(compiled.definition))
    assert writers == [
        ("lambda", json.dumps({"Arguments": {"Bucket": "{% $bucket %}", "Prefix": "runs/batched"},
                               "Resource": "arn:aws:states:::s3:putObject",
                               "WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}}, sort_keys=True)),
        ("score", json.dumps({"Arguments": {"Bucket": "{% $bucket %}", "Prefix": "runs"},
                              "Resource": "arn:aws:states:::s3:putObject",
                              "WriterConfig": {"OutputType": "JSON", "Transformation": "COMPACT"}}, sort_keys=True)),
    ]
    assert pysfn_emulator.validate(compiled.definition) == []
    assert statelint_problems(compiled.definition) == []


def test_sam_policies_for_a_result_writer(tmp_path):
    """The writer's bucket: S3CrudPolicy and the multipart upload's actions where it is a
    literal, the actions on every object where it is computed."""
    compiled = compile_text('''
        @sfn.workflow
        def main(items: list, bucket: str):
            sfn.map(lambda x: x, items, distributed=True, result_writer=sfn.s3_results("reports", "runs"))
            return sfn.map(lambda x: x, items, distributed=True, result_writer=sfn.s3_results(bucket))
        ''')
    template = sam_template(compiled, "wf.zip")
    policies = template["Resources"]["StateMachine"]["Properties"]["Policies"]
    multipart = ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"]
    assert {"S3CrudPolicy": {"BucketName": "reports"}} in policies
    assert {"Statement": [{"Effect": "Allow", "Action": multipart,
                           "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::reports/*"}]}]} in policies
    assert {"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", *multipart],
                           "Resource": "*"}]} in policies
    assert cfn_lint_problems(template, tmp_path) == []
    assert "s3:PutObject" in role_statements(sam_transform(template))


@pytest.mark.parametrize(("call", "message"), [
    ("sfn.map(f, xs, result_writer=sfn.s3_results('b'))", "result_writer= is for a distributed Map"),
    ("sfn.map(f, xs, distributed=True, result_writer=sfn.s3_results('b'), tolerated_failure_count=1)",
     "tolerated_failure_count= has nothing to count"),
    ("sfn.map(f, xs, distributed=True, result_writer=sfn.s3_items('b', 'k'))",
     "result_writer= must be sfn.s3_results(bucket, prefix)"),
    ("sfn.map(f, xs, distributed=True, result_writer=sfn.s3_results(3))",
     "the bucket of sfn.s3_results() must be a str, not int"),
])
def test_result_writer_refusals_are_located(call, message):
    text = refusal(f'''
        def f(x: int) -> int:
            return x

        @sfn.workflow
        def main(xs: list):
            return {call}
        ''')
    assert message in text and "wf.py:8:" in text


def test_plain_result_writer_checks_as_the_compiler_does():
    with pytest.raises(ValueError, match="for a distributed map"):
        sfn.map(abs, [1], result_writer=sfn.s3_results("b"))
    with pytest.raises(ValueError, match="nothing to count"):
        sfn.map(abs, [1], distributed=True, result_writer=sfn.s3_results("b"), tolerated_failure_percentage=5)
    with pytest.raises(TypeError, match="prefix must be a str, not int"):
        sfn.s3_results("b", 3)
