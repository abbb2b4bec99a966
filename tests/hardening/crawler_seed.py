"""What the demo city lacks for the crawler: objects that exist only after some weeks of use.

The demo city holds no private documents, payments, waivers, rest claims, availability
proposals, timetable runs, dated sessions or payouts, so their pages would never be
crawled. ``seed`` gives each of two tenants of every kind one of each (rows written
directly or through the services, as the owner), so that every tenant has objects of its
own for the others to probe.
"""

from contextlib import suppress
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.courses.models import Activity, Course, CourseDocument
from marketplace.enrolment.models import Enrolment
from marketplace.fees import services as fee_services
from marketplace.fees.models import Waiver
from marketplace.ledger.models import Payout
from marketplace.payments import services as payment_services
from marketplace.vendors.models import VendorDocument
from people.roles.models import Membership, Role
from scheduling.rest.models import RestClaim
from scheduling.slots.models import Slot
from scheduling.staff.models import AvailabilityRequest
from scheduling.timetables.models import DatedSession, TimetableRun
from schools.selectors import term_current, today

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _document(model, user, **owner):
    return model.objects.create(
        title="爬虫测试文件",
        file=_pdf("crawler.pdf"),
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=user,
        **owner,
        **({"kind": VendorDocument.Kind.OTHER} if model is VendorDocument else {}),
    )


def _vendor(membership, term, runs, made):
    vendor, user = membership.vendor, membership.user
    _document(VendorDocument, user, vendor=vendor)
    course = vendor.courses.filter(review_status=Course.ReviewStatus.APPROVED).order_by("pk").first()
    if course is not None:
        _document(CourseDocument, user, course=course)
    # A draft course with a document, editable and removable by the vendor.
    draft = vendor.courses.order_by("pk").first()
    if draft is not None:
        draft = Course.objects.get(pk=draft.pk)
        draft.pk = None
        draft.title = f"{draft.title}（草稿）"
        draft.review_status = Course.ReviewStatus.DRAFT
        draft.save()
        _document(CourseDocument, user, course=draft)
    Payout.objects.create(vendor=vendor, for_date=today() - timedelta(days=1), amount=Decimal("120.00"))
    activity = (
        Activity.objects.filter(vendor=vendor, term=term).select_related("school").order_by("pk").first()
    )
    instructor = vendor.instructors.order_by("pk").first()
    if activity is not None and instructor is not None:
        _session(
            runs,
            activity.school,
            term,
            kind=DatedSession.Kind.MEETING,
            activity=activity,
            instructor=instructor,
        )
    made.append(f"vendor {vendor.pk}")


def _run(runs, school, term):
    if school.pk not in runs:
        runs[school.pk] = TimetableRun.objects.create(
            school=school,
            term=term,
            status=TimetableRun.Status.DONE,
            problem={},
            solution={"status": "optimal"},
            published_at=timezone.now(),
            finished_at=timezone.now(),
        )
    return runs[school.pk]


def _session(runs, school, term, **fields):
    """A dated session today, in a room (and for a class) free at that slot."""
    kind = Slot.Kind.SUPERVISED if fields["kind"] == DatedSession.Kind.SUPERVISION else Slot.Kind.ENRICHMENT
    slot = school.slots.filter(kind=kind).order_by("weekday", "start").first() or school.slots.first()
    taken = DatedSession.objects.filter(date=today(), slot=slot)
    if fields["kind"] == DatedSession.Kind.SUPERVISION:
        fields["school_class"] = (
            school.classes.exclude(pk__in=taken.values("school_class")).order_by("pk").first()
        )
    room = school.rooms.exclude(pk__in=taken.values("room")).order_by("pk").first()
    return DatedSession.objects.create(
        school=school,
        term=term,
        run=_run(runs, school, term),
        date=today(),
        slot=slot,
        start=slot.start,
        end=slot.end,
        room=room,
        **fields,
    )


def _teacher(membership, term, runs, made):
    staff, user = membership.staff, membership.user
    RestClaim.objects.create(
        staff=staff, date=today() + timedelta(days=21), status=RestClaim.Status.PENDING, claimed_by=user
    )
    AvailabilityRequest.objects.create(staff=staff, rest_days=1, note="爬虫测试", requested_by=user)
    school_class = staff.school.classes.order_by("pk").first()
    _session(
        runs, staff.school, term, kind=DatedSession.Kind.SUPERVISION, school_class=school_class, staff=staff
    )
    made.append(f"staff {staff.pk}")


def _school(membership, term, runs, made):
    school = membership.school
    Payout.objects.create(school=school, for_date=today() - timedelta(days=1), amount=Decimal("80.00"))
    _run(runs, school, term)
    made.append(f"school {school.pk}")


def _parent(membership, term, runs, made):
    household, user = membership.household, membership.user
    for child in household.children.select_related("school_class__school").order_by("pk"):
        activity = (
            Activity.objects.filter(
                school=child.school_class.school,
                term=term,
                grade_min__lte=child.school_class.grade,
                grade_max__gte=child.school_class.grade,
            )
            .order_by("pk")
            .first()
        )
        if activity is not None and not child.enrolments.exists():
            Enrolment.objects.create(
                child=child,
                activity=activity,
                status=Enrolment.Status.PLACED,
                source=Enrolment.Source.ALLOCATION,
                joined_on=term.start,
            )
        if not Waiver.objects.filter(child=child, term=term).exists():
            fee_services.waiver_request(child=child, term=term, user=user, kind="full", reason="爬虫测试")
        with suppress(payment_services.PaymentRefused):  # nothing due for this child
            payment_services.payment_start(child=child, term=term, user=user)
    made.append(f"household {household.pk}")


SEEDERS = {
    Role.VENDOR_MEMBER: _vendor,
    Role.TEACHER: _teacher,
    Role.SCHOOL_ADMIN: _school,
    Role.PARENT: _parent,
}


def seed(users) -> list[str]:
    """One of each missing object for every tenant of ``users`` (their memberships)."""
    term = term_current()
    runs: dict[int, TimetableRun] = {}
    made: list[str] = []
    memberships = Membership.objects.filter(user__in=users, role__in=list(SEEDERS)).select_related(
        "user", "vendor", "staff__school", "school", "household"
    )
    for membership in memberships.order_by("role", "pk"):
        SEEDERS[membership.role](membership, term, runs, made)
    return made
