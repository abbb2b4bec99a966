"""One date format per language, from the format modules (``config/formats``): templates
name the formats (``DATE_FORMAT``, ``SHORT_DATE_FORMAT``…) rather than spelling them out."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, translation

DAY = datetime.date(2026, 12, 3)
MOMENT = datetime.datetime(2026, 12, 3, 16, 40)


@pytest.mark.parametrize(
    ("language", "long", "short", "long_dt", "short_dt"),
    [
        ("zh-hans", "2026年12月3日", "2026-12-03", "2026年12月3日 16:40", "2026-12-03 16:40"),
        ("en", "3 Dec 2026", "2026-12-03", "3 Dec 2026 16:40", "2026-12-03 16:40"),
    ],
)
def test_each_language_has_one_long_and_one_short_date_format(language, long, short, long_dt, short_dt):
    with translation.override(language):
        assert formats.date_format(DAY, "DATE_FORMAT") == long
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == long_dt
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_dt
        # A date written without a filter reads the same as DATE_FORMAT.
        assert formats.localize(DAY) == long


# Formats that are not a way of writing a date for people: machine formats and a weekday name.
NOT_A_DATE = {"c", "r", "U", "D", "l"}


def test_templates_name_their_date_formats():
    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r"""\|date:(["'])(?P<fmt>[^"']*)\1""")
    offenders = []
    for path in sorted(root.glob("**/templates/**/*.html")):
        if {".venv", ".tools", "node_modules", "tests", "locale"} & set(path.relative_to(root).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in literal.finditer(line):
                fmt = match.group("fmt")
                if not re.fullmatch(r"[A-Z_]+_FORMAT", fmt) and fmt not in NOT_A_DATE:
                    offenders.append(f"{path.relative_to(root)}:{number}: {fmt}")
    assert offenders == []
