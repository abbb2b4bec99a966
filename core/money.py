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


MINUS = "\u2212"  # MINUS SIGN, which typesetting uses for negative numbers (not a hyphen)
CURRENCY = "¥"
NOTHING = "—"


def format_yuan(value, *, grouping: bool = False) -> str:
    """An amount as text for people: ``¥412.00``, and ``−¥412.00`` (U+2212) when negative.

    The one formatter for money in text (the ``yuan`` template filter, messages, the text of
    exports); numeric columns of CSV/XLSX files keep raw ``Decimal`` values. The sign comes
    before the currency sign, never between it and the digits; an amount that rounds to zero
    has no sign. ``grouping`` separates thousands with commas (large overview figures).
    ``None`` or an empty string is an em dash.
    """
    if value is None or value == "":
        return NOTHING
    amount = money(value)
    digits = f"{abs(amount):,.2f}" if grouping else f"{abs(amount):.2f}"
    sign = MINUS if amount < 0 else ""
    return f"{sign}{CURRENCY}{digits}"
