"""The local S3 of bulk_fan_out.py: a day of 10,000 orders, and a day with an invalid one."""

import json

REGIONS = ["eu", "us", "ap"]


def _orders(count: int, bad: int | None = None) -> str:
    lines = []
    for i in range(1, count + 1):
        cents = -5 if i == bad else (i * 37) % 1000 + 1
        lines.append(json.dumps({"id": i, "region": REGIONS[i % 3], "cents": cents}))
    return "\n".join(lines) + "\n"


def setup(aws):
    aws.s3.put_text("orders-bucket", "orders/2024-01-01.jsonl", _orders(10_000))
    aws.s3.put_text("orders-bucket", "orders/2024-01-02.jsonl", _orders(250, bad=137))
    aws.s3.put_text("orders-bucket", "orders/2024-01-03.jsonl", "")
