"""Money is ``Decimal`` with two places in yuan (CNY); fen exist only at a payment gateway."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """Round a value to yuan with two places, half up (the way Chinese receipts round).

    Floats are refused: their binary value would round wrongly (2.675 is 2.67499…).
    """
    if isinstance(value, float):
        raise TypeError("money amounts must be Decimal, int or str, never float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal) -> int:
    """Yuan to integer fen, for a payment gateway only."""
    return int(money(amount) * 100)


def from_fen(fen: int) -> Decimal:
    return money(Decimal(fen) / 100)
