"""The demo city loader: ``manage.py load_demo_city`` and ``fixtures.demo``.

The city is loaded once for the module (and rolled back after it); tests that reload or
reset it run inside their own transaction, so the module's city comes back afterwards.
"""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from fixtures.demo import STEPS, reset_demo_city
from marketplace.courses.models import Activity, Category, Course
from marketplace.fees.models import ChargingStandard
from marketplace.households.models import Child, Household
from marketplace.vendors.credit_code import is_valid
from marketplace.vendors.models import Instructor, Vendor
from people.roles.models import Membership, Role
from scheduling.staff.models import StaffMember
from schools.models import CalendarDay, District, School, SchoolClass, Term

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
ROLE_LOGINS = {
    "bureau@demo.afterschool.cn": Role.BUREAU_OFFICER,
    "district@demo.afterschool.cn": Role.BUREAU_OFFICER,
    "admin@demo.afterschool.cn": Role.SCHOOL_ADMIN,
    "admin2@demo.afterschool.cn": Role.SCHOOL_ADMIN,
    "teacher@demo.afterschool.cn": Role.TEACHER,
    "teacher2@demo.afterschool.cn": Role.TEACHER,
    "vendor@demo.afterschool.cn": Role.VENDOR_MEMBER,
    "reviewer@demo.afterschool.cn": Role.COURSE_REVIEWER,
    "parent@demo.afterschool.cn": Role.PARENT,
}
ROOT = "root@demo.afterschool.cn"


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo_city", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> dict:
    """What must come out the same on every run: names, codes and counts."""
    return {
        "staff": sorted(StaffMember.objects.values_list("school__code", "staff_no", "name")),
        "credit_codes": sorted(Vendor.objects.values_list("credit_code", flat=True)),
        "children": sorted(Child.objects.values_list("school_class__school__code", "student_no", "name")),
        "activities": sorted(Activity.objects.values_list("school__code", "name")),
        "counts": {
            model.__name__: model.objects.count()
            for model in (District, School, SchoolClass, Vendor, Course, Activity, Household)
        },
    }


@pytest.fixture(scope="module")
def demo_city(demo_city_for_module):
    """The demo city of the test session (built once, see ``tests/conftest.py``)."""
    return {"output": demo_city_for_module.output, "seconds": demo_city_for_module.seconds}


def big_school() -> School:
    return School.objects.annotate(pupils=Sum("classes__size")).get(pupils__gte=1900, pupils__lte=2100)


def test_load_shows_progress_counts_and_the_login_table(demo_city):
    output = demo_city["output"]
    total = len(STEPS)
    assert f"[ 1/{total}] districts" in output
    for number, (label, _step) in enumerate(STEPS, start=1):
        assert f"[{number:2d}/{total}] {label}" in output
    assert re.search(r"\d+ activities .*\(\d+\.\d\ds\)", output)
    for email in [*ROLE_LOGINS, ROOT]:
        assert re.search(rf"{re.escape(email)}\s+{PASSWORD}", output)


def test_city_has_districts_schools_and_a_big_primary_school(demo_city):
    assert District.objects.count() >= 3
    assert School.objects.count() >= 4
    assert {s.stage for s in School.objects.all()} == {"primary", "junior", "nine_year"}
    school = big_school()
    assert school.stage == School.Stage.PRIMARY
    assert school.classes.count() == 48
    assert Child.objects.filter(school_class__school=school).count() == school.pupils


def test_every_class_has_exactly_its_pupils_and_a_home_room_of_its_school(demo_city):
    assert not SchoolClass.objects.filter(home_room__isnull=True).exists()
    assert not SchoolClass.objects.exclude(home_room__school=F("school")).exists()
    assert not (SchoolClass.objects.annotate(n=Count("pupils")).exclude(n=F("size")).exists())
    # A child's school is its class's school, and every class belongs to a school.
    assert (
        Child.objects.filter(school_class__school__isnull=False).count()
        == (SchoolClass.objects.aggregate(total=Sum("size"))["total"])
    )


def test_vendors_cover_the_categories_and_approved_ones_can_teach(demo_city):
    assert Vendor.objects.count() >= 10
    approved = Vendor.objects.filter(status=Vendor.Status.APPROVED)
    assert {"sports", "arts", "stem"} <= set(approved.values_list("category__code", flat=True))
    assert {"submitted", "changes_requested", "suspended", "rejected"} <= set(
        Vendor.objects.values_list("status", flat=True)
    )
    assert all(is_valid(code) for code in Vendor.objects.values_list("credit_code", flat=True))
    assert not approved.filter(risk_grade="").exists()
    assert not approved.filter(category__is_academic=True).exists()
    for vendor in approved:
        assert vendor.courses.filter(review_status=Course.ReviewStatus.APPROVED).exists()
        instructors = vendor.instructors.annotate(windows=Count("availability"))
        assert 2 <= instructors.count() <= 4
        assert all(2 <= instructor.windows <= 4 for instructor in instructors)
    assert not Instructor.objects.filter(subjects__isnull=True).exists()
    academic = Category.objects.get(is_academic=True)
    assert academic.vendors.filter(status=Vendor.Status.REJECTED).exists()


def test_courses_and_activities_are_consistent(demo_city):
    assert Course.objects.filter(
        review_status=Course.ReviewStatus.SUBMITTED, vendor__district__code="haishu"
    ).exists()
    for school in School.objects.all():
        assert 4 <= school.own_courses.count() <= 8
    term = Term.objects.get(code="2026-autumn")
    activities = Activity.objects.select_related("course", "school")
    assert all(a.term_id == term.pk for a in activities)
    for activity in activities:
        course = activity.course
        assert activity.vendor_id == course.vendor_id
        assert course.school_id in (None, activity.school_id)
        assert course.grade_min <= activity.grade_min <= activity.grade_max <= course.grade_max
        assert activity.grade_min in activity.school.grades
        assert activity.grade_max in activity.school.grades
        assert 8 <= activity.min_size <= 12 and 20 <= activity.max_size <= 40
        if activity.vendor_id:
            assert course.review_status == Course.ReviewStatus.APPROVED
            assert activity.vendor.status == Vendor.Status.APPROVED
    assert 80 <= big_school().activities.count() <= 100
    assert Activity.objects.filter(vendor__isnull=True).exists()
    assert Activity.objects.filter(vendor__isnull=False).exists()
    prices = Course.objects.filter(vendor__isnull=False).values_list("price_per_session", flat=True)
    assert all(Decimal(20) <= price <= Decimal(45) for price in prices)


def test_charging_standards_per_district_without_overlaps(demo_city):
    term_start = date(2026, 9, 1)
    for district in District.objects.all():
        in_force = district.charging_standards.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=term_start),
            effective_from__lte=term_start,
        )
        assert set(in_force.values_list("service_kind", flat=True)) == {
            "supervised_study",
            "enrichment",
        }
    assert ChargingStandard.objects.filter(effective_to__isnull=False).exists()
    assert not any(standard.overlapping().exists() for standard in ChargingStandard.objects.all())


def test_calendar_has_holidays_make_up_days_and_a_closure(demo_city):
    autumn = Term.objects.get(code="2026-autumn")
    assert (autumn.start, autumn.end) == (date(2026, 9, 1), date(2027, 1, 22))
    days = {day.date: day for day in autumn.calendar_days.filter(school__isnull=True)}
    assert days[date(2026, 9, 25)].kind == CalendarDay.Kind.HOLIDAY
    assert all(days[date(2026, 10, d)].kind == CalendarDay.Kind.HOLIDAY for d in range(1, 8))
    assert days[date(2026, 10, 10)].follows_weekday == 4
    assert days[date(2026, 9, 20)].kind == CalendarDay.Kind.MAKEUP
    assert days[date(2027, 1, 1)].kind == CalendarDay.Kind.HOLIDAY
    assert autumn.calendar_days.filter(kind=CalendarDay.Kind.CLOSURE, school__isnull=False).exists()
    spring = Term.objects.get(code="2027-spring")
    assert spring.calendar_days.filter(kind=CalendarDay.Kind.MAKEUP).exists()


def test_staff_have_chinese_names_and_households_have_children(demo_city):
    names = list(StaffMember.objects.values_list("name", flat=True))
    assert names and all(CHINESE_NAME.match(name) for name in names)
    assert all(CHINESE_NAME.match(name) for name in Child.objects.values_list("name", flat=True))
    for school in School.objects.annotate(n=Count("classes")):
        # About 2.6 staff per class, as in Chinese primary schools (and enough to supervise every class).
        assert 2.4 * school.n <= school.staff.count() <= 2.8 * school.n
    assert not StaffMember.objects.exclude(subjects__code="homework").exists()
    sizes = Household.objects.annotate(n=Count("children")).values_list("n", flat=True)
    assert set(sizes) == {1, 2}
    assert Household.objects.filter(hardship=True).exists()


def test_each_role_login_can_sign_in_to_its_scope(demo_city):
    User = get_user_model()
    for email, role in ROLE_LOGINS.items():
        user = User.objects.get(email=email)
        assert user.has_usable_password() and user.check_password(PASSWORD), email
        assert CHINESE_NAME.match(user.name), email
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
        membership = Membership.objects.get(user=user)
        assert membership.role == role
        membership.full_clean()
    bureau = Membership.objects.get(user__email="bureau@demo.afterschool.cn")
    assert bureau.district is None
    assert Membership.objects.get(user__email="district@demo.afterschool.cn").district.code == ("haishu")
    school = big_school()
    assert Membership.objects.get(user__email="admin@demo.afterschool.cn").school == school
    assert Membership.objects.get(user__email="admin2@demo.afterschool.cn").school != school
    teacher = Membership.objects.get(user__email="teacher@demo.afterschool.cn")
    assert teacher.school == school and teacher.staff.school == school
    assert teacher.staff.subjects.exclude(code="homework").exists()
    vendor = Membership.objects.get(user__email="vendor@demo.afterschool.cn").vendor
    assert vendor.status == Vendor.Status.APPROVED
    assert vendor.courses.exists() and vendor.activities.exists()
    parent = Membership.objects.get(user__email="parent@demo.afterschool.cn")
    children = parent.household.children.select_related("school_class")
    assert len(children) == 2
    assert all(child.school_class.school == school for child in children)
    root = User.objects.get(email=ROOT)
    assert root.is_superuser and root.is_staff and root.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=root, verified=True, primary=True).exists()


def test_wagtail_site_root_is_the_home_page(demo_city):
    from wagtail.models import Page, Site

    from cms.models import HomePage

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.title == "课后服务平台"
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page.pk).exists()


def test_a_reset_reloads_the_same_city_and_keeps_superusers_only(demo_city):
    # Merged: a reset deletes, the reload gives the same city, superusers stay; a second
    # reset empties the database and --if-empty loads into it. How long a load takes is
    # measured by ``benchmarks/demo_load.py`` (figures in the README).
    User = get_user_model()
    before = fingerprint()
    User.objects.create_superuser("dev@example.cn", "x")
    User.objects.create_user("someone@example.cn", "x")
    output = load("--reset")
    assert "Deleted" in output
    assert fingerprint() == before
    assert User.objects.filter(email="dev@example.cn").exists()
    assert not User.objects.filter(email="someone@example.cn").exists()

    reset_demo_city()
    assert not District.objects.exists()
    assert User.objects.filter(email="dev@example.cn").exists()
    load("--if-empty")
    assert fingerprint() == before


def test_if_empty_leaves_existing_data_alone(demo_city):
    before = fingerprint()
    output = load("--if-empty")
    assert "not loaded" in output
    assert fingerprint() == before


def test_refuses_to_load_over_existing_data(demo_city):
    with pytest.raises(CommandError, match="--reset"):
        load()


def test_every_demo_school_can_be_timetabled(demo_city):
    """No school's records are infeasible on their face (enough staff to supervise, …)."""
    from scheduling.solver.model import derive_facts, precheck
    from scheduling.solver.problem import load_problem
    from scheduling.solver.validate import validate_problem
    from scheduling.timetables.assembly import checklist, problem_assemble
    from schools.selectors import term_current

    term = term_current(on=date(2026, 11, 29))
    for school in School.objects.all():
        problem = problem_assemble(school=school, term=term)
        assert validate_problem(problem) == [], school.code
        assert [i.code for i in checklist(school=school, term=term, problem=problem) if i.blocking] == []
        loaded = load_problem(problem)
        assert precheck(loaded, derive_facts(loaded)) == [], school.code


def test_supply_history_reads_in_order_for_every_vendor(demo_city):
    """Each vendor's decisions lead from draft to its status; reasons where a reason is due."""
    from marketplace.courses.models import SessionPlan
    from marketplace.vendors.models import VendorDecision

    for vendor in Vendor.objects.all():
        decisions = list(vendor.decisions.order_by("pk"))
        assert decisions, vendor
        assert decisions[0].from_status == Vendor.Status.DRAFT
        assert decisions[-1].to_status == vendor.status
        for before, after in zip(decisions, decisions[1:], strict=False):
            assert before.to_status == after.from_status
        assert all(d.reason for d in decisions if d.action in VendorDecision.NEEDS_REASON)
        assert decisions[0].actor.memberships.filter(role=Role.VENDOR_MEMBER, vendor=vendor).exists()
    for course in Course.objects.filter(vendor__isnull=False):
        assert course.instructors.exists(), course
        assert list(course.session_plans.values_list("number", flat=True)) == list(
            range(1, course.sessions + 1)
        )
    assert SessionPlan.objects.filter(course__school__isnull=False).count() == 0


def test_demo_vendor_has_a_request_to_answer_and_reviewers_a_queue(demo_city):
    from marketplace.course_requests.models import CourseRequest
    from marketplace.reviews.models import CourseReview

    request = CourseRequest.objects.get(status=CourseRequest.Status.REQUESTED)
    assert request.vendor.memberships.filter(user__email="vendor@demo.afterschool.cn").exists()
    assert request.price_per_session <= request.standard.cap_amount
    assert request.slots.exists() and all(slot.kind == "enrichment" for slot in request.slots.all())
    open_rounds = CourseReview.objects.filter(outcome="pending")
    assert open_rounds.filter(committee__district__code="haishu").exists()
    assert (
        CourseReview.objects.filter(outcome="approved").count()
        == Course.objects.filter(vendor__isnull=False, review_status="approved").count()
    )


def test_a_submitted_application_is_complete_and_its_officer_can_approve_it(demo_city):
    from marketplace.vendors import selectors as vendor_selectors
    from marketplace.vendors import services as vendor_services
    from people.roles.models import Membership

    submitted = Vendor.objects.filter(status=Vendor.Status.SUBMITTED)
    assert submitted.exists()
    reviewed = [Vendor.Status.SUBMITTED, Vendor.Status.APPROVED, Vendor.Status.SUSPENDED]
    for vendor in Vendor.objects.filter(status__in=reviewed):
        assert vendor_selectors.vendor_missing_items(vendor=vendor) == [], vendor
    vendor = submitted.first()
    officer = (
        Membership.objects.filter(role=Role.BUREAU_OFFICER, district=vendor.district).first()
        or Membership.objects.get(role=Role.BUREAU_OFFICER, district__isnull=True)
    ).user
    with transaction.atomic():
        vendor_services.vendor_approve(vendor=vendor, officer=officer)
        assert Vendor.objects.get(pk=vendor.pk).status == Vendor.Status.APPROVED
        transaction.set_rollback(True)


def test_the_first_weeks_of_the_term_were_delivered(demo_city):
    """Registers taken, duties recorded, rest earned, money released and settled: through the
    services, in the past, so that with the clock as it is a teacher can claim rest and the
    money pages have figures."""
    from django.utils import timezone

    from fixtures.demo import HISTORY_SCHOOL, HISTORY_UNTIL
    from marketplace.ledger.models import LedgerEntry, Payout
    from marketplace.payments.models import Payment
    from scheduling.attendance.models import AttendanceRecord, SessionDelivery
    from scheduling.rest.models import DutyRecord
    from scheduling.rest.selectors import balance_on
    from scheduling.timetables.models import DatedSession

    today = timezone.localdate()
    school = School.objects.get(code=HISTORY_SCHOOL)
    teacher = Membership.objects.get(user__email="teacher2@demo.afterschool.cn", role=Role.TEACHER)
    assert teacher.school == school
    assert DutyRecord.objects.filter(staff=teacher.staff).exists()
    assert balance_on(teacher.staff, today) >= 1

    sessions = DatedSession.objects.filter(school=school)
    past = sessions.filter(date__lte=HISTORY_UNTIL)
    assert past.exists() and sessions.filter(date__gt=today).exists()
    # Every session of the delivered weeks has its register; none after them, none ahead.
    assert SessionDelivery.objects.filter(dated_session__in=past).count() == past.count()
    assert not SessionDelivery.objects.filter(dated_session__date__gt=HISTORY_UNTIL).exists()
    assert not AttendanceRecord.objects.filter(dated_session__date__gte=today).exists()
    assert AttendanceRecord.objects.filter(dated_session__in=past).count() > 1000
    # Each register was taken after its session had started.
    for delivery in SessionDelivery.objects.select_related("dated_session")[:50]:
        session = delivery.dated_session
        starts = timezone.make_aware(datetime.combine(session.date, session.start))
        assert delivery.delivered_at >= starts

    assert Payment.objects.filter(
        status=Payment.Status.SUCCEEDED, child__school_class__school=school
    ).exists()
    released = LedgerEntry.objects.filter(kind="released", school=school)
    assert released.exists()
    assert LedgerEntry.objects.filter(kind="settled", school=school).count() == released.count()
    assert Payout.objects.filter(school=school, amount__gt=0).exists()
    # The delivered history is one school's: the others are untouched.
    assert not SessionDelivery.objects.exclude(dated_session__school=school).exists()


def test_the_demo_vendor_was_paid_for_its_meetings_in_the_delivered_weeks(demo_city, client):
    """At the history school, families chose the demo vendor's activities in a closed window;
    publishing allocated their places, they paid, the meetings' registers released the money
    and the nights settled it: the vendor member's payouts page lists the payouts."""
    from django.urls import reverse

    from fixtures.demo import HISTORY_SCHOOL, HISTORY_UNTIL
    from marketplace.enrolment.models import Enrolment, EnrolmentWindow
    from marketplace.ledger.models import LedgerEntry, Payout
    from scheduling.attendance.models import SessionDelivery

    school = School.objects.get(code=HISTORY_SCHOOL)
    member = Membership.objects.get(user__email="vendor@demo.afterschool.cn", role=Role.VENDOR_MEMBER)
    vendor = member.vendor
    window = EnrolmentWindow.objects.select_related("term").get(school=school)
    term = window.term
    assert window.allocated_run_id is not None and window.closes_at.date() < term.start

    places = Enrolment.objects.filter(activity__school=school, activity__term=term, status="placed")
    # Each of the vendor's activities there runs with at least its minimum size.
    vendor_activities = Activity.objects.filter(school=school, term=term, vendor=vendor)
    assert vendor_activities.count() >= 2
    for activity in vendor_activities:
        assert places.filter(activity=activity).count() >= activity.min_size, activity
    # Places came from the ranked allocation, each the family's first (and only) choice.
    assert set(places.values_list("source", "choice_rank")) == {(Enrolment.Source.ALLOCATION, 1)}
    # Every family with a place paid for it.
    for enrolment in places.select_related("child"):
        assert LedgerEntry.objects.filter(
            kind="paid", child=enrolment.child, activity=enrolment.activity
        ).exists(), enrolment

    released = LedgerEntry.objects.filter(
        kind="released", activity__vendor=vendor, dated_session__date__lte=HISTORY_UNTIL
    )
    assert released.exists()
    assert SessionDelivery.objects.filter(
        dated_session__activity__vendor=vendor, dated_session__in=released.values("dated_session")
    ).exists()
    settled = LedgerEntry.objects.filter(kind="settled", settles__in=released)
    assert settled.count() == released.count()
    payouts = Payout.objects.filter(vendor=vendor, amount__gt=0)
    assert payouts.exists()
    assert payouts.aggregate(total=Sum("amount"))["total"] == released.aggregate(total=Sum("amount"))["total"]
    assert set(settled.values_list("payout", flat=True)) == set(payouts.values_list("pk", flat=True))
    assert all(payout.for_date <= HISTORY_UNTIL for payout in payouts)

    client.force_login(member.user)
    page = client.get(reverse("ledger:vendor_payouts", args=[vendor.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for payout in payouts:
        assert reverse("ledger:vendor_payout", args=[vendor.pk, payout.pk]) in html
    # The other school's window story is untouched: its places wait for its administrator.
    assert EnrolmentWindow.objects.exclude(school=school).get().allocated_run_id is None
