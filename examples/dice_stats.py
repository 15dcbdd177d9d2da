"""Roll statistics keyed by the rolled number: a dict with int keys, counted into in a loop over
thousands of rolls, read back as ints (sorted, the most common, a lookup table of names).

    pysfn-emulate examples/dice_stats.py --input '{"rolls": 3000}'
"""

from pysfn_compile import sfn

NAMES = {1: "one", 6: "six"}


def roll_dice(count, seed):
    """Pseudo-random rolls of two dice (a callee: one Lambda task)."""
    if count < 0:
        raise ValueError("count must not be negative")
    state = seed
    rolls = []
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2 ** 31
        rolls.append(1 + state % 6 + 1 + (state // 6) % 6)
    return rolls


@sfn.workflow
def dice_stats(rolls, seed=7):
    counts = {}
    for total in roll_dice(rolls, seed):
        counts[total] = counts.get(total, 0) + 1
    common = max(counts, key=counts.get) if counts else None
    totals = sorted(counts)
    named = NAMES.get(common, "other")
    return {"counts": counts, "totals": totals, "most_common": common, "sevens": counts.get(7, 0), "named": named}
