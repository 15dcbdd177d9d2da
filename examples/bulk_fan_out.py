"""A day's orders fanned out in batches: 10,000 orders read from S3, priced 100 at a time in
child executions of a distributed Map, totals per region added up in the parent.

Shows `sfn.map(fn, sfn.s3_items(bucket, key, input_type="JSONL"), distributed=True,
batch_size=100, max_concurrency=20)`: one Map state with an ItemReader (s3:getObject), an
ItemBatcher and `"Mode": "DISTRIBUTED"`; each batch of 100 orders is one child execution,
whose events stay out of the parent's history (a STANDARD parent holds 25,000 events, and a
Map over 10,000 items inline would need many more). `price_batch` gets the batch (a list) and
the Map gives one result per batch. An invalid order raises in its child; the workflow catches
it by its class after the Map, as Python would.

The orders are in the local S3 of `bulk_fan_out.services.py` (the conformance suite gives each
run a fresh copy); deployed, they are in the bucket the input names.
"""

from pysfn_compile import sfn


class InvalidOrder(Exception):
    pass


def price_batch(orders: list) -> dict:
    """Price a batch of orders: cents per region, and how many."""
    by_region = {}
    for order in orders:
        if order["cents"] <= 0:
            raise InvalidOrder(f"order {order['id']} has {order['cents']} cents")
        by_region[order["region"]] = by_region.get(order["region"], 0) + order["cents"]
    return {"count": len(orders), "by_region": by_region}


@sfn.workflow
def daily_totals(day: str, bucket: str = "orders-bucket"):
    key = f"orders/{day}.jsonl"
    try:
        batches = sfn.map(price_batch, sfn.s3_items(bucket, key, input_type="JSONL"), distributed=True,
                          batch_size=100, max_concurrency=20)
    except InvalidOrder as e:
        return {"day": day, "status": "rejected", "reason": str(e)}
    count = 0
    totals = {}
    for batch in batches:
        count += batch["count"]
        for region, cents in batch["by_region"].items():
            totals[region] = totals.get(region, 0) + cents
    return {"day": day, "status": "ok", "orders": count, "batches": len(batches),
            "cents_by_region": {region: totals[region] for region in sorted(totals)}}
