"""Money: yuan with two places, rounded half up, and fen for a payment gateway."""

from decimal import Decimal

import pytest

from core.money import from_fen, money, to_fen


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.345", "2.35"),  # half up, where banker's rounding would give 2.34
        ("2.335", "2.34"),
        ("2.3449", "2.34"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("-2.345", "-2.35"),  # half away from zero
        ("12", "12.00"),
        ("99.999", "100.00"),
        (7, "7.00"),
    ],
)
def test_money_rounds_half_up(value, expected):
    result = money(Decimal(value) if isinstance(value, str) else value)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2
    assert str(result) == expected


def test_money_accepts_strings():
    assert money("1.005") == Decimal("1.01")


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("0", 0),
        ("0.01", 1),
        ("12.34", 1234),
        ("12.345", 1235),
        ("12.344", 1234),
        ("1999.99", 199999),
        ("-0.005", -1),
    ],
)
def test_to_fen(amount, fen):
    result = to_fen(Decimal(amount))
    assert result == fen
    assert type(result) is int


@pytest.mark.parametrize(
    ("fen", "amount"),
    [(0, "0.00"), (1, "0.01"), (1234, "12.34"), (199999, "1999.99"), (-1, "-0.01")],
)
def test_from_fen(fen, amount):
    result = from_fen(fen)
    assert result == Decimal(amount)
    assert str(result) == amount


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 12345, 10**9 + 7])
def test_fen_round_trip(fen):
    assert to_fen(from_fen(fen)) == fen


def test_floats_are_refused():
    import pytest as _pytest

    from core.money import money as _money

    with _pytest.raises(TypeError):
        _money(2.675)
