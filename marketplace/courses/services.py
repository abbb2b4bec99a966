"""State changes of vendors' courses: create, edit, documents, submit for review.

A vendor's course is written as a draft, edited while a draft or after a rejection, and
submitted for expert review once complete (a plan for every session, an instructor named,
the vendor approved). Submitting sends ``course_submitted``, on which the course review
(``marketplace.reviews``) opens a round; the round's decision sets the course's review
status. Every change sends ``course_changed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.uploads import validate_document
from marketplace.courses.models import Course, CourseDocument, SessionPlan
from marketplace.courses.selectors import course_missing_items, latest_round
from marketplace.courses.signals import course_changed, course_submitted

MAX_SESSIONS = 60

# The fields of a course a vendor writes (besides instructors and plans).
COURSE_FIELDS = (
    "title",
    "title_en",
    "category",
    "subject",
    "grade_min",
    "grade_max",
    "sessions",
    "price_per_session",
    "materials_fee",
    "objectives",
    "description",
)


class CourseError(DomainError):
    """A course change that cannot be carried out; the message says why (per field when it can)."""


def _check_vendor_approved(vendor) -> None:
    if not vendor.is_approved:
        raise CourseError(
            _("Only an approved vendor may offer courses; this vendor is “%(status)s”."),
            code="vendor_not_approved",
            params={"status": vendor.get_status_display()},
        )


def _apply(course: Course, vendor, fields: dict, instructors: Iterable | None) -> list:
    """Set ``fields`` on the course and check everything; return the instructor list."""
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(course, name, value)
    course.title = (course.title or "").strip()
    course.title_en = (course.title_en or "").strip()
    if course.materials_fee is None:
        course.materials_fee = Decimal("0")
    # Each refusal keeps its code (the model's checks too); the error carries the first one's.
    errors: dict[str, list[ValidationError]] = {}
    try:
        course.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.error_dict)
    # The database constraints hold these too; checked here to say which field is wrong.
    if course.grade_min is not None and not 1 <= course.grade_min <= 9:
        errors.setdefault("grade_min", []).append(
            ValidationError(_("Grades run from 1 to 9."), code="grade_out_of_range")
        )
    if course.grade_max is not None and not 1 <= course.grade_max <= 9:
        errors.setdefault("grade_max", []).append(
            ValidationError(_("Grades run from 1 to 9."), code="grade_out_of_range")
        )
    elif (
        course.grade_min is not None and course.grade_max is not None and course.grade_max < course.grade_min
    ):
        errors.setdefault("grade_max", []).append(
            ValidationError(_("The highest grade cannot be below the lowest."), code="grades_reversed")
        )
    if course.sessions is not None and course.sessions < 1:
        errors.setdefault("sessions", []).append(
            ValidationError(_("A course has at least one session."), code="sessions_too_few")
        )
    for name in ("price_per_session", "materials_fee"):
        value = getattr(course, name)
        if isinstance(value, Decimal) and value < 0:
            errors.setdefault(name, []).append(
                ValidationError(_("An amount cannot be negative."), code="amount_negative")
            )
    category = course.category if course.category_id else None
    if category is not None and category.is_academic:
        errors.setdefault("category", []).append(
            ValidationError(
                _("Academic subject tutoring may not be offered after school: choose another category."),
                code="category_academic",
            )
        )
    if course.sessions is not None and course.sessions > MAX_SESSIONS:
        errors.setdefault("sessions", []).append(
            ValidationError(
                _("A course has at most %(max)s sessions.") % {"max": MAX_SESSIONS}, code="sessions_too_many"
            )
        )
    chosen = list(instructors) if instructors is not None else None
    if chosen is not None and any(i.vendor_id != vendor.pk for i in chosen):
        errors.setdefault("instructors", []).append(
            ValidationError(_("Choose only this vendor's own instructors."), code="not_own_instructor")
        )
    elif chosen is not None and any(not i.vetted for i in chosen):
        errors.setdefault("instructors", []).append(
            ValidationError(
                _("An instructor the bureau has not yet checked cannot be named on a course."),
                code="instructor_not_vetted",
            )
        )
    if not errors:
        try:
            course.validate_constraints()
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise CourseError.about_fields(errors, "course_fields_invalid")
    return chosen


def _set_plans(course: Course, plans: Sequence[dict]) -> None:
    """Replace the course's session plans.

    ``plans`` are dicts with ``number``, ``title`` and ``content``; a plan without a title
    is no plan (its session stays unplanned), and plans past the course's last session are
    dropped, as are stored plans past a shortened course's end.
    """
    wanted = {}
    for plan in plans:
        number = int(plan["number"])
        title = str(plan.get("title") or "").strip()
        if number < 1:
            raise CourseError(
                {"plans": ValidationError(_("Session numbers start at 1."), code="plan_number_below_one")},
                code="plan_number_below_one",
            )
        if title and number <= course.sessions:
            wanted[number] = (title[:120], str(plan.get("content") or "").strip())
    course.session_plans.exclude(number__in=wanted).delete()
    existing = {p.number: p for p in course.session_plans.all()}
    for number, (title, content) in sorted(wanted.items()):
        plan = existing.get(number)
        if plan is None:
            SessionPlan.objects.create(course=course, number=number, title=title, content=content)
        elif (plan.title, plan.content) != (title, content):
            plan.title, plan.content = title, content
            plan.save(update_fields=["title", "content"])


@transaction.atomic
def course_create(
    *, vendor, user, instructors: Iterable = (), plans: Sequence[dict] = (), **fields
) -> Course:
    """A new draft course of an approved vendor.

    ``fields`` are the course's own fields (``COURSE_FIELDS``); ``instructors`` must be the
    vendor's; ``plans`` as for ``course_update``.
    """
    _check_vendor_approved(vendor)
    course = Course(vendor=vendor, review_status=Course.ReviewStatus.DRAFT)
    chosen = _apply(course, vendor, fields, instructors)
    course.save()
    course.instructors.set(chosen)
    _set_plans(course, plans)
    course_changed.send(sender=Course, course=course)
    return course


def _lock_editable(course: Course) -> Course:
    course = Course.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=course.pk)
    if course.vendor_id is None:
        raise CourseError(_("Only a vendor's course is edited here."), code="not_vendor_course")
    if not course.is_editable:
        raise CourseError(
            _("A course can be changed only while a draft or after a rejection; this one is “%(status)s”."),
            code="not_editable",
            params={"status": course.get_review_status_display()},
        )
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    user,
    instructors: Iterable | None = None,
    plans: Sequence[dict] | None = None,
    **fields,
) -> Course:
    """Change a draft or rejected course. ``instructors``/``plans`` left ``None`` stay as they are.

    A rejected course stays rejected until it is submitted again (a new review round).
    """
    course = _lock_editable(course)
    chosen = _apply(course, course.vendor, fields, instructors)
    course.save()
    if chosen is not None:
        course.instructors.set(chosen)
    if plans is not None:
        _set_plans(course, plans)
    else:
        course.session_plans.filter(number__gt=course.sessions).delete()
    course_changed.send(sender=Course, course=course)
    return course


@transaction.atomic
def course_document_add(*, course: Course, user, title: str, upload) -> CourseDocument:
    """File a PDF or an image with an editable course (type by content, size capped)."""
    course = _lock_editable(course)
    title = (title or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    if not title:
        errors["title"] = [ValidationError(_("Give the document a title."), code="document_title_missing")]
    try:
        content_type = validate_document(upload)
    except ValidationError as error:
        errors["file"] = error.error_list
    if errors:
        raise CourseError.about_fields(errors, "document_invalid")
    document = CourseDocument.objects.create(
        course=course,
        title=title[:120],
        file=upload,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    course_changed.send(sender=Course, course=course)
    return document


@transaction.atomic
def course_document_remove(*, document: CourseDocument, user) -> None:
    """Remove a document from an editable course (and its file, once the removal commits)."""
    _lock_editable(document.course)
    storage, name = document.file.storage, document.file.name
    course = document.course
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    course_changed.send(sender=Course, course=course)


@transaction.atomic
def course_submit(*, course: Course, user):
    """Send a draft or rejected course to expert review; return the review round opened.

    Refused unless the vendor is approved, every session has a plan and an instructor is
    named (``course_missing_items`` lists what is missing). The round is opened by the
    course review, on ``course_submitted``, which may refuse the course in turn (its
    ``ValidationError`` rolls the submission back); the round returned is the course's
    latest.
    """
    course = _lock_editable(course)
    missing = course_missing_items(course=course)
    if missing:
        raise CourseError([item.message for item in missing], code="incomplete")
    course.review_status = Course.ReviewStatus.SUBMITTED
    course.submitted_at = timezone.now()
    course.save(update_fields=["review_status", "submitted_at", "updated_at"])
    course_submitted.send(sender=Course, course=course)
    course_changed.send(sender=Course, course=course)
    return latest_round(course=course)
