"""A weekly report on a sensor's readings: mean, median, standard deviation, daily medians,
the hours the readings span and the outliers by z-score, then published by a callee.

JSONata cannot compute these exactly (`statistics`, `math`, `round(x, 2)`, float formatting,
`datetime`), so the workflow is compiled with `compute_in_lambda=True`: the block inside the
`try` and the daily medians run as Python in the workflow's own Lambda (one Task each, named
after the lines they compute), everything else is states and JSONata as usual. A sensor with a
single reading makes `statistics.stdev` raise StatisticsError inside the Lambda, and the
`except` around the block handles it as Python does.
"""

import math
import statistics
from datetime import datetime

from pysfn_compile import sfn


class NoReadings(Exception):
    pass


def fetch_readings(sensor: str, week: str) -> list[dict]:
    """The sensor's readings of the week, every six hours (a stand-in for a time-series store)."""
    counts = {"boiler": 28, "chiller": 20, "attic": 1, "basement": 12}
    seed = sum(ord(ch) for ch in sensor + week)
    readings = []
    for index in range(counts.get(sensor, 0)):
        seed = (seed * 1103515245 + 12345) % 2**31
        value = 20 + (seed % 1000) / 100
        if index % 9 == 4:
            value += 15  # a spike now and then
        day, hour = divmod(index * 6, 24)
        readings.append({"at": f"2026-11-{23 + day:02d}T{hour:02d}:00:00", "value": value})
    return readings


def publish(sensor: str, report: dict) -> str:
    return f"report/{sensor}/{len(report['outliers'])}-outliers"


@sfn.workflow(compute_in_lambda=True)
def main(sensor: str, week: str, threshold: float = 2.0):
    readings = fetch_readings(sensor, week)
    if not readings:
        raise NoReadings(f"no readings for {sensor} in {week}")
    values = [r["value"] for r in readings]
    daily = {}
    for r in readings:
        daily.setdefault(r["at"][:10], []).append(r["value"])
    try:
        mean = statistics.fmean(values)
        stdev = statistics.stdev(values)
        span = datetime.fromisoformat(readings[-1]["at"]) - datetime.fromisoformat(readings[0]["at"])
        hours = round(span.total_seconds() / 3600, 1)
        outliers = [r["at"] for r in readings if abs(r["value"] - mean) / stdev > threshold]
        summary = (f"{sensor} {week}: mean {mean:.2f}, median {statistics.median(values):.2f}, "
                   f"sd {stdev:.3f}, range {math.floor(min(values))}-{math.ceil(max(values))} "
                   f"over {hours} h")
    except statistics.StatisticsError as e:
        summary = f"{sensor} {week}: {e}"
        outliers = []
    medians = {day: round(statistics.median(day_values), 2) for day, day_values in daily.items()}
    receipt = publish(sensor, {"summary": summary, "outliers": outliers})
    return {"summary": summary, "outliers": outliers, "daily_medians": medians, "receipt": receipt,
            "readings": len(values)}
