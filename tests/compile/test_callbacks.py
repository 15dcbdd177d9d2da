"""sfn.wait_for_callback: a `.waitForTaskToken` Task through the dispatcher, answered in a plain
run by the responder `sfn.using_callbacks` gives and in the emulator by the same responder
(Compiled.local_callbacks); both runs agree on answers, failure answers and timeouts."""

from __future__ import annotations

import pytest

import pysfn_emulator
from pysfn_compile import sfn

from .helpers import compile_text, refusal, same

SOURCE = '''
class Rejected(Exception):
    pass


class NeedsMore(Rejected):
    pass


def notify(request: dict, token: str) -> None:
    return None


@sfn.workflow
def main(amount: int):
    try:
        answer = sfn.wait_for_callback(notify, {"amount": amount}, timeout=600, heartbeat=60)
    except NeedsMore as e:
        return {"status": "more", "why": str(e)}
    except Rejected as e:
        return {"status": "rejected", "why": str(e)}
    except sfn.HeartbeatTimeout:
        return {"status": "silent"}
    return {"status": "approved", "answer": answer}
'''


def _responder(module):
    def respond(token, request):
        assert isinstance(token, str) and token
        amount = request["amount"]
        if amount == 1:
            raise module.NeedsMore("a receipt")
        if amount == 2:
            raise module.Rejected("no")
        if amount == 3:
            return sfn.NO_ANSWER
        if amount == 4:
            raise sfn.Fail("Rejected", "by name")
        if amount == 5:
            raise sfn.Fail("Unknown.Error", "nobody catches it")
        if amount == 6:
            raise ValueError("a bug in the approver's tool")
        return {"by": "boss", "amount": request["amount"], "ratio": 2.0}
    return respond


def both_ways(compiled, payload, responders):
    python = compiled.run_python(payload, callbacks=responders)
    execution = pysfn_emulator.run(compiled.definition, payload, lambdas=compiled.local_lambdas(),
                                   callbacks=compiled.local_callbacks(responders))
    machine = {"status": execution.status, "output": execution.output, "error": execution.error,
               "cause": execution.cause}
    return python, machine, execution


def test_the_task_waits_for_its_token():
    compiled = compile_text(SOURCE)
    (state,) = [s for s in compiled.definition["States"].values() if s.get("Type") == "Task"]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert state["Arguments"]["Payload"]["function"] == "notify"
    assert state["Arguments"]["Payload"]["args"][1] == "{% $states.context.Task.Token %}"
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"]) == (600, 60)
    # the answer itself (SendTaskSuccess's output), not a Lambda response's Payload
    assert state["Output"] == {"status": "approved", "answer": "{% $states.result %}"}
    errors = [c["ErrorEquals"] for c in state["Catch"]]
    assert errors[:3] == [["NeedsMore"], ["Rejected", "NeedsMore"], ["States.HeartbeatTimeout"]]
    assert pysfn_emulator.validate(compiled.definition) == []


def test_the_definition_passes_statelint():
    statelint = pytest.importorskip("statelint.linter")
    assert statelint.Linter.validate(compile_text(SOURCE).definition) == []


@pytest.mark.parametrize("amount", [0, 1, 2, 3, 4, 5, 6])
def test_answers_failures_and_timeouts_are_equal_both_ways(amount):
    compiled = compile_text(SOURCE)
    python, machine, _ = both_ways(compiled, {"amount": amount}, {"notify": _responder(compiled.module)})
    assert same(machine, python)
    expected = {0: ("SUCCEEDED", {"status": "approved", "answer": {"by": "boss", "amount": 0, "ratio": 2}}),
                1: ("SUCCEEDED", {"status": "more", "why": "a receipt"}),
                2: ("SUCCEEDED", {"status": "rejected", "why": "no"}),
                3: ("SUCCEEDED", {"status": "silent"}),
                4: ("SUCCEEDED", {"status": "rejected", "why": "by name"}),
                5: ("FAILED", None), 6: ("FAILED", None)}[amount]
    assert (python["status"], python["output"]) == expected
    if amount == 5:
        assert (python["error"], python["cause"]) == ("Unknown.Error", "nobody catches it")
    if amount == 6:
        assert (python["error"], python["cause"]) == ("ValueError", "a bug in the approver's tool")


def test_a_timeout_nobody_catches_fails_with_states_timeout():
    compiled = compile_text('''
def notify(request, token):
    return None


@sfn.workflow
def main():
    return sfn.wait_for_callback(notify, "hello", timeout=30)
''')
    python, machine, execution = both_ways(compiled, {}, {"notify": lambda token, payload: sfn.NO_ANSWER})
    assert same(machine, python) and python == {"status": "FAILED", "output": None, "error": "States.Timeout", "cause": ""}
    assert execution.elapsed_seconds >= 30


def test_the_plain_run_waits_on_its_clock_until_the_timeout():
    compiled = compile_text('''
def notify(request, token):
    return None


@sfn.workflow
def main():
    try:
        sfn.wait_for_callback(notify, "hello", timeout=30)
    except sfn.Timeout:
        return sfn.now()
''')
    with sfn.virtual_clock(0) as clock:
        result = compiled.run_python({}, virtual_clock=False, callbacks={"notify": lambda t, p: sfn.NO_ANSWER})
    assert result["output"] == "1970-01-01T00:00:30Z" and clock.slept == 30


def test_notify_receives_the_payload_and_the_token_the_responder_gets():
    compiled = compile_text('''
SENT = []


def notify(request, token):
    SENT.append((request, token))


@sfn.workflow
def main(n: int):
    first = sfn.wait_for_callback(notify, {"n": n})
    second = sfn.wait_for_callback(notify, [first, n + 1])
    return [first, second]
''')
    seen = []

    def respond(token, payload):
        seen.append((payload, token))
        return len(seen)

    python = compiled.run_python({"n": 5}, callbacks={"notify": respond})
    assert python["output"] == [1, 2]
    assert compiled.module.SENT == seen == [({"n": 5}, seen[0][1]), ([1, 6], seen[1][1])]
    assert seen[0][1] != seen[1][1]
    compiled.module.SENT.clear()
    seen.clear()
    execution = pysfn_emulator.run(compiled.definition, {"n": 5}, lambdas=compiled.local_lambdas(),
                                   callbacks=compiled.local_callbacks({"notify": respond}))
    assert execution.output == [1, 2]
    assert compiled.module.SENT == seen and seen[0][1].startswith("AQ")


def test_a_failing_notify_fails_the_wait_both_ways():
    compiled = compile_text('''
class Down(Exception):
    pass


def notify(request, token):
    raise Down("mail server down")


@sfn.workflow
def main():
    try:
        return sfn.wait_for_callback(notify, {})
    except Down as e:
        return "down: " + str(e)
''')
    python, machine, _ = both_ways(compiled, {}, {"notify": lambda token, payload: "answered"})
    assert same(machine, python) and python["output"] == "down: mail server down"


def test_no_responder_in_a_plain_run_is_a_clear_error():
    compiled = compile_text('''
def notify(request, token):
    return None


@sfn.workflow
def main():
    return sfn.wait_for_callback(notify, {})
''')
    result = compiled.run_python({})
    assert result["error"] == "NoResponder"
    assert "sfn.using_callbacks({'notify': responder})" in result["cause"]


def test_a_responder_for_something_not_waited_on_is_refused():
    compiled = compile_text('''
def notify(request, token):
    return None


@sfn.workflow
def main():
    return sfn.wait_for_callback(notify, {})
''')
    with pytest.raises(LookupError, match="'notfy' is not a callee the workflow waits on"):
        compiled.local_callbacks({"notfy": lambda token, payload: 1})


CALLEE = '''
def notify(request, token):
    return None

'''


@pytest.mark.parametrize(("body", "message"), [
    ("return sfn.wait_for_callback(lambda r, t: None, {})", "the callback's notify must be a callee"),
    ("return sfn.wait_for_callback(notify)", "needs the callee and the payload"),
    ("return sfn.wait_for_callback(notify, {}, timeout=n)", "timeout=...) must be a literal int"),
    ("return sfn.wait_for_callback(notify, {}, timeout=0)", "must be a positive int"),
    ("return sfn.wait_for_callback(notify, {}, timeout=10, heartbeat=10)", "heartbeat must be smaller than timeout"),
    ("return sfn.wait_for_callback(notify, {}, retries=3)", "unexpected arguments"),
    ("return sfn.wait_for_callback(notify, {}, payload=1)", "multiple values for 'payload'"),
    ("raise sfn.Timeout()", "raise needs an exception class"),
])
def test_refusals_are_located(body, message):
    text = refusal(CALLEE + f"@sfn.workflow\ndef main(n: int):\n    {body}\n")
    assert message in text and "wf.py:" in text


def test_retry_or_task_options_on_the_notify_callee_are_refused():
    for decorator in ("@sfn.retry(errors=[ValueError])", "@sfn.task(timeout=5)"):
        text = refusal(f'''
{decorator}
def notify(request, token):
    return None


@sfn.workflow
def main():
    return sfn.wait_for_callback(notify, {{}})
''')
        assert "would apply it to the answer" in text, text


def test_raising_sfn_timeout_by_name_is_refused():
    text = refusal('''
from pysfn_compile.runtime.sfn import Timeout


@sfn.workflow
def main():
    raise Timeout()
''')
    assert "Step Functions' own error" in text


def test_type_name_of_a_caught_exception_is_refused_where_callbacks_time_out():
    text = refusal(CALLEE + '''
@sfn.workflow
def main():
    try:
        return sfn.wait_for_callback(notify, {}, timeout=5)
    except Exception as e:
        return type(e).__name__
''')
    assert "waits for callbacks" in text


def test_sfn_run_fixture_and_compare_take_the_responders(sfn_run, tmp_path):
    path = tmp_path / "approval.py"
    path.write_text("from pysfn_compile import sfn\n" + SOURCE)
    compiled = compile_text(SOURCE)
    responders = {"notify": _responder(compiled.module)}
    for amount in (0, 2, 3):
        sfn_run.compare(path, {"amount": amount}, callbacks=responders)
    execution = sfn_run(path, {"amount": 0}, callbacks=responders)
    assert execution.output["status"] == "approved"


@pytest.mark.parametrize("distributed", [False, True])
def test_callbacks_inside_a_map_and_its_child_executions(distributed):
    compiled = compile_text('''
class No(Exception):
    pass


def notify(p, t):
    return None


@sfn.workflow
def main(items: list, distributed: bool):
    def ask(x):
        try:
            return sfn.wait_for_callback(notify, x, timeout=60)
        except sfn.Timeout:
            return "late"
    try:
        if distributed:
            return sfn.map(ask, items, distributed=True)
        return sfn.map(ask, items)
    except No as e:
        return "no: " + str(e)
''')

    def respond(token, item):
        if item == 2:
            return sfn.NO_ANSWER
        if item == 3:
            raise compiled.module.No("three")
        return item * 10

    for items, expected in (([1, 2], [10, "late"]), ([1, 3, 2], "no: three")):
        payload = {"items": items, "distributed": distributed}
        python, machine, _ = both_ways(compiled, payload, {"notify": respond})
        assert same(machine, python) and python["output"] == expected
