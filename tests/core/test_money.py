"""Money: yuan with two places, rounded half up, fen for a payment gateway, and the one way
an amount is written out for people (``format_yuan`` and the ``yuan`` template filter)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.money import MINUS, format_yuan, from_fen, money, to_fen


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


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("412"), "¥412.00"),
        (Decimal("-412"), "\u2212¥412.00"),
        ("-0.004", "¥0.00"),  # rounds to zero: no sign on nothing
        (0, "¥0.00"),
        (Decimal("600.5"), "¥600.50"),
        (Decimal("-1234567.891"), "\u2212¥1234567.89"),
    ],
)
def test_format_yuan_puts_a_true_minus_before_the_currency_sign(value, text):
    assert format_yuan(value) == text
    assert "¥-" not in format_yuan(value)


def test_format_yuan_groups_thousands_when_asked():
    assert format_yuan(Decimal("-1234567.5"), grouping=True) == "\u2212¥1,234,567.50"
    assert MINUS == "\u2212"


def test_format_yuan_of_nothing_is_a_dash():
    assert format_yuan(None) == "—"
    assert format_yuan("") == "—"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_yuan_filter_is_the_same_formatter_in_every_language(language):
    from django.utils import translation

    template = Template("{% load money %}{{ amount|yuan }}")
    with translation.override(language):
        assert template.render(Context({"amount": Decimal("-412.00")})) == "\u2212¥412.00"
        assert template.render(Context({"amount": Decimal("412")})) == "¥412.00"


def _project_files(pattern):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.glob(pattern)):
        if not {".venv", ".tools", "node_modules", "tests", "locale"} & set(path.relative_to(root).parts):
            yield root, path


def test_no_template_writes_a_currency_sign_before_a_raw_amount():
    """``¥{{ amount }}`` renders a negative amount as ``¥-412.00``: every template amount goes
    through the ``yuan`` filter instead."""
    import re

    raw = re.compile(r"¥\s*\{\{")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for root, path in _project_files("**/templates/**/*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert offenders == []


def test_no_python_text_writes_a_currency_sign_before_a_raw_amount():
    import re

    raw = re.compile(r"""¥(%\(|\{(?!\{))""")  # "¥%(amount)s" or f"¥{value}"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for root, path in _project_files("**/*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if raw.search(line)
    ]
    assert offenders == []


def test_yuan_filter_never_breaks_a_page():
    template = Template("{% load money %}{{ amount|yuan }}")
    assert template.render(Context({"amount": 2.5})) == "¥2.50"
    assert template.render(Context({"amount": "n/a"})) == "n/a"
    assert template.render(Context({})) == "—"
