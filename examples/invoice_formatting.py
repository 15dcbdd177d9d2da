"""Invoice formatting: turn order lines into a plain-text invoice with aligned columns,
thousands separators and cents, computed exactly with integers.

Shows f-strings with format specs (alignment, width, fill, grouping, zero padding),
str methods (ljust, rjust, center, upper, join, zfill), and integer arithmetic.
"""

from typing import TypedDict

from pysfn_compile import sfn


class Line(TypedDict):
    item: str
    qty: int
    cents: int


def invoice_number(customer: str, sequence: int) -> str:
    return f"{customer[:3].upper()}-{sequence:06d}"


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


@sfn.workflow
def render_invoice(customer: str, sequence: int, lines: list[Line], vat_percent: int = 20, width: int = 40):
    if width < 30:
        raise ValueError(f"width {width} is too narrow (30 at least)")
    number = invoice_number(customer, sequence)
    rows = [f"INVOICE {number}".center(width, "="), f"for {customer.title()}"]
    total = 0
    for line in lines:
        amount = line["qty"] * line["cents"]
        total += amount
        label = f"{line['qty']:>3} x {line['item']}"
        rows.append(f"{label:<26}"[: width - 14].ljust(width - 14) + money(amount).rjust(14))
    vat = total * vat_percent // 100
    rows.append("-" * width)
    rows.append("net".ljust(width - 14) + money(total).rjust(14))
    rows.append(f"vat {vat_percent}%".ljust(width - 14) + money(vat).rjust(14))
    rows.append("TOTAL".ljust(width - 14) + money(total + vat).rjust(14))
    rows.append(f"{len(lines)} line(s), ref {str(sequence).zfill(8)}")
    return "\n".join(rows)
