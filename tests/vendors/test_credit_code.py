"""The unified social credit code (GB 32100-2015) and its validator."""

import pytest
from django.core.exceptions import ValidationError

from marketplace.vendors.credit_code import (
    ALPHABET,
    check_character,
    is_valid,
    validate_credit_code,
)
from tests.factories import credit_code

REAL_CODE = "91110000802100433B"  # a real, published code


def _error_code(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    return excinfo.value.code


def test_alphabet_has_31_characters_without_i_o_s_v_z():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_real_world_code_is_valid():
    assert check_character(REAL_CODE[:17]) == "B"
    assert is_valid(REAL_CODE)
    validate_credit_code(REAL_CODE)


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        # Worked by hand: sum of ALPHABET.index(ch) * weight over the first 17, then
        # (31 - total % 31) % 31 indexes the alphabet.
        ("00000000000000000", "0"),  # total 0
        ("10000000000000000", "Y"),  # total 1 -> 30
        ("01000000000000000", "W"),  # total 3 -> 28
        ("00000000000000001", "3"),  # total 28 -> 3
    ],
)
def test_check_character_by_hand(first17, check):
    assert check_character(first17) == check
    assert is_valid(first17 + check)


@pytest.mark.parametrize("n", [0, 1, 42, 9_999_999])
def test_computed_codes_are_valid(n):
    code = credit_code(n)
    assert len(code) == 18
    assert is_valid(code)
    validate_credit_code(code)


def test_check_character_of_an_incomplete_code():
    with pytest.raises(ValueError):
        check_character("9111000080210043")


@pytest.mark.parametrize("value", ["", REAL_CODE[:17], REAL_CODE + "0", REAL_CODE[:-1] + "B0"])
def test_wrong_length(value):
    assert not is_valid(value)
    assert _error_code(value) == "length"


@pytest.mark.parametrize("position", [8, 17])
@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters(letter, position):
    value = REAL_CODE[:position] + letter + REAL_CODE[position + 1 :]
    assert len(value) == 18
    assert not is_valid(value)
    assert _error_code(value) == "alphabet"


@pytest.mark.parametrize("value", [REAL_CODE.lower(), REAL_CODE[:17] + "b", "9111000080210043 B"])
def test_lower_case_and_spaces_are_not_in_the_alphabet(value):
    assert not is_valid(value)
    assert _error_code(value) == "alphabet"


@pytest.mark.parametrize(
    "value",
    [
        REAL_CODE[:17] + "A",
        REAL_CODE[:17] + "0",
        "91110000802100434B",  # one digit changed
        "91110000802101433B",  # one digit changed
        "91110000820100433B",  # two digits swapped
    ],
)
def test_wrong_check_character(value):
    assert not is_valid(value)
    assert _error_code(value) == "check"


def test_every_other_check_character_is_refused():
    for ch in ALPHABET.replace("B", ""):
        assert not is_valid(REAL_CODE[:17] + ch)
