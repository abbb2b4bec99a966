"""Assembling a school's timetable problem (the public JSON format) from the database.

``problem_assemble`` reads the slot grid, rooms, classes, staff, vendor instructors and the
term's activities of one school and returns the problem dict the solver core reads, with
the ids the format uses:

==============  ===============================================
what            id in the problem
==============  ===============================================
slot            ``mon-1`` (day code and position in the day)
room            the room's code
class           ``3-2`` (grade-number)
staff member    ``t<pk>``
vendor          ``v<pk>``
instructor      ``i<pk>``
activity        ``a<pk>``
student         ``s<child pk>``
==============  ===============================================

Vendor instructors and staff who also work at another school are not double-booked: the
slots of this school that overlap their sessions in the other schools' published
timetables (same weekday, overlapping times) are removed from their availability.

Families' choices (the ``students``) and the places they already hold come from the receivers
of ``signals.problem_assembling`` (``marketplace.enrolment``); this module knows nothing of
enrolment.

Activities of a vendor with risk grade D (``marketplace.risk``) are left out of the problem;
the checklist names each of them (not blocking).

``checklist`` lists what is missing or contradictory before a solve, each item with a link
to the admin screen that fixes it; ``checklist_activities`` lists the activities the solve
will place (the school's own and those bought from vendors), as the checklist page shows them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import time

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.weekdays import DAY_CODES, days_from_mask
from marketplace.courses.models import Activity
from marketplace.vendors.models import HIGH_RISK_GRADE
from scheduling.rooms.models import Room
from scheduling.slots.models import Slot
from scheduling.slots.selectors import slot_codes
from scheduling.solver.problem import PROBLEM_FORMAT
from scheduling.staff.models import StaffMember
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.signals import problem_assembling
from schools.models import SchoolClass


def staff_key(pk: int) -> str:
    return f"t{pk}"


def instructor_key(pk: int) -> str:
    return f"i{pk}"


def vendor_key(pk: int) -> str:
    return f"v{pk}"


def activity_key(pk: int) -> str:
    return f"a{pk}"


def student_key(pk: int) -> str:
    return f"s{pk}"


def key_pk(value, prefix: str) -> int | None:
    """The primary key in an id such as ``t17`` (prefix ``t``), or None when it is not one."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(rf"{prefix}([0-9]+)", value)
    return int(match.group(1)) if match else None


def class_key(school_class: SchoolClass) -> str:
    return f"{school_class.grade}-{school_class.number}"


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to fix before solving. ``blocking`` items make a solve pointless."""

    code: str
    message: str
    fix_url: str
    blocking: bool = False


def _overlaps(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def _busy_elsewhere(*, school, term) -> tuple[dict[int, list], dict[int, list]]:
    """Weekly commitments at other schools' published timetables of this term.

    Returns (instructor pk → [(weekday, start, end)], user pk → [(weekday, start, end)]).
    """
    sessions = (
        DatedSession.objects.filter(term=term)
        .exclude(school=school)
        .values_list("slot__weekday", "start", "end", "instructor_id", "staff__membership__user_id")
        .distinct()
    )
    instructors: dict[int, list] = defaultdict(list)
    users: dict[int, list] = defaultdict(list)
    for weekday, start, end, instructor_id, user_id in sessions:
        if instructor_id is not None:
            instructors[instructor_id].append((weekday, start, end))
        if user_id is not None:
            users[user_id].append((weekday, start, end))
    return instructors, users


def _demand(*, school, term, activities, days) -> tuple[list[dict], dict[int, int]]:
    """The problem's students and the places already held per activity pk, as the receivers
    of ``signals.problem_assembling`` reply (enrolment: families' term plans and the places
    taken outside the ranked allocation). Without receivers: no students, nothing held."""
    students: list[dict] = []
    held: dict[int, int] = defaultdict(int)
    for _receiver, reply in problem_assembling.send(
        sender=TimetableRun, school=school, term=term, activities=activities, days=days
    ):
        if reply is not None:
            students += reply.students
            for activity_pk, count in reply.held.items():
                held[activity_pk] += count
    return students, dict(held)


def problem_assemble(*, school, term) -> dict:
    """The school's weekly problem for ``term`` in the public JSON format."""
    slots = list(Slot.objects.filter(school=school).order_by("weekday", "start"))
    codes = slot_codes(school=school)
    days = sorted({slot.weekday for slot in slots})
    rooms = list(Room.objects.filter(school=school).prefetch_related("kinds").order_by("code"))
    classes = list(
        SchoolClass.objects.filter(school=school).select_related("home_room").order_by("grade", "number")
    )
    staff = list(
        StaffMember.objects.filter(school=school, active=True)
        .prefetch_related("subjects", "unavailable")
        .select_related("membership")
        .order_by("staff_no")
    )
    activities = list(
        Activity.objects.filter(school=school, term=term)
        # A vendor graded D by the bureau (marketplace.risk) is left out of new timetables;
        # the checklist names its activities.
        .exclude(vendor__risk_grade=HIGH_RISK_GRADE)
        .select_related("course__subject", "room_kind", "vendor")
        .prefetch_related("allowed_slots")
        .order_by("pk")
    )
    busy_instructors, busy_users = _busy_elsewhere(school=school, term=term)

    def blocked(commitments) -> set[str]:
        return {
            codes[slot.pk]
            for slot in slots
            for weekday, start, end in commitments
            if slot.weekday == weekday and _overlaps(slot.start, slot.end, start, end)
        }

    staff_rows = []
    for member in staff:
        unavailable = {codes[slot.pk] for slot in member.unavailable.all()}
        membership = getattr(member, "membership", None)
        if membership is not None:
            unavailable |= blocked(busy_users.get(membership.user_id, ()))
        row = {
            "id": staff_key(member.pk),
            "name": member.name,
            "subjects": sorted(subject.code for subject in member.subjects.all()),
            "unavailable": [code for code in (codes[s.pk] for s in slots) if code in unavailable],
            "rest_days": [DAY_CODES[d] for d in days_from_mask(member.rest_days) if d in days],
            "min_duties": member.min_duties,
            "max_duties": member.max_duties,
        }
        staff_rows.append(row)

    vendors: dict[int, dict] = {}
    for activity in activities:
        if activity.vendor_id is None or activity.vendor_id in vendors:
            continue
        instructors = []
        # Only instructors the bureau has checked; a newly added one waits for its amendment.
        for instructor in (
            activity.vendor.instructors.filter(vetted=True).prefetch_related("availability").order_by("pk")
        ):
            windows = list(instructor.availability.all())
            taken = blocked(busy_instructors.get(instructor.pk, ()))
            available = [
                codes[slot.pk]
                for slot in slots
                if slot.kind == Slot.Kind.ENRICHMENT
                and codes[slot.pk] not in taken
                and any(
                    w.weekday == slot.weekday and w.start <= slot.start and slot.end <= w.end for w in windows
                )
            ]
            instructors.append(
                {
                    "id": instructor_key(instructor.pk),
                    "name": instructor.name,
                    "available": available,
                    "max_sessions": instructor.max_sessions,
                }
            )
        vendors[activity.vendor_id] = {
            "id": vendor_key(activity.vendor_id),
            "name": activity.vendor.name,
            "instructors": instructors,
        }

    students, held = _demand(school=school, term=term, activities=activities, days=days)
    activity_rows = []
    for activity in activities:
        # Places already held outside the ranked allocation (late joiners, promotions, moves)
        # stay whatever the solve does: the solver fills only the seats left, and those
        # places count towards the minimum.
        taken = held.get(activity.pk, 0)
        row = {
            "id": activity_key(activity.pk),
            "name": activity.name,
            "provider": "staff" if activity.vendor_id is None else vendor_key(activity.vendor_id),
            "subject": activity.course.subject.code,
            "grades": list(range(activity.grade_min, activity.grade_max + 1)),
            "meetings": min(activity.meetings_per_week, len(days)) if days else activity.meetings_per_week,
            "room_kind": activity.room_kind.code,
            # Before families choose, activities are placed
            # without their minimum size, or none could run.
            "min_size": max(activity.min_size - taken, 0) if students else 0,
            "max_size": max(activity.max_size - taken, 0),
        }
        if activity.staff_instructor_id:
            row["instructor"] = staff_key(activity.staff_instructor_id)
        elif activity.vendor_instructor_id:
            row["instructor"] = instructor_key(activity.vendor_instructor_id)
        # Limited to some slots (a bought course names the school's chosen slots): their ids,
        # in the problem's slot order. None chosen: the key is left out, any enrichment slot.
        allowed = {slot.pk for slot in activity.allowed_slots.all()}
        if allowed:
            row["slots"] = [codes[slot.pk] for slot in slots if slot.pk in allowed]
        activity_rows.append(row)

    return {
        "format": PROBLEM_FORMAT,
        "school": school.name,
        "days": [DAY_CODES[d] for d in days],
        "slots": [
            {
                "id": codes[slot.pk],
                "day": DAY_CODES[slot.weekday],
                "start": slot.start.strftime("%H:%M"),
                "end": slot.end.strftime("%H:%M"),
                "kind": slot.kind,
            }
            for slot in slots
        ],
        "rooms": [
            {
                "id": room.code,
                "capacity": room.capacity,
                "kinds": sorted(kind.code for kind in room.kinds.all()),
            }
            for room in rooms
        ],
        "classes": [
            {
                "id": class_key(c),
                "grade": c.grade,
                "size": c.size,
                "home_room": c.home_room.code,
                "days": [DAY_CODES[d] for d in days_from_mask(c.days) if d in days],
            }
            for c in classes
            if c.home_room is not None
        ],
        "staff": staff_rows,
        "vendors": list(vendors.values()),
        "activities": activity_rows,
        "students": students,
    }


def checklist(*, school, term, problem: dict | None = None) -> list[ChecklistItem]:
    """What is missing or contradictory in the school's records before a solve."""
    problem = problem if problem is not None else problem_assemble(school=school, term=term)
    items: list[ChecklistItem] = []

    def admin(model: str, pk: int | None = None) -> str:
        if pk is None:
            return reverse(f"admin:{model}_changelist")
        return reverse(f"admin:{model}_change", args=[pk])

    if not problem["slots"]:
        items.append(
            ChecklistItem(
                "no_slots", str(_("The school has no after-school slots yet.")), admin("slots_slot"), True
            )
        )
    if not problem["staff"]:
        items.append(
            ChecklistItem(
                "no_staff", str(_("The school has no active staff.")), admin("staff_staffmember"), True
            )
        )
    for school_class in SchoolClass.objects.filter(school=school, home_room__isnull=True).order_by(
        "grade", "number"
    ):
        items.append(
            ChecklistItem(
                "class_without_home_room",
                str(
                    _("Class %(grade)s-%(number)s has no home room.")
                    % {"grade": school_class.grade, "number": school_class.number}
                ),
                admin("schools_schoolclass", school_class.pk),
                True,
            )
        )
    for activity in (
        Activity.objects.filter(school=school, term=term, vendor__risk_grade=HIGH_RISK_GRADE)
        .select_related("vendor")
        .order_by("pk")
    ):
        items.append(
            ChecklistItem(
                "activity_vendor_high_risk",
                str(
                    _(
                        "%(activity)s is left out: its vendor %(vendor)s has risk grade %(grade)s "
                        "(high risk) from the education bureau."
                    )
                    % {"activity": activity.name, "vendor": activity.vendor.name, "grade": HIGH_RISK_GRADE}
                ),
                admin("courses_activity", activity.pk),
            )
        )
    room_kinds = {kind for room in problem["rooms"] for kind in room["kinds"]}
    staff_subjects = {subject for member in problem["staff"] for subject in member["subjects"]}
    instructors = {vendor["id"]: vendor["instructors"] for vendor in problem["vendors"]}
    slot_days = {slot["id"]: slot["day"] for slot in problem["slots"]}
    enrichment = [slot["id"] for slot in problem["slots"] if slot["kind"] == Slot.Kind.ENRICHMENT]

    def days_of(slot_ids) -> set[str]:
        return {slot_days[slot_id] for slot_id in slot_ids if slot_id in slot_days}

    activities = {
        a.pk: a for a in Activity.objects.filter(school=school, term=term).select_related("room_kind")
    }
    for row in problem["activities"]:
        activity = activities[key_pk(row["id"], "a")]
        if row["room_kind"] not in room_kinds:
            items.append(
                ChecklistItem(
                    "room_kind_missing",
                    str(
                        _("No room is of kind “%(kind)s”, which %(activity)s needs.")
                        % {"kind": activity.room_kind.display_name, "activity": activity.name}
                    ),
                    admin("rooms_room"),
                )
            )
        allowed = row.get("slots") or enrichment
        if "slots" in row and len(days_of(allowed)) < row["meetings"]:
            items.append(
                ChecklistItem(
                    "activity_slots_too_few",
                    str(
                        ngettext(
                            "%(activity)s may meet only in slots on %(days)s day, fewer than its "
                            "%(meetings)s meetings a week.",
                            "%(activity)s may meet only in slots on %(days)s days, fewer than its "
                            "%(meetings)s meetings a week.",
                            len(days_of(allowed)),
                        )
                        % {
                            "activity": activity.name,
                            "days": len(days_of(allowed)),
                            "meetings": row["meetings"],
                        }
                    ),
                    admin("courses_activity", activity.pk),
                )
            )
        if row["provider"] == "staff":
            can_teach = row["subject"] in staff_subjects
        else:
            # A vendor's instructor (the fixed one, when there is one) must be available in the
            # activity's slots on as many different days as it meets.
            candidates = [
                i
                for i in instructors.get(row["provider"], [])
                if "instructor" not in row or i["id"] == row["instructor"]
            ]
            allowed_set = set(allowed)
            can_teach = any(
                len(days_of(slot_id for slot_id in i["available"] if slot_id in allowed_set))
                >= row["meetings"]
                for i in candidates
            )
        if not can_teach:
            items.append(
                ChecklistItem(
                    "activity_without_teacher",
                    str(
                        _("No one can teach %(activity)s in this school's slots.")
                        % {"activity": activity.name}
                    ),
                    admin("courses_activity", activity.pk),
                )
            )
    return items


@dataclass(frozen=True)
class ChecklistActivity:
    """One activity a solve will place, as the checklist page lists it."""

    id: str
    name: str
    provider: str
    grades: str
    meetings: int
    instructor: str  # the fixed teacher's name; "" when the solver chooses
    instructors: tuple[str, ...]  # who may teach it: the vendor's instructors (empty for staff)
    slots: tuple[str, ...]  # allowed slot ids; empty: any enrichment slot
    course_request_id: int | None  # set when bought from a vendor


def checklist_activities(*, school, term, problem: dict | None = None) -> list[ChecklistActivity]:
    """The activities of the school's problem for ``term``, with their provider and teachers."""
    problem = problem if problem is not None else problem_assemble(school=school, term=term)
    people = {row["id"]: row["name"] for row in problem["staff"]}
    vendors = {row["id"]: row for row in problem["vendors"]}
    for vendor in problem["vendors"]:
        people.update({i["id"]: i["name"] for i in vendor["instructors"]})
    activities = {a.pk: a for a in Activity.objects.filter(school=school, term=term).select_related("vendor")}
    lines = []
    for row in problem["activities"]:
        activity = activities.get(key_pk(row["id"], "a"))
        if activity is None:
            continue
        vendor = vendors.get(row["provider"])
        grades = row["grades"]
        lines.append(
            ChecklistActivity(
                id=row["id"],
                name=row["name"],
                provider=vendor["name"] if vendor else str(_("School staff")),
                grades=f"{grades[0]}–{grades[-1]}" if grades else "",
                meetings=row["meetings"],
                instructor=people.get(row.get("instructor"), "") if row.get("instructor") else "",
                instructors=tuple(i["name"] for i in vendor["instructors"]) if vendor else (),
                slots=tuple(row.get("slots") or ()),
                course_request_id=activity.course_request_id,
            )
        )
    return lines
