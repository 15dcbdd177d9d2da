"""A daily report stamped with the execution that made it: which run, of which state machine,
started when, and when the report was finished after waiting for the day's data to settle.

`sfn.context()` and `sfn.now()` read the execution's context object ($states.context) in the
compiled machine; a plain run gets the same names and start time from sfn's virtual clock
(`sfn.virtual_clock`, which `python -m conformance` and `sfn_run.compare` use).
"""

from pysfn_compile import sfn


class NoData(Exception):
    """Nothing to report for the day."""


def fetch_sales(day: str) -> list[int]:
    if day.endswith("-25"):
        return []
    return [1250, 399, 4999, 120]


def summarise(cents: list[int]) -> dict:
    if not cents:
        raise NoData("no sales recorded")
    return {"count": len(cents), "total_cents": sum(cents), "largest_cents": max(cents)}


@sfn.workflow
def stamped_report(day: str, settle_seconds: int = 3600) -> dict:
    if not day:
        raise sfn.Fail("Report.NoDay", "which day? the input names none")
    run = sfn.context()
    sfn.sleep(settle_seconds)
    try:
        summary = summarise(fetch_sales(day))
    except NoData as e:
        summary = {"count": 0, "note": str(e)}
    return {
        "day": day,
        "summary": summary,
        "stamp": {
            "execution": run["execution"]["name"],
            "state_machine": run["state_machine"]["name"],
            "started": run["execution"]["start_time"],
            "finished": sfn.now(),
            "id": run["execution"]["id"],
        },
    }
