"""Inventory reconciliation: compare the warehouse count with the system of record, list the
differences, decide adjustments by rules, and apply them.

Shows dict iteration (items, keys), set-like logic with lists, sorted with a key,
dict.pop/del/update, and nested dict updates.
"""

from pysfn_compile import sfn

WAREHOUSES = {
    "north": {"bolt": 120, "nut": 300, "gear": 8, "washer": 0},
    "south": {"bolt": 10},
}
SYSTEM = {
    "north": {"bolt": 100, "nut": 300, "gear": 12, "spring": 5},
    "south": {"bolt": 10},
}


def warehouse_count(site: str) -> dict[str, int]:
    if site not in WAREHOUSES:
        raise KeyError(site)
    return dict(WAREHOUSES[site])


def system_count(site: str) -> dict[str, int]:
    return dict(SYSTEM.get(site, {}))


def apply_adjustments(site: str, adjustments: dict[str, int]) -> int:
    return len(adjustments)


@sfn.workflow
def reconcile(site: str, tolerance: int = 2, auto_limit: int = 25):
    counted = warehouse_count(site)
    recorded = system_count(site)

    differences = {}
    for sku, qty in counted.items():
        expected = recorded.get(sku, 0)
        if qty != expected:
            differences[sku] = qty - expected
    for sku in recorded:
        if sku not in counted:
            differences[sku] = -recorded[sku]

    automatic = {}
    review = []
    for sku in sorted(differences, key=lambda s: -abs(differences[s])):
        delta = differences[sku]
        if abs(delta) <= tolerance:
            continue
        if abs(delta) <= auto_limit:
            automatic[sku] = delta
        else:
            review.append({"sku": sku, "delta": delta, "reason": "over the automatic limit"})

    zeroed = [sku for sku, qty in counted.items() if qty == 0]
    for sku in zeroed:
        counted.pop(sku)
    if "spring" in automatic and "spring" not in counted:
        del automatic["spring"]
        review.append({"sku": "spring", "delta": differences["spring"], "reason": "missing on the shelf"})

    applied = apply_adjustments(site, automatic) if automatic else 0
    summary = {"site": site, "differences": len(differences)}
    summary.update(applied=applied, review=review, automatic=automatic)
    return summary
