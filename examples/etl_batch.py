"""ETL over a batch: extract raw records, clean and transform them, reject the bad ones with
reasons, load the good ones in chunks, and report.

Shows comprehensions, for/continue, slicing in a while loop, dict building and sorting.
"""

from typing import TypedDict

from pysfn_compile import sfn


class Raw(TypedDict):
    id: str
    name: str
    email: str
    amount: int


SOURCES = {
    "crm": [
        {"id": "c1", "name": "  Ada Lovelace ", "email": "ADA@Example.com", "amount": 1200},
        {"id": "c2", "name": "Grace Hopper", "email": "grace@navy", "amount": -5},
        {"id": "c3", "name": "", "email": "nobody@example.com", "amount": 10},
        {"id": "c4", "name": "alan turing", "email": "alan@example.org", "amount": 300},
        {"id": "c1", "name": "Ada again", "email": "ada@example.com", "amount": 1},
    ],
    "empty": [],
}

LOADED = {}


def extract(source: str) -> list[Raw]:
    if source not in SOURCES:
        raise LookupError(f"unknown source {source}")
    return [dict(record) for record in SOURCES[source]]


def load(table: str, rows: list[dict]) -> int:
    LOADED.setdefault(table, []).extend(rows)
    return len(rows)


@sfn.workflow
def run_batch(source: str, table: str = "customers", chunk_size: int = 2):
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    records = extract(source)

    seen = []
    clean = []
    rejected = {}
    for record in records:
        if record["id"] in seen:
            rejected[record["id"]] = "duplicate id"
            continue
        seen.append(record["id"])
        name = record["name"].strip().title()
        email = record["email"].strip().lower()
        if not name:
            rejected[record["id"]] = "missing name"
            continue
        if "@" not in email or "." not in email.split("@")[1]:
            rejected[record["id"]] = f"bad email {email!r}"
            continue
        if record["amount"] < 0:
            rejected[record["id"]] = "negative amount"
            continue
        clean.append({"id": record["id"], "name": name, "email": email,
                      "cents": record["amount"] * 100, "domain": email.split("@")[-1]})

    loaded = 0
    start = 0
    while start < len(clean):
        loaded += load(table, clean[start:start + chunk_size])
        start += chunk_size

    domains = sorted({row["domain"]: 1 for row in clean})
    return {"source": source, "loaded": loaded, "rejected": rejected, "domains": domains,
            "total_cents": sum(row["cents"] for row in clean),
            "names": [row["name"] for row in sorted(clean, key=lambda row: row["name"])]}
