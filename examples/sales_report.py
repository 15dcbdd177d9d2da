"""A daily sales report, written the way people write Python: no annotations, a dict of
records, loops over thousands of items, group-by in dicts, string building, and error handling
around pure code.

    pysfn-emulate examples/sales_report.py --input '{"day": "2026-12-01", "count": 2000}'
"""

from pysfn_compile import sfn

REGIONS = ["north", "south", "east", "west"]


class BadRecord(Exception):
    pass


def fetch_sales(day, count):
    """The day's sales records (a callee: one Lambda task)."""
    if count < 0:
        raise ValueError("count must not be negative")
    return [{"id": f"{day}-{i}", "region": REGIONS[i % 4], "cents": (i * 37) % 1000,
             "qty": 1 + i % 3} for i in range(count)]


def publish(day, text):
    """Publish the report; returns where it went."""
    return f"s3://reports/{day}.txt ({len(text)} chars)"


@sfn.workflow
def report(day, count, min_cents=0):
    sales = fetch_sales(day, count)
    totals = {}
    units = {}
    skipped = 0
    for sale in sales:
        try:
            if sale["cents"] < min_cents:
                raise BadRecord(sale["id"])
            region = sale["region"]
            totals[region] = totals.get(region, 0) + sale["cents"] * sale["qty"]
            units[region] = units.get(region, 0) + sale["qty"]
        except BadRecord:
            skipped += 1
    lines = [f"Sales for {day}"]
    for region in sorted(totals):
        euros, cents = totals[region] // 100, totals[region] % 100
        lines.append(f"{region:<6} {units[region]:>5} units {euros:>7}.{cents:02d} EUR")
    lines.append(f"skipped {skipped} records below {min_cents} cents")
    where = publish(day, "\n".join(lines))
    best = max(totals, key=lambda r: totals[r]) if totals else None
    return {"where": where, "best": best, "skipped": skipped, "lines": len(lines)}
