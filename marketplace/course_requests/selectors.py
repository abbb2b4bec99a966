"""Reads about course requests: lists for schools and vendors, and the facts a decision needs.

Everything here only reads; state changes go through ``marketplace.course_requests.services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from marketplace.course_requests.models import CourseRequest
from marketplace.fees.models import ChargingStandard
from marketplace.fees.selectors import standard_in_force
from marketplace.vendors.models import Instructor, InstructorAvailability
from scheduling.slots.models import Slot
from schools.models import Term
from schools.selectors import today

# The standard a vendor course's price per session is checked against.
CAP_SERVICE_KIND = ChargingStandard.ServiceKind.ENRICHMENT
CAP_UNIT = ChargingStandard.Unit.PER_SESSION


def _with_relations(requests):
    return requests.select_related(
        "school", "term", "course", "vendor", "room_kind", "standard", "requested_by", "decided_by"
    ).prefetch_related("slots", "instructors")


def requests_of_school(*, school, term: Term | None = None):
    """The school's course requests (of one term when given), newest first."""
    requests = CourseRequest.objects.filter(school=school)
    if term is not None:
        requests = requests.filter(term=term)
    return _with_relations(requests).order_by("-created_at", "-pk")


def requests_of_vendor(*, vendor, status: str | None = None):
    """Requests schools sent to the vendor (with one status when given), open ones first."""
    requests = CourseRequest.objects.filter(vendor=vendor)
    if status is not None:
        requests = requests.filter(status=status)
    return _with_relations(requests).order_by("-created_at", "-pk")


def open_requests_of_vendor(*, vendor):
    """Requests awaiting the vendor's answer, oldest first (the order to answer them in)."""
    return requests_of_vendor(vendor=vendor, status=CourseRequest.Status.REQUESTED).order_by(
        "created_at", "pk"
    )


def terms_open_for_requests(*, on: date | None = None):
    """Terms a school may still buy for: the current one and those to come."""
    return Term.objects.filter(end__gte=on or today()).order_by("start")


def enrichment_slots_of_school(*, school):
    return Slot.objects.filter(school=school, kind=Slot.Kind.ENRICHMENT).order_by("weekday", "start")


def price_cap_for(*, school, term) -> ChargingStandard | None:
    """The enrichment per-session standard in force in the school's district on the term's start."""
    return standard_in_force(
        district_id=school.district_id, service_kind=CAP_SERVICE_KIND, unit=CAP_UNIT, on=term.start
    )


def grades_overlap(*, course, school) -> range:
    """The grades both the course's band and the school teach (empty when they do not meet)."""
    grades = school.grades
    return range(max(course.grade_min, grades.start), min(course.grade_max, grades.stop - 1) + 1)


def candidate_slots(course_request: CourseRequest) -> list[Slot]:
    """The slots the request's groups may meet in: those chosen, else every enrichment slot."""
    chosen = list(course_request.slots.all())
    if chosen:
        return sorted(chosen, key=lambda slot: (slot.weekday, slot.start))
    return list(enrichment_slots_of_school(school=course_request.school))


def window_fits(window, slot) -> bool:
    """An availability window covers a slot: same weekday, the slot wholly inside it."""
    return window.weekday == slot.weekday and window.start <= slot.start and slot.end <= window.end


@dataclass
class InstructorFit:
    """How an instructor's weekly availability meets a request's slots."""

    instructor: Instructor
    windows: list = field(default_factory=list)
    slots: list = field(default_factory=list)  # candidate slots inside some window
    weekdays: list = field(default_factory=list)  # their distinct weekdays, Monday first
    needed: int = 1

    @property
    def fits(self) -> bool:
        return len(self.weekdays) >= self.needed


def instructor_fit(*, instructor: Instructor, slots, meetings: int) -> InstructorFit:
    """Whether ``instructor`` can take ``meetings`` meetings a week on distinct days in ``slots``."""
    windows = list(instructor.availability.all())
    fitting = [slot for slot in slots if any(window_fits(w, slot) for w in windows)]
    return InstructorFit(
        instructor=instructor,
        windows=windows,
        slots=fitting,
        weekdays=sorted({slot.weekday for slot in fitting}),
        needed=meetings,
    )


def instructors_for_request(course_request: CourseRequest):
    """Who may be named: the course's instructors when it names some, else all the vendor's;
    of either, only those the bureau has checked."""
    course = course_request.course
    # Only instructors the bureau has checked; a new one waits for its amendment's approval.
    instructors = Instructor.objects.filter(vendor_id=course_request.vendor_id, vetted=True)
    if course.instructors.exists():
        instructors = instructors.filter(pk__in=course.instructors.values("pk"))
    return instructors.prefetch_related(
        Prefetch("availability", queryset=InstructorAvailability.objects.order_by("weekday", "start"))
    ).order_by("name", "pk")


def instructor_fits_for_request(course_request: CourseRequest) -> list[InstructorFit]:
    """Each instructor who may be named, with how their availability meets the request."""
    slots = candidate_slots(course_request)
    return [
        instructor_fit(instructor=instructor, slots=slots, meetings=course_request.meetings_per_week)
        for instructor in instructors_for_request(course_request)
    ]
