"""Customer segments: who bought, who only browsed, who is new, and what they spent, from a
day of shop events, written as plain Python with no annotations.

Shows sets (set(), add, a set comprehension, | & -, <=, a module-level set, sorted(s)), a
dict of records grouped by key, and cents formatted as euros (f"{cents / 100:.2f}").
"""

from pysfn_compile import sfn

STAFF = {"u-admin", "u-test"}


def load_events(day, count):
    kinds = ["view", "view", "cart", "buy", "view", "refund"]
    return [{"user": f"u{(i * 7) % 23:02d}", "kind": kinds[i % 6] if (i * 7) % 23 >= 6 else "view",
             "cents": (i * 431) % 5000 + 99} for i in range(count)] + [{"user": "u-test", "kind": "buy", "cents": 1}]


def known_customers(day):
    return [f"u{i:02d}" for i in range(0, 23, 3)]


def send_offers(users, day):
    return {"sent": len(users), "day": day}


@sfn.workflow
def segments(day, count=300, min_spend_cents=2000):
    events = load_events(day, count)
    buyers = set()
    browsers = set()
    spent = {}
    for event in events:
        user = event["user"]
        if user in STAFF:
            continue
        if event["kind"] == "buy":
            buyers.add(user)
            spent[user] = spent.get(user, 0) + event["cents"]
        elif event["kind"] == "refund":
            spent[user] = spent.get(user, 0) - event["cents"]
        else:
            browsers.add(user)
    known = set(known_customers(day))
    new_buyers = buyers - known
    only_browsed = browsers - buyers
    big = {user for user, cents in spent.items() if cents >= min_spend_cents}
    offers = send_offers(sorted(only_browsed & known), day) if only_browsed & known else None
    total = sum(spent.values())
    return {
        "day": day,
        "buyers": len(buyers),
        "new_buyers": sorted(new_buyers),
        "only_browsed": len(only_browsed),
        "big_spenders": sorted(big),
        "all_big_are_buyers": big <= buyers,
        "revenue": f"{total / 100:,.2f} EUR",
        "top": max(spent, key=lambda u: (spent[u], u)) if spent else None,
        "offers": offers,
    }
