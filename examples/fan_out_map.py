"""Fan-out with Map: check every region's health in parallel (a Map state), then summarise.

The map body is a nested def with its own logic and error handling; a region that cannot be
reached is reported, not fatal; an invalid region name stops the whole run.
"""

from typing import TypedDict

from pysfn_compile import sfn


class Health(TypedDict):
    region: str
    latency_ms: int
    errors: int


LATENCY = {"eu-west-1": 42, "us-east-1": 87, "ap-south-1": 230, "sa-east-1": 140}


class Unreachable(Exception):
    pass


def probe(region: str) -> Health:
    if region not in LATENCY:
        raise Unreachable(f"{region} did not answer")
    return {"region": region, "latency_ms": LATENCY[region], "errors": len(region) % 3}


def validate_region(region: str) -> str:
    if region.count("-") != 2:
        raise ValueError(f"not a region name: {region!r}")
    return region


@sfn.workflow
def check_regions(regions: list[str], slow_ms: int = 100):
    def check(region):
        name = validate_region(region)
        try:
            health = probe(name)
        except Unreachable as e:
            return {"region": name, "status": "unreachable", "detail": str(e)}
        status = "slow" if health["latency_ms"] > slow_ms else "ok"
        if health["errors"] > 1:
            status = "degraded"
        return {"region": name, "status": status, "detail": f"{health['latency_ms']} ms"}

    results = sfn.map(check, regions, max_concurrency=4)
    by_status = {}
    for result in results:
        by_status.setdefault(result["status"], []).append(result["region"])
    healthy = len(by_status.get("ok", []))
    return {"regions": len(results), "healthy": healthy, "by_status": by_status,
            "all_ok": all(r["status"] == "ok" for r in results)}
