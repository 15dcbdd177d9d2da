"""Retries of a flaky service: the inventory service times out now and then, the payment
gateway throttles; each callee declares how to retry (a Task's Retry), and what still fails
after the retries is handled by the workflow.

The plain Python run retries too, waiting on the sfn clock (PYSFN_CLOCK=virtual makes the
waits instant). Failures are scripted per request, so both runs see the same sequence.
"""

from pysfn_compile import sfn

# request -> how many times each service fails before it answers
SCRIPT = {
    "R-ok": {},
    "R-slow": {"inventory": 2},
    "R-down": {"inventory": 5},
    "R-throttled": {"payment": 1},
    "R-limit": {"payment": 9},
}
CALLS = {}


class Throttled(Exception):
    pass


class ServiceUnavailable(Exception):
    pass


def start(request_id: str) -> None:
    """Open the request (and reset the scripted failures for it)."""
    for service in ("inventory", "payment"):
        CALLS[(request_id, service)] = 0


def _maybe_fail(request_id: str, service: str, error: type) -> None:
    CALLS[(request_id, service)] += 1
    if CALLS[(request_id, service)] <= SCRIPT.get(request_id, {}).get(service, 0):
        raise error(f"{service} attempt {CALLS[(request_id, service)]} failed")


@sfn.retry(errors=[TimeoutError], max_attempts=3, interval=2, backoff=2.0)
@sfn.task(timeout=30)
def check_inventory(request_id: str, sku: str) -> int:
    _maybe_fail(request_id, "inventory", TimeoutError)
    return len(sku) * 4


@sfn.retry(errors=[Throttled], max_attempts=2, interval=1, backoff=3.0, max_delay=5)
@sfn.retry(errors=[ServiceUnavailable], max_attempts=1, interval=10)
def take_payment(request_id: str, cents: int) -> str:
    _maybe_fail(request_id, "payment", Throttled)
    return f"paid {cents}"


@sfn.workflow
def fulfil(request_id: str, sku: str, cents: int):
    start(request_id)
    try:
        available = check_inventory(request_id, sku)
    except TimeoutError as e:
        return {"request": request_id, "status": "inventory unavailable", "detail": str(e)}
    if available < 1:
        raise sfn.Fail("Inventory.Empty", f"no {sku} in stock")
    receipt = take_payment(request_id, cents)
    return {"request": request_id, "status": "done", "available": available, "receipt": receipt}
