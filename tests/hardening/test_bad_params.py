"""Bad input is never a 500: regressions of the audit's findings, one per page or parser.

Out-of-range ids and dates from a query string (or a form) are refused in Python, before
any query: SQLite raises ``OverflowError`` for an integer beyond 64 bits and PostgreSQL a
``DataError``, so neither may ever see one. See ``core.params``.
"""

import datetime

import pytest
from django import forms
from django.core.exceptions import BadRequest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import reverse

from core.filters import FilterSet
from core.params import (
    INT64_MAX,
    INT64_MIN,
    IdModelChoiceField,
    IdModelMultipleChoiceField,
    parse_date,
    parse_id,
    parse_int,
    query_choice,
    query_date,
    query_id,
    query_int,
)
from marketplace.courses.models import Category, Course
from marketplace.households.imports import PupilImportError, pupils_import
from marketplace.households.models import Child
from scheduling.timetables.selectors import week_of
from schools.selectors import today
from tests import factories as f

pytestmark = pytest.mark.django_db

TOO_BIG = [str(2**63), str(-(2**63) - 1), str(10**30), "9" * 5000]


@pytest.fixture
def lenient(client):
    """A client that answers a view's exception with a 500 response rather than raising it,
    as the server does."""
    client.raise_request_exception = False
    return client


# --- core.params ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("-3", -3),
        ("+3", 3),
        (str(INT64_MAX), INT64_MAX),
        (str(INT64_MIN), INT64_MIN),
        (str(2**63), None),
        (str(-(2**63) - 1), None),
        ("9" * 5000, None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() takes them, a URL should not
        ("1_000", None),
        ("1e3", None),
        ("1.0", None),
        ("", None),
        ("\x00", None),
        ("12\x00", None),
        (None, None),
    ],
)
def test_parse_int(text, expected):
    assert parse_int(text) == expected


def test_parse_id_is_positive_and_64_bit():
    assert parse_id("1") == 1
    assert parse_id(str(INT64_MAX)) == INT64_MAX
    for text in ("0", "-1", str(2**63), "abc", "²"):
        assert parse_id(text) is None


@pytest.mark.parametrize(
    "text", ["9999-12-31", "0001-01-01", "0000-00-00", "2026-13-45", "2026-02-30", "\x00", "x" * 5000, ""]
)
def test_parse_date_refuses_what_is_no_date_or_out_of_range(text):
    assert parse_date(text) is None


def test_parse_date_takes_a_plain_date():
    assert parse_date("2026-09-07") == datetime.date(2026, 9, 7)
    assert parse_date(" 2026-09-07 ") == datetime.date(2026, 9, 7)


def test_query_helpers_fall_back_or_raise_bad_request():
    params = QueryDict("n=99999999999999999999&d=9999-12-31&s=bogus&id=0&ok=5&twice=1&twice=2")
    assert query_int(params, "n", default=7) == 7
    assert query_int(params, "ok") == 5
    assert query_int(params, "ok", maximum=3) is None
    assert query_int(params, "missing", default=1) == 1
    assert query_int(params, "twice") == 2  # the last value, as QueryDict.get gives
    assert query_id(params, "id") is None
    assert query_date(params, "d", default=datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 1)
    assert query_choice(params, "s", ["a", "b"], default="a") == "a"
    with pytest.raises(BadRequest):
        query_int(params, "n", strict=True)
    with pytest.raises(BadRequest):
        query_id(params, "id", strict=True)
    with pytest.raises(BadRequest):
        query_date(params, "d", strict=True)
    with pytest.raises(BadRequest):
        query_choice(params, "s", ["a", "b"], default="a", strict=True)
    assert query_int(params, "missing", strict=True) is None  # absent is not an error


def test_id_choice_fields_refuse_out_of_range_ids_without_a_query(django_assert_num_queries):
    single = IdModelChoiceField(queryset=Category.objects.all(), required=False)
    several = IdModelMultipleChoiceField(queryset=Category.objects.all(), required=False)
    with django_assert_num_queries(0):
        for value in [*TOO_BIG, "0", "-1", "abc", "1\x00"]:
            with pytest.raises(forms.ValidationError):
                single.clean(value)
            with pytest.raises(forms.ValidationError):
                several.clean([value])


def test_id_choice_fields_still_find_real_rows():
    category = f.CategoryFactory()
    assert IdModelChoiceField(queryset=Category.objects.all()).clean(str(category.pk)) == category
    assert list(IdModelMultipleChoiceField(queryset=Category.objects.all()).clean([str(category.pk)])) == [
        category
    ]


class CourseFilter(FilterSet):
    class Meta:
        model = Course
        fields = ["category", "vendor", "instructors", "grade_min", "sessions"]


@pytest.mark.parametrize("value", [*TOO_BIG, "0", "-1", "1e30", "\x00"])
def test_generated_filters_make_out_of_range_values_form_errors(value):
    course = f.CourseFactory()
    for name in CourseFilter.base_filters:
        filterset = CourseFilter(QueryDict(mutable=True) | {name: value}, queryset=Course.objects.all())
        assert list(filterset.qs) in ([], [course])  # evaluated without a database error
    params = QueryDict(mutable=True)
    params.setlist("instructors", [value])
    assert "instructors" in CourseFilter(params, queryset=Course.objects.all()).errors


# --- the pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "0000-00-00", "2026-13-45", "x" * 5000])
def test_teacher_week_out_of_range_shows_this_week(lenient, week):
    teacher = f.TeacherFactory()
    lenient.force_login(teacher.user)
    response = lenient.get(reverse("portal:teacher_home", args=[teacher.staff.pk]), {"week": week})
    assert response.status_code == 200
    assert response.context["week"]["monday"] == week_of(today())[0]


def test_teacher_week_still_follows_a_real_date(client):
    teacher = f.TeacherFactory()
    client.force_login(teacher.user)
    response = client.get(reverse("portal:teacher_home", args=[teacher.staff.pk]), {"week": "2026-09-09"})
    assert response.context["week"]["monday"] == datetime.date(2026, 9, 7)


@pytest.mark.parametrize("district", [*TOO_BIG, "0", "-1", "²", "\x00"])
def test_officer_queue_ignores_a_district_that_is_no_id(lenient, district):
    officer = f.BureauOfficerFactory()
    lenient.force_login(officer.user)
    assert lenient.get(reverse("vendors:officer_queue"), {"district": district}).status_code == 200


@pytest.mark.parametrize("term", ["²", "١", str(2**63), "0", "-1"])
@pytest.mark.parametrize("page", ["spread", "teachers"])
def test_duty_reports_answer_a_term_that_is_no_id_with_404(lenient, term, page):
    officer = f.BureauOfficerFactory()
    school = f.SchoolFactory()
    lenient.force_login(officer.user)
    url = (
        reverse("duty_reports:spread")
        if page == "spread"
        else reverse("duty_reports:teachers", args=[school.pk])
    )
    assert lenient.get(url, {"term": term}).status_code == 404


@pytest.mark.parametrize("slot", [str(2**63), str(10**30)])
def test_availability_proposal_refuses_a_slot_id_beyond_64_bits(lenient, slot):
    teacher = f.TeacherFactory()
    lenient.force_login(teacher.user)
    response = lenient.post(
        reverse("staff:availability", args=[teacher.staff.pk]), {"action": "propose", "unavailable": [slot]}
    )
    assert response.status_code == 400


# --- the pupil import -------------------------------------------------------------------------


@pytest.fixture
def school():
    school = f.SchoolFactory()
    f.SchoolClassFactory(school=school, grade=3, number=2)
    return school


def _import(school, data: bytes, name="pupils.csv"):
    return pupils_import(
        school=school,
        by=f.SchoolAdminFactory(school=school).user,
        upload=SimpleUploadedFile(name, data, content_type="text/csv"),
    )


def _errors(school, data: bytes, name="pupils.csv", *, code):
    with pytest.raises(PupilImportError) as caught:
        _import(school, data, name)
    assert caught.value.code == code
    return [(e.row, e.column) for e in caught.value.rows], caught.value


def test_import_names_the_row_and_column_of_a_cell_over_the_csv_field_limit(school):
    huge = "王" * 140_000  # over the csv module's 131,072 characters, under 2 MB
    data = f"class,student_no,name\n3-2,S1,李明\n3-2,S2,{huge}\n".encode()
    where, error = _errors(school, data, code="cell_too_long")
    assert where == [(3, "name")]
    assert "longer than" in error.messages[0]
    assert Child.objects.count() == 0


def test_import_names_the_column_of_an_oversized_quoted_cell_in_the_header_row(school):
    data = f'class,"{"x" * 140_000}"\n'.encode()
    where, _error = _errors(school, data, code="cell_too_long")
    assert where == [(1, "B")]


def test_import_refuses_a_very_long_cell_of_any_column(school):
    data = f"class,student_no,name,days\n3-2,S1,李明,{'z' * 2000}\n".encode()
    where, error = _errors(school, data, code="import_rows_rejected")
    assert where == [(2, "days")]
    assert len(error.messages[0]) < 200  # the cell is not echoed back


@pytest.mark.parametrize(
    ("column", "value"), [("student_no", "S1\x00"), ("name", "李\x07明"), ("class", "3-2\x1b")]
)
def test_import_refuses_control_characters_with_row_and_column(school, column, value):
    cells = {"class": "3-2", "student_no": "S1", "name": "李明", column: value}
    data = (
        "class,student_no,name\n" + ",".join(cells[c] for c in ("class", "student_no", "name")) + "\n"
    ).encode()
    where, _error = _errors(school, data, code="import_rows_rejected")
    assert where == [(2, column)]
    assert Child.objects.count() == 0


def test_import_reads_a_csv_with_old_mac_line_endings(school):
    _import(school, "class,student_no,name\r3-2,S1,李明\r3-2,S2,王芳\r".encode())
    assert sorted(Child.objects.values_list("student_no", flat=True)) == ["S1", "S2"]
