"""Expense approval by a person: above the automatic limit, the workflow sends the request to
the approver (say, an email whose approve/reject links carry the task token) and waits until
someone answers, for up to a day; unanswered, it escalates to finance for one more hour.

Shows `sfn.wait_for_callback(notify, payload, timeout=...)`: compiled, a Task
`arn:aws:states:::lambda:invoke.waitForTaskToken` that calls `notify(payload, token)` in the
workflow's Lambda and then waits for SendTaskSuccess / SendTaskFailure with that token. A
failure answer is an exception caught by its name (`except Rejected`); no answer in time is
`sfn.Timeout` (States.Timeout).

`RESPONDERS` stands in for the people: `python -m conformance` (and `sfn_run.compare(...,
callbacks=RESPONDERS)`) gives the same responder to the plain run and to the emulator.
"""

from pysfn_compile import sfn

AUTO_APPROVE_LIMIT = 100
FINANCE = "finance@example.com"


class Rejected(Exception):
    pass


def send_for_approval(request: dict, token: str) -> None:
    """Email the approver a link with the token (the answer comes back through SendTask*)."""
    return None


def record(expense_id: str, status: str, by: str) -> str:
    """Book the decision; returns the ledger reference."""
    return f"LEDGER-{expense_id}-{status.upper()}"


@sfn.workflow
def approve_expense(expense_id: str, employee: str, amount: int, category: str,
                    approver: str = "manager@example.com"):
    if amount <= AUTO_APPROVE_LIMIT:
        return {"expense": expense_id, "status": "approved", "by": "policy",
                "ref": record(expense_id, "approved", "policy")}
    request = {"expense": expense_id, "employee": employee, "amount": amount,
               "category": category, "approver": approver}
    try:
        try:
            answer = sfn.wait_for_callback(send_for_approval, request, timeout=86400)
        except sfn.Timeout:
            escalated = {**request, "approver": FINANCE, "escalated": True}
            answer = sfn.wait_for_callback(send_for_approval, escalated, timeout=3600)
    except Rejected as e:
        return {"expense": expense_id, "status": "rejected", "reason": str(e),
                "ref": record(expense_id, "rejected", str(e))}
    except sfn.Timeout:
        return {"expense": expense_id, "status": "expired", "ref": record(expense_id, "expired", "nobody")}
    note = answer.get("note", "")
    return {"expense": expense_id, "status": "approved", "by": answer["by"], "note": note,
            "ref": record(expense_id, "approved", answer["by"])}


# -- the people who answer (test data: the plain run and the emulator both ask them) --------
def approver_answers(token: str, request: dict):
    """The approver's decision: an answer approves, raising Rejected rejects,
    sfn.NO_ANSWER lets the wait time out."""
    if request["amount"] > 20_000:
        return sfn.NO_ANSWER  # nobody signs that off
    if request["category"] == "gifts" and not request.get("escalated"):
        return sfn.NO_ANSWER  # the manager ignores gift expenses; finance answers
    if request["category"] == "travel" and request["amount"] > 5_000:
        raise Rejected(f"travel over 5,000 needs a quote first ({request['expense']})")
    return {"by": request["approver"], "note": "ok" if request["amount"] < 1_000 else "large, but fine"}


RESPONDERS = {"send_for_approval": approver_answers}
