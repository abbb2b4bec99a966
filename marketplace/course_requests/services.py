"""State changes of course requests: a school asks, the vendor accepts or declines, the school
may withdraw while it waits.

Every function is atomic and raises ``PurchaseError`` (a ``ValidationError``: field errors
name the form field, the others are non-field errors) with a message that says what is wrong;
nothing is written when it does. Callers check who may act (the views scope every object to
the user's school or vendor); these functions check what may happen.

Acceptance turns the request into one ``Activity`` per group, which the school's timetable
(``scheduling.timetables``) then places like any other activity.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError
from core.money import format_yuan
from core.weekdays import WEEKDAY_SHORT
from marketplace.course_requests import selectors
from marketplace.course_requests.models import CourseRequest
from marketplace.courses.models import Activity, Course, check_allowed_slots
from marketplace.fees.models import ChargingStandard
from marketplace.vendors.models import HIGH_RISK_GRADE, Instructor, Vendor
from marketplace.vendors.signals import vendor_changed
from schools.selectors import today

MAX_GROUPS = 20
MAX_MEETINGS = 5


class PurchaseError(DomainError):
    """A course request step that cannot be carried out; the message says why."""


def _lock(course_request: CourseRequest) -> CourseRequest:
    """The request's row, locked until the transaction ends, with its current status."""
    return CourseRequest.objects.select_for_update().get(pk=course_request.pk)


def _require_open(course_request: CourseRequest) -> None:
    if course_request.status != CourseRequest.Status.REQUESTED:
        raise PurchaseError(
            _("This request is no longer awaiting an answer (it is %(status)s).")
            % {"status": course_request.get_status_display()},
            code="request_not_open",
        )


def _high_risk(vendor: Vendor) -> str:
    # The bureau's risk grade D (marketplace.risk): no new business until it improves.
    return _(
        "%(vendor)s has risk grade %(grade)s (high risk) from the education bureau, so it takes no new "
        "course requests."
    ) % {"vendor": vendor.display_name, "grade": vendor.risk_grade}


def _course_refused(*, school, course) -> PurchaseError | None:
    """Why ``school`` may not buy ``course`` in any term, as the error to raise (with its code),
    or None when it may."""
    if course.school_id is not None:
        return PurchaseError(
            _("“%(course)s” is a school-made course: the school's own staff run it, nobody buys it.")
            % {"course": course.display_title},
            code="course_school_made",
        )
    if course.review_status != Course.ReviewStatus.APPROVED:
        return PurchaseError(
            _(
                "“%(course)s” has not been approved by the course review committee (it is %(status)s), "
                "so schools cannot buy it."
            )
            % {"course": course.display_title, "status": course.get_review_status_display()},
            code="course_not_approved",
        )
    if course.vendor.status != Vendor.Status.APPROVED:
        return PurchaseError(
            _(
                "%(vendor)s is not on the approved vendor list (it is %(status)s), so its courses cannot be bought."
            )
            % {"vendor": course.vendor.display_name, "status": course.vendor.get_status_display()},
            code="vendor_not_approved",
        )
    if course.vendor.risk_grade == HIGH_RISK_GRADE:
        return PurchaseError(_high_risk(course.vendor), code="vendor_high_risk")
    if not selectors.grades_overlap(course=course, school=school):
        grades = school.grades
        return PurchaseError(
            _(
                "“%(course)s” is for grades %(min)s–%(max)s, which this school does not teach "
                "(grades %(school_min)s–%(school_max)s)."
            )
            % {
                "course": course.display_title,
                "min": course.grade_min,
                "max": course.grade_max,
                "school_min": grades.start,
                "school_max": grades.stop - 1,
            },
            code="grades_not_taught",
        )
    return None


def course_refusal(*, school, course) -> str | None:
    """Why ``school`` may not buy ``course`` in any term, or None when it may.

    The term-dependent refusals (price cap, an open request) are checked on creation.
    """
    refused = _course_refused(school=school, course=course)
    return None if refused is None else refused.message


def _price_refused(*, school, term, price) -> tuple[PurchaseError | None, ChargingStandard | None]:
    """(the refusal of the price with its code, or None; the standard checked)."""
    standard = selectors.price_cap_for(school=school, term=term)
    if standard is None:
        return (
            PurchaseError(
                _(
                    "No charging standard for enrichment activities per session is in force in %(district)s "
                    "on %(date)s, the start of %(term)s, so no course can be bought for that term."
                )
                % {"district": school.district.display_name, "date": term.start, "term": term.display_name},
                code="no_price_standard",
            ),
            None,
        )
    if price > standard.cap_amount:
        return (
            PurchaseError(
                _(
                    "The price per session, %(price)s, is above the cap of %(cap)s set by the charging "
                    "standard in force in %(district)s (%(document)s)."
                )
                % {
                    "price": format_yuan(price),
                    "cap": format_yuan(standard.cap_amount),
                    "district": school.district.display_name,
                    "document": standard.approval_document,
                },
                code="price_above_cap",
            ),
            standard,
        )
    return None, standard


def price_refusal(*, school, term, price) -> tuple[str | None, ChargingStandard | None]:
    """(why the price is refused or None, the standard checked) for the school's district and term."""
    refused, standard = _price_refused(school=school, term=term, price=price)
    return (None if refused is None else refused.message), standard


@transaction.atomic
def course_request_create(
    *,
    school,
    course,
    term,
    user,
    grade_min: int,
    grade_max: int,
    max_size: int,
    room_kind,
    groups: int = 1,
    meetings_per_week: int = 1,
    min_size: int = 0,
    slots=(),
    note: str = "",
) -> CourseRequest:
    """The school asks the course's vendor for ``groups`` groups of the course in ``term``.

    Refused when the course is not for sale (school-made, not approved, vendor not approved,
    no grade this school teaches), when the term is over, when the input is out of range, when
    no enrichment per-session charging standard is in force in the school's district on the
    term's start or the course's price is above its cap, and when the school already has an
    open request for the course in the term. The price and the standard are copied onto the
    request. ``slots`` (the school's enrichment slots) limit when the groups may meet; none:
    any enrichment slot.
    """
    # Read the course again, locked, so that its status and price are the ones checked.
    course = Course.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=course.pk)
    refused = _course_refused(school=school, course=course)
    if refused is not None:
        raise refused
    if term.end < today():
        raise PurchaseError(
            {"term": ValidationError(_("%(term)s is over.") % {"term": term.display_name}, code="term_over")},
            code="term_over",
        )

    # Each field's refusal has its code; the error as a whole carries the first one's.
    errors: dict[str, ValidationError] = {}
    band = selectors.grades_overlap(course=course, school=school)
    if grade_min is None or grade_max is None or grade_min > grade_max:
        errors["grade_max"] = ValidationError(
            _("The highest grade must not be below the lowest."), code="grades_reversed"
        )
    elif grade_min < band.start or grade_max > band.stop - 1:
        errors["grade_min"] = ValidationError(
            _("The grades must lie within %(min)s–%(max)s (the course's and the school's).")
            % {
                "min": band.start,
                "max": band.stop - 1,
            },
            code="grades_out_of_band",
        )
    if not (1 <= (groups or 0) <= MAX_GROUPS):
        errors["groups"] = ValidationError(
            _("Ask for 1 to %(max)s groups.") % {"max": MAX_GROUPS}, code="groups_out_of_range"
        )
    if not (1 <= (meetings_per_week or 0) <= MAX_MEETINGS):
        errors["meetings_per_week"] = ValidationError(
            _("A group meets 1 to %(max)s times a week.") % {"max": MAX_MEETINGS},
            code="meetings_out_of_range",
        )
    if (max_size or 0) < 1:
        errors["max_size"] = ValidationError(_("A group has at least one pupil."), code="max_size_too_small")
    elif min_size is None or min_size < 0 or min_size > max_size:
        errors["min_size"] = ValidationError(
            _("The minimum must lie between 0 and the number of pupils per group."),
            code="min_size_out_of_range",
        )
    slots = list(slots)
    try:
        check_allowed_slots(school.pk, slots)
    except ValidationError:
        errors["slots"] = ValidationError(
            _("Choose only this school's enrichment slots."), code="slots_not_enrichment"
        )
    else:
        days = {slot.weekday for slot in slots}
        if slots and "meetings_per_week" not in errors and len(days) < meetings_per_week:
            errors["slots"] = ValidationError(
                ngettext(
                    "The chosen slots fall on %(days)s day, but each group meets on %(meetings)s different days.",
                    "The chosen slots fall on %(days)s days, but each group meets on %(meetings)s different days.",
                    len(days),
                )
                % {"days": len(days), "meetings": meetings_per_week},
                code="slots_too_few_days",
            )
    if errors:
        raise PurchaseError.about_fields(errors)

    refused, standard = _price_refused(school=school, term=term, price=course.price_per_session)
    if refused is not None:
        raise refused
    duplicate = _("%(school)s already has an open request for “%(course)s” in %(term)s.") % {
        "school": school.display_name,
        "course": course.display_title,
        "term": term.display_name,
    }
    if CourseRequest.objects.filter(
        school=school, term=term, course=course, status=CourseRequest.Status.REQUESTED
    ).exists():
        raise PurchaseError(duplicate, code="request_duplicate")

    try:
        with transaction.atomic():  # a savepoint: a concurrent twin hits the unique constraint
            course_request = CourseRequest.objects.create(
                school=school,
                term=term,
                course=course,
                vendor=course.vendor,
                grade_min=grade_min,
                grade_max=grade_max,
                groups=groups,
                meetings_per_week=meetings_per_week,
                max_size=max_size,
                min_size=min_size,
                room_kind=room_kind,
                price_per_session=course.price_per_session,
                standard=standard,
                note=(note or "").strip(),
                requested_by=user,
            )
    except IntegrityError:
        raise PurchaseError(duplicate, code="request_duplicate") from None
    course_request.slots.set(slots)
    return course_request


def _fit_refusal(fit: selectors.InstructorFit, *, any_slot: bool) -> str:
    where = _("any of the school's enrichment slots") if any_slot else _("the requested slots")
    if not fit.windows:
        return _("%(name)s has no availability windows yet; add when they can teach first.") % {
            "name": fit.instructor.name
        }
    days = get_text_list([str(WEEKDAY_SHORT[day]) for day in fit.weekdays], _("and")) or _("no day")
    return ngettext(
        "%(name)s is available in %(where)s only on %(days)s, but each group meets on %(needed)s "
        "different day a week.",
        "%(name)s is available in %(where)s only on %(days)s, but each group meets on %(needed)s "
        "different days a week.",
        fit.needed,
    ) % {"name": fit.instructor.name, "where": where, "days": days, "needed": fit.needed}


def _group_name(course: Course, number: int, groups: int) -> str:
    # The name is stored and shown to everyone at the school, so it is written in the site's
    # default language whatever language the vendor's clerk is browsing in.
    field_length = Activity._meta.get_field("name").max_length
    with translation.override(settings.LANGUAGE_CODE):
        title = course.display_title
        if groups == 1:
            return title[:field_length]
        pattern = _("%(title)s (group %(number)s)")
    overhead = len(pattern % {"title": "", "number": number})
    return pattern % {"title": title[: field_length - overhead], "number": number}


@transaction.atomic
def course_request_accept(
    *, course_request: CourseRequest, user, instructors, note: str = ""
) -> list[Activity]:
    """The vendor accepts, naming ``instructors``; returns the activities created, one per group.

    Refused unless the request still awaits an answer, the vendor and the course are still
    approved, the price is within the cap in force, the term is not over, and at least one
    instructor is named, each of the vendor (of the course's instructors when the course
    names some) and with availability windows that fit ``meetings_per_week`` distinct weekdays
    among the requested slots (any enrichment slot of the school when none were chosen).

    Each activity gets the request's grades, meetings, room kind, sizes and slots. When the
    vendor names at least as many instructors as there are groups, group *n* is fixed to the
    *n*-th instructor (in the order given) and any extra instructors stay named on the request
    only; with fewer instructors than groups no group is fixed, and the timetable solver picks
    a teacher for each among the vendor's instructors (their availability decides), since
    fixing several groups to one person would make clashes the solver could not undo.

    Sends ``vendor_changed`` for the vendor (its instructors now teach at this school).
    """
    course_request = _lock(course_request)
    _require_open(course_request)
    vendor = Vendor.objects.get(pk=course_request.vendor_id)
    if vendor.status != Vendor.Status.APPROVED:
        raise PurchaseError(
            _("%(vendor)s is %(status)s and cannot accept requests.")
            % {"vendor": vendor.display_name, "status": vendor.get_status_display()},
            code="vendor_not_approved",
        )
    if vendor.risk_grade == HIGH_RISK_GRADE:
        raise PurchaseError(_high_risk(vendor), code="vendor_high_risk")
    course = Course.objects.get(pk=course_request.course_id)
    if course.review_status != Course.ReviewStatus.APPROVED:
        raise PurchaseError(
            _("“%(course)s” is no longer approved (it is %(status)s).")
            % {"course": course.display_title, "status": course.get_review_status_display()},
            code="course_not_approved",
        )
    school, term = course_request.school, course_request.term
    if term.end < today():
        raise PurchaseError(_("%(term)s is over.") % {"term": term.display_name}, code="term_over")
    refused, _standard = _price_refused(school=school, term=term, price=course_request.price_per_session)
    if refused is not None:
        raise refused

    instructors = list(dict.fromkeys(instructors))  # keep the order given, drop repeats
    if not instructors:
        raise PurchaseError(
            {"instructors": ValidationError(_("Name at least one instructor."), code="no_instructors")},
            code="no_instructors",
        )
    allowed = {i.pk for i in selectors.instructors_for_request(course_request)}
    strangers = [i for i in instructors if i.pk not in allowed]
    if strangers:
        if course.instructors.exists():
            message = _("%(names)s cannot be named: the course lists other instructors.")
        else:
            message = _("%(names)s cannot be named: not an instructor of %(vendor)s.")
        raise PurchaseError(
            {
                "instructors": ValidationError(
                    message
                    % {
                        "names": get_text_list([i.name for i in strangers], _("and")),
                        "vendor": vendor.display_name,
                    },
                    code="instructor_not_allowed",
                )
            },
            code="instructor_not_allowed",
        )
    chosen = list(course_request.slots.all())
    slots = selectors.candidate_slots(course_request)
    problems = []
    for instructor in Instructor.objects.filter(pk__in=[i.pk for i in instructors]).prefetch_related(
        "availability"
    ):
        fit = selectors.instructor_fit(
            instructor=instructor, slots=slots, meetings=course_request.meetings_per_week
        )
        if not fit.fits:
            problems.append(_fit_refusal(fit, any_slot=not chosen))
    if problems:
        raise PurchaseError(
            {
                "instructors": [
                    ValidationError(problem, code="instructor_unavailable") for problem in problems
                ]
            },
            code="instructor_unavailable",
        )

    course_request.status = CourseRequest.Status.ACCEPTED
    course_request.response_note = (note or "").strip()
    course_request.decided_by = user
    course_request.decided_at = timezone.now()
    course_request.save(update_fields=["status", "response_note", "decided_by", "decided_at", "updated_at"])
    course_request.instructors.set(instructors)

    fixed = instructors if len(instructors) >= course_request.groups else []
    activities = []
    for number in range(1, course_request.groups + 1):
        activity = Activity(
            school=school,
            term=term,
            course=course,
            vendor=vendor,
            name=_group_name(course, number, course_request.groups),
            grade_min=course_request.grade_min,
            grade_max=course_request.grade_max,
            meetings_per_week=course_request.meetings_per_week,
            room_kind_id=course_request.room_kind_id,
            min_size=course_request.min_size,
            max_size=course_request.max_size,
            vendor_instructor=fixed[number - 1] if fixed else None,
            course_request=course_request,
        )
        try:
            activity.full_clean()
            activity.save()
            activity.allowed_slots.set(chosen)
        except ValidationError as error:
            raise PurchaseError(error.messages, code="activity_invalid") from error
        activities.append(activity)
    # The vendor now teaches at this school: its instructors' teacher-pool profiles list the
    # schools they teach at (the CMS listens, inside this transaction).
    vendor_changed.send(sender=Vendor, vendor=vendor)
    return activities


@transaction.atomic
def course_request_decline(*, course_request: CourseRequest, user, reason: str) -> CourseRequest:
    """The vendor declines, saying why (the school sees the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise PurchaseError(
            {"reason": ValidationError(_("Say why the request is declined."), code="reason_required")},
            code="reason_required",
        )
    course_request = _lock(course_request)
    _require_open(course_request)
    course_request.status = CourseRequest.Status.DECLINED
    course_request.response_note = reason
    course_request.decided_by = user
    course_request.decided_at = timezone.now()
    course_request.save(update_fields=["status", "response_note", "decided_by", "decided_at", "updated_at"])
    return course_request


@transaction.atomic
def course_request_withdraw(*, course_request: CourseRequest, user) -> CourseRequest:
    """The school takes its request back while the vendor has not answered."""
    course_request = _lock(course_request)
    _require_open(course_request)
    course_request.status = CourseRequest.Status.WITHDRAWN
    course_request.decided_by = user
    course_request.decided_at = timezone.now()
    course_request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return course_request
