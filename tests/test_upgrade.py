"""A database migrated and filled at an earlier release upgrades with its rows intact.

The database is taken back to the migrations of the last release that reached users (main at
2f77eae, before the floors and the money, rest and supply changes that followed), filled
through the historical models of that state, and migrated forward to today. Every row is
still there, and what the later migrations derive from old rows (pinyin sort keys, the live
timetable run, one idempotency key per refund) is filled in. When a later change moves a
model between apps, its rows must survive this test too.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of each app that changed after that release; other apps are at their
# newest migration then and now.
RELEASED = {
    "courses": "0006_coursedocument_private_document_base",
    "enrolment": "0001_initial",
    "fees": "0003_waiver",
    "payments": "0001_initial",
    "reviews": "0002_round_rubric_chair_tally",
    "vendors": "0005_vendor_institution_type",
    "attendance": "0001_initial",
    "rest": "0001_initial",
    "timetables": "0001_initial",
}


def _targets(executor, overrides):
    leaves = dict(executor.loader.graph.leaf_nodes())
    leaves.update(overrides)
    return sorted(leaves.items())


def _fill(apps):
    District = apps.get_model("schools", "District")
    School = apps.get_model("schools", "School")
    Term = apps.get_model("schools", "Term")
    Category = apps.get_model("courses", "Category")
    Subject = apps.get_model("staff", "Subject")
    Vendor = apps.get_model("vendors", "Vendor")
    Course = apps.get_model("courses", "Course")
    TimetableRun = apps.get_model("timetables", "TimetableRun")

    district = District.objects.create(name="海曙区", code="haishu")
    school = School.objects.create(name="白云小学", code="baiyun", district=district, stage="primary")
    term = Term.objects.create(
        name="2026秋", code="2026-autumn", start=datetime.date(2026, 9, 1), end=datetime.date(2027, 1, 20)
    )
    category = Category.objects.create(name="体育", code="sports")
    subject = Subject.objects.create(name="篮球", code="basketball")
    vendors = [
        Vendor.objects.create(name=name, credit_code=code, category=category, district=district)
        for name, code in (("重庆启航体育", "91330203MA2GQ1XY1A"), ("阿福艺术", "91330203MA2GQ1XY2B"))
    ]
    for title in ("长跑", "篮球入门"):
        Course.objects.create(
            vendor=vendors[0],
            title=title,
            category=category,
            subject=subject,
            grade_min=1,
            grade_max=6,
            sessions=12,
            price_per_session=Decimal("30.00"),
        )
    published = datetime.datetime(2026, 8, 20, 9, tzinfo=datetime.UTC)
    TimetableRun.objects.create(school=school, term=term, problem={}, status="done", published_at=published)
    TimetableRun.objects.create(
        school=school,
        term=term,
        problem={},
        status="done",
        published_at=published + datetime.timedelta(days=3),
    )


def test_a_released_database_with_rows_upgrades_to_today():
    executor = MigrationExecutor(connection)
    latest = _targets(executor, {})
    released = _targets(executor, RELEASED)
    try:
        executor.migrate(released)
        executor = MigrationExecutor(connection)
        _fill(executor.loader.project_state(released).apps)

        executor.migrate(latest)
        apps = MigrationExecutor(connection).loader.project_state(latest).apps
        Vendor = apps.get_model("vendors", "Vendor")
        Course = apps.get_model("courses", "Course")
        TimetableRun = apps.get_model("timetables", "TimetableRun")

        assert sorted(Vendor.objects.values_list("name", flat=True)) == ["重庆启航体育", "阿福艺术"]
        # Sorted by pinyin, as the catalogue lists them: 阿 (a) before 重庆 (chongqing).
        assert list(Vendor.objects.order_by("name_sort").values_list("name", flat=True)) == [
            "阿福艺术",
            "重庆启航体育",
        ]
        assert all(Course.objects.values_list("title_sort", flat=True))
        runs = list(TimetableRun.objects.order_by("published_at"))
        assert [(run.live, run.superseded_at is not None) for run in runs] == [(False, True), (True, False)]
    finally:
        MigrationExecutor(connection).migrate(latest)
