"""Approval chain with escalation: ask each approver in turn, remind them after a wait, and
escalate to the next level when they do not answer; a rejection ends the chain.

Shows for/else with break, while with a counter, sfn.sleep between reminders, and custom
exceptions carrying the approver's reason.
"""

from pysfn_compile import sfn

CHAIN = ["team-lead", "manager", "director", "cfo"]

# who answers what, by request: {approver: (answer, after how many reminders)}
ANSWERS = {
    "REQ-1": {"team-lead": ("approve", 0)},
    "REQ-2": {"team-lead": ("none", 0), "manager": ("approve", 2)},
    "REQ-3": {"team-lead": ("reject:budget exhausted", 1)},
    "REQ-4": {},
    "REQ-5": {"manager": ("approve", 0)},
}


class Rejected(Exception):
    pass


class NobodyAnswered(Exception):
    pass


def first_approver(amount: int) -> int:
    """Small amounts start with the team lead, large ones further up."""
    if amount < 1_000:
        return 0
    if amount < 50_000:
        return 1
    return 2


def ask(request_id: str, approver: str, reminder: int) -> str:
    answer, after = ANSWERS.get(request_id, {}).get(approver, ("none", 0))
    if answer == "none" or reminder < after:
        return "pending"
    return answer


def notify(request_id: str, message: str) -> None:
    return None


@sfn.workflow
def approve(request_id: str, amount: int, max_reminders: int = 2, reminder_wait: int = 3600):
    level = first_approver(amount)
    history = []
    for approver in CHAIN[level:]:
        reminders = 0
        answer = ask(request_id, approver, reminders)
        while answer == "pending" and reminders < max_reminders:
            sfn.sleep(reminder_wait)
            reminders += 1
            notify(request_id, f"reminder {reminders} to {approver}")
            answer = ask(request_id, approver, reminders)
        history.append({"approver": approver, "answer": answer, "reminders": reminders})
        if answer.startswith("reject"):
            reason = answer.partition(":")[2] if ":" in answer else "no reason given"
            raise Rejected(f"{approver} rejected {request_id}: {reason}")
        if answer == "approve":
            notify(request_id, f"approved by {approver}")
            break
    else:
        raise NobodyAnswered(f"no approver answered {request_id} after {len(history)} escalations")
    return {"request": request_id, "approved_by": history[-1]["approver"], "history": history}
