"""sfn.map(..., distributed=True): a distributed Map (child executions), its items from a list
or from S3 (sfn.s3_items), in batches or one by one, with or without a tolerance; equal both
ways whatever AWS does with a failed child (children return their exceptions as records)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import pysfn_emulator
from pysfn_compile import compile_file, sfn
from pysfn_compile.package import _states, sam_template, to_yaml

from .helpers import compile_text, refusal

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
    assert machine == python
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
        assert machine == python
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
    assert machine == python
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
    assert machine == python == {"status": "FAILED", "output": None, "error": "TypeError",
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
        assert machine == python
    assert python["output"] == [[[0], [], {"a": [0]}, None], [[1], [], {"a": [1]}, None]]


def test_sam_template_for_callbacks_and_a_distributed_map(tmp_path):
    """The callback's Task calls the callees' function too (its FunctionName is replaced), and a
    distributed Map may start, describe and stop its children and read its S3 object."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    approval = sam_template(compile_file(examples / "human_approval.py"), "wf.zip")
    definition = approval["Resources"]["StateMachine"]["Properties"]["Definition"]
    waits = [s for s in _states(definition) if s.get("Resource", "").endswith(".waitForTaskToken")]
    assert waits and {s["Arguments"]["FunctionName"] for s in waits} == {"${CalleesFunctionArn}"}
    template = sam_template(compile_file(examples / "bulk_fan_out.py"), "wf.zip", state_machine_name="bulk")
    policies = template["Resources"]["StateMachine"]["Properties"]["Policies"]
    text = json.dumps(policies)
    assert "states:StartExecution" in text and ":stateMachine:bulk" in text and "states:StopExecution" in text
    assert {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]} in policies
    path = tmp_path / "template.yaml"
    path.write_text(to_yaml(template) + "\n")
    cfn_lint = pytest.importorskip("cfnlint.api")
    assert [str(m) for m in cfn_lint.lint_file(path)] == []
    translator = pytest.importorskip("samtranslator.translator.transform")
    template["Resources"]["CalleesFunction"]["Properties"]["CodeUri"] = "s3://bucket/wf.zip"

    class NoManagedPolicies:
        def load(self):
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    out = translator.transform(template, {"AWS::Region": "us-east-1"}, NoManagedPolicies())
    roles = json.dumps([r for r in out["Resources"].values() if r["Type"] == "AWS::IAM::Role"])
    assert "states:StartExecution" in roles and "s3:GetObject" in roles and "lambda:InvokeFunction" in roles
