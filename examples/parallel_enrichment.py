"""Parallel enrichment: look a customer up in three systems at once (a Parallel state) and
merge what comes back; a system that is down degrades the result instead of failing it.
"""

from pysfn_compile import sfn

CRM = {"C-1": {"name": "Ada", "tier": "gold"}, "C-2": {"name": "Bob", "tier": "silver"}}
ORDERS = {"C-1": [120, 80, 300], "C-2": []}


class SystemDown(Exception):
    pass


def crm_profile(customer_id: str) -> dict:
    if customer_id not in CRM:
        raise KeyError(customer_id)
    return dict(CRM[customer_id])


def order_history(customer_id: str) -> list[int]:
    return list(ORDERS.get(customer_id, []))


def risk_score(customer_id: str, region: str) -> int:
    if region == "offline":
        raise SystemDown("risk service is down")
    return len(customer_id) * 7 % 100


@sfn.workflow
def enrich(customer_id: str, region: str = "eu"):
    def risk():
        try:
            return {"risk": risk_score(customer_id, region), "risk_source": "live"}
        except SystemDown as e:
            return {"risk": -1, "risk_source": "unavailable: " + str(e)}

    profile, orders, scored = sfn.parallel(
        lambda: crm_profile(customer_id),
        lambda: order_history(customer_id),
        risk,
    )
    spent = sum(orders)
    summary = {**profile, **scored, "orders": len(orders), "spent": spent}
    summary["average"] = spent // len(orders) if orders else 0
    summary["vip"] = profile["tier"] == "gold" and spent > 400
    return summary
