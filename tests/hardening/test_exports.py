"""Spreadsheet exports neutralise formulas: a cell a user typed (a pupil's name, a course's
title, a teacher's name) that starts like a formula reaches Excel or WPS as text, never as a
formula (CSV/formula injection)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.functional import lazy
from openpyxl import load_workbook

from core.exports import FORMULA_PREFIXES, csv_response, csv_text, neutralise_cell, xlsx_response
from marketplace.courses.models import Activity
from marketplace.households.models import Child
from marketplace.ledger.services import ledger_pay, ledger_release_session, ledger_settle
from tests import factories as f
from tests.duty_reports.conftest import add_duty
from tests.ledger import build_world

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://evil.test","x")'

# --- the neutraliser -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=1+1", EVIL_NAME, "+cmd", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=", "-"],
)
def test_a_string_that_starts_like_a_formula_gets_an_apostrophe(value):
    assert neutralise_cell(value) == "'" + value


def test_every_dangerous_prefix_is_covered():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["王小明", "a=b", "1+1", "", " =x", "'=already text", "3-2", "A01"])
def test_a_harmless_string_is_left_alone(value):
    assert neutralise_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [
        0,
        -5,
        1.5,
        -1.5,
        Decimal("-3.50"),
        Decimal("10.00"),
        datetime.date(2026, 9, 8),
        datetime.datetime(2026, 9, 8, 16, 30),
        datetime.time(16, 30),
        True,
        None,
    ],
)
def test_numbers_dates_and_empty_cells_are_not_strings_and_are_left_as_they_are(value):
    assert neutralise_cell(value) is value


def test_a_lazy_translation_or_other_object_is_written_as_its_text_and_neutralised():
    lazy_text = lazy(lambda: "=1+1", str)()
    assert neutralise_cell(lazy_text) == "'=1+1"

    class Named:
        def __str__(self):
            return "+cmd"

    assert neutralise_cell(Named()) == "'+cmd"


def test_csv_text_has_a_byte_order_mark_and_neutralised_cells():
    text = csv_text([["=1+1", Decimal("-2.50"), "王丽"]], header=["Name", "Amount", "Teacher"])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["Name", "Amount", "Teacher"], ["'=1+1", "-2.50", "王丽"]]


def test_csv_response_is_utf8_with_bom_and_a_safe_attachment_name():
    response = csv_response("报表/2026", [["+cmd"]], header=["列"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%2F" not in response["Content-Disposition"]  # the "/" is no separator in the name
    assert response.content.decode("utf-8-sig").splitlines() == ["列", "'+cmd"]


def test_xlsx_response_writes_formula_like_text_as_text():
    response = xlsx_response(
        "duties",
        [["=1+1", Decimal("2.25"), 3, "@x"]],
        header=["Name", "Mean", "Total", "Note"],
        title="Sheet",
    )
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="duties.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Sheet"
    name, mean, total, note = sheet[2]
    assert (name.value, name.data_type) == ("'=1+1", "s")
    assert (mean.value, total.value) == (2.25, 3)  # numbers stay numbers
    assert note.value == "'@x"


# --- end to end: a payout statement and a duty report -----------------------------------------


def test_a_payout_statement_csv_neutralises_a_pupils_name_and_an_activitys_name(client):
    world = build_world()
    child = world.children[0]
    Child.objects.filter(pk=child.pk).update(name=EVIL_NAME)
    Activity.objects.filter(pk=world.vendor_activity.pk).update(name="+cmd")
    child.refresh_from_db()
    world.vendor_activity.refresh_from_db()
    ledger_pay(child=child, lines=[(world.vendor_activity, Decimal("30"))])
    ledger_release_session(dated_session=world.vendor_meetings[0])
    payout = next(p for p in ledger_settle(for_date=datetime.date(2026, 9, 9)) if p.payee == world.vendor)

    # The bureau sees children's names in full.
    client.force_login(f.BureauOfficerFactory(district=world.vendor.district).user)
    url = reverse("ledger:vendor_payout", args=[world.vendor.pk, payout.pk])
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["2026-09-08", "'+cmd", "'" + EVIL_NAME, "10.00"]
    assert rows[-1][-1] == "10.00"
    for row in rows:
        assert not any(cell.startswith(FORMULA_PREFIXES) for cell in row), row


def test_a_duty_report_xlsx_writes_a_formula_like_teacher_name_as_text(client):
    world = build_world()
    teacher = f.StaffMemberFactory(school=world.school, staff_no="-A7", name="=1+1")
    add_duty(world, teacher)
    client.force_login(f.SchoolAdminFactory(school=world.school).user)
    url = reverse("duty_reports:teachers", args=[world.school.pk])

    response = client.get(url, {"term": world.term.pk, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value).endswith("A7"))
    assert row[0].value == "'-A7"
    assert (row[1].value, row[1].data_type) == ("'=1+1", "s")
    assert [c.value for c in row[2:]] == [1, 0, 0, 1]

    response = client.get(url, {"term": world.term.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["'-A7", "'=1+1", "1", "0", "0", "1"] in rows
