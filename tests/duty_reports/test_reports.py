"""Duty reports: the figures, their exports, and who may see them."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scheduling.duty_reports import selectors as reports
from tests import factories as f
from tests.duty_reports.conftest import add_duty

pytestmark = pytest.mark.django_db


def _by_name(rows):
    return {row.name: row for row in rows}


def test_duties_per_teacher(world):
    rows = _by_name(reports.duties_per_teacher(school=world.school, term=world.term))
    assert set(rows) == {"王丽", "李强", "赵敏", world.staff.name}  # inactive without duty left out
    wang = rows["王丽"]
    assert (wang.supervision, wang.activity, wang.cover, wang.total) == (3, 1, 2, 6)
    assert (rows["李强"].activity, rows["李强"].total) == (2, 2)
    assert rows["赵敏"].total == 0  # the other term's duty is not this term's
    assert rows[world.staff.name].total == 1
    other_term = _by_name(reports.duties_per_teacher(school=world.school, term=world.other_term))
    assert other_term["赵敏"].total == 1 and other_term["王丽"].total == 0


def test_inactive_teacher_with_duties_still_counts(world):
    world.li.active = False
    world.li.save()
    rows = _by_name(reports.duties_per_teacher(school=world.school, term=world.term))
    assert rows["李强"].total == 2


def test_spread_of_a_school(world):
    rows = reports.duties_per_teacher(school=world.school, term=world.term)
    spread = reports.spread(rows)  # totals 6, 2, 0, 1
    assert spread.teachers == 4 and spread.with_duty == 3
    assert spread.participation == Decimal("75.0")
    assert spread.mean == Decimal("2.25")
    assert spread.median == Decimal("1.50")
    assert (spread.minimum, spread.maximum, spread.total) == (0, 6, 9)
    # population sd of 6, 2, 0, 1: sqrt(((3.75)^2 + (0.25)^2 + (2.25)^2 + (1.25)^2) / 4) = 2.2776…
    assert spread.stdev == Decimal("2.28")
    assert [(b.label, b.count) for b in spread.histogram] == [
        ("0", 1),
        ("1–4", 2),
        ("5–9", 1),
        ("10–19", 0),
        ("20–39", 0),
        ("40+", 0),
    ]


def test_spread_of_no_teachers():
    spread = reports.spread([])
    assert spread.teachers == 0 and spread.participation == 0 and spread.mean == 0


def test_school_page_and_csv_and_xlsx(client, world):
    admin = f.SchoolAdminFactory(school=world.school)
    client.force_login(admin.user)
    url = reverse("duty_reports:teachers", args=[world.school.pk])
    page = client.get(url, {"term": world.term.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-testid="duty-row-{world.wang.pk}"' in body
    assert "外校老师" not in body

    response = client.get(url, {"term": world.term.pk, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 5  # header + 4 teachers
    assert ["A01", "王丽", "3", "1", "2", "6"] in rows
    assert ["A03", "赵敏", "0", "0", "0", "0"] in rows

    response = client.get(url, {"term": world.term.pk, "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 5
    assert ["A01", "王丽", 3, 1, 2, 6] in values
    assert ["A02", "李强", 0, 2, 0, 2] in values


def test_the_term_can_be_chosen(client, world):
    admin = f.SchoolAdminFactory(school=world.school)
    client.force_login(admin.user)
    url = reverse("duty_reports:teachers", args=[world.school.pk])
    text = client.get(url, {"term": world.other_term.pk, "format": "csv"}).content.decode()
    assert "A03,赵敏,1,0,0,1" in text
    assert client.get(url, {"term": 999999}).status_code == 404
    assert client.get(url, {"term": "abc"}).status_code == 404


def test_school_report_access(client, world):
    url = reverse("duty_reports:teachers", args=[world.school.pk])
    teacher = f.TeacherFactory(school=world.school, staff=world.wang)
    other_admin = f.SchoolAdminFactory(school=world.other.school)
    other_district_officer = f.BureauOfficerFactory(district=world.other.school.district)
    for membership in (teacher, other_admin, other_district_officer):
        client.force_login(membership.user)
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "csv"}).status_code == 404
        assert client.get(url, {"format": "xlsx"}).status_code == 404
    for officer in (f.BureauOfficerFactory(district=world.school.district), f.BureauOfficerFactory()):
        client.force_login(officer.user)
        assert client.get(url, {"term": world.term.pk}).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_bureau_spread_page_lists_the_officers_schools(client, world):
    officer = f.BureauOfficerFactory(district=world.school.district)
    add_duty(world, world.other.teacher, school=world.other.school)
    client.force_login(officer.user)
    url = reverse("duty_reports:spread")
    body = client.get(url, {"term": world.term.pk}).content.decode()
    assert f'data-testid="spread-row-{world.school.pk}"' in body
    assert f'data-testid="spread-row-{world.other.school.pk}"' not in body

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(url, {"term": world.term.pk, "format": "csv"}).content.decode().lstrip("\ufeff")
            )
        )
    )
    assert len(rows) == 2
    assert rows[1][1] == world.school.display_name
    assert rows[1][2:11] == ["4", "3", "75.0", "2.25", "1.50", "0", "6", "2.28", "9"]
    assert rows[1][11:] == ["1", "2", "1", "0", "0", "0"]

    sheet = load_workbook(
        io.BytesIO(client.get(url, {"term": world.term.pk, "format": "xlsx"}).content)
    ).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][2:5] == (4, 3, 75.0)

    city = f.BureauOfficerFactory()
    client.force_login(city.user)
    body = client.get(url, {"term": world.term.pk}).content.decode()
    assert f'data-testid="spread-row-{world.school.pk}"' in body
    assert f'data-testid="spread-row-{world.other.school.pk}"' in body


def test_spread_page_refuses_everyone_but_bureau_officers(client, world):
    url = reverse("duty_reports:spread")
    for membership in (f.SchoolAdminFactory(school=world.school), f.TeacherFactory(school=world.school)):
        client.force_login(membership.user)
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "csv"}).status_code == 404
