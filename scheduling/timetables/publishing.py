"""Publishing a solved run: its weekly decisions become the term's dated sessions.

``run_publish`` maps the ids of a run's solution (the public JSON format, see
``scheduling.timetables.assembly`` for the id scheme) back to the school's rows and writes one
``DatedSession`` per decision and teaching day of the term (``schools.calendar``): holidays
and closures have none, and a make-up working day follows the weekday it names.

Publishing again during the term replaces only the sessions from ``today`` on; the sessions
before it stay exactly as they were (attendance, fees and settlement already count them),
whichever run wrote them.

What else follows a publish (rest days covered again, families' places) is done by the
receivers of ``signals.timetable_published``, in the publishing transaction. The published
sessions are read through ``selectors``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from marketplace.courses.models import Activity
from marketplace.vendors.models import Instructor
from scheduling.rooms.models import Room
from scheduling.slots.models import Slot
from scheduling.slots.selectors import slot_codes
from scheduling.staff.models import StaffMember
from scheduling.timetables.assembly import activity_key, key_pk
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.signals import timetable_published
from schools.calendar import teaching_days_for
from schools.models import School, SchoolClass

PUBLISHABLE_STATUSES = ("optimal", "feasible")


class PublishError(DomainError):
    """A run that cannot be published; ``message`` is translated and fit to show the user,
    ``code`` names the refusal (stable, snake_case): ``not_finished``, ``no_timetable``,
    ``double_booked``, ``clashes_with_published``, ``malformed_solution``, ``no_home_room``
    (a supervised class without a home room of the school), ``not_vendor_instructor``, and
    ``unknown_slot``, ``unknown_class``, ``unknown_room``, ``unknown_staff``,
    ``unknown_activity`` (naming a row that is not the school's). A raise without a code has
    ``invalid_solution``."""

    default_code = "invalid_solution"

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Published:
    """What publishing did: the dated sessions written, the first day they replace, and the
    approved rest days from that day on covered again or returned to the administrator (as the
    receivers of ``timetable_published`` reply)."""

    sessions: int
    since: date
    recovered: list = field(default_factory=list)
    reopened: list = field(default_factory=list)


@dataclass(frozen=True)
class _Decision:
    """One weekly decision of the solution, mapped to the school's rows."""

    slot: Slot
    kind: str
    room: Room
    school_class: SchoolClass | None = None
    activity: Activity | None = None
    staff: StaffMember | None = None
    instructor: Instructor | None = None


def _entries(solution: dict, key: str) -> list[dict]:
    entries = solution.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise PublishError(
            _("The solution is malformed: “%(key)s” is not a list of objects.") % {"key": key},
            code="malformed_solution",
        )
    return entries


class _Resolver:
    """Maps the solution's ids to the school's rows, refusing any that are not the school's."""

    def __init__(self, *, school, term, solution: dict):
        codes = slot_codes(school=school)
        slots = Slot.objects.in_bulk(list(codes))
        self.slots_by_code = {code: slots[pk] for pk, code in codes.items()}
        self.classes = {
            school_class.code: school_class
            for school_class in SchoolClass.objects.filter(school=school).select_related("home_room")
        }
        self.rooms = {room.code: room for room in Room.objects.filter(school=school)}

        supervisions = _entries(solution, "supervisions")
        meetings = _entries(solution, "meetings")
        staff_ids = {key_pk(e.get("staff"), "t") for e in supervisions} | {
            key_pk(e.get("teacher"), "t") for e in meetings
        }
        self.staff = StaffMember.objects.filter(school=school).in_bulk(staff_ids - {None})
        self.instructors = Instructor.objects.in_bulk(
            {key_pk(e.get("teacher"), "i") for e in meetings} - {None}
        )
        self.activities = Activity.objects.filter(school=school, term=term).in_bulk(
            {key_pk(e.get("activity"), "a") for e in meetings} - {None}
        )

    def slot(self, code) -> Slot:
        try:
            return self.slots_by_code[code]
        except (KeyError, TypeError):
            raise PublishError(
                _("The solution names slot “%(id)s”, which this school does not have.") % {"id": code},
                code="unknown_slot",
            ) from None

    def school_class(self, code) -> SchoolClass:
        try:
            return self.classes[code]
        except (KeyError, TypeError):
            raise PublishError(
                _("The solution names class “%(id)s”, which this school does not have.") % {"id": code},
                code="unknown_class",
            ) from None

    def room(self, code) -> Room:
        try:
            return self.rooms[code]
        except (KeyError, TypeError):
            raise PublishError(
                _("The solution names room “%(id)s”, which this school does not have.") % {"id": code},
                code="unknown_room",
            ) from None

    def staff_member(self, key) -> StaffMember:
        member = self.staff.get(key_pk(key, "t"))
        if member is None:
            raise PublishError(
                _("The solution names staff member “%(id)s”, who is not on this school's staff.")
                % {"id": key},
                code="unknown_staff",
            )
        return member

    def activity(self, key) -> Activity:
        activity = self.activities.get(key_pk(key, "a"))
        if activity is None:
            raise PublishError(
                _("The solution names activity “%(id)s”, which this school does not offer this term.")
                % {"id": key},
                code="unknown_activity",
            )
        return activity

    def teacher(self, key, activity: Activity) -> tuple[StaffMember | None, Instructor | None]:
        """The staff member or vendor instructor who teaches ``activity``.

        A staff-run activity is taught by the school's staff; a vendor's by its instructors.
        """
        if activity.vendor_id is None:
            return self.staff_member(key), None
        instructor = self.instructors.get(key_pk(key, "i"))
        if instructor is None or instructor.vendor_id != activity.vendor_id:
            raise PublishError(
                _(
                    "The solution names “%(id)s” to teach %(activity)s, who is not an instructor of its vendor."
                )
                % {"id": key, "activity": activity.name},
                code="not_vendor_instructor",
            )
        return None, instructor


def _decisions(*, school, term, solution: dict) -> list[_Decision]:
    """The solution's supervisions and meetings as rows of the school, checked for clashes."""
    resolve = _Resolver(school=school, term=term, solution=solution)
    decisions = []
    for entry in _entries(solution, "supervisions"):
        school_class = resolve.school_class(entry.get("class"))
        room = school_class.home_room
        if room is None or room.school_id != school.pk:
            raise PublishError(
                _("Class %(id)s has no home room in this school to be supervised in.")
                % {"id": school_class.code},
                code="no_home_room",
            )
        decisions.append(
            _Decision(
                slot=resolve.slot(entry.get("slot")),
                kind=DatedSession.Kind.SUPERVISION,
                room=room,
                school_class=school_class,
                staff=resolve.staff_member(entry.get("staff")),
            )
        )
    for entry in _entries(solution, "meetings"):
        activity = resolve.activity(entry.get("activity"))
        staff, instructor = resolve.teacher(entry.get("teacher"), activity)
        decisions.append(
            _Decision(
                slot=resolve.slot(entry.get("slot")),
                kind=DatedSession.Kind.MEETING,
                room=resolve.room(entry.get("room")),
                activity=activity,
                staff=staff,
                instructor=instructor,
            )
        )

    # What the database constraints protect, refused here with a message people can act on.
    taken: set[tuple] = set()
    codes = {slot.pk: code for code, slot in resolve.slots_by_code.items()}
    for decision in decisions:
        subject = (
            ("class", decision.school_class.code)
            if decision.school_class is not None
            else ("activity", activity_key(decision.activity.pk))
        )
        for what, name in (subject, ("room", decision.room.code)):
            key = (what, name, decision.slot.pk)
            if key in taken:
                raise PublishError(
                    _("The solution books “%(id)s” twice in slot %(slot)s.")
                    % {"id": name, "slot": codes[decision.slot.pk]},
                    code="double_booked",
                )
            taken.add(key)
    decisions.sort(key=lambda d: (d.slot.weekday, d.slot.start, d.kind, d.room.code))
    return decisions


def first_replaced_day(*, school, term, today: date) -> date:
    """The first day whose sessions a publish on ``today`` replaces.

    Sessions already delivered (attendance taken, money released on them) are history: every
    day up to the last delivered one is kept, only the days after it are replaced.
    """
    last_delivered = DatedSession.objects.filter(
        school=school, term=term, date__gte=today, delivery__isnull=False
    ).aggregate(last=Max("date"))["last"]
    return last_delivered + timedelta(days=1) if last_delivered is not None else today


def planned_sessions(*, run: TimetableRun, since: date) -> list[tuple]:
    """What publishing ``run`` would write from ``since`` on, as ``(date, slot id, kind, class
    id, activity id, staff id, instructor id, room id)`` tuples (reads only; ``PublishError``
    when the solution cannot be published)."""
    decisions = _decisions(school=run.school, term=run.term, solution=run.solution or {})
    by_weekday: dict[int, list[_Decision]] = defaultdict(list)
    for decision in decisions:
        by_weekday[decision.slot.weekday].append(decision)
    return [
        (
            day.date,
            d.slot.pk,
            d.kind,
            d.school_class.pk if d.school_class else None,
            d.activity.pk if d.activity else None,
            d.staff.pk if d.staff else None,
            d.instructor.pk if d.instructor else None,
            d.room.pk,
        )
        for day in teaching_days_for(run.term, run.school, weekend_days=set(by_weekday))
        if day.date >= since
        for d in by_weekday.get(day.weekday, ())
    ]


def run_publish(*, run: TimetableRun, today: date | None = None) -> int:
    """Publish ``run`` (see ``publish``); return how many dated sessions were written."""
    return publish(run=run, today=today).sessions


def publish(*, run: TimetableRun, today: date | None = None) -> Published:
    """Publish ``run``: write its dated sessions from ``today`` on; return what was done.

    The run must be done with an optimal or feasible solution whose ids all belong to the
    run's school (and activities to its term); otherwise ``PublishError`` is raised and
    nothing is written. The school's runs are locked for the whole transaction, so two
    publishes of one school never interleave. Sessions of the school and term dated before
    ``today`` (default: the local date) are kept as they are; those from ``today`` on are
    replaced by the run's, one per decision and teaching day — except days up to the last
    session already delivered (attendance taken), which are kept too. Sets
    ``run.published_at`` and makes ``run`` the term's live run: the run live before is
    superseded (``live`` false, ``superseded_at`` set; the database allows one live run per
    school and term). Then, in the same transaction, ``signals.timetable_published`` is sent:
    the approved rest days from the first replaced day on, whose covers went with the old
    sessions, are covered again on the new ones or returned to the administrator, the teacher
    told (``scheduling.rest``); the places of activities the run no longer runs are released
    (refunded) and the run's enrolments become families' places when the school's enrolment
    window has closed (``marketplace.enrolment``). A receiver that raises rolls the publish
    back.
    """
    today = today if today is not None else timezone.localdate()
    try:
        with transaction.atomic():
            # Lock every run of the school, in a fixed order, before reading anything.
            list(
                TimetableRun.objects.select_for_update()
                .filter(school_id=run.school_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            # Then the school: rest claims lock it before the sessions they hand over, so
            # publishing takes it before rewriting the sessions, never the other way round.
            School.objects.select_for_update().filter(pk=run.school_id).exists()
            locked = TimetableRun.objects.select_related("school", "term").get(pk=run.pk)
            if locked.status != TimetableRun.Status.DONE:
                raise PublishError(_("Only a finished run can be published."), code="not_finished")
            if not isinstance(locked.solution, dict) or locked.solution_status not in PUBLISHABLE_STATUSES:
                raise PublishError(
                    _("Only a run with a feasible or optimal timetable can be published."),
                    code="no_timetable",
                )
            school, term = locked.school, locked.term

            decisions = _decisions(school=school, term=term, solution=locked.solution)
            by_weekday: dict[int, list[_Decision]] = defaultdict(list)
            for decision in decisions:
                by_weekday[decision.slot.weekday].append(decision)

            today = first_replaced_day(school=school, term=term, today=today)
            DatedSession.objects.filter(school=school, term=term, date__gte=today).delete()
            sessions = [
                DatedSession(
                    school=school,
                    term=term,
                    run=locked,
                    date=day.date,
                    slot=decision.slot,
                    start=decision.slot.start,
                    end=decision.slot.end,
                    kind=decision.kind,
                    school_class=decision.school_class,
                    activity=decision.activity,
                    staff=decision.staff,
                    instructor=decision.instructor,
                    room=decision.room,
                )
                for day in teaching_days_for(term, school, weekend_days=set(by_weekday))
                if day.date >= today
                for decision in by_weekday.get(day.weekday, ())
            ]
            DatedSession.objects.bulk_create(sessions, batch_size=500)

            now = timezone.now()
            TimetableRun.objects.filter(school=school, term=term, live=True).exclude(pk=locked.pk).update(
                live=False, superseded_at=now, updated_at=now
            )
            run.published_at, run.live, run.superseded_at = now, True, None
            run.save(update_fields=["published_at", "live", "superseded_at", "updated_at"])

            # Rest days and families' places follow the published timetable; the apps that own
            # them decide what that means. ``send``, not ``send_robust``: a receiver that
            # raises rolls the whole publish back.
            locked.published_at, locked.live = run.published_at, True
            recovered, reopened = [], []
            for _receiver, reply in timetable_published.send(sender=TimetableRun, run=locked, since=today):
                if reply is not None:
                    recovered += reply.recovered
                    reopened += reply.reopened
    except IntegrityError as error:
        raise PublishError(
            _("The timetable clashes with sessions already published."), code="clashes_with_published"
        ) from error
    return Published(sessions=len(sessions), since=today, recovered=recovered, reopened=reopened)
