"""Order processing: validate an order, reserve stock, price it with tiered discounts, charge
the customer, and release the reservation if anything after it fails.

Amounts are integer cents throughout, so the arithmetic is exact both as Python and in
Step Functions. Custom exceptions tell the failures apart; the reservation is released in a
finally block whatever happens.
"""

from typing import TypedDict

from pysfn_compile import sfn

PRICES = {"apple": 120, "pear": 95, "melon": 450, "truffle": 99000}
STOCK = {"apple": 50, "pear": 10, "melon": 3, "truffle": 25}


class Line(TypedDict):
    sku: str
    qty: int


class OrderError(Exception):
    """Anything that stops an order."""


class OutOfStock(OrderError):
    pass


class PaymentDeclined(OrderError):
    pass


def reserve(order_id: str, lines: list[Line]) -> str:
    for line in lines:
        if line["qty"] > STOCK.get(line["sku"], 0):
            raise OutOfStock(f"only {STOCK.get(line['sku'], 0)} {line['sku']} left")
    return f"R-{order_id}"


def release(reservation: str) -> None:
    return None


def unit_price(sku: str) -> int:
    return PRICES[sku]


def charge(customer: str, cents: int) -> str:
    if customer.startswith("blocked"):
        raise PaymentDeclined(f"card of {customer} declined")
    if cents > 1_000_000:
        raise PaymentDeclined("amount over the card limit")
    return f"PAY-{customer}-{cents}"


@sfn.workflow
def process_order(order_id: str, customer: str, lines: list[Line], coupon: str | None = None):
    if not lines:
        raise sfn.Fail("Order.Empty", f"order {order_id} has no lines")
    for line in lines:
        if line["qty"] <= 0:
            raise ValueError(f"line {line['sku']}: quantity must be positive")

    reservation = reserve(order_id, lines)
    try:
        subtotal = 0
        priced = []
        for line in lines:
            cents = unit_price(line["sku"]) * line["qty"]
            subtotal += cents
            priced.append({"sku": line["sku"], "cents": cents})

        if subtotal >= 50_000:
            discount = subtotal // 10
        elif subtotal >= 10_000:
            discount = subtotal * 5 // 100
        else:
            discount = 0
        if coupon == "WELCOME":
            discount += 500

        total = max(0, subtotal - discount)
        payment = charge(customer, total)
    except PaymentDeclined as declined:
        return {"order": order_id, "status": "declined", "reason": str(declined)}
    finally:
        release(reservation)

    return {"order": order_id, "status": "paid", "payment": payment, "lines": priced,
            "subtotal": subtotal, "discount": discount, "total": total,
            "summary": f"{len(priced)} lines, total {total // 100}.{total % 100:02d} EUR"}
