"""Money: a charge is a `Decimal` with two places, parsed and printed here and nowhere else.

Charges come in as the coder typed them ("125", "$1,250.00"), as the fee schedule stores them
(strings) or as a line stores them (a float); on the claim and in every export they are exact
decimals, so a total is always the sum of its lines.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENTS = Decimal("0.01")

Money = Decimal


def money(value: object) -> Money | None:
    """A charge as Decimal with 2 places, or None if it is not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace("$", "").replace(",", "").strip()).quantize(CENTS)
    except (InvalidOperation, ValueError):
        return None


def format_money(value: Money | None, *, grouping: bool = True, none: str = "") -> str:
    """'1,250.00' (screens and printed forms); `grouping=False` gives '1250.00' (X12 amounts)."""
    if value is None:
        return none
    return f"{value.quantize(CENTS):,.2f}" if grouping else f"{value.quantize(CENTS):f}"
