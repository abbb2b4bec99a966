"""The independent checker: every hard rule, the metrics and the objective of a solution.

This module implements ``shared/spec/timetable-json.md`` ("Hard rules", "Objective", "Metrics
printed by check") directly from the spec. It deliberately shares no code with the solver
(``scheduling.solver.model``), so a bug in the model cannot hide itself here; it only reads the
plain values of ``scheduling.solver.problem`` and never imports Django.

``check(problem, solution)`` returns a ``CheckReport``: one human-readable line per broken
hard-rule instance, each starting with the rule number and name (``rule 1 (supervision): class
3-2 has no supervisor in mon-1``), and the spec's metrics. ``objective(problem, solution)``
returns the spec's objective as an integer.

Decisions the spec leaves open, and how they are settled here:

* A reference to an unknown id in the solution is a violation of the rule its element belongs
  to (a supervision's class, slot or staff: rule 1; a meeting's activity or slot and a
  cancelled id: rule 2; a meeting's room: rule 3; a meeting's teacher: rule 4; an enrolment's
  student or activity: rule 5). The element is then left out of every other check.
* A decision listed twice (same supervision, meeting, enrolment or cancellation) is one
  violation of its rule; every other check, the metrics and the objective treat the decisions
  as sets, so the duplicate is not counted again.
* A room is used once per distinct occupant in a slot: a class (its supervision, whoever the
  supervisors are) or an activity. Two occupants in one room and slot are a rule 3 clash.
* A person's places in a slot are the distinct classes they supervise and activities they
  teach there; more than one is a rule 4 clash. Staff rules (unavailable slots, rest days,
  duties) apply to staff ids, ``available`` and ``max_sessions`` to instructor ids (sessions are
  the meetings an instructor teaches).
* A pinned meeting holds when some meeting of its activity matches every field the pin gives;
  each pin is matched on its own (two pins may be met by one meeting).
* Student metrics count an enrolment only when its activity is among the student's choices
  (others are rule 5 violations and score no rank points): ``first_choice_rate`` is the share
  of students wanting who have their first choice, ``any_choice_rate`` the share who have at
  least one choice, ``wanting_but_none`` the number who have none, and ``seat_fill_rate`` is
  those enrolments over the sum of ``min(wants, number of choices)``.
* ``changes`` compares sets of supervisions (class, slot, staff), meetings (activity, slot,
  room, teacher) and enrolments (student, activity); cancellations are not decisions of the
  objective. Elements of ``previous`` naming an id no longer in the problem are dropped before
  the symmetric difference is taken (so they are neither kept nor counted as removed).
* The staff counted in the duty spread (objective and ``duty_*`` metrics) are the staff members
  with ``max_duties`` not 0 and at least one slot of any kind that is neither in their
  ``unavailable`` nor on a rest day; with none, ``duty_max`` = ``duty_min`` = 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scheduling.solver.problem import (
    ENRICHMENT,
    STAFF_PROVIDER,
    SUPERVISED,
    Enrollment,
    Meeting,
    Problem,
    Solution,
    Supervision,
)

RULE_NAMES = {
    1: "supervision",
    2: "activities",
    3: "rooms",
    4: "people",
    5: "students",
    6: "pinned",
}

METRIC_KEYS = (
    "hard_violations",
    "students_wanting",
    "first_choice_rate",
    "any_choice_rate",
    "seat_fill_rate",
    "wanting_but_none",
    "rank_points",
    "cancelled",
    "duty_max",
    "duty_min",
    "duty_spread",
)


@dataclass
class CheckReport:
    """The result of ``check``: broken hard-rule instances and the spec's metrics."""

    violations: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


def _rate(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _n(n: int, one: str, many: str | None = None) -> str:
    """``1 meeting``, ``2 meetings``."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _dedupe(items):
    """The items in first-seen order without repeats, and the repeated ones with their count."""
    counts = Counter(items)
    return list(dict.fromkeys(items)), [(item, n) for item, n in counts.items() if n > 1]


# --- objective and metrics --------------------------------------------------------------------


def _rank_points(problem: Problem, enrollments) -> int:
    points = problem.weights.rank_points
    total = 0
    for e in set(enrollments):
        student = problem.student_by_id.get(e.student)
        if student is None or e.activity not in student.choices:
            continue
        rank = student.choices.index(e.activity)
        total += points[rank] if rank < len(points) else 0
    return total


def counted_staff(problem: Problem) -> list[str]:
    """Ids of the staff in the duty spread: able to work some slot, and ``max_duties`` not 0."""
    counted = []
    for s in problem.staff:
        if s.max_duties == 0:
            continue
        if any(slot.id not in s.unavailable and slot.day not in s.rest_days for slot in problem.slots):
            counted.append(s.id)
    return counted


def _duties(problem: Problem, supervisions, meetings) -> Counter:
    """Duties per staff id: distinct supervisions plus distinct meetings taught."""
    duties = Counter()
    for s in set(supervisions):
        if s.staff in problem.staff_by_id:
            duties[s.staff] += 1
    for m in set(meetings):
        if m.teacher in problem.staff_by_id:
            duties[m.teacher] += 1
    return duties


def _duty_range(problem: Problem, solution: Solution) -> tuple[int, int]:
    staff = counted_staff(problem)
    if not staff:
        return 0, 0
    duties = _duties(problem, solution.supervisions, solution.meetings)
    values = [duties[s] for s in staff]
    return max(values), min(values)


def _known_previous(problem: Problem) -> tuple[set, set, set]:
    """The sets of ``previous`` decisions, without elements naming ids not in the problem."""
    prev = problem.previous
    if prev is None:
        return set(), set(), set()
    teachers = problem.staff_by_id.keys() | problem.instructor_by_id.keys()
    sups = {
        s
        for s in prev.supervisions
        if s.class_id in problem.class_by_id
        and s.slot in problem.slot_by_id
        and s.staff in problem.staff_by_id
    }
    meets = {
        Meeting(m.activity, m.slot, m.room, m.teacher)
        for m in prev.meetings
        if m.activity in problem.activity_by_id
        and m.slot in problem.slot_by_id
        and m.room in problem.room_by_id
        and m.teacher in teachers
    }
    enrols = {
        e
        for e in prev.enrollments
        if e.student in problem.student_by_id and e.activity in problem.activity_by_id
    }
    return sups, meets, enrols


def changes(problem: Problem, solution: Solution) -> int:
    """Size of the symmetric difference from ``problem.previous`` (0 without one)."""
    if problem.previous is None:
        return 0
    sups, meets, enrols = _known_previous(problem)
    return (
        len(sups ^ set(solution.supervisions))
        + len(meets ^ set(solution.meetings))
        + len(enrols ^ set(solution.enrollments))
    )


def objective(problem: Problem, solution: Solution) -> int:
    """The spec's objective (maximised) of this solution's decisions."""
    duty_max, duty_min = _duty_range(problem, solution)
    w = problem.weights
    return (
        _rank_points(problem, solution.enrollments)
        - w.duty_spread * (duty_max - duty_min)
        - w.changes * changes(problem, solution)
    )


def metrics(problem: Problem, solution: Solution, hard_violations: int) -> dict:
    """The spec's "Metrics printed by check", with the given violation count."""
    got = defaultdict(set)
    for e in solution.enrollments:
        got[e.student].add(e.activity)
    wanting = first = anyone = seats = seats_wanted = 0
    for s in problem.students:
        if s.wants <= 0 or not s.choices:
            continue
        wanting += 1
        mine = got[s.id] & set(s.choices)
        first += s.choices[0] in mine
        anyone += bool(mine)
        seats += len(mine)
        seats_wanted += min(s.wants, len(s.choices))
    duty_max, duty_min = _duty_range(problem, solution)
    return {
        "hard_violations": hard_violations,
        "students_wanting": wanting,
        "first_choice_rate": _rate(first, wanting),
        "any_choice_rate": _rate(anyone, wanting),
        "seat_fill_rate": _rate(seats, seats_wanted),
        "wanting_but_none": wanting - anyone,
        "rank_points": _rank_points(problem, solution.enrollments),
        "cancelled": len(set(solution.cancelled)),
        "duty_max": duty_max,
        "duty_min": duty_min,
        "duty_spread": duty_max - duty_min,
    }


# --- hard rules -------------------------------------------------------------------------------


class _Checker:
    """One pass over a solution; ``out`` collects the violation lines in rule order."""

    def __init__(self, problem: Problem, solution: Solution):
        self.p = problem
        self.sol = solution
        self.found: dict[int, list[str]] = defaultdict(list)

    def bad(self, rule: int, text: str) -> None:
        self.found[rule].append(f"rule {rule} ({RULE_NAMES[rule]}): {text}")

    def run(self) -> list[str]:
        self.filter_references()
        self.rule_supervision()
        self.rule_activities()
        self.rule_rooms()
        self.rule_people()
        self.rule_students()
        self.rule_pinned()
        return [line for rule in sorted(self.found) for line in self.found[rule]]

    # known, deduplicated decisions -----------------------------------------------------------
    def filter_references(self) -> None:
        p = self.p
        self.sups: list[Supervision] = []
        for s in self.sol.supervisions:
            if s.class_id not in p.class_by_id:
                self.bad(1, f"a supervision names unknown class {s.class_id}")
            elif s.slot not in p.slot_by_id:
                self.bad(1, f"the supervision of class {s.class_id} names unknown slot {s.slot}")
            elif s.staff in p.instructor_by_id:
                self.bad(
                    1,
                    f"class {s.class_id} is supervised in {s.slot} by {s.staff}, an instructor, not a staff member",
                )
            elif s.staff not in p.staff_by_id:
                self.bad(
                    1,
                    f"the supervision of class {s.class_id} in {s.slot} names unknown staff member {s.staff}",
                )
            else:
                self.sups.append(s)
        self.sups, repeated = _dedupe(self.sups)
        for s, n in repeated:
            self.bad(1, f"the supervision of class {s.class_id} in {s.slot} by {s.staff} is listed {n} times")

        self.meets: list[Meeting] = []
        for m in self.sol.meetings:
            if m.activity not in p.activity_by_id:
                self.bad(2, f"a meeting names unknown activity {m.activity}")
            elif m.slot not in p.slot_by_id:
                self.bad(2, f"a meeting of activity {m.activity} names unknown slot {m.slot}")
            elif m.room not in p.room_by_id:
                self.bad(3, f"the meeting of activity {m.activity} in {m.slot} names unknown room {m.room}")
            elif m.teacher not in p.staff_by_id and m.teacher not in p.instructor_by_id:
                self.bad(
                    4, f"the meeting of activity {m.activity} in {m.slot} names unknown teacher {m.teacher}"
                )
            else:
                self.meets.append(m)
        self.meets, repeated = _dedupe(self.meets)
        for m, n in repeated:
            self.bad(
                2,
                f"the meeting of activity {m.activity} in {m.slot} ({m.room}, {m.teacher}) is listed {n} times",
            )

        cancelled = []
        for a in self.sol.cancelled:
            if a not in p.activity_by_id:
                self.bad(2, f"cancelled names unknown activity {a}")
            else:
                cancelled.append(a)
        cancelled, repeated = _dedupe(cancelled)
        self.cancelled = set(cancelled)
        for a, n in repeated:
            self.bad(2, f"activity {a} is listed in cancelled {n} times")

        self.enrols: list[Enrollment] = []
        for e in self.sol.enrollments:
            if e.student not in p.student_by_id:
                self.bad(5, f"an enrolment names unknown student {e.student}")
            elif e.activity not in p.activity_by_id:
                self.bad(5, f"the enrolment of student {e.student} names unknown activity {e.activity}")
            else:
                self.enrols.append(e)
        self.enrols, repeated = _dedupe(self.enrols)
        for e, n in repeated:
            self.bad(5, f"student {e.student} is enrolled in {e.activity} {n} times")

        self.meetings_of: dict[str, list[Meeting]] = defaultdict(list)
        for m in self.meets:
            self.meetings_of[m.activity].append(m)
        self.students_of: dict[str, list[str]] = defaultdict(list)
        self.activities_of: dict[str, list[str]] = defaultdict(list)
        for e in self.enrols:
            self.students_of[e.activity].append(e.student)
            self.activities_of[e.student].append(e.activity)

    # rule 1 ------------------------------------------------------------------------------------
    def rule_supervision(self) -> None:
        p = self.p
        by_class_slot: dict[tuple[str, str], list[str]] = defaultdict(list)
        for s in self.sups:
            by_class_slot[(s.class_id, s.slot)].append(s.staff)
            slot = p.slot_by_id[s.slot]
            cls = p.class_by_id[s.class_id]
            if slot.kind != SUPERVISED:
                self.bad(1, f"class {cls.id} is supervised in {slot.id}, which is not a supervised slot")
            elif slot.day not in cls.days:
                self.bad(1, f"class {cls.id} is supervised in {slot.id}, but it has no class on {slot.day}")
        for cls in p.classes:
            for slot in p.slots:
                if slot.kind != SUPERVISED or slot.day not in cls.days:
                    continue
                staff = by_class_slot.get((cls.id, slot.id), [])
                if not staff:
                    self.bad(1, f"class {cls.id} has no supervisor in {slot.id}")
                elif len(staff) > 1:
                    self.bad(
                        1, f"class {cls.id} has {len(staff)} supervisors in {slot.id} ({', '.join(staff)})"
                    )

    # rule 2 ------------------------------------------------------------------------------------
    def rule_activities(self) -> None:
        p = self.p
        for act in p.activities:
            meetings = self.meetings_of.get(act.id, [])
            students = self.students_of.get(act.id, [])
            if act.id in self.cancelled:
                if meetings:
                    self.bad(2, f"activity {act.id} is cancelled but has {_n(len(meetings), 'meeting')}")
                if students:
                    self.bad(
                        2,
                        f"activity {act.id} is cancelled but has {_n(len(students), 'student')} ({', '.join(students)})",
                    )
                continue
            if not meetings:
                self.bad(2, f"activity {act.id} neither runs nor is cancelled")
                continue
            if len(meetings) != act.meetings:
                self.bad(
                    2, f"activity {act.id} has {_n(len(meetings), 'meeting')}, needs exactly {act.meetings}"
                )
            by_day: dict[str, list[str]] = defaultdict(list)
            for m in meetings:
                slot = p.slot_by_id[m.slot]
                by_day[slot.day].append(slot.id)
                if slot.kind != ENRICHMENT:
                    self.bad(2, f"activity {act.id} meets in {slot.id}, which is not an enrichment slot")
                if act.slots is not None and slot.id not in act.slots:
                    self.bad(
                        2,
                        f"activity {act.id} meets in {slot.id}, which is not among its slots ({', '.join(act.slots)})",
                    )
            for day, slot_ids in by_day.items():
                if len(slot_ids) > 1:
                    self.bad(
                        2, f"activity {act.id} meets {len(slot_ids)} times on {day} ({', '.join(slot_ids)})"
                    )
            if len(students) < act.min_size:
                self.bad(
                    2,
                    f"activity {act.id} runs with {_n(len(students), 'student')}, fewer than min_size {act.min_size}",
                )
            if len(students) > act.max_size:
                self.bad(
                    2,
                    f"activity {act.id} runs with {_n(len(students), 'student')}, more than max_size {act.max_size}",
                )

    # rule 3 ------------------------------------------------------------------------------------
    def rule_rooms(self) -> None:
        p = self.p
        occupants: dict[tuple[str, str], list[str]] = defaultdict(list)
        for s in self.sups:
            who = f"class {s.class_id}"
            key = (p.class_by_id[s.class_id].home_room, s.slot)
            if who not in occupants[key]:
                occupants[key].append(who)
        for m in self.meets:
            act = p.activity_by_id[m.activity]
            room = p.room_by_id[m.room]
            who = f"activity {act.id}"
            if who not in occupants[(room.id, m.slot)]:
                occupants[(room.id, m.slot)].append(who)
            if act.room_kind not in room.kinds:
                self.bad(3, f"room {room.id} of activity {act.id} in {m.slot} is not of kind {act.room_kind}")
            enrolled = len(self.students_of.get(act.id, []))
            if room.capacity < enrolled:
                self.bad(
                    3,
                    f"room {room.id} of activity {act.id} in {m.slot} holds {room.capacity}, "
                    f"fewer than its {_n(enrolled, 'student')}",
                )
        for (room_id, slot_id), who in occupants.items():
            if len(who) > 1:
                self.bad(3, f"room {room_id} is used {len(who)} times in {slot_id} ({', '.join(who)})")

    # rule 4 ------------------------------------------------------------------------------------
    def rule_people(self) -> None:
        p = self.p
        places: dict[tuple[str, str], list[str]] = defaultdict(list)  # (person, slot) -> places
        for s in self.sups:
            who = f"class {s.class_id}"
            if who not in places[(s.staff, s.slot)]:
                places[(s.staff, s.slot)].append(who)
        for m in self.meets:
            who = f"activity {m.activity}"
            if who not in places[(m.teacher, m.slot)]:
                places[(m.teacher, m.slot)].append(who)
        for (person, slot_id), where in places.items():
            if len(where) > 1:
                self.bad(4, f"{person} is in {len(where)} places in {slot_id} ({', '.join(where)})")

        duties = Counter()
        sessions = Counter()
        for person, slot_id in places:
            slot = p.slot_by_id[slot_id]
            staff = p.staff_by_id.get(person)
            if staff is not None:
                if slot_id in staff.unavailable:
                    self.bad(4, f"staff {person} works in {slot_id}, where they are unavailable")
                if slot.day in staff.rest_days:
                    self.bad(4, f"staff {person} works in {slot_id}, on their rest day {slot.day}")
            else:
                inst = p.instructor_by_id[person]
                if slot_id not in inst.available:
                    self.bad(4, f"instructor {person} works in {slot_id}, where they are not available")
        for s in self.sups:
            duties[s.staff] += 1
        for m in self.meets:
            if m.teacher in p.staff_by_id:
                duties[m.teacher] += 1
            else:
                sessions[m.teacher] += 1
        for staff in p.staff:
            n = duties[staff.id]
            if n < staff.min_duties:
                self.bad(
                    4,
                    f"staff {staff.id} has {_n(n, 'duty', 'duties')}, fewer than min_duties {staff.min_duties}",
                )
            if staff.max_duties is not None and n > staff.max_duties:
                self.bad(
                    4,
                    f"staff {staff.id} has {_n(n, 'duty', 'duties')}, more than max_duties {staff.max_duties}",
                )
        for inst in p.instructors:
            n = sessions[inst.id]
            if inst.max_sessions is not None and n > inst.max_sessions:
                self.bad(
                    4,
                    f"instructor {inst.id} teaches {_n(n, 'session')}, more than max_sessions {inst.max_sessions}",
                )

        for act in p.activities:
            teachers = list(dict.fromkeys(m.teacher for m in self.meetings_of.get(act.id, [])))
            if len(teachers) > 1:
                self.bad(4, f"activity {act.id} has {len(teachers)} teachers ({', '.join(teachers)})")
            for t in teachers:
                if act.instructor is not None and t != act.instructor:
                    self.bad(4, f"activity {act.id} is taught by {t}, not its instructor {act.instructor}")
                if act.provider == STAFF_PROVIDER:
                    staff = p.staff_by_id.get(t)
                    if staff is None:
                        self.bad(4, f"staff activity {act.id} is taught by {t}, who is not a staff member")
                    elif act.subject not in staff.subjects:
                        self.bad(
                            4, f"activity {act.id} is taught by {t}, who does not have subject {act.subject}"
                        )
                else:
                    inst = p.instructor_by_id.get(t)
                    if inst is None or inst.vendor != act.provider:
                        self.bad(
                            4,
                            f"vendor activity {act.id} is taught by {t}, who is not an instructor of {act.provider}",
                        )

    # rule 5 ------------------------------------------------------------------------------------
    def rule_students(self) -> None:
        p = self.p
        for student in p.students:
            mine = self.activities_of.get(student.id, [])
            grade = p.class_by_id[student.class_id].grade
            if len(mine) > student.wants:
                self.bad(
                    5,
                    f"student {student.id} is in {_n(len(mine), 'activity', 'activities')}, more than wants {student.wants}",
                )
            by_slot: dict[str, list[str]] = defaultdict(list)
            for a in mine:
                act = p.activity_by_id[a]
                if a not in student.choices:
                    self.bad(5, f"student {student.id} is enrolled in {a}, which is not among their choices")
                if grade not in act.grades:
                    self.bad(
                        5, f"student {student.id} is enrolled in {a}, which is not open to grade {grade}"
                    )
                for m in self.meetings_of.get(a, []):
                    if a not in by_slot[m.slot]:
                        by_slot[m.slot].append(a)
                    day = p.slot_by_id[m.slot].day
                    if day not in student.days:
                        self.bad(
                            5,
                            f"student {student.id} is enrolled in {a}, which meets in {m.slot}, not on their days",
                        )
            for slot_id, acts in by_slot.items():
                if len(acts) > 1:
                    self.bad(
                        5, f"student {student.id} has {len(acts)} activities in {slot_id} ({', '.join(acts)})"
                    )

    # rule 6 ------------------------------------------------------------------------------------
    def rule_pinned(self) -> None:
        pinned = self.p.pinned
        if pinned is None:
            return
        sups = set(self.sol.supervisions)
        for s in pinned.supervisions:
            if s not in sups:
                self.bad(
                    6, f"the pinned supervision of class {s.class_id} in {s.slot} by {s.staff} is missing"
                )
        for pin in pinned.meetings:
            fields = {f: getattr(pin, f) for f in ("slot", "room", "teacher") if getattr(pin, f) is not None}
            if not any(
                m.activity == pin.activity and all(getattr(m, f) == v for f, v in fields.items())
                for m in self.sol.meetings
            ):
                given = ", ".join(f"{f} {v}" for f, v in fields.items()) or "any slot"
                self.bad(
                    6, f"the pinned meeting of activity {pin.activity} ({given}) has no matching meeting"
                )
        enrols = set(self.sol.enrollments)
        for e in pinned.enrollments:
            if e not in enrols:
                self.bad(6, f"the pinned enrolment of student {e.student} in {e.activity} is missing")
        cancelled = set(self.sol.cancelled)
        for a in pinned.cancelled:
            if a not in cancelled:
                self.bad(6, f"the pinned cancellation of activity {a} is missing")


def violations(problem: Problem, solution: Solution) -> list[str]:
    """One line per broken hard-rule instance, in rule order."""
    return _Checker(problem, solution).run()


def check(problem: Problem, solution: Solution) -> CheckReport:
    """Check every hard rule of the spec and compute the metrics ``check`` prints."""
    found = violations(problem, solution)
    return CheckReport(violations=found, metrics=metrics(problem, solution, len(found)))
