"""Values read from a query string (or a form) that never fail the request.

Anyone can type a URL, so a page must answer ``?week=9999-12-31`` or
``?district=9223372036854775808`` as it answers a missing value, never with a 500. The
database is no place to find out: SQLite raises ``OverflowError`` for an integer beyond 64
bits, PostgreSQL a ``DataError``, and date arithmetic near ``date.max`` an
``OverflowError``. So every number, id and date is checked here, in Python, first.

* ``parse_int``, ``parse_id``, ``parse_date``: the value of one text, or ``None`` when it is
  not one (only ASCII digits count; ids are 1 or more; every value fits a signed 64-bit
  column; dates lie between ``DATE_MIN`` and ``DATE_MAX``).
* ``query_int``, ``query_id``, ``query_date``, ``query_choice``: one parameter of a
  ``QueryDict`` (its last value, as ``QueryDict.get``). Absent or blank gives ``default``;
  a value that is not acceptable gives ``default`` too, or with ``strict=True`` raises
  ``BadRequest`` (Django answers 400).
* ``IdModelChoiceField``, ``IdModelMultipleChoiceField``: ``ModelChoiceField`` and
  ``ModelMultipleChoiceField`` that refuse, as an invalid choice and before any query, a
  value that is no id of the model (Django's own catch ``ValueError`` but not
  ``OverflowError``). ``core.filters`` builds django-filter's filters on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from django import forms
from django.core.exceptions import BadRequest
from django.db import models

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# Dates taken from a URL: wide enough for any school year, and far enough from date.min and
# date.max that a page may step weeks or years either way without an OverflowError.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2999, 12, 31)

# ASCII digits only: int() also takes "١٢" (Arabic-Indic), "1_000" and surrounding
# whitespace of every kind, and str.isdigit() says yes to "²", which int() refuses.
_INT_RE = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_BLANKS = " \t"


def parse_int(text, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int | None:
    """``text`` as an integer within ``minimum``..``maximum`` (and 64 bits), else ``None``."""
    if not isinstance(text, str) or not _INT_RE.fullmatch(text := text.strip(_BLANKS)):
        return None
    value = int(text)
    if not max(minimum, INT64_MIN) <= value <= min(maximum, INT64_MAX):
        return None
    return value


def parse_id(text) -> int | None:
    """``text`` as a row id (1 to 2**63 - 1), else ``None``."""
    return parse_int(text, minimum=1)


def parse_date(text, *, minimum: date = DATE_MIN, maximum: date = DATE_MAX) -> date | None:
    """``text`` (``YYYY-MM-DD``) as a date within ``minimum``..``maximum``, else ``None``."""
    if not isinstance(text, str) or not _DATE_RE.fullmatch(text := text.strip(_BLANKS)):
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:  # 2026-13-45, 0000-00-00
        return None
    return value if minimum <= value <= maximum else None


def _raw(params: Mapping, name: str) -> str | None:
    value = params.get(name)
    if value is None or (isinstance(value, str) and not value.strip(_BLANKS)):
        return None
    return value


def _parsed(params, name, default, strict, parse: Callable, what: str):
    raw = _raw(params, name)
    if raw is None:
        return default
    value = parse(raw)
    if value is None:
        if strict:
            # The value itself is not repeated: it may be 5,000 characters or a NUL byte.
            raise BadRequest(f"The query parameter {name!r} must be {what}.")
        return default
    return value


def query_int(
    params: Mapping,
    name: str,
    default: int | None = None,
    *,
    minimum: int = INT64_MIN,
    maximum: int = INT64_MAX,
    strict: bool = False,
) -> int | None:
    """The integer ``?name=`` within ``minimum``..``maximum`` (see the module docstring)."""
    return _parsed(
        params,
        name,
        default,
        strict,
        lambda raw: parse_int(raw, minimum=minimum, maximum=maximum),
        f"an integer from {minimum} to {maximum}",
    )


def query_id(params: Mapping, name: str, default: int | None = None, *, strict: bool = False) -> int | None:
    """The row id ``?name=`` (1 or more, 64 bits; see the module docstring)."""
    return _parsed(params, name, default, strict, parse_id, "an id (a whole number of 1 or more)")


def query_date(
    params: Mapping,
    name: str,
    default: date | None = None,
    *,
    minimum: date = DATE_MIN,
    maximum: date = DATE_MAX,
    strict: bool = False,
) -> date | None:
    """The date ``?name=YYYY-MM-DD`` within ``minimum``..``maximum`` (see the module docstring)."""
    return _parsed(
        params,
        name,
        default,
        strict,
        lambda raw: parse_date(raw, minimum=minimum, maximum=maximum),
        f"a date YYYY-MM-DD from {minimum} to {maximum}",
    )


def query_choice(
    params: Mapping, name: str, choices: Iterable[str], default: str, *, strict: bool = False
) -> str:
    """``?name=`` when it is one of ``choices`` (see the module docstring)."""
    allowed = set(choices)
    return _parsed(
        params,
        name,
        default,
        strict,
        lambda raw: raw if raw in allowed else None,
        "one of the listed choices",
    )


# --- form fields ----------------------------------------------------------------------------


def _id_parser(queryset, to_field_name: str | None) -> Callable | None:
    """How the values naming a row of ``queryset`` are checked: ids (``AutoField``) with
    ``parse_id``, other integers with ``parse_int``; ``None`` for keys that are not numbers."""
    opts = queryset.model._meta
    field = opts.get_field(to_field_name) if to_field_name else opts.pk
    while field.is_relation:  # a one-to-one primary key, or to_field_name naming a foreign key
        field = field.target_field
    if isinstance(field, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return parse_id
    if isinstance(field, models.IntegerField):
        return parse_int
    return None


class IdChoiceMixin:
    """For ``ModelChoiceField`` and ``ModelMultipleChoiceField`` and their subclasses
    (django-filter's too): a value that cannot name a row is an invalid choice before any
    query. Model instances and the field's ``null_value`` (django-filter) pass through."""

    def _names_no_row(self, value) -> bool:
        if isinstance(value, self.queryset.model):
            return False
        if getattr(self, "null_label", None) is not None and value == getattr(self, "null_value", None):
            return False
        parse = _id_parser(self.queryset, self.to_field_name)
        return parse is not None and parse(value if isinstance(value, str) else str(value)) is None

    def to_python(self, value):
        # A multiple choice field checks its list in _check_values, below.
        single = not isinstance(self, forms.ModelMultipleChoiceField)
        if single and value not in self.empty_values and self._names_no_row(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def _check_values(self, value):
        for pk in value:
            if self._names_no_row(pk):
                shown = str(pk)
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": shown if len(shown) <= 20 else shown[:20] + "…"},
                )
        return super()._check_values(value)


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    """``ModelChoiceField`` that refuses a value that is no id before any query."""


class IdModelMultipleChoiceField(IdChoiceMixin, forms.ModelMultipleChoiceField):
    """``ModelMultipleChoiceField`` that refuses values that are no ids before any query."""
