"""factory_boy factories for the domain models.

Related objects are kept consistent: a class's home room is a room of the class's school,
a teacher's staff record is of the membership's school, an activity runs at its course's
school (school-made courses) and is provided by its course's vendor.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketplace.courses.models import Activity, Category, Course
from marketplace.fees.models import ChargingStandard
from marketplace.households.models import Child, Household
from marketplace.vendors.credit_code import check_character
from marketplace.vendors.models import Instructor, InstructorAvailability, Vendor
from people.accounts.models import User
from people.roles.models import Membership, Role
from scheduling.rooms.models import Room, RoomKind
from scheduling.slots.models import Slot
from scheduling.staff.models import StaffMember, Subject
from scheduling.timetables.models import DatedSession
from schools.models import CalendarDay, District, School, SchoolClass, Term

PASSWORD = "pw-12345!"


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n`` below 10**7."""
    first17 = f"91330100MA{n % 10**7:07d}"
    return first17 + check_character(first17)


def _add_many(field_name):
    """A post-generation hook that adds the passed objects to a many-to-many field."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field_name).add(*extracted)

    hook.__name__ = field_name
    return factory.post_generation(hook)


class BaseFactory(DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True


# --- schools -------------------------------------------------------------------------------


class DistrictFactory(BaseFactory):
    class Meta:
        model = District

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"第{n}区")
    name_en = factory.Sequence(lambda n: f"District {n}")


class SchoolFactory(BaseFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"school-{n}")
    name = factory.Sequence(lambda n: f"第{n}小学")
    name_en = factory.Sequence(lambda n: f"Primary School No. {n}")
    stage = School.Stage.PRIMARY


class TermFactory(BaseFactory):
    """The 2026 autumn term: Tuesday 1 September 2026 to Friday 22 January 2027."""

    class Meta:
        model = Term

    code = factory.Sequence(lambda n: f"term-{n}")
    name = factory.Sequence(lambda n: f"2026秋季学期{n}")
    name_en = factory.Sequence(lambda n: f"Autumn 2026 ({n})")
    start = datetime.date(2026, 9, 1)
    end = datetime.date(2027, 1, 22)


class CalendarDayFactory(BaseFactory):
    """A city-wide holiday by default; ``makeup=True`` for a make-up working day."""

    class Meta:
        model = CalendarDay

    class Params:
        makeup = factory.Trait(kind=CalendarDay.Kind.MAKEUP, follows_weekday=4)
        closure = factory.Trait(kind=CalendarDay.Kind.CLOSURE)

    term = factory.SubFactory(TermFactory)
    school = None
    date = factory.LazyAttribute(lambda o: o.term.start)
    kind = CalendarDay.Kind.HOLIDAY
    follows_weekday = None


class SchoolClassFactory(BaseFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    grade = 3
    number = factory.Sequence(lambda n: n + 1)
    size = 40
    home_room = factory.SubFactory("tests.factories.RoomFactory", school=factory.SelfAttribute("..school"))


# --- scheduling ----------------------------------------------------------------------------


class RoomKindFactory(BaseFactory):
    class Meta:
        model = RoomKind

    code = factory.Sequence(lambda n: f"room-kind-{n}")
    name = factory.Sequence(lambda n: f"教室类型{n}")
    name_en = factory.Sequence(lambda n: f"Room kind {n}")


class RoomFactory(BaseFactory):
    class Meta:
        model = Room

    school = factory.SubFactory(SchoolFactory)
    code = factory.Sequence(lambda n: f"r{n}")
    name = factory.Sequence(lambda n: f"教室{n}")
    capacity = 45
    kinds = _add_many("kinds")


class SlotFactory(BaseFactory):
    """Monday 15:30–16:30 by default; pass ``weekday``/``start``/``end`` for others."""

    class Meta:
        model = Slot

    school = factory.SubFactory(SchoolFactory)
    weekday = 0
    start = datetime.time(15, 30)
    end = datetime.time(16, 30)
    kind = Slot.Kind.ENRICHMENT


class SubjectFactory(BaseFactory):
    class Meta:
        model = Subject

    code = factory.Sequence(lambda n: f"subject-{n}")
    name = factory.Sequence(lambda n: f"科目{n}")
    name_en = factory.Sequence(lambda n: f"Subject {n}")


class StaffMemberFactory(BaseFactory):
    class Meta:
        model = StaffMember

    school = factory.SubFactory(SchoolFactory)
    staff_no = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"教师{n}")
    subjects = _add_many("subjects")
    unavailable = _add_many("unavailable")


# --- marketplace ---------------------------------------------------------------------------


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    is_academic = False


class VendorFactory(BaseFactory):
    """A vendor with a valid credit code; approved (on the list) by default."""

    class Meta:
        model = Vendor

    class Params:
        draft = factory.Trait(status=Vendor.Status.DRAFT)

    name = factory.Sequence(lambda n: f"机构{n}")
    credit_code = factory.Sequence(credit_code)
    category = factory.SubFactory(CategoryFactory)
    district = factory.SubFactory(DistrictFactory)
    status = Vendor.Status.APPROVED


class InstructorFactory(BaseFactory):
    class Meta:
        model = Instructor

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"讲师{n}")
    subjects = _add_many("subjects")


class InstructorAvailabilityFactory(BaseFactory):
    class Meta:
        model = InstructorAvailability

    instructor = factory.SubFactory(InstructorFactory)
    weekday = 0
    start = datetime.time(15, 0)
    end = datetime.time(18, 0)


class CourseFactory(BaseFactory):
    """A vendor's approved course for grades 1–6; ``school_made=True`` for a school's own."""

    class Meta:
        model = Course

    class Params:
        school_made = factory.Trait(
            school=factory.SubFactory(SchoolFactory),
            vendor=None,
            category=factory.SubFactory(CategoryFactory),
        )

    title = factory.Sequence(lambda n: f"课程{n}")
    school = None
    vendor = factory.SubFactory(VendorFactory)
    category = factory.Maybe(
        "vendor",
        yes_declaration=factory.SelfAttribute("vendor.category"),
        no_declaration=factory.SubFactory(CategoryFactory),
    )
    subject = factory.SubFactory(SubjectFactory)
    grade_min = 1
    grade_max = 6
    sessions = 16
    price_per_session = Decimal("30.00")
    review_status = Course.ReviewStatus.APPROVED
    submitted_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.review_status == Course.ReviewStatus.SUBMITTED else None
    )


class SchoolCourseFactory(CourseFactory):
    """A school-made course (no vendor, no review)."""

    school_made = True


class ActivityFactory(BaseFactory):
    """An activity of a course: at the course's school when school-made, by its vendor."""

    class Meta:
        model = Activity

    course = factory.SubFactory(CourseFactory)
    school = factory.Maybe(
        factory.SelfAttribute("course.school"),
        yes_declaration=factory.SelfAttribute("course.school"),
        no_declaration=factory.SubFactory(SchoolFactory),
    )
    term = factory.SubFactory(TermFactory)
    vendor = factory.SelfAttribute("course.vendor")
    name = factory.SelfAttribute("course.title")
    grade_min = factory.SelfAttribute("course.grade_min")
    grade_max = factory.SelfAttribute("course.grade_max")
    meetings_per_week = 1
    room_kind = factory.SubFactory(RoomKindFactory)
    min_size = 0
    max_size = 30


class SchoolActivityFactory(ActivityFactory):
    """An activity of a school-made course, run by the school's staff."""

    course = factory.SubFactory(SchoolCourseFactory)


class HouseholdFactory(BaseFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"家庭{n}")


class ChildFactory(BaseFactory):
    """A pupil; pass ``school=`` to put them in a new class of that school."""

    class Meta:
        model = Child

    class Params:
        school = factory.SubFactory(SchoolFactory)

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"学生{n}")
    school_class = factory.SubFactory(SchoolClassFactory, school=factory.SelfAttribute("..school"))
    student_no = factory.Sequence(lambda n: f"S{n:06d}")


class ChargingStandardFactory(BaseFactory):
    class Meta:
        model = ChargingStandard

    district = factory.SubFactory(DistrictFactory)
    service_kind = ChargingStandard.ServiceKind.SUPERVISED_STUDY
    unit = ChargingStandard.Unit.PER_TERM
    cap_amount = Decimal("300.00")
    effective_from = datetime.date(2026, 9, 1)
    effective_to = None
    approval_document = factory.Sequence(lambda n: f"市发改价格〔2026〕{n}号")


# --- people --------------------------------------------------------------------------------


class UserFactory(BaseFactory):
    """A user whose password is ``PASSWORD`` (pass ``password=None`` for an unusable one)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        user = model_class(*args, **kwargs)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(using=cls._meta.database)
        return user


class MembershipFactory(BaseFactory):
    """A bare membership; prefer the per-role factories below."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)


class BureauOfficerFactory(MembershipFactory):
    """A city bureau officer; pass ``district=`` for a district bureau officer."""

    role = Role.BUREAU_OFFICER
    district = None


class CourseReviewerFactory(MembershipFactory):
    """A member of the city committee; pass ``district=`` for a district reviewer."""

    role = Role.COURSE_REVIEWER
    district = None


class SchoolAdminFactory(MembershipFactory):
    role = Role.SCHOOL_ADMIN
    school = factory.SubFactory(SchoolFactory)


class TeacherFactory(MembershipFactory):
    """A teacher membership with its staff record at the same school."""

    role = Role.TEACHER
    school = factory.SubFactory(SchoolFactory)
    staff = factory.SubFactory(StaffMemberFactory, school=factory.SelfAttribute("..school"))


class VendorMemberFactory(MembershipFactory):
    role = Role.VENDOR_MEMBER
    vendor = factory.SubFactory(VendorFactory)


class ParentFactory(MembershipFactory):
    role = Role.PARENT
    household = factory.SubFactory(HouseholdFactory)


# --- timetables ----------------------------------------------------------------------------


def dated_session(run, date, slot, **fields) -> DatedSession:
    """A dated session of ``run`` on ``date`` in ``slot``, at the slot's times; its school and
    term are the run's unless ``fields`` name them (with its kind, class, activity, staff,
    instructor and room)."""
    fields.setdefault("school", run.school)
    fields.setdefault("term", run.term)
    return DatedSession.objects.create(
        run=run, date=date, slot=slot, start=slot.start, end=slot.end, **fields
    )
