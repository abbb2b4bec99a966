"""A school imports its pupils from a CSV or XLSX spreadsheet, all or nothing."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.models import AppendOnlyError
from core.weekdays import ALL_SCHOOL_DAYS_MASK, mask_from_days
from marketplace.households.imports import PupilImportError, parse_days, pupils_import
from marketplace.households.models import Child, ChildLink
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "class,student_no,name,days,guardian_email"


@pytest.fixture
def school():
    school = f.SchoolFactory()
    f.SchoolClassFactory(school=school, grade=3, number=2)
    f.SchoolClassFactory(school=school, grade=4, number=1)
    return school


def importer(school):
    """The school's administrator who runs the import."""
    return f.SchoolAdminFactory(school=school).user


def verify(user, email=None):
    """The user's address, confirmed through allauth."""
    EmailAddress.objects.create(user=user, email=email or user.email, verified=True, primary=True)


def csv_file(*lines, bom=False, name="pupils.csv"):
    text = "\n".join(lines) + "\n"
    data = ("\ufeff" + text if bom else text).encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_file(rows, name="pupils.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def errors_of(school, upload, code="import_rows_rejected"):
    """The problems listed when importing ``upload`` is refused with ``code``."""
    with pytest.raises(PupilImportError) as caught:
        pupils_import(school=school, by=importer(school), upload=upload)
    assert caught.value.code == code
    return {(e.row, e.column) for e in caught.value.rows}, caught.value.rows


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon,tue,thu", [0, 1, 3]),
        ("Mon Tue", [0, 1]),
        ("一二四", [0, 1, 3]),
        ("周一、周五", [0, 4]),
        ("星期三", [2]),
    ],
)
def test_parse_days(text, days):
    assert parse_days(text) == mask_from_days(days)


@pytest.mark.parametrize("text", ["monday", "mon,xyz", "八", "一a", ","])
def test_parse_days_refuses_junk(text):
    with pytest.raises(ValueError):
        parse_days(text)


def test_parse_days_empty_is_none():
    assert parse_days("  ") is None


@pytest.mark.parametrize("bom", [False, True])
def test_csv_creates_roster_pupils_with_codes(school, bom):
    summary = pupils_import(
        school=school,
        by=importer(school),
        upload=csv_file(
            HEADER, '3-2,001,王小明,"mon,tue,thu",', "4-1,002,李小红,一二,", "4-1,003,张三,,", bom=bom
        ),
    )
    assert (summary.created, summary.updated, summary.linked) == (3, 0, 0)
    wang = Child.objects.get(student_no="001")
    assert wang.school_class.code == "3-2"
    assert wang.household_id is None
    assert len(wang.link_code) == 8
    assert wang.days == mask_from_days([0, 1, 3])
    assert Child.objects.get(student_no="002").days == mask_from_days([0, 1])
    assert Child.objects.get(student_no="003").days == ALL_SCHOOL_DAYS_MASK


def test_xlsx_path_with_numeric_student_numbers(school):
    upload = xlsx_file(
        [
            ("class", "student_no", "name", "days"),
            ("3-2", 20230201, "王小明", "mon,fri"),
            (None, None, None, None),
            ("4-1", 20230202.0, "李小红", None),
        ]
    )
    summary = pupils_import(school=school, by=importer(school), upload=upload)
    assert summary.created == 2
    assert set(Child.objects.values_list("student_no", flat=True)) == {"20230201", "20230202"}
    assert Child.objects.get(student_no="20230201").days == mask_from_days([0, 4])


def test_xlsx_errors_report_spreadsheet_rows(school):
    upload = xlsx_file([("class", "student_no", "name"), ("3-2", "1", "甲"), ("9-9", "2", "乙")])
    keys, _rows = errors_of(school, upload)
    assert keys == {(3, "class")}
    assert not Child.objects.exists()


def test_update_existing_pupil_by_class_and_student_no(school):
    klass = school.classes.get(grade=3, number=2)
    child = f.ChildFactory(
        household=None, school_class=klass, student_no="001", name="旧名", days=mask_from_days([0])
    )
    summary = pupils_import(school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,新名,wed,"))
    assert (summary.created, summary.updated) == (0, 1)
    child.refresh_from_db()
    assert child.name == "新名"
    assert child.days == mask_from_days([2])
    assert len(child.link_code) == 8  # a roster pupil without a code gets one
    # Empty days leave the days unchanged.
    pupils_import(school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,新名,,"))
    child.refresh_from_db()
    assert child.days == mask_from_days([2])
    assert Child.objects.count() == 1


def test_update_keeps_an_existing_code(school):
    klass = school.classes.get(grade=3, number=2)
    child = f.ChildFactory(
        household=None, school_class=klass, student_no="001", name="甲", link_code="KEEP2345"
    )
    pupils_import(school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,甲,,"))
    child.refresh_from_db()
    assert child.link_code == "KEEP2345"


def test_guardian_email_links_to_parents_household(school):
    parent = f.ParentFactory(user=f.UserFactory(email="mum@example.com"))
    f.UserFactory(email="nohousehold@example.com")
    verify(parent.user)
    summary = pupils_import(
        school=school,
        by=importer(school),
        upload=csv_file(HEADER, "3-2,001,甲,,MUM@example.com", "3-2,002,乙,,nohousehold@example.com"),
    )
    assert (summary.created, summary.linked) == (2, 1)
    linked = Child.objects.get(student_no="001")
    assert linked.household_id == parent.household_id
    assert linked.link_code is None
    waiting = Child.objects.get(student_no="002")
    assert waiting.household_id is None
    assert waiting.link_code


def test_an_unconfirmed_guardian_email_links_nobody(school):
    """Anyone can sign up with another family's address; until it is confirmed it proves
    nothing, so the pupil waits for the code slip."""
    claimed = f.ParentFactory(user=f.UserFactory(email="taken@example.com"))
    EmailAddress.objects.create(user=claimed.user, email="taken@example.com", verified=False, primary=True)
    summary = pupils_import(
        school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,甲,,taken@example.com")
    )
    assert (summary.created, summary.linked, summary.unconfirmed) == (1, 0, 1)
    child = Child.objects.get(student_no="001")
    assert child.household_id is None
    assert child.link_code
    assert not ChildLink.objects.exists()


def test_a_link_made_by_import_records_who_made_it(school):
    parent = f.ParentFactory(user=f.UserFactory(email="mum@example.com"))
    verify(parent.user)
    admin = importer(school)
    pupils_import(school=school, by=admin, upload=csv_file(HEADER, "3-2,001,甲,,mum@example.com"))
    link = ChildLink.objects.get()
    assert (link.child.student_no, link.household_id, link.method, link.made_by, link.email) == (
        "001",
        parent.household_id,
        ChildLink.Method.IMPORT,
        admin,
        "mum@example.com",
    )
    with pytest.raises(AppendOnlyError, match="append-only") as caught:
        ChildLink.objects.update(method=ChildLink.Method.CODE)
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError, match="append-only") as caught:
        link.delete()
    assert caught.value.code == "append_only"


def test_guardian_email_links_an_existing_roster_pupil(school):
    parent = f.ParentFactory(user=f.UserFactory(email="dad@example.com"))
    verify(parent.user)
    klass = school.classes.get(grade=3, number=2)
    child = f.ChildFactory(
        household=None, school_class=klass, student_no="001", name="甲", link_code="OLDC2345"
    )
    summary = pupils_import(
        school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,甲,,dad@example.com")
    )
    assert (summary.updated, summary.linked) == (1, 1)
    child.refresh_from_db()
    assert child.household_id == parent.household_id
    assert child.link_code is None


def test_every_error_is_reported_with_row_and_column_and_nothing_written(school):
    klass = school.classes.get(grade=3, number=2)
    f.ChildFactory(school_class=klass, student_no="900", name="已领")  # linked to a family
    upload = csv_file(
        HEADER,
        "3-2,001,好的,,",  # row 2 fine
        "7-7,002,甲,,",  # row 3 unknown class
        "3-2,001,乙,,",  # row 4 duplicate of row 2
        "3-2,003,,,",  # row 5 empty name
        "3-2,004,丙,funday,",  # row 6 bad days
        "3-2,005,丁,,not-an-email",  # row 7 bad email
        "3-2,900,别人,,",  # row 8 number held by a different, linked pupil
        "3-2,,戊,,",  # row 9 empty student_no
        "three,006,己,,",  # row 10 class format
    )
    with translation.override("en"):
        keys, rows = errors_of(school, upload)
    assert keys == {
        (3, "class"),
        (4, "student_no"),
        (5, "name"),
        (6, "days"),
        (7, "guardian_email"),
        (8, "student_no"),
        (9, "student_no"),
        (10, "class"),
    }
    assert any("row 2" in e.message for e in rows if e.row == 4)
    assert Child.objects.count() == 1  # only the pre-existing pupil


def test_missing_and_unknown_columns(school):
    keys, _ = errors_of(school, csv_file("class,name,colour", "3-2,甲,red"))
    assert keys == {(1, "student_no"), (1, "colour")}


def test_non_utf8_csv_is_refused(school):
    upload = SimpleUploadedFile("p.csv", "class,student_no,name\n3-2,1,王\n".encode("gbk"))
    keys, rows = errors_of(school, upload, code="csv_not_utf8")
    assert keys == {(0, "")}
    assert "UTF-8" in rows[0].message


def test_broken_xlsx_is_refused(school):
    keys, _ = errors_of(
        school, SimpleUploadedFile("p.xlsx", b"PK\x03\x04 not really a zip"), code="xlsx_unreadable"
    )
    assert keys == {(0, "")}


def test_pupils_of_another_school_are_not_touched(school):
    other_class = f.SchoolClassFactory(grade=3, number=2)
    other = f.ChildFactory(household=None, school_class=other_class, student_no="001", name="外校")
    pupils_import(school=school, by=importer(school), upload=csv_file(HEADER, "3-2,001,本校,,"))
    other.refresh_from_db()
    assert other.name == "外校"
    assert Child.objects.filter(school_class__school=school).count() == 1


# --- the page ---------------------------------------------------------------------------------


def test_import_page_shows_summary(client, school):
    admin = f.SchoolAdminFactory(school=school)
    client.force_login(admin.user)
    url = reverse("households:pupils_import", args=[school.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": csv_file(HEADER, "3-2,001,甲,,")})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-summary"' in body
    assert Child.objects.count() == 1


def test_import_page_shows_error_table_and_writes_nothing(client, school):
    admin = f.SchoolAdminFactory(school=school)
    client.force_login(admin.user)
    upload = xlsx_file([("class", "student_no", "name"), ("3-2", "1", "甲"), ("3-2", "2", "")])
    response = client.post(reverse("households:pupils_import", args=[school.pk]), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count('data-testid="import-error"') == 1
    assert "<td>3</td><td>name</td>" in body
    assert not Child.objects.exists()


def test_template_csv_downloads_and_imports_cleanly(client, school):
    admin = f.SchoolAdminFactory(school=school)
    client.force_login(admin.user)
    response = client.get(reverse("households:pupils_template", args=[school.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = response.content
    assert data.startswith("\ufeff".encode())
    summary = pupils_import(
        school=school, by=importer(school), upload=SimpleUploadedFile("template.csv", data)
    )
    assert summary.created == 2


def test_xlsx_upload_through_the_page(client, school):
    admin = f.SchoolAdminFactory(school=school)
    client.force_login(admin.user)
    upload = xlsx_file([("class", "student_no", "name"), ("4-1", "7", "甲")])
    assert load_workbook(io.BytesIO(upload.read())).active["A2"].value == "4-1"
    upload.seek(0)
    response = client.post(reverse("households:pupils_import", args=[school.pk]), {"file": upload})
    assert response.status_code == 200
    assert Child.objects.get().school_class.code == "4-1"


def test_the_class_page_says_who_linked_a_pupil(client, school):
    parent = f.ParentFactory(user=f.UserFactory(email="mum@example.com"))
    verify(parent.user)
    admin = importer(school)
    pupils_import(school=school, by=admin, upload=csv_file(HEADER, "3-2,001,甲,,mum@example.com"))
    client.force_login(admin)
    klass = school.classes.get(grade=3, number=2)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        page = client.get(reverse("households:class_pupils", args=[school.pk, klass.pk])).content.decode()
    assert 'data-testid="linked-by"' in page
    assert str(admin) in page


def test_the_summary_counts_one_new_pupil_in_the_singular(client, school):
    client.force_login(importer(school))
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.post(
            reverse("households:pupils_import", args=[school.pk]), {"file": csv_file(HEADER, "3-2,001,甲,,")}
        )
    page = response.content.decode()
    assert 'data-testid="created">1</strong> new pupil</li>' in page
