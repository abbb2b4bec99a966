"""Why a solution cancelled an activity or left a pupil without a place, from its facts.

The solver does not say why it made a choice; these reasons are read back from the problem
and the solution alone (who chose what, grades, days, rooms of the kind and when they are
free, who may lead it and when they are free, sizes), the first fact that explains the
outcome, in the order below. Each reason is a stable ``code`` with ``params`` (ids and
numbers, so an interface can word it in any language) and an English ``text``.

Cancelled activity (``cancelled_reasons``):

* ``below_minimum`` — fewer pupils of its grades chose it than its ``min_size``
  (params ``chose``, ``eligible``, ``min_size``);
* ``no_eligible_leader`` — nobody may lead it: no staff member with its subject (or the
  named instructor) for a staff activity, no instructor of the vendor for a vendor's;
* ``leader_unavailable`` — those who may lead it are available in fewer allowed slots on
  distinct days than it has meetings;
* ``no_room_kind`` / ``rooms_too_small`` — no room of its kind, or none holding ``min_size``;
* ``no_room_free`` / ``no_leader_free`` — in this solution, a room of the kind (or a leader)
  is free in its allowed slots on fewer distinct days than it has meetings;
* ``choosers_busy`` — of the pupils who chose it, fewer than ``min_size`` are still free
  (they have as many activities as they want, or other activities at every free time);
* ``outweighed`` — it could have run: placing its pupils elsewhere scored more.

Unplaced pupil (``unplaced_reasons``): ``no_choices``, else one reason per choice —
``unknown_activity``, ``wrong_grade``, ``cancelled`` (with the activity's own reason),
``not_on_days``, ``full``, ``room_full``, or ``not_reached`` (a place was free; the search
ended without it).

Pure Python on ``scheduling.solver.problem`` values: no Django here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scheduling.solver.problem import ENRICHMENT, STAFF_PROVIDER, Activity, Problem, Solution, Student


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class Unplaced:
    """A pupil who wants an activity and got none, with the reason for each choice."""

    student: str
    class_id: str
    choices: tuple[str, ...]
    reasons: tuple[Reason, ...]


def quality(problem: Problem, solution: Solution) -> dict:
    """How good the solution is for pupils: ``wanting`` (pupils with ``wants`` > 0 and a
    choice), ``placed`` (of them, those with at least one choice), ``first_choice`` (those with
    their first choice), the two rates (0–1; 0 when nobody wants), ``unplaced`` and
    ``cancelled`` (activities)."""
    got = defaultdict(set)
    for e in solution.enrollments:
        got[e.student].add(e.activity)
    wanting = placed = first = 0
    for s in problem.students:
        if s.wants <= 0 or not s.choices:
            continue
        wanting += 1
        mine = got[s.id] & set(s.choices)
        placed += bool(mine)
        first += s.choices[0] in mine
    return {
        "wanting": wanting,
        "placed": placed,
        "first_choice": first,
        "placed_rate": placed / wanting if wanting else 0.0,
        "first_choice_rate": first / wanting if wanting else 0.0,
        "unplaced": wanting - placed,
        "cancelled": len(set(solution.cancelled)),
    }


class _Facts:
    """What the solution occupies, and what the problem allows, looked up once."""

    def __init__(self, problem: Problem, solution: Solution):
        self.problem, self.solution = problem, solution
        self.grade = {c.id: c.grade for c in problem.classes}
        self.cancelled = set(solution.cancelled)
        self.enrolled = Counter(e.activity for e in solution.enrollments)
        self.enrolments_of = defaultdict(set)
        for e in solution.enrollments:
            self.enrolments_of[e.student].add(e.activity)
        self.meetings_of = defaultdict(list)
        self.room_busy = defaultdict(set)  # slot -> rooms
        self.person_busy = defaultdict(set)  # slot -> people
        for m in solution.meetings:
            self.meetings_of[m.activity].append(m)
            self.room_busy[m.slot].add(m.room)
            self.person_busy[m.slot].add(m.teacher)
        homes = {c.id: c.home_room for c in problem.classes}
        for s in solution.supervisions:
            self.room_busy[s.slot].add(homes.get(s.class_id))
            self.person_busy[s.slot].add(s.staff)
        self.slot_day = {s.id: s.day for s in problem.slots}

    def allowed_slots(self, a: Activity) -> list[str]:
        slots = [s.id for s in self.problem.slots if s.kind == ENRICHMENT and s.day in self.problem.days]
        return [s for s in slots if a.slots is None or s in a.slots]

    def leaders(self, a: Activity) -> dict[str, set[str]]:
        """Who may lead ``a``, each with the allowed slots they can work in."""
        allowed = self.allowed_slots(a)
        result = {}
        if a.provider == STAFF_PROVIDER:
            for st in self.problem.staff:
                if a.subject not in st.subjects or (a.instructor and st.id != a.instructor):
                    continue
                if st.max_duties == 0:
                    continue
                result[st.id] = {
                    s for s in allowed if s not in st.unavailable and self.slot_day[s] not in st.rest_days
                }
        else:
            vendor = self.problem.vendor_by_id.get(a.provider)
            for i in vendor.instructors if vendor else ():
                if (a.instructor and i.id != a.instructor) or i.max_sessions == 0:
                    continue
                result[i.id] = {s for s in allowed if s in i.available}
        return result

    def days_of(self, slots) -> int:
        return len({self.slot_day[s] for s in slots})


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _cancelled_reason(facts: _Facts, a: Activity) -> Reason:
    p = facts.problem
    choosers = [s for s in p.students if a.id in s.choices]
    eligible = [s for s in choosers if facts.grade.get(s.class_id) in a.grades]
    needed = a.min_size
    if len(eligible) < needed:
        others = len(choosers) - len(eligible)
        text = f"{_n(len(eligible), 'pupil', 'pupils')} of its grades chose it; it needs at least {needed}"
        if others:
            text += f" ({others} more chose it from other grades)"
        return Reason(
            "below_minimum", {"chose": len(choosers), "eligible": len(eligible), "min_size": needed}, text
        )
    leaders = facts.leaders(a)
    if not leaders:
        who = "staff member with its subject" if a.provider == STAFF_PROVIDER else "instructor of its vendor"
        return Reason("no_eligible_leader", {"subject": a.subject}, f"no {who} may lead it")
    if all(facts.days_of(slots) < a.meetings for slots in leaders.values()):
        return Reason(
            "leader_unavailable",
            {"meetings": a.meetings},
            f"those who may lead it are available on fewer days of its allowed slots than its {a.meetings} meetings",
        )
    rooms = [r for r in p.rooms if a.room_kind in r.kinds]
    if not rooms:
        return Reason(
            "no_room_kind", {"room_kind": a.room_kind}, f"the school has no room of kind {a.room_kind}"
        )
    rooms = [r for r in rooms if r.capacity >= needed]
    if not rooms:
        return Reason(
            "rooms_too_small",
            {"room_kind": a.room_kind, "min_size": needed},
            f"no room of kind {a.room_kind} holds its minimum of {needed} pupils",
        )
    allowed = facts.allowed_slots(a)
    room_free = [s for s in allowed if any(r.id not in facts.room_busy[s] for r in rooms)]
    if facts.days_of(room_free) < a.meetings:
        return Reason(
            "no_room_free",
            {"room_kind": a.room_kind, "meetings": a.meetings},
            f"no room of kind {a.room_kind} is free in its allowed slots on {a.meetings} different days",
        )
    open_slots = [
        s
        for s in room_free
        if any(s in slots and person not in facts.person_busy[s] for person, slots in leaders.items())
    ]
    if facts.days_of(open_slots) < a.meetings:
        return Reason(
            "no_leader_free",
            {"meetings": a.meetings},
            f"everyone who may lead it is busy in its free slots on {a.meetings} different days",
        )
    enrolled_slots = defaultdict(set)
    for m in facts.solution.meetings:
        enrolled_slots[m.activity].add(m.slot)
    free = 0
    for s in eligible:
        mine = facts.enrolments_of[s.id]
        if len(mine) >= s.wants:
            continue
        busy = set().union(*(enrolled_slots[x] for x in mine)) if mine else set()
        if any(slot not in busy and facts.slot_day[slot] in s.days for slot in open_slots):
            free += 1
    if free < needed:
        return Reason(
            "choosers_busy",
            {"eligible": len(eligible), "free": free, "min_size": needed},
            f"of {_n(len(eligible), 'pupil', 'pupils')} who chose it, only {free} could still take it "
            "(the others have as many activities as they want, or others at every free time); "
            f"it needs {needed}",
        )
    return Reason(
        "outweighed",
        {"eligible": len(eligible), "min_size": needed},
        f"{_n(len(eligible), 'pupil', 'pupils')} chose it and it could have run, "
        "but placing them in their other choices scored more",
    )


def cancelled_reasons(problem: Problem, solution: Solution) -> dict[str, Reason]:
    """The reason of each activity the solution cancelled, by activity id."""
    facts = _Facts(problem, solution)
    activities = {a.id: a for a in problem.activities}
    return {
        a_id: _cancelled_reason(facts, activities[a_id])
        if a_id in activities
        else Reason("unknown_activity", {"activity": a_id}, "the problem does not list this activity")
        for a_id in dict.fromkeys(solution.cancelled)
    }


def _choice_reason(facts: _Facts, student: Student, a_id: str, cancelled: dict[str, Reason]) -> Reason:
    a = next((x for x in facts.problem.activities if x.id == a_id), None)
    if a is None:
        return Reason("unknown_activity", {"activity": a_id}, f"{a_id} is not offered")
    if facts.grade.get(student.class_id) not in a.grades:
        return Reason("wrong_grade", {"activity": a_id}, f"{a.name} is not open to the pupil's grade")
    if a_id in facts.cancelled:
        why = cancelled.get(a_id) or Reason("cancelled")
        return Reason(
            "cancelled", {"activity": a_id, "because": why.code}, f"{a.name} was cancelled: {why.text}"
        )
    meetings = facts.meetings_of[a_id]
    if any(facts.slot_day.get(m.slot) not in student.days for m in meetings):
        return Reason("not_on_days", {"activity": a_id}, f"{a.name} meets on a day the pupil does not stay")
    if facts.enrolled[a_id] >= a.max_size:
        return Reason(
            "full", {"activity": a_id, "max_size": a.max_size}, f"{a.name} is full ({a.max_size} places)"
        )
    capacity = {r.id: r.capacity for r in facts.problem.rooms}
    if meetings and facts.enrolled[a_id] >= min(capacity.get(m.room, 0) for m in meetings):
        return Reason("room_full", {"activity": a_id}, f"{a.name}'s room holds no more pupils")
    return Reason(
        "not_reached", {"activity": a_id}, f"{a.name} had a free place; the search ended without it"
    )


def unplaced_reasons(problem: Problem, solution: Solution) -> list[Unplaced]:
    """Each pupil who wants an activity (``wants`` > 0) and has none of their choices, with
    the reason for each choice (or ``no_choices``), in the problem's order."""
    facts = _Facts(problem, solution)
    cancelled = cancelled_reasons(problem, solution)
    result = []
    for s in problem.students:
        if s.wants <= 0 or facts.enrolments_of[s.id] & set(s.choices):
            continue
        if not s.choices:
            reasons = (Reason("no_choices", {}, "the pupil ranked no activity"),)
        else:
            reasons = tuple(_choice_reason(facts, s, a_id, cancelled) for a_id in s.choices)
        result.append(Unplaced(s.id, s.class_id, s.choices, reasons))
    return result
