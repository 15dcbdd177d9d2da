"""Batch scoring: score a batch of applications one by one (a comprehension that calls a
callee becomes a Map state, one item at a time, as Python runs it), rank them, and pick the
winners within a budget.

Shows a comprehension Map, enumerate/zip, sorted with key and reverse (a stable sort), min/max
with key, any/all, sum, and slicing.
"""

from typing import TypedDict

from pysfn_compile import sfn


class Application(TypedDict):
    id: str
    requested: int
    years: int


class Scored(TypedDict):
    id: str
    score: int
    requested: int


def score(application: Application) -> Scored:
    if application["requested"] <= 0:
        raise ValueError(f"{application['id']}: nothing requested")
    points = min(application["years"], 10) * 10 + (50 if application["requested"] < 5_000 else 0)
    return {"id": application["id"], "score": points, "requested": application["requested"]}


@sfn.workflow
def rank(applications: list[Application], budget: int, shortlist: int = 3):
    scored = [score(a) for a in applications if a["years"] >= 1]
    if not scored:
        return {"winners": [], "spent": 0, "note": "no eligible applications"}
    ranked = sorted(scored, key=lambda s: s["score"], reverse=True)
    winners = []
    spent = 0
    for position, candidate in enumerate(ranked[:shortlist], start=1):
        if spent + candidate["requested"] > budget:
            continue
        spent += candidate["requested"]
        winners.append(f"#{position} {candidate['id']}")
    best = max(ranked, key=lambda s: s["score"])
    cheapest = min(ranked, key=lambda s: s["requested"])
    pairs = [f"{a['id']}>{b['id']}" for a, b in zip(ranked, ranked[1:], strict=False) if a["score"] > b["score"]]
    return {"winners": winners, "spent": spent, "left": budget - spent, "best": best["id"],
            "cheapest": cheapest["id"], "strictly_better": pairs,
            "all_funded": all(s["requested"] <= budget for s in scored),
            "any_veteran": any(a["years"] >= 10 for a in applications),
            "average_score": sum(s["score"] for s in scored) // len(scored)}
