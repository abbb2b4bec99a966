"""The school administrator's timetable pages as they are shown: names for the ids of a run,
its decisions, the weekly grids, the wording of the solver's reasons, the comparison before
publishing and the run page.

A run keeps its problem and solution in the public JSON format, whose ids follow the scheme
of ``scheduling.timetables.assembly`` (``t<pk>`` staff, ``i<pk>`` instructors, ``a<pk>``
activities, ``s<pk>`` pupils, ``3-2`` classes, room codes, ``mon-1`` slots). ``Names`` maps
those ids back to the school's rows so that the pages show names; an id with no row of this
school (an imported problem may name anything) falls back to the name the problem gives it,
then to the id itself.

Everything here only reads; state changes go through ``services``, ``publishing`` and
``imports``.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.weekdays import DAY_CODES, WEEKDAY_CHOICES
from marketplace.courses.models import Activity
from marketplace.households.models import Child
from marketplace.vendors.models import Instructor
from scheduling.rooms.models import Room
from scheduling.slots.models import Slot
from scheduling.slots.selectors import slot_codes
from scheduling.solver.diagnose import cancelled_reasons, quality, unplaced_reasons
from scheduling.solver.problem import load_problem, load_solution
from scheduling.staff.models import StaffMember
from scheduling.timetables.assembly import key_pk
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.publishing import PublishError, first_replaced_day, planned_sessions
from scheduling.timetables.selectors import live_run
from scheduling.timetables.signals import publish_comparing
from schools.models import SchoolClass

VIEWS = ("class", "teacher", "room", "day")
VIEW_LABELS = {
    "class": gettext_lazy("By class"),
    "teacher": gettext_lazy("By teacher"),
    "room": gettext_lazy("By room"),
    "day": gettext_lazy("By day"),
}
SOLUTION_STATUS_LABELS = {
    "optimal": gettext_lazy("Optimal timetable"),
    "feasible": gettext_lazy("Valid timetable (perhaps not the best)"),
    "infeasible": gettext_lazy("No timetable is possible"),
    "unknown": gettext_lazy("No timetable found in the time allowed"),
}
PUBLISHABLE = ("optimal", "feasible")


# --- the run's progress ---------------------------------------------------------------------


def run_progress(*, run: TimetableRun) -> dict:
    """The live progress of a run, as the progress endpoint returns it."""
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "best_objective": run.best_objective,
        "seconds": round(run.seconds or 0, 1),
        "finished": run.finished,
    }


# --- ids back to names ----------------------------------------------------------------------


def _rows(document, key: str) -> list[dict]:
    rows = document.get(key) if isinstance(document, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _strings(document, key: str) -> list[str]:
    rows = document.get(key) if isinstance(document, dict) else None
    return [row for row in rows if isinstance(row, str)] if isinstance(rows, list) else []


@dataclass(frozen=True)
class SlotInfo:
    id: str
    day: str
    position: int
    start: str
    end: str
    kind: str

    @property
    def day_label(self) -> str:
        return day_label(self.day)

    @property
    def label(self) -> str:
        return f"{self.day_label} {self.start}–{self.end}"

    @property
    def supervised(self) -> bool:
        return self.kind == Slot.Kind.SUPERVISED

    @property
    def kind_label(self) -> str:
        return _("Supervised study") if self.supervised else _("Enrichment activity")


def day_label(code: str) -> str:
    labels = dict(WEEKDAY_CHOICES)
    return str(labels[DAY_CODES.index(code)]) if code in DAY_CODES else str(code)


def class_label(grade, number) -> str:
    return _("Grade %(grade)s class %(number)s") % {"grade": grade, "number": number}


class Names:
    """The names behind the ids of one run's problem and solution(s), for one school."""

    def __init__(self, *, school, problem: dict | None, solutions: list[dict | None] = ()):
        problem = problem if isinstance(problem, dict) else {}
        solutions = [s for s in solutions if isinstance(s, dict)]
        self.problem = problem

        # Slots: the problem's, or the school's grid when the problem has none.
        self.slots: dict[str, SlotInfo] = {}
        for row in _rows(problem, "slots"):
            if isinstance(row.get("id"), str) and row.get("day") in DAY_CODES:
                position = sum(1 for s in self.slots.values() if s.day == row["day"]) + 1
                self.slots[row["id"]] = SlotInfo(
                    row["id"],
                    row["day"],
                    position,
                    str(row.get("start", "")),
                    str(row.get("end", "")),
                    str(row.get("kind", "")),
                )
        if not self.slots:
            codes = slot_codes(school=school)
            for slot in Slot.objects.filter(school=school).order_by("weekday", "start"):
                code = codes[slot.pk]
                self.slots[code] = SlotInfo(
                    code,
                    DAY_CODES[slot.weekday],
                    int(code.rsplit("-", 1)[1]),
                    slot.start.strftime("%H:%M"),
                    slot.end.strftime("%H:%M"),
                    slot.kind,
                )
        days = [d for d in problem.get("days") or [] if d in DAY_CODES] or list(DAY_CODES)
        with_slots = {s.day for s in self.slots.values()}
        self.days = [d for d in days if d in with_slots]

        # What the problem itself says, the fallback.
        self._problem_names: dict[str, str] = {}
        for key in ("staff", "activities"):
            for row in _rows(problem, key):
                if isinstance(row.get("id"), str) and isinstance(row.get("name"), str):
                    self._problem_names[row["id"]] = row["name"]
        for vendor in _rows(problem, "vendors"):
            for row in _rows(vendor, "instructors"):
                if isinstance(row.get("id"), str) and isinstance(row.get("name"), str):
                    self._problem_names[row["id"]] = row["name"]

        # The school's rows.
        self.classes_db = {
            c.code: c for c in SchoolClass.objects.filter(school=school).select_related("home_room")
        }
        self.rooms_db = {room.code: room.name for room in Room.objects.filter(school=school)}
        self.staff_db = dict(StaffMember.objects.filter(school=school).values_list("pk", "name"))

        ids: set[str] = set(self._problem_names)
        for solution in [*solutions, problem.get("pinned") or {}]:
            for key in ("supervisions", "meetings", "enrollments"):
                for row in _rows(solution, key):
                    ids.update(v for v in row.values() if isinstance(v, str))
            ids.update(_strings(solution, "cancelled"))
        ids.update(row.get("id") for row in _rows(problem, "students") if isinstance(row.get("id"), str))
        for solution in solutions:
            for row in _rows(solution, "explanation"):
                params = row.get("params") if isinstance(row.get("params"), dict) else {}
                ids.update(v for v in params.values() if isinstance(v, str))
        pks = defaultdict(set)
        for value in ids:
            for prefix in ("a", "i", "s"):
                pk = key_pk(value, prefix)
                if pk is not None:
                    pks[prefix].add(pk)
        self.activities_db = dict(
            Activity.objects.filter(school=school, pk__in=pks["a"]).values_list("pk", "name")
        )
        self.instructors_db = dict(
            Instructor.objects.filter(pk__in=pks["i"], vendor__activities__school=school)
            .distinct()
            .values_list("pk", "name")
        )
        self.children_db = dict(
            Child.objects.filter(pk__in=pks["s"], school_class__school=school).values_list("pk", "name")
        )

        self.problem_classes = {
            row["id"]: row for row in _rows(problem, "classes") if isinstance(row.get("id"), str)
        }

    # The labels.

    def slot(self, slot_id) -> str:
        info = self.slots.get(slot_id)
        return info.label if info else str(slot_id)

    def school_class(self, class_id) -> str:
        if class_id in self.classes_db:
            school_class = self.classes_db[class_id]
            return class_label(school_class.grade, school_class.number)
        match = re.fullmatch(r"([0-9]+)-([0-9]+)", str(class_id))
        return class_label(match.group(1), match.group(2)) if match else str(class_id)

    def room(self, room_id) -> str:
        return self.rooms_db.get(room_id) or str(room_id)

    def teacher(self, person_id) -> str:
        """A staff member (``t<pk>``) or a vendor instructor (``i<pk>``)."""
        pk = key_pk(person_id, "t")
        if pk is not None and pk in self.staff_db:
            return self.staff_db[pk]
        pk = key_pk(person_id, "i")
        if pk is not None and pk in self.instructors_db:
            return self.instructors_db[pk]
        return self._problem_names.get(person_id) or str(person_id)

    def activity(self, activity_id) -> str:
        pk = key_pk(activity_id, "a")
        if pk is not None and pk in self.activities_db:
            return self.activities_db[pk]
        return self._problem_names.get(activity_id) or str(activity_id)

    def student(self, student_id) -> str:
        pk = key_pk(student_id, "s")
        if pk is not None and pk in self.children_db:
            return self.children_db[pk]
        return str(student_id)

    def home_room(self, class_id) -> str | None:
        row = self.problem_classes.get(class_id)
        if row and isinstance(row.get("home_room"), str):
            return row["home_room"]
        school_class = self.classes_db.get(class_id)
        return school_class.home_room.code if school_class and school_class.home_room else None

    # The choices of the weekly views.

    def class_ids(self, decisions) -> list[str]:
        ids = list(self.problem_classes) or list(self.classes_db)
        ids += [d.class_id for d in decisions if d.class_id and d.class_id not in ids]
        return ids

    def teacher_ids(self, decisions) -> list[str]:
        ids = [row["id"] for row in _rows(self.problem, "staff") if isinstance(row.get("id"), str)]
        for vendor in _rows(self.problem, "vendors"):
            ids += [row["id"] for row in _rows(vendor, "instructors") if isinstance(row.get("id"), str)]
        if not ids:
            ids = [f"t{pk}" for pk in self.staff_db]
        ids += [d.person for d in decisions if d.person and d.person not in ids]
        return list(dict.fromkeys(ids))

    def room_ids(self, decisions) -> list[str]:
        ids = [row["id"] for row in _rows(self.problem, "rooms") if isinstance(row.get("id"), str)]
        ids = ids or sorted(self.rooms_db)
        ids += [d.room for d in decisions if d.room and d.room not in ids]
        return list(dict.fromkeys(ids))


# --- decisions of a solution ----------------------------------------------------------------


@dataclass(frozen=True)
class PinAction:
    """One pin/unpin button: the pin's kind and fields, and whether it is pinned now."""

    kind: str
    fields: tuple
    pinned: bool
    what: str  # "supervisor", "slot" or "room"

    @property
    def entry(self) -> dict:
        return dict(self.fields)


@dataclass
class Decision:
    """One weekly decision: a supervision (class, slot, staff) or a meeting (activity, slot, room, teacher)."""

    kind: str  # "supervision" or "meeting"
    slot: str
    person: str
    room: str | None
    class_id: str | None = None
    activity: str | None = None
    slot_label: str = ""
    subject_label: str = ""
    person_label: str = ""
    room_label: str = ""
    pins: list[PinAction] = field(default_factory=list)

    @property
    def supervision(self) -> bool:
        return self.kind == "supervision"

    @property
    def pinned(self) -> bool:
        return any(pin.pinned for pin in self.pins)

    @property
    def kind_label(self) -> str:
        return _("Supervised study") if self.supervision else _("Enrichment activity")


def _pinned_entries(pins: dict, kind: str) -> list[dict]:
    return _rows(pins, kind)


def decisions_of(*, solution: dict | None, names: Names, pins: dict | None = None) -> list[Decision]:
    """The solution's supervisions and meetings with their names and pin state, in slot order."""
    pins = pins if isinstance(pins, dict) else {}
    pinned_supervisions = _pinned_entries(pins, "supervisions")
    pinned_meetings = _pinned_entries(pins, "meetings")
    decisions = []
    for row in _rows(solution, "supervisions"):
        class_id, slot, staff = row.get("class"), row.get("slot"), row.get("staff")
        entry = {"class": class_id, "slot": slot, "staff": staff}
        decisions.append(
            Decision(
                kind="supervision",
                slot=slot,
                person=staff,
                room=names.home_room(class_id),
                class_id=class_id,
                slot_label=names.slot(slot),
                subject_label=names.school_class(class_id),
                person_label=names.teacher(staff),
                room_label=names.room(names.home_room(class_id)) if names.home_room(class_id) else "—",
                pins=[
                    PinAction(
                        "supervisions",
                        tuple(sorted(entry.items())),
                        entry in pinned_supervisions,
                        "supervisor",
                    )
                ],
            )
        )
    for row in _rows(solution, "meetings"):
        activity, slot, room, teacher = (
            row.get("activity"),
            row.get("slot"),
            row.get("room"),
            row.get("teacher"),
        )
        by_slot = {"activity": activity, "slot": slot}
        by_room = {"activity": activity, "room": room}
        decisions.append(
            Decision(
                kind="meeting",
                slot=slot,
                person=teacher,
                room=room,
                activity=activity,
                slot_label=names.slot(slot),
                subject_label=names.activity(activity),
                person_label=names.teacher(teacher),
                room_label=names.room(room),
                pins=[
                    PinAction("meetings", tuple(sorted(by_slot.items())), by_slot in pinned_meetings, "slot"),
                    PinAction("meetings", tuple(sorted(by_room.items())), by_room in pinned_meetings, "room"),
                ],
            )
        )
    order = {slot_id: i for i, slot_id in enumerate(names.slots)}
    decisions.sort(key=lambda d: (order.get(d.slot, len(order)), d.kind != "supervision", d.subject_label))
    return decisions


# --- the weekly views -----------------------------------------------------------------------


@dataclass
class Cell:
    slot: SlotInfo | None
    decisions: list[Decision] = field(default_factory=list)
    note: str = ""


@dataclass
class GridRow:
    position: int
    cells: list[Cell]


@dataclass
class WeeklyView:
    view: str
    key: str
    key_label: str
    choices: list[tuple[str, str]]
    days: list[str] = field(default_factory=list)
    rows: list[GridRow] = field(default_factory=list)
    day_decisions: list[Decision] = field(default_factory=list)

    @property
    def views(self) -> list[tuple[str, str]]:
        return [(view, str(VIEW_LABELS[view])) for view in VIEWS]

    @property
    def label(self) -> str:
        return str(VIEW_LABELS[self.view])


def _teacher_notes(names: Names, person: str) -> dict[str, str]:
    """Why a teacher cannot work in a slot, from the problem: unavailable, resting, not available."""
    notes = {}
    for row in _rows(names.problem, "staff"):
        if row.get("id") == person:
            for slot in _strings(row, "unavailable"):
                notes[slot] = _("Unavailable")
            resting = set(_strings(row, "rest_days"))
            for slot in names.slots.values():
                if slot.day in resting:
                    notes[slot.id] = _("Rest day")
    for vendor in _rows(names.problem, "vendors"):
        for row in _rows(vendor, "instructors"):
            if row.get("id") == person:
                available = set(_strings(row, "available"))
                for slot in names.slots:
                    if slot not in available:
                        notes[slot] = _("Not available")
    return notes


def weekly_view(*, names: Names, decisions: list[Decision], view: str | None, key: str | None) -> WeeklyView:
    """One of the four weekly views (``class``, ``teacher``, ``room``, ``day``) for one key."""
    view = view if view in VIEWS else "class"
    if view == "class":
        choices = [(c, names.school_class(c)) for c in names.class_ids(decisions)]
    elif view == "teacher":
        choices = [(t, names.teacher(t)) for t in names.teacher_ids(decisions)]
    elif view == "room":
        choices = [(r, names.room(r)) for r in names.room_ids(decisions)]
    else:
        choices = [(d, day_label(d)) for d in names.days]
    keys = dict(choices)
    key = key if key in keys else (choices[0][0] if choices else "")
    result = WeeklyView(view=view, key=key, key_label=keys.get(key, ""), choices=choices)

    if view == "day":
        day_slots = {s.id for s in names.slots.values() if s.day == key}
        result.day_decisions = [d for d in decisions if d.slot in day_slots]
        return result

    if view == "class":
        chosen = [d for d in decisions if d.supervision and d.class_id == key]
        notes = {}
    elif view == "teacher":
        chosen = [d for d in decisions if d.person == key]
        notes = _teacher_notes(names, key)
    else:
        chosen = [d for d in decisions if d.room == key]
        notes = {}
    by_slot: dict[str, list[Decision]] = defaultdict(list)
    for decision in chosen:
        by_slot[decision.slot].append(decision)

    per_day = {day: [s for s in names.slots.values() if s.day == day] for day in names.days}
    depth = max((len(slots) for slots in per_day.values()), default=0)
    result.days = [day_label(day) for day in names.days]
    for i in range(depth):
        cells = []
        for day in names.days:
            slot = per_day[day][i] if i < len(per_day[day]) else None
            if slot is None:
                cells.append(Cell(slot=None))
            else:
                cells.append(Cell(slot=slot, decisions=by_slot.get(slot.id, []), note=notes.get(slot.id, "")))
        result.rows.append(GridRow(position=i + 1, cells=cells))
    return result


# --- what an infeasible run says, what was cancelled, who is unplaced -------------------------


def _describe_entry(names: Names, entry: dict) -> str:
    """A pinned decision in words: its names joined by “ · ”."""
    parts = []
    if "class" in entry:
        parts.append(names.school_class(entry["class"]))
    if "activity" in entry:
        parts.append(names.activity(entry["activity"]))
    if "student" in entry:
        parts.append(names.student(entry["student"]))
    if "slot" in entry:
        parts.append(names.slot(entry["slot"]))
    if "room" in entry:
        parts.append(names.room(entry["room"]))
    for key in ("staff", "teacher"):
        if key in entry:
            parts.append(names.teacher(entry[key]))
    return " · ".join(parts)


def explanation_of(*, solution: dict | None, names: Names) -> list[str]:
    """The reasons an infeasible solution gives, as sentences in the active language."""
    sentences = []
    for row in _rows(solution, "explanation"):
        code = row.get("code")
        params = row.get("params") if isinstance(row.get("params"), dict) else {}
        try:
            sentence = _explain(code, params, names)
        except (KeyError, TypeError, ValueError):
            sentence = None
        if sentence is None:
            sentence = str(row.get("text") or code or "")
        sentences.append(sentence)
    return sentences


def _explain(code, p: dict, names: Names) -> str | None:
    if code == "class_unsupervisable":
        classes = (
            p.get("classes") if isinstance(p.get("classes"), list) and p.get("classes") else [p["class"]]
        )
        return _(
            "%(classes)s: no supervisor can be found in %(slot)s — every staff member is unavailable, "
            "resting or at their maximum duties then."
        ) % {
            "classes": get_text_list([names.school_class(c) for c in classes], _("and")),
            "slot": names.slot(p["slot"]),
        }
    if code == "home_room_shared":
        return _("%(classes)s share the home room %(room)s in %(slot)s.") % {
            "classes": get_text_list([names.school_class(c) for c in p["classes"]], _("and")),
            "room": names.room(p["room"]),
            "slot": names.slot(p["slot"]),
        }
    if code == "min_duties_unreachable":
        return _(
            "%(staff)s must take at least %(min_duties)s duties a week but can take at most %(possible)s."
        ) % {"staff": names.teacher(p["staff"]), "min_duties": p["min_duties"], "possible": p["possible"]}
    if code == "supervision_capacity_short":
        return _(
            "The classes need %(needed)s supervisions a week, but the staff can take at most %(available)s "
            "within their duty caps, rest days and unavailability."
        ) % {"needed": p["needed"], "available": p["available"]}
    if code == "duty_cap":
        return _("%(staff)s may take at most %(max_duties)s duties a week.") % {
            "staff": names.teacher(p["staff"]),
            "max_duties": p["max_duties"],
        }
    if code == "min_duties":
        return _("%(staff)s must take at least %(min_duties)s duties a week.") % {
            "staff": names.teacher(p["staff"]),
            "min_duties": p["min_duties"],
        }
    if code == "pinned_impossible":
        return _("A pinned decision cannot be kept: %(decision)s.") % {"decision": _describe_entry(names, p)}
    if code == "pinned_conflict":
        if "cancelled" in p:
            return _("%(activity)s is pinned as cancelled, which conflicts with the other rules.") % {
                "activity": names.activity(p["cancelled"])
            }
        return _("A pinned decision conflicts with the other rules: %(decision)s.") % {
            "decision": _describe_entry(names, p)
        }
    if code == "unexplained":
        return _("No timetable satisfies every rule, but no short reason was found in time.")
    return None


def _loaded(names: Names, solution: dict | None):
    """The run's problem and solution as solver values, or None when they do not load (an
    imported or hand-made run whose problem lacks parts the solver needs)."""
    try:
        return load_problem(copy.deepcopy(names.problem)), load_solution(solution or {})
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _reason_text(names: Names, reason) -> str:
    """A solver fact (``scheduling.solver.diagnose``) worded for the page, in its language."""
    p = reason.params
    activity = names.activity(p.get("activity")) if p.get("activity") else ""
    code = reason.code
    if code == "below_minimum":
        text = (
            ngettext(
                "Below its minimum size: %(eligible)d pupil of its grades chose it, %(min_size)d needed.",
                "Below its minimum size: %(eligible)d pupils of its grades chose it, %(min_size)d needed.",
                p["eligible"],
            )
            % p
        )
        if p["chose"] > p["eligible"]:
            text += " " + ngettext(
                "%(count)d more chose it from other grades.",
                "%(count)d more chose it from other grades.",
                p["chose"] - p["eligible"],
            ) % {"count": p["chose"] - p["eligible"]}
        return text
    sentences = {
        "no_eligible_leader": _("No eligible leader: nobody may teach its subject."),
        "leader_unavailable": _(
            "Its possible leaders are available on fewer days of its allowed slots than its meetings."
        ),
        "no_room_kind": _("The school has no room of its kind."),
        "rooms_too_small": _("No room of its kind holds its minimum size."),
        "no_room_free": _("No room of its kind is free in its allowed slots on enough days."),
        "no_leader_free": _("Everyone who may lead it is busy in its free slots on enough days."),
        "outweighed": _("It could have run, but placing its pupils in their other choices scored more."),
        "unknown_activity": _("The problem does not list this activity."),
        "no_choices": _("Ranked no activity."),
        "wrong_grade": _("%(activity)s: not open to the pupil's grade.") % {"activity": activity},
        "not_on_days": _("%(activity)s: meets on a day the pupil does not stay.") % {"activity": activity},
        "full": _("%(activity)s: full.") % {"activity": activity},
        "room_full": _("%(activity)s: its room holds no more pupils.") % {"activity": activity},
        "not_reached": _("%(activity)s: had a free place; the search ended without it.")
        % {"activity": activity},
    }
    if code == "choosers_busy":
        return (
            ngettext(
                "Clashes: of %(eligible)d pupil who chose it, %(free)d could still take it "
                "(the others have enough activities or others at every free time); %(min_size)d needed.",
                "Clashes: of %(eligible)d pupils who chose it, %(free)d could still take it "
                "(the others have enough activities or others at every free time); %(min_size)d needed.",
                p["eligible"],
            )
            % p
        )
    if code == "cancelled":
        return _("%(activity)s: cancelled.") % {"activity": activity}
    return str(sentences.get(code, reason.text))


@dataclass(frozen=True)
class Cancelled:
    activity: str
    name: str
    reason: str
    code: str = ""


def cancelled_of(*, solution: dict | None, names: Names) -> list[Cancelled]:
    """The cancelled activities, each with the reason the solution's facts give
    (``scheduling.solver.diagnose.cancelled_reasons``)."""
    loaded = _loaded(names, solution)
    reasons = cancelled_reasons(*loaded) if loaded else {}
    result = []
    for activity_id in _strings(solution, "cancelled"):
        reason = reasons.get(activity_id)
        text = _reason_text(names, reason) if reason else _("The problem does not list this activity.")
        result.append(
            Cancelled(activity_id, names.activity(activity_id), text, reason.code if reason else "")
        )
    return result


@dataclass(frozen=True)
class UnplacedChoice:
    activity: str
    name: str
    reason: str
    code: str


@dataclass(frozen=True)
class UnplacedPupil:
    student: str
    name: str
    class_label: str
    choices: list[UnplacedChoice]
    reason: str = ""  # a reason of the pupil's own (no choices), else empty

    def __str__(self) -> str:
        return self.name


def unplaced_of(*, solution: dict | None, names: Names) -> list[UnplacedPupil]:
    """Pupils who want activities but got none, each with their class, their choices in rank
    order and the reason for each choice (``scheduling.solver.diagnose.unplaced_reasons``)."""
    loaded = _loaded(names, solution)
    if loaded is None:
        enrolled = {row.get("student") for row in _rows(solution, "enrollments")}
        return [
            UnplacedPupil(row["id"], names.student(row["id"]), names.school_class(row.get("class")), [])
            for row in _rows(names.problem, "students")
            if isinstance(row.get("wants"), int) and row["wants"] > 0 and row.get("id") not in enrolled
        ]
    result = []
    for pupil in unplaced_reasons(*loaded):
        choices = [
            UnplacedChoice(
                reason.params.get("activity", ""),
                names.activity(reason.params.get("activity")),
                _reason_text(names, reason),
                reason.code,
            )
            for reason in pupil.reasons
            if reason.code != "no_choices"
        ]
        own = next((_reason_text(names, r) for r in pupil.reasons if r.code == "no_choices"), "")
        result.append(
            UnplacedPupil(
                pupil.student, names.student(pupil.student), names.school_class(pupil.class_id), choices, own
            )
        )
    return result


@dataclass(frozen=True)
class Quality:
    wanting: int
    placed: int
    first_choice: int
    placed_rate: float
    first_choice_rate: float
    unplaced: int
    cancelled: int

    @property
    def placed_percent(self) -> int:
        return round(self.placed_rate * 100)

    @property
    def first_choice_percent(self) -> int:
        return round(self.first_choice_rate * 100)


def quality_of(*, problem: dict | None, solution: dict | None) -> Quality | None:
    """Pupils placed and first-choice rate of a solution (``diagnose.quality``), or None when
    there is no timetable or its problem does not load."""
    if not isinstance(solution, dict) or solution.get("status") not in PUBLISHABLE:
        return None
    try:
        loaded = load_problem(copy.deepcopy(problem)), load_solution(solution)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Quality(**quality(*loaded))


# --- what moved since the previous run --------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    label: str
    added: list[str]
    removed: list[str]


def _decision_keys(solution: dict | None) -> dict[str, set[tuple]]:
    return {
        "supervisions": {
            (r.get("class"), r.get("slot"), r.get("staff")) for r in _rows(solution, "supervisions")
        },
        "meetings": {
            (r.get("activity"), r.get("slot"), r.get("room"), r.get("teacher"))
            for r in _rows(solution, "meetings")
        },
        "enrollments": {(r.get("student"), r.get("activity")) for r in _rows(solution, "enrollments")},
    }


def changes_since(*, solution: dict | None, previous: dict | None, names: Names) -> list[Moved]:
    """Decisions added and removed versus the previous run's solution, per kind."""
    new, old = _decision_keys(solution), _decision_keys(previous)
    describe = {
        "supervisions": lambda k: " · ".join(
            (names.school_class(k[0]), names.slot(k[1]), names.teacher(k[2]))
        ),
        "meetings": lambda k: " · ".join(
            (names.activity(k[0]), names.slot(k[1]), names.room(k[2]), names.teacher(k[3]))
        ),
        "enrollments": lambda k: " · ".join((names.student(k[0]), names.activity(k[1]))),
    }
    labels = {
        "supervisions": _("Supervisions"),
        "meetings": _("Activity meetings"),
        "enrollments": _("Enrolments"),
    }
    return [
        Moved(
            labels[kind],
            sorted(describe[kind](k) for k in new[kind] - old[kind]),
            sorted(describe[kind](k) for k in old[kind] - new[kind]),
        )
        for kind in ("supervisions", "meetings", "enrollments")
    ]


# --- publishing against the live run ---------------------------------------------------------


@dataclass
class PublishComparison:
    """What publishing ``run`` changes against the live run, for the confirmation page.

    ``covers_affected`` and ``rest_affected`` are what the receivers of
    ``signals.publish_comparing`` reply (``scheduling.rest``): the covers the replaced sessions
    carry, and the approved rest days from ``since`` on, each with ``name``, ``date`` and
    ``covers``.
    """

    run: TimetableRun
    live: TimetableRun | None
    since: object
    quality: Quality | None
    live_quality: Quality | None
    newly_cancelled: list[str]
    no_longer_cancelled: list[str]
    sessions_replaced: int
    sessions_moved: int
    covers_affected: int
    rest_affected: list
    error: str = ""

    @property
    def placed_change(self) -> int | None:
        if self.quality is None or self.live_quality is None:
            return None
        return self.quality.placed - self.live_quality.placed

    @property
    def first_choice_change(self) -> int | None:
        if self.quality is None or self.live_quality is None:
            return None
        return self.quality.first_choice_percent - self.live_quality.first_choice_percent

    @property
    def worse(self) -> bool:
        """Fewer pupils placed or a lower first-choice rate than the live run."""
        return (self.placed_change or 0) < 0 or (self.first_choice_change or 0) < 0


def publish_comparison(*, run: TimetableRun, today) -> PublishComparison:
    """Compare publishing ``run`` on ``today`` with the term's live run: pupils placed and
    first-choice rate of both, activities newly (no longer) cancelled, the dated sessions from
    the first replaced day on that would move (change day, time, room or teacher, or go), the
    covers those sessions carry, and the approved rest days from then on (each is covered
    again on publishing, or returned to the administrator)."""
    school, term = run.school, run.term
    live = live_run(school=school, term=term)
    since = first_replaced_day(school=school, term=term, today=today)
    names = Names(
        school=school, problem=run.problem, solutions=[run.solution, live.solution if live else None]
    )
    new_cancelled = set(_strings(run.solution, "cancelled"))
    old_cancelled = set(_strings(live.solution, "cancelled")) if live else set()

    existing = DatedSession.objects.filter(school=school, term=term, date__gte=since)
    weekly_holder: dict[int, int] = {}
    covers_affected, rest_affected = 0, []
    for _receiver, reply in publish_comparing.send(
        sender=TimetableRun, run=run, since=since, sessions=existing
    ):
        if reply is not None:
            weekly_holder.update(reply.weekly_holders)
            covers_affected += reply.covers
            rest_affected += reply.rest_affected
    # A session handed to a substitute counts as its weekly holder's, as the new run plans it.
    old = {
        (
            row["date"],
            row["slot_id"],
            row["kind"],
            row["school_class_id"],
            row["activity_id"],
            weekly_holder.get(row["pk"], row["staff_id"]) if row["staff_id"] else None,
            row["instructor_id"],
            row["room_id"],
        )
        for row in existing.values(
            "pk",
            "date",
            "slot_id",
            "kind",
            "school_class_id",
            "activity_id",
            "staff_id",
            "instructor_id",
            "room_id",
        )
    }
    error = ""
    try:
        new = set(planned_sessions(run=run, since=since))
    except PublishError as refused:
        new, error = set(), refused.message
    return PublishComparison(
        run=run,
        live=live,
        since=since,
        quality=quality_of(problem=run.problem, solution=run.solution),
        live_quality=quality_of(problem=live.problem, solution=live.solution) if live else None,
        newly_cancelled=sorted(names.activity(a) for a in new_cancelled - old_cancelled),
        no_longer_cancelled=sorted(names.activity(a) for a in old_cancelled - new_cancelled) if live else [],
        sessions_replaced=len(old),
        sessions_moved=len(old - new),
        covers_affected=covers_affected,
        rest_affected=rest_affected,
        error=error,
    )


# --- the run page ---------------------------------------------------------------------------


@dataclass
class RunPage:
    run: TimetableRun
    solution_status: str | None
    solution_status_label: str
    has_solution: bool
    can_pin: bool
    can_resolve: bool
    can_publish: bool
    explanation: list[str]
    weekly: WeeklyView | None
    cancelled: list[Cancelled]
    unplaced: list[str]
    changes: list[Moved] | None
    pins_count: int
    pins_held: int
    quality: Quality | None = None
    live: TimetableRun | None = None

    @property
    def moved_any(self) -> bool:
        return any(moved.added or moved.removed for moved in self.changes or [])


def run_page(*, run: TimetableRun, school, view: str | None = None, key: str | None = None) -> RunPage:
    """Everything the run page shows."""
    solution = run.solution if isinstance(run.solution, dict) else None
    previous = run.previous_run.solution if run.previous_run_id and run.previous_run else None
    names = Names(school=school, problem=run.problem, solutions=[solution, previous])
    status = run.solution_status if solution else None
    decisions = decisions_of(solution=solution, names=names, pins=run.pins)
    has_solution = bool(solution) and status in PUBLISHABLE
    held = run.problem.get("pinned") if isinstance(run.problem, dict) else None
    return RunPage(
        run=run,
        solution_status=status,
        solution_status_label=str(SOLUTION_STATUS_LABELS.get(status, status or "")),
        has_solution=has_solution,
        can_pin=has_solution and run.finished,
        can_resolve=run.finished and bool(solution),
        can_publish=has_solution and run.status == TimetableRun.Status.DONE,
        explanation=explanation_of(solution=solution, names=names) if status == "infeasible" else [],
        weekly=weekly_view(names=names, decisions=decisions, view=view, key=key) if has_solution else None,
        cancelled=cancelled_of(solution=solution, names=names) if has_solution else [],
        unplaced=unplaced_of(solution=solution, names=names) if has_solution else [],
        changes=changes_since(solution=solution, previous=previous, names=names)
        if has_solution and run.previous_run_id and isinstance(previous, dict)
        else None,
        quality=quality_of(problem=run.problem, solution=solution) if has_solution else None,
        live=live_run(school=school, term=run.term),
        pins_count=sum(len(v) for v in (run.pins or {}).values() if isinstance(v, list)),
        pins_held=sum(len(v) for v in (held or {}).values() if isinstance(v, list))
        if isinstance(held, dict)
        else 0,
    )
