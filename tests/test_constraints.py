"""The database constraints of the domain models, and the ``clean()`` rules beside them.

Every bad row is written straight through the ORM (no ``full_clean()``), so only the
database can refuse it. ``violates(name)`` also checks that it is *that* constraint which
refused the row (by name; SQLite names the columns of a unique index instead), so a test
fails if its constraint is removed even when another constraint would still catch the row.
"""

import datetime
import itertools
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from marketplace.courses.models import Activity, Category, Course
from marketplace.fees.models import ChargingStandard
from marketplace.households.models import Child
from marketplace.vendors.models import InstructorAvailability, Vendor
from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.rooms.models import Room, RoomKind
from scheduling.slots.models import Slot
from scheduling.staff.models import StaffMember, Subject
from schools.models import CalendarDay, District, School, SchoolClass, Term
from tests import factories as f

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)

TERM_START = datetime.date(2026, 9, 1)
TERM_END = datetime.date(2027, 1, 22)


# --- helpers -------------------------------------------------------------------------------


def _constraint(name):
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    raise LookupError(f"no model declares a constraint named {name!r}")


def _expected_sqlite_unique_message(model, constraint):
    if constraint.fields:
        columns = ", ".join(
            f"{model._meta.db_table}.{model._meta.get_field(field).column}" for field in constraint.fields
        )
        return f"UNIQUE constraint failed: {columns}"
    return f"UNIQUE constraint failed: index '{constraint.name}'"


@contextmanager
def violates(name):
    """The block must fail with an IntegrityError raised by the constraint ``name``."""
    model, constraint = _constraint(name)
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    message = str(excinfo.value)
    if connection.vendor == "sqlite" and isinstance(constraint, UniqueConstraint):
        assert message == _expected_sqlite_unique_message(model, constraint)
    else:
        assert name in message, message


@contextmanager
def violates_unique_field(model, field_name):
    """The block must fail on the ``unique=True`` of ``model.field_name``."""
    column = model._meta.get_field(field_name).column
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        yield
    message = str(excinfo.value)
    if connection.vendor == "sqlite":
        assert message == f"UNIQUE constraint failed: {model._meta.db_table}.{column}"
    else:
        assert f"Key ({column})=" in message, message


def _n():
    return next(_serial)


# Valid keyword arguments for ``Model.objects.create``; related rows come from factories.


def term_kwargs(**overrides):
    return {
        "code": f"t-{_n()}",
        "name": "2026秋季学期",
        "start": TERM_START,
        "end": TERM_END,
        **overrides,
    }


def calendar_day_kwargs(**overrides):
    return {
        "term": f.TermFactory(),
        "date": datetime.date(2026, 10, 1),
        "kind": CalendarDay.Kind.HOLIDAY,
        **overrides,
    }


def school_class_kwargs(**overrides):
    return {
        "school": f.SchoolFactory(),
        "grade": 3,
        "number": 1,
        "size": 40,
        **overrides,
    }


def room_kwargs(**overrides):
    return {
        "school": f.SchoolFactory(),
        "code": f"r-{_n()}",
        "name": "三(1)班教室",
        "capacity": 45,
        **overrides,
    }


def slot_kwargs(**overrides):
    return {
        "school": f.SchoolFactory(),
        "weekday": 0,
        "start": datetime.time(15, 30),
        "end": datetime.time(16, 30),
        "kind": Slot.Kind.SUPERVISED,
        **overrides,
    }


def staff_kwargs(**overrides):
    return {
        "school": f.SchoolFactory(),
        "staff_no": f"T{_n()}",
        "name": "王老师",
        **overrides,
    }


def vendor_kwargs(**overrides):
    return {
        "name": "某某体育培训中心",
        "credit_code": f.credit_code(900_000 + _n()),
        "category": f.CategoryFactory(),
        "district": f.DistrictFactory(),
        **overrides,
    }


def availability_kwargs(**overrides):
    return {
        "instructor": f.InstructorFactory(),
        "weekday": 2,
        "start": datetime.time(15, 0),
        "end": datetime.time(18, 0),
        **overrides,
    }


def course_kwargs(**overrides):
    return {
        "title": "篮球",
        "vendor": f.VendorFactory(),
        "category": f.CategoryFactory(),
        "subject": f.SubjectFactory(),
        "grade_min": 1,
        "grade_max": 6,
        "sessions": 16,
        "price_per_session": Decimal("30.00"),
        **overrides,
    }


def activity_kwargs(**overrides):
    course = f.CourseFactory()
    return {
        "school": f.SchoolFactory(),
        "term": f.TermFactory(),
        "course": course,
        "vendor": course.vendor,
        "name": "篮球社团",
        "grade_min": 3,
        "grade_max": 4,
        "room_kind": f.RoomKindFactory(),
        "max_size": 30,
        **overrides,
    }


def child_kwargs(**overrides):
    return {
        "household": f.HouseholdFactory(),
        "name": "小明",
        "school_class": f.SchoolClassFactory(),
        "student_no": f"S{_n()}",
        **overrides,
    }


def standard_kwargs(**overrides):
    return {
        "district": f.DistrictFactory(),
        "service_kind": ChargingStandard.ServiceKind.SUPERVISED_STUDY,
        "unit": ChargingStandard.Unit.PER_TERM,
        "cap_amount": Decimal("300.00"),
        "effective_from": TERM_START,
        "approval_document": "市发改价格〔2026〕12号",
        **overrides,
    }


# --- check constraints ---------------------------------------------------------------------


def _ref(factory):
    """A lazily created related object (parametrize ids stay readable)."""
    return lambda: factory()


CHECK_CASES = [
    # (constraint, model, valid kwargs builder, bad overrides)
    ("term_end_after_start", Term, term_kwargs, {"end": TERM_START}),
    (
        "term_end_after_start",
        Term,
        term_kwargs,
        {"end": TERM_START - datetime.timedelta(days=1)},
    ),
    (
        "calendarday_makeup_follows_weekday",
        CalendarDay,
        calendar_day_kwargs,
        {"kind": CalendarDay.Kind.MAKEUP, "follows_weekday": None},
    ),
    (
        "calendarday_makeup_follows_weekday",
        CalendarDay,
        calendar_day_kwargs,
        {"kind": CalendarDay.Kind.MAKEUP, "follows_weekday": 5},
    ),
    (
        "calendarday_makeup_follows_weekday",
        CalendarDay,
        calendar_day_kwargs,
        {"kind": CalendarDay.Kind.HOLIDAY, "follows_weekday": 0},
    ),
    (
        "calendarday_makeup_follows_weekday",
        CalendarDay,
        calendar_day_kwargs,
        {"kind": CalendarDay.Kind.CLOSURE, "follows_weekday": 4},
    ),
    (
        "calendarday_makeup_follows_weekday",
        CalendarDay,
        calendar_day_kwargs,
        {"kind": "strike"},
    ),
    ("class_grade_1_to_9", SchoolClass, school_class_kwargs, {"grade": 0}),
    ("class_grade_1_to_9", SchoolClass, school_class_kwargs, {"grade": 10}),
    ("class_number_positive", SchoolClass, school_class_kwargs, {"number": 0}),
    ("class_size_positive", SchoolClass, school_class_kwargs, {"size": 0}),
    ("class_days_valid", SchoolClass, school_class_kwargs, {"days": 128}),
    ("room_capacity_positive", Room, room_kwargs, {"capacity": 0}),
    ("slot_end_after_start", Slot, slot_kwargs, {"end": datetime.time(15, 30)}),
    ("slot_end_after_start", Slot, slot_kwargs, {"end": datetime.time(15, 0)}),
    ("slot_weekday_valid", Slot, slot_kwargs, {"weekday": 7}),
    ("slot_kind_valid", Slot, slot_kwargs, {"kind": "lunch"}),
    (
        "staff_duty_cap_not_below_minimum",
        StaffMember,
        staff_kwargs,
        {"min_duties": 3, "max_duties": 2},
    ),
    ("staff_rest_days_valid", StaffMember, staff_kwargs, {"rest_days": 128}),
    (
        "vendor_credit_code_18_chars",
        Vendor,
        vendor_kwargs,
        {"credit_code": "91110000802100433"},
    ),
    ("vendor_credit_code_18_chars", Vendor, vendor_kwargs, {"credit_code": ""}),
    ("vendor_status_valid", Vendor, vendor_kwargs, {"status": "pending"}),
    ("vendor_risk_grade_valid", Vendor, vendor_kwargs, {"risk_grade": "E"}),
    (
        "availability_end_after_start",
        InstructorAvailability,
        availability_kwargs,
        {"end": datetime.time(15, 0)},
    ),
    (
        "availability_weekday_valid",
        InstructorAvailability,
        availability_kwargs,
        {"weekday": 7},
    ),
    (
        "course_owned_by_school_xor_vendor",
        Course,
        course_kwargs,
        {"school": _ref(f.SchoolFactory)},
    ),
    ("course_owned_by_school_xor_vendor", Course, course_kwargs, {"vendor": None}),
    ("course_grade_band_valid", Course, course_kwargs, {"grade_min": 0}),
    ("course_grade_band_valid", Course, course_kwargs, {"grade_max": 10}),
    (
        "course_grade_band_valid",
        Course,
        course_kwargs,
        {"grade_min": 5, "grade_max": 4},
    ),
    ("course_sessions_positive", Course, course_kwargs, {"sessions": 0}),
    (
        "course_price_not_negative",
        Course,
        course_kwargs,
        {"price_per_session": Decimal("-0.01")},
    ),
    ("activity_meetings_1_to_5", Activity, activity_kwargs, {"meetings_per_week": 0}),
    ("activity_meetings_1_to_5", Activity, activity_kwargs, {"meetings_per_week": 6}),
    ("activity_max_size_positive", Activity, activity_kwargs, {"max_size": 0}),
    (
        "activity_min_not_above_max",
        Activity,
        activity_kwargs,
        {"min_size": 31, "max_size": 30},
    ),
    ("activity_grade_band_valid", Activity, activity_kwargs, {"grade_min": 0}),
    ("activity_grade_band_valid", Activity, activity_kwargs, {"grade_max": 10}),
    (
        "activity_grade_band_valid",
        Activity,
        activity_kwargs,
        {"grade_min": 5, "grade_max": 4},
    ),
    ("child_days_valid", Child, child_kwargs, {"days": 128}),
    (
        "standard_cap_not_negative",
        ChargingStandard,
        standard_kwargs,
        {"cap_amount": Decimal("-0.01")},
    ),
    (
        "standard_dates_ordered",
        ChargingStandard,
        standard_kwargs,
        {"effective_to": TERM_START - datetime.timedelta(days=1)},
    ),
    (
        "standard_service_kind_valid",
        ChargingStandard,
        standard_kwargs,
        {"service_kind": "lunch"},
    ),
    ("standard_unit_valid", ChargingStandard, standard_kwargs, {"unit": "per_year"}),
]


def _overrides_id(overrides):
    return ",".join(key if callable(value) else f"{key}={value}" for key, value in overrides.items())


def _resolve(overrides):
    return {key: value() if callable(value) else value for key, value in overrides.items()}


@pytest.mark.parametrize(
    ("name", "model", "kwargs", "bad"),
    CHECK_CASES,
    ids=[f"{case[0]}-{_overrides_id(case[3])}" for case in CHECK_CASES],
)
def test_check_constraint(name, model, kwargs, bad):
    model.objects.create(**kwargs())  # the valid row saves
    with violates(name):
        model.objects.create(**kwargs(**_resolve(bad)))


@pytest.mark.parametrize(
    ("model", "kwargs", "good"),
    [
        (Term, term_kwargs, {"end": TERM_START + datetime.timedelta(days=1)}),
        (
            CalendarDay,
            calendar_day_kwargs,
            {"kind": CalendarDay.Kind.MAKEUP, "follows_weekday": 0},
        ),
        (
            CalendarDay,
            calendar_day_kwargs,
            {"kind": CalendarDay.Kind.MAKEUP, "follows_weekday": 4},
        ),
        (CalendarDay, calendar_day_kwargs, {"kind": CalendarDay.Kind.CLOSURE}),
        (SchoolClass, school_class_kwargs, {"grade": 1, "number": 1, "size": 1}),
        (SchoolClass, school_class_kwargs, {"grade": 9, "days": 127}),
        (SchoolClass, school_class_kwargs, {"days": 0}),
        (Room, room_kwargs, {"capacity": 1}),
        (Slot, slot_kwargs, {"weekday": 6, "kind": Slot.Kind.ENRICHMENT}),
        (StaffMember, staff_kwargs, {"min_duties": 5, "max_duties": None}),
        (StaffMember, staff_kwargs, {"min_duties": 3, "max_duties": 3}),
        (StaffMember, staff_kwargs, {"rest_days": 127}),
        (Vendor, vendor_kwargs, {"risk_grade": ""}),
        (Vendor, vendor_kwargs, {"risk_grade": "D", "status": "revoked"}),
        (InstructorAvailability, availability_kwargs, {"weekday": 6}),
        (
            Course,
            course_kwargs,
            {"school": _ref(f.SchoolFactory), "vendor": None},
        ),
        (Course, course_kwargs, {"grade_min": 9, "grade_max": 9}),
        (Course, course_kwargs, {"sessions": 1, "price_per_session": Decimal("0")}),
        (Activity, activity_kwargs, {"meetings_per_week": 5}),
        (Activity, activity_kwargs, {"min_size": 1, "max_size": 1}),
        (Child, child_kwargs, {"days": 127}),
        (
            ChargingStandard,
            standard_kwargs,
            {"cap_amount": Decimal("0"), "effective_to": TERM_START},
        ),
        (
            ChargingStandard,
            standard_kwargs,
            {
                "service_kind": ChargingStandard.ServiceKind.ENRICHMENT,
                "unit": ChargingStandard.Unit.PER_SESSION,
            },
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_boundary_rows_satisfy_the_checks(model, kwargs, good):
    obj = model.objects.create(**kwargs(**_resolve(good)))
    assert model.objects.filter(pk=obj.pk).exists()


def test_check_constraint_also_guards_updates():
    slot = f.SlotFactory()
    slot.end = slot.start
    with violates("slot_end_after_start"):
        slot.save()


# Activity: who runs it, and who teaches it. Each fixed instructor case below satisfies
# every other check, so only the named constraint can refuse it (the one-instructor rule is
# implied by the other two, so its row necessarily breaks one of them as well; ``violates``
# checks that the database names the one-instructor rule itself).


def test_activity_one_fixed_instructor():
    course = f.CourseFactory()
    with violates("activity_one_fixed_instructor"):
        Activity.objects.create(
            **activity_kwargs(
                course=course,
                vendor=course.vendor,
                staff_instructor=f.StaffMemberFactory(),
                vendor_instructor=f.InstructorFactory(vendor=course.vendor),
            )
        )


def test_activity_vendor_instructor_needs_vendor():
    course = f.SchoolCourseFactory()
    kwargs = activity_kwargs(school=course.school, course=course, vendor=None)
    Activity.objects.create(**kwargs)
    with violates("activity_vendor_instructor_needs_vendor"):
        Activity.objects.create(**kwargs, vendor_instructor=f.InstructorFactory())


def test_activity_vendor_run_may_fix_its_instructor():
    course = f.CourseFactory()
    instructor = f.InstructorFactory(vendor=course.vendor)
    activity = Activity.objects.create(
        **activity_kwargs(course=course, vendor=course.vendor, vendor_instructor=instructor)
    )
    assert activity.vendor_instructor == instructor


def test_activity_staff_instructor_only_for_staff_run():
    course = f.CourseFactory()
    staff = f.StaffMemberFactory()
    with violates("activity_staff_instructor_only_for_staff_run"):
        Activity.objects.create(
            **activity_kwargs(
                school=staff.school,
                course=course,
                vendor=course.vendor,
                staff_instructor=staff,
            )
        )
    school_course = f.SchoolCourseFactory(school=staff.school)
    activity = Activity.objects.create(
        **activity_kwargs(school=staff.school, course=school_course, vendor=None, staff_instructor=staff)
    )
    assert activity.staff_instructor == staff


# --- unique constraints --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "factory_class"),
    [
        (District, f.DistrictFactory),
        (School, f.SchoolFactory),
        (Term, f.TermFactory),
        (RoomKind, f.RoomKindFactory),
        (Subject, f.SubjectFactory),
        (Category, f.CategoryFactory),
    ],
)
def test_reference_codes_are_unique(model, factory_class):
    existing = factory_class()
    factory_class()  # another code saves
    with violates_unique_field(model, "code"):
        factory_class(code=existing.code)


def test_calendarday_unique_citywide():
    term = f.TermFactory()
    school = f.SchoolFactory()
    day = datetime.date(2026, 10, 1)
    CalendarDay.objects.create(term=term, date=day, kind=CalendarDay.Kind.HOLIDAY)
    # The same date for one school, and in another term, are other rows.
    CalendarDay.objects.create(term=term, school=school, date=day, kind=CalendarDay.Kind.CLOSURE)
    CalendarDay.objects.create(term=f.TermFactory(), date=day, kind=CalendarDay.Kind.HOLIDAY)
    with violates("calendarday_unique_citywide"):
        CalendarDay.objects.create(term=term, date=day, kind=CalendarDay.Kind.MAKEUP, follows_weekday=0)


def test_calendarday_unique_per_school():
    term = f.TermFactory()
    school = f.SchoolFactory()
    day = datetime.date(2026, 11, 16)
    CalendarDay.objects.create(term=term, school=school, date=day, kind=CalendarDay.Kind.CLOSURE)
    CalendarDay.objects.create(term=term, school=f.SchoolFactory(), date=day, kind=CalendarDay.Kind.CLOSURE)
    with violates("calendarday_unique_per_school"):
        CalendarDay.objects.create(term=term, school=school, date=day, kind=CalendarDay.Kind.HOLIDAY)


def test_class_unique_per_school():
    school = f.SchoolFactory()
    SchoolClass.objects.create(school=school, grade=3, number=1, size=40)
    SchoolClass.objects.create(school=school, grade=3, number=2, size=40)
    SchoolClass.objects.create(school=school, grade=4, number=1, size=40)
    SchoolClass.objects.create(school=f.SchoolFactory(), grade=3, number=1, size=40)
    with violates("class_unique_per_school"):
        SchoolClass.objects.create(school=school, grade=3, number=1, size=38)


def test_room_code_unique_per_school():
    school = f.SchoolFactory()
    Room.objects.create(school=school, code="r101", name="101", capacity=45)
    Room.objects.create(school=f.SchoolFactory(), code="r101", name="101", capacity=45)
    with violates("room_code_unique_per_school"):
        Room.objects.create(school=school, code="r101", name="另一间", capacity=30)


def test_slot_unique_start():
    slot = f.SlotFactory()
    f.SlotFactory(school=slot.school, weekday=1, start=slot.start, end=slot.end)
    f.SlotFactory(weekday=slot.weekday, start=slot.start, end=slot.end)
    with violates("slot_unique_start"):
        Slot.objects.create(
            school=slot.school,
            weekday=slot.weekday,
            start=slot.start,
            end=datetime.time(17, 0),
            kind=Slot.Kind.SUPERVISED,
        )


def test_staff_no_unique_per_school():
    staff = f.StaffMemberFactory(staff_no="T001")
    f.StaffMemberFactory(staff_no="T001")  # another school
    with violates("staff_no_unique_per_school"):
        StaffMember.objects.create(school=staff.school, staff_no="T001", name="李老师")


def test_vendor_credit_code_unique():
    vendor = f.VendorFactory()
    with violates_unique_field(Vendor, "credit_code"):
        Vendor.objects.create(**vendor_kwargs(credit_code=vendor.credit_code))


def test_child_student_no_unique_in_class():
    child = f.ChildFactory(student_no="S001")
    f.ChildFactory(student_no="S001")  # another class
    with violates("child_student_no_unique_in_class"):
        Child.objects.create(
            household=f.HouseholdFactory(),
            name="小红",
            school_class=child.school_class,
            student_no="S001",
        )


def test_standard_unique_start():
    standard = f.ChargingStandardFactory(effective_to=datetime.date(2027, 1, 31))
    # Same start, but another unit / service / district.
    for other in (
        {"unit": ChargingStandard.Unit.PER_MONTH},
        {"service_kind": ChargingStandard.ServiceKind.ENRICHMENT},
        {"district": f.DistrictFactory()},
    ):
        f.ChargingStandardFactory(
            **{
                "district": standard.district,
                "effective_from": standard.effective_from,
                **other,
            }
        )
    with violates("standard_unique_start"):
        ChargingStandard.objects.create(
            **standard_kwargs(district=standard.district, effective_from=standard.effective_from)
        )


def test_user_email_ci_unique():
    # An exact duplicate is refused too, by this index first (``unique=True`` on the
    # field is implied by it, so no row can show that one on its own).
    User.objects.create(email="Wang.Li@example.com")
    User.objects.create(email="wang.li@example.org")
    with violates("user_email_ci_unique"):
        User.objects.create(email="wang.li@EXAMPLE.com")


# --- memberships ---------------------------------------------------------------------------


@pytest.fixture
def scopes():
    """One object of each scope kind, consistent with each other."""
    school = f.SchoolFactory()
    return {
        "district": school.district,
        "school": school,
        "staff": f.StaffMemberFactory(school=school),
        "vendor": f.VendorFactory(district=school.district),
        "household": f.HouseholdFactory(),
    }


VALID_SCOPES = [
    (Role.BUREAU_OFFICER, ()),
    (Role.BUREAU_OFFICER, ("district",)),
    (Role.COURSE_REVIEWER, ()),
    (Role.COURSE_REVIEWER, ("district",)),
    (Role.SCHOOL_ADMIN, ("school",)),
    (Role.TEACHER, ("school", "staff")),
    (Role.VENDOR_MEMBER, ("vendor",)),
    (Role.PARENT, ("household",)),
]

WRONG_SCOPES = [
    # A scope the role must not have (beside what it needs).
    (Role.BUREAU_OFFICER, ("district", "school")),
    (Role.BUREAU_OFFICER, ("vendor",)),
    (Role.COURSE_REVIEWER, ("household",)),
    (Role.COURSE_REVIEWER, ("district", "school")),
    (Role.SCHOOL_ADMIN, ("school", "district")),
    (Role.SCHOOL_ADMIN, ("school", "staff")),
    (Role.TEACHER, ("school", "staff", "district")),
    (Role.TEACHER, ("school", "staff", "vendor")),
    (Role.VENDOR_MEMBER, ("vendor", "district")),
    (Role.VENDOR_MEMBER, ("vendor", "school")),
    (Role.PARENT, ("household", "school")),
    (Role.PARENT, ("household", "vendor")),
    # The right kind of scope for another role only.
    (Role.SCHOOL_ADMIN, ("vendor",)),
    (Role.VENDOR_MEMBER, ("school",)),
    (Role.PARENT, ("district",)),
]

MISSING_SCOPES = [
    # Bureau officers and reviewers need no scope (empty district = the city), so the
    # valid cases above cover them; every other role misses a scope it needs.
    (Role.SCHOOL_ADMIN, ()),
    (Role.TEACHER, ()),
    (Role.TEACHER, ("school",)),
    (Role.TEACHER, ("staff",)),
    (Role.VENDOR_MEMBER, ()),
    (Role.PARENT, ()),
]


def _scope_id(value):
    if isinstance(value, tuple):
        return "+".join(value) or "none"
    return str(value)


@pytest.mark.parametrize(("role", "fields"), VALID_SCOPES, ids=_scope_id)
def test_membership_scope_matches_role_valid(scopes, role, fields):
    membership = Membership.objects.create(
        user=f.UserFactory(), role=role, **{field: scopes[field] for field in fields}
    )
    assert membership.pk


@pytest.mark.parametrize(("role", "fields"), WRONG_SCOPES + MISSING_SCOPES, ids=_scope_id)
def test_membership_scope_matches_role_refuses(scopes, role, fields):
    with violates("membership_scope_matches_role"):
        Membership.objects.create(
            user=f.UserFactory(), role=role, **{field: scopes[field] for field in fields}
        )


def test_membership_refuses_an_unknown_role():
    with violates("membership_scope_matches_role"):
        Membership.objects.create(user=f.UserFactory(), role="superuser")


def test_each_role_has_a_wrong_and_a_missing_scope_case():
    wrong = {role for role, _ in WRONG_SCOPES}
    missing = {role for role, _ in MISSING_SCOPES}
    scopeless = {Role.BUREAU_OFFICER, Role.COURSE_REVIEWER}
    assert wrong == set(Role)
    assert missing == set(Role) - scopeless


@pytest.mark.parametrize("role", [Role.BUREAU_OFFICER, Role.COURSE_REVIEWER])
def test_membership_unique_district_role(role):
    user = f.UserFactory()
    district = f.DistrictFactory()
    Membership.objects.create(user=user, role=role, district=district)
    Membership.objects.create(user=user, role=role, district=f.DistrictFactory())
    Membership.objects.create(user=user, role=role)  # and the city
    Membership.objects.create(user=f.UserFactory(), role=role, district=district)
    with violates("membership_unique_district_role"):
        Membership.objects.create(user=user, role=role, district=district)


@pytest.mark.parametrize("role", [Role.BUREAU_OFFICER, Role.COURSE_REVIEWER])
def test_membership_unique_city_role(role):
    user = f.UserFactory()
    Membership.objects.create(user=user, role=role)
    Membership.objects.create(user=f.UserFactory(), role=role)
    with violates("membership_unique_city_role"):
        Membership.objects.create(user=user, role=role)


def test_membership_unique_school_role_for_admins():
    admin = f.SchoolAdminFactory()
    # The same user may also teach there, and administer another school.
    f.TeacherFactory(user=admin.user, school=admin.school)
    f.SchoolAdminFactory(user=admin.user)
    with violates("membership_unique_school_role"):
        Membership.objects.create(user=admin.user, role=Role.SCHOOL_ADMIN, school=admin.school)


def test_membership_unique_school_role_for_teachers():
    teacher = f.TeacherFactory()
    second_record = f.StaffMemberFactory(school=teacher.school)
    with violates("membership_unique_school_role"):
        Membership.objects.create(
            user=teacher.user,
            role=Role.TEACHER,
            school=teacher.school,
            staff=second_record,
        )


def test_membership_staff_record_has_one_teacher():
    teacher = f.TeacherFactory()
    with violates_unique_field(Membership, "staff"):
        Membership.objects.create(
            user=f.UserFactory(),
            role=Role.TEACHER,
            school=teacher.school,
            staff=teacher.staff,
        )


def test_membership_unique_vendor():
    member = f.VendorMemberFactory()
    f.VendorMemberFactory(user=member.user)  # another vendor
    f.VendorMemberFactory(vendor=member.vendor)  # another user
    with violates("membership_unique_vendor"):
        Membership.objects.create(user=member.user, role=Role.VENDOR_MEMBER, vendor=member.vendor)


def test_membership_unique_household():
    parent = f.ParentFactory()
    f.ParentFactory(user=parent.user)  # another household
    f.ParentFactory(household=parent.household)  # the other parent
    with violates("membership_unique_household"):
        Membership.objects.create(user=parent.user, role=Role.PARENT, household=parent.household)


# --- clean() rules -------------------------------------------------------------------------


def _error_fields(excinfo):
    return set(excinfo.value.message_dict)


def _error_codes(excinfo):
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items}
    return {item.code for item in error.error_list}


class TestCalendarDayClean:
    @pytest.mark.parametrize("day", [TERM_START, TERM_END, datetime.date(2026, 10, 1)])
    def test_date_within_term(self, day):
        f.CalendarDayFactory.build(term=f.TermFactory(), date=day).clean()

    @pytest.mark.parametrize(
        "day",
        [
            TERM_START - datetime.timedelta(days=1),
            TERM_END + datetime.timedelta(days=1),
        ],
    )
    def test_date_outside_term(self, day):
        calendar_day = f.CalendarDayFactory.build(term=f.TermFactory(), date=day)
        with pytest.raises(ValidationError) as excinfo:
            calendar_day.clean()
        assert _error_fields(excinfo) == {"date"}
        assert _error_codes(excinfo) == {"date_outside_term"}


class TestSchoolClassClean:
    def test_home_room_of_own_school(self):
        school_class = f.SchoolClassFactory()
        school_class.clean()

    def test_home_room_of_another_school(self):
        school_class = f.SchoolClassFactory()
        school_class.home_room = f.RoomFactory()
        with pytest.raises(ValidationError) as excinfo:
            school_class.clean()
        assert _error_fields(excinfo) == {"home_room"}
        assert _error_codes(excinfo) == {"room_of_other_school"}


class TestSlotClean:
    @pytest.fixture
    def slot(self):
        return f.SlotFactory(weekday=0, start=datetime.time(15, 30), end=datetime.time(16, 30))

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (datetime.time(16, 0), datetime.time(17, 0)),
            (datetime.time(15, 0), datetime.time(15, 31)),
            (datetime.time(15, 0), datetime.time(17, 0)),
            (datetime.time(15, 40), datetime.time(16, 20)),
            (datetime.time(15, 30), datetime.time(16, 30)),
        ],
    )
    def test_overlapping_slot_of_the_same_day(self, slot, start, end):
        other = Slot(
            school=slot.school,
            weekday=slot.weekday,
            start=start,
            end=end,
            kind=Slot.Kind.ENRICHMENT,
        )
        with pytest.raises(ValidationError) as excinfo:
            other.clean()
        assert _error_codes(excinfo) == {"slot_overlap"}

    @pytest.mark.parametrize(
        ("weekday", "start", "end"),
        [
            (0, datetime.time(16, 30), datetime.time(17, 30)),  # right after
            (0, datetime.time(14, 30), datetime.time(15, 30)),  # right before
            (1, datetime.time(15, 30), datetime.time(16, 30)),  # another day
        ],
    )
    def test_non_overlapping_slot(self, slot, weekday, start, end):
        Slot(
            school=slot.school,
            weekday=weekday,
            start=start,
            end=end,
            kind=Slot.Kind.ENRICHMENT,
        ).clean()

    def test_same_time_at_another_school(self, slot):
        Slot(
            school=f.SchoolFactory(),
            weekday=slot.weekday,
            start=slot.start,
            end=slot.end,
            kind=Slot.Kind.ENRICHMENT,
        ).clean()

    def test_a_saved_slot_does_not_overlap_itself(self, slot):
        slot.end = datetime.time(16, 40)
        slot.clean()


class TestStaffUnavailableSlots:
    """A staff member's unavailable slots come from their own school's grid, on every path."""

    def test_slot_of_own_school_is_accepted(self):
        staff = f.StaffMemberFactory()
        slot = f.SlotFactory(school=staff.school)
        staff.unavailable.add(slot)
        assert list(staff.unavailable.all()) == [slot]

    def test_adding_a_slot_of_another_school_is_refused(self):
        staff = f.StaffMemberFactory()
        foreign = f.SlotFactory(weekday=2)
        with pytest.raises(ValidationError) as excinfo, transaction.atomic():
            staff.unavailable.add(foreign)
        assert _error_fields(excinfo) == {"unavailable"}
        assert _error_codes(excinfo) == {"slot_of_other_school"}
        assert staff.unavailable.count() == 0

    def test_adding_from_the_slot_side_is_refused_too(self):
        staff = f.StaffMemberFactory()
        slot = f.SlotFactory(weekday=2)
        with pytest.raises(ValidationError) as excinfo, transaction.atomic():
            slot.unavailable_staff.add(staff)
        assert _error_codes(excinfo) == {"slot_of_other_school"}
        assert slot.unavailable_staff.count() == 0

    @pytest.mark.parametrize("existing", [False, True])
    def test_admin_form_refuses_a_slot_of_another_school(self, existing):
        from scheduling.staff.admin import StaffMemberAdminForm

        school = f.SchoolFactory()
        instance = f.StaffMemberFactory(school=school) if existing else None
        foreign = f.SlotFactory(weekday=2)
        data = {
            "school": school.pk,
            "staff_no": "T9001",
            "name": "周敏",
            "rest_days": [],
            "min_duties": 0,
            "active": True,
            "unavailable": [foreign.pk],
        }
        form = StaffMemberAdminForm(data=data, instance=instance)
        assert not form.is_valid()
        assert "unavailable" in form.errors
        data["unavailable"] = [f.SlotFactory(school=school, weekday=3).pk]
        form = StaffMemberAdminForm(data=data, instance=instance)
        assert form.is_valid(), form.errors


class TestActivityClean:
    @staticmethod
    def _refused(activity, field):
        with pytest.raises(ValidationError) as excinfo:
            activity.clean()
        assert field in _error_fields(excinfo)

    def test_consistent_activities_pass(self):
        activity = f.ActivityFactory(course__grade_min=3, course__grade_max=6, grade_min=4, grade_max=5)
        activity.vendor_instructor = f.InstructorFactory(vendor=activity.vendor)
        activity.clean()
        school_activity = f.SchoolActivityFactory()
        school_activity.staff_instructor = f.StaffMemberFactory(school=school_activity.school)
        school_activity.clean()

    def test_vendor_course_run_by_another_vendor(self):
        activity = f.ActivityFactory()
        activity.vendor = f.VendorFactory()
        self._refused(activity, "vendor")

    def test_vendor_course_run_by_school_staff(self):
        activity = f.ActivityFactory()
        activity.vendor = None
        self._refused(activity, "vendor")

    def test_school_made_course_with_a_vendor(self):
        activity = f.SchoolActivityFactory()
        activity.vendor = f.VendorFactory()
        self._refused(activity, "vendor")

    def test_school_made_course_of_another_school(self):
        activity = f.SchoolActivityFactory()
        activity.school = f.SchoolFactory()
        self._refused(activity, "course")

    @pytest.mark.parametrize(("grade_min", "grade_max"), [(2, 4), (4, 7), (1, 9)])
    def test_grades_outside_the_course_band(self, grade_min, grade_max):
        activity = f.ActivityFactory(course__grade_min=3, course__grade_max=6)
        activity.grade_min, activity.grade_max = grade_min, grade_max
        self._refused(activity, "grade_min")

    def test_vendor_instructor_of_another_vendor(self):
        activity = f.ActivityFactory()
        activity.vendor_instructor = f.InstructorFactory()
        self._refused(activity, "vendor_instructor")

    def test_staff_teacher_of_another_school(self):
        activity = f.SchoolActivityFactory()
        activity.staff_instructor = f.StaffMemberFactory()
        self._refused(activity, "staff_instructor")


class TestChargingStandardClean:
    @pytest.fixture
    def standard(self):
        return f.ChargingStandardFactory(
            effective_from=datetime.date(2026, 9, 1),
            effective_to=datetime.date(2027, 1, 31),
        )

    def _new(self, standard, start, end, **overrides):
        fields = {
            "district": standard.district,
            "service_kind": standard.service_kind,
            "unit": standard.unit,
            "effective_from": start,
            "effective_to": end,
        }
        return f.ChargingStandardFactory.build(**{**fields, **overrides})

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (datetime.date(2027, 1, 31), None),  # starts on its last day
            (datetime.date(2026, 3, 1), datetime.date(2026, 9, 1)),  # ends on its first
            (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),  # inside it
            (datetime.date(2026, 3, 1), datetime.date(2027, 7, 31)),  # around it
            (datetime.date(2026, 3, 1), None),  # open, from before it
        ],
    )
    def test_overlapping_dates(self, standard, start, end):
        with pytest.raises(ValidationError):
            self._new(standard, start, end).clean()

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (datetime.date(2027, 2, 1), None),  # the day after it ends
            (datetime.date(2026, 3, 1), datetime.date(2026, 8, 31)),  # the day before
        ],
    )
    def test_adjacent_dates(self, standard, start, end):
        self._new(standard, start, end).clean()

    def test_open_ended_standard_overlaps_every_later_one(self, standard):
        standard.effective_to = None
        standard.save()
        with pytest.raises(ValidationError):
            self._new(standard, datetime.date(2028, 2, 1), None).clean()

    def test_other_unit_service_or_district(self, standard):
        start, end = standard.effective_from, standard.effective_to
        self._new(standard, start, end, unit=ChargingStandard.Unit.PER_MONTH).clean()
        self._new(
            standard,
            start,
            end,
            service_kind=ChargingStandard.ServiceKind.ENRICHMENT,
        ).clean()
        self._new(standard, start, end, district=f.DistrictFactory()).clean()

    def test_a_saved_standard_does_not_overlap_itself(self, standard):
        standard.clean()


class TestMembershipClean:
    def test_teacher_with_own_school_staff_record(self):
        f.TeacherFactory().clean()

    def test_teacher_with_staff_record_of_another_school(self):
        teacher = f.TeacherFactory.build(
            user=f.UserFactory(),
            school=f.SchoolFactory(),
            staff=f.StaffMemberFactory(),
        )
        with pytest.raises(ValidationError) as excinfo:
            teacher.clean()
        assert _error_fields(excinfo) == {"staff"}
        assert _error_codes(excinfo) == {"staff_of_other_school"}
