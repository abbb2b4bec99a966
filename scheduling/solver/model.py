"""The CP-SAT model of one school's weekly after-school timetable.

How the model is built, and why
===============================
The spec's decisions are supervisions (class, slot, staff), meetings (activity, slot, room,
teacher) and enrolments (student, activity). Modelled literally, the first two are huge and
full of symmetry: any free staff member can supervise any class, and rooms of one kind and
size are interchangeable. The model therefore decides *what matters* and leaves the
interchangeable choices to an exact post-processing step:

* **Supervision as staff-per-slot.** ``sup[t, s]`` says that staff member ``t`` supervises
  *some* class in supervised slot ``s``; each slot needs exactly as many supervisors as
  classes attend that day. Which class each supervisor takes is then a free matching
  (supervision needs no subject and happens in the class's own home room), done after
  solving: pinned pairs first, then the pairs of ``previous`` (so a re-solve keeps them),
  then the rest by id. This removes the class×staff symmetry (48 classes × 60 staff ×
  slots of literals become 60 × slots) without losing any solution or changing any
  objective value: the overlap with ``previous`` is linear in ``sup`` because the old pairs
  of one slot form a matching that can always be honoured together.
* **Activities** get ``run[a]``, a teacher choice ``teach[a, p]`` and ``x[a, s, p]`` (meets in
  slot ``s`` with teacher ``p``), created only where ``p`` is qualified and available in
  ``s``; ``Σ_s x[a, s, p] = meetings · teach[a, p]`` makes every meeting keep one teacher,
  and at most one meeting per day keeps meetings on distinct days.
* **Rooms as interchangeable groups.** Rooms with the same kinds and capacity form a group;
  ``room[a, s, g]`` picks a group, and each group holds at most its size per slot. The
  concrete room is chosen afterwards (pins, then ``previous``, then input order), which is
  always possible and keeps every objective term exact. Supervisions use home rooms only
  in supervised slots and meetings only enrichment slots, so the two never compete; two
  classes sharing a home room on the same day are reported as infeasible up front.
* **Students** get ``enrol[st, a]`` for each usable choice (open to the grade). A student's
  two choices may not meet in one slot: a per-pair ``clash[a, b]`` literal (shared by all
  students choosing both) is forced on when the two activities share a slot, so the
  clash rule costs one constraint per student pair instead of one per slot.
* **Objective** exactly as the spec: rank points − duty_spread·(max − min duties over the
  counted staff) − changes·|symmetric difference with previous|, where the symmetric
  difference is |old| + |new| − 2·|kept|, all linear in the literals above.

Solving: a constructive first solution (the spec's first-come baseline, or ``previous``
when given) is passed as a hint; CP-SAT's portfolio, including its large-neighbourhood
search workers, then improves it within the wall-time limit, which covers model building
too. The best bound CP-SAT proves is reported as ``bound``: the model is exact, so it
bounds the whole problem's objective, and ``optimal`` means CP-SAT proved it.

Every solution is checked by the independent checker (``scheduling.solver.check``) before
it is returned or reported; a solution that breaks a hard rule is never returned.

When the problem is infeasible, fast exact pre-checks name the cause (a slot with too few
free staff, a shared home room, an impossible pin, an unreachable minimum); otherwise the
model is solved again with one assumption literal per family of requirements and CP-SAT's
infeasible core is turned into explanations with stable codes.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.solver.baseline import baseline
from scheduling.solver.check import check
from scheduling.solver.check import objective as score
from scheduling.solver.problem import (
    STAFF_PROVIDER,
    SUPERVISED,
    Activity,
    Enrollment,
    Explanation,
    Meeting,
    Problem,
    Solution,
    Supervision,
)

logger = logging.getLogger(__name__)

# Time kept back from the limit for extracting, checking and writing the solution.
_MARGIN_SECONDS = 0.4


# --- the facts the model is built from ---------------------------------------------------------


@dataclass
class Facts:
    """Derived, solver-independent facts about a problem (also used for explanations)."""

    problem: Problem
    slot_day: dict[str, str] = field(default_factory=dict)
    supervised: list[str] = field(default_factory=list)
    enrichment: list[str] = field(default_factory=list)
    classes_in_slot: dict[str, list[str]] = field(default_factory=dict)
    person_slots: dict[str, set[str]] = field(default_factory=dict)  # where each person may work
    counted_staff: list[str] = field(default_factory=list)
    activity_slots: dict[str, list[str]] = field(default_factory=dict)
    activity_teachers: dict[str, list[str]] = field(default_factory=dict)
    room_groups: list[tuple[tuple[str, ...], int, list[str]]] = field(default_factory=list)
    room_group_of: dict[str, int] = field(default_factory=dict)
    activity_groups: dict[str, list[int]] = field(default_factory=dict)
    student_choices: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def derive_facts(problem: Problem) -> Facts:
    facts = Facts(problem)
    for slot in problem.slots:
        facts.slot_day[slot.id] = slot.day
        (facts.supervised if slot.kind == SUPERVISED else facts.enrichment).append(slot.id)
    for slot_id in facts.supervised:
        day = facts.slot_day[slot_id]
        facts.classes_in_slot[slot_id] = [c.id for c in problem.classes if day in c.days]

    for staff in problem.staff:
        unavailable, resting = set(staff.unavailable), set(staff.rest_days)
        workable = {s.id for s in problem.slots if s.id not in unavailable and s.day not in resting}
        facts.person_slots[staff.id] = workable if staff.max_duties != 0 else set()
        if workable and staff.max_duties != 0:
            facts.counted_staff.append(staff.id)
    for instructor in problem.instructors:
        allowed = set(instructor.available) if instructor.max_sessions != 0 else set()
        facts.person_slots[instructor.id] = allowed

    for activity in problem.activities:
        allowed = [s for s in facts.enrichment if activity.slots is None or s in activity.slots]
        facts.activity_slots[activity.id] = allowed
        facts.activity_teachers[activity.id] = _qualified_teachers(problem, activity)

    groups: dict[tuple[tuple[str, ...], int], list[str]] = {}
    for room in problem.rooms:
        groups.setdefault((tuple(sorted(room.kinds)), room.capacity), []).append(room.id)
    for index, ((kinds, capacity), rooms) in enumerate(groups.items()):
        facts.room_groups.append((kinds, capacity, rooms))
        for room_id in rooms:
            facts.room_group_of[room_id] = index
    for activity in problem.activities:
        facts.activity_groups[activity.id] = [
            g for g, (kinds, _, _) in enumerate(facts.room_groups) if activity.room_kind in kinds
        ]

    activities = problem.activity_by_id
    classes = problem.class_by_id
    for student in problem.students:
        grade = classes[student.class_id].grade
        usable, seen = [], set()
        for rank, activity_id in enumerate(student.choices):
            activity = activities.get(activity_id)
            if activity is None or activity_id in seen or grade not in activity.grades:
                continue
            seen.add(activity_id)
            usable.append((activity_id, rank))
        facts.student_choices[student.id] = usable if student.wants > 0 else []
    return facts


def _qualified_teachers(problem: Problem, activity: Activity) -> list[str]:
    if activity.provider == STAFF_PROVIDER:
        staff = [s for s in problem.staff if activity.subject in s.subjects]
        if activity.instructor is not None:
            staff = [s for s in staff if s.id == activity.instructor]
        return [s.id for s in staff]
    vendor = problem.vendor_by_id.get(activity.provider)
    if vendor is None:
        return []
    return [i.id for i in vendor.instructors if activity.instructor in (None, i.id)]


# --- the model ----------------------------------------------------------------------------------


class TimetableModel:
    """The CP-SAT model and its variables, with a way back to a ``Solution``."""

    def __init__(self, problem: Problem, facts: Facts, *, with_assumptions: bool = False):
        self.problem = problem
        self.facts = facts
        self.model = cp_model.CpModel()
        self.with_assumptions = with_assumptions
        self.assumptions: dict[int, Explanation] = {}  # literal index → what it stands for
        self.sup: dict[tuple[str, str], cp_model.IntVar] = {}
        self.run: dict[str, cp_model.IntVar] = {}
        self.teach: dict[tuple[str, str], cp_model.IntVar] = {}
        self.x: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self.meet: dict[tuple[str, str], cp_model.LinearExpr] = {}
        self.room: dict[tuple[str, str, int], cp_model.IntVar] = {}
        self.enrol: dict[tuple[str, str], cp_model.IntVar] = {}
        self.size: dict[str, cp_model.LinearExpr] = {}
        self.pinned_rooms: dict[str, str] = {}  # activity → pinned room (all its meetings)
        self.pinned_slot_rooms: dict[tuple[str, str], str] = {}
        self.impossible_pins: list[Explanation] = []
        self.forced_off: set[str] = set()  # activities that cannot run at all
        self.objective_terms: list = []
        self._build()

    # -- helpers --
    def _guard(self, explanation: Explanation | None):
        """An assumption literal standing for one family of requirements (or None)."""
        if not self.with_assumptions or explanation is None:
            return None
        literal = self.model.new_bool_var(explanation.code)
        self.assumptions[literal.index] = explanation
        return literal

    def _add(self, constraint_builder, guard):
        constraint = constraint_builder()
        if guard is not None:
            constraint.only_enforce_if(guard)
        return constraint

    # -- building --
    def _build(self):
        self._supervision()
        self._activities()
        self._students()
        self._people()
        self._pins()
        self._objective()

    def _supervision(self):
        p, f = self.problem, self.facts
        for slot_id in f.supervised:
            needed = len(f.classes_in_slot[slot_id])
            candidates = []
            for staff in p.staff:
                if slot_id in f.person_slots[staff.id]:
                    var = self.model.new_bool_var(f"sup[{staff.id},{slot_id}]")
                    self.sup[staff.id, slot_id] = var
                    candidates.append(var)
            classes = f.classes_in_slot[slot_id]
            guard = self._guard(
                Explanation(
                    "class_unsupervisable",
                    {"class": classes[-1] if classes else None, "slot": slot_id, "classes": classes},
                    f"classes {', '.join(classes)} need supervisors in slot {slot_id} but the staff who can "
                    "work then are unavailable, resting or at maximum duties",
                )
            )
            self._add(lambda c=candidates, n=needed: self.model.add(sum(c) == n), guard)

    def _activities(self):
        p, f, m = self.problem, self.facts, self.model
        for activity in p.activities:
            a = activity.id
            run = m.new_bool_var(f"run[{a}]")
            self.run[a] = run
            slots, teachers, groups = f.activity_slots[a], f.activity_teachers[a], f.activity_groups[a]
            days_available = {f.slot_day[s] for s in slots}
            if not teachers or not groups or len(days_available) < activity.meetings:
                self._force_off(a)
                self.meet.update({(a, s): 0 for s in slots})
                continue
            teach_vars = []
            per_slot: dict[str, list] = defaultdict(list)
            for person in teachers:
                cells = []
                for s in slots:
                    if s in f.person_slots.get(person, ()):
                        var = m.new_bool_var(f"x[{a},{s},{person}]")
                        self.x[a, s, person] = var
                        cells.append(var)
                        per_slot[s].append(var)
                if len(cells) < activity.meetings:
                    for var in cells:
                        m.add(var == 0)
                    continue
                t = m.new_bool_var(f"teach[{a},{person}]")
                self.teach[a, person] = t
                teach_vars.append(t)
                m.add(sum(cells) == activity.meetings * t)
            if not teach_vars:
                self._force_off(a)
                self.meet.update({(a, s): 0 for s in slots})
                continue
            m.add(sum(teach_vars) == run)
            for s in slots:
                self.meet[a, s] = sum(per_slot[s]) if per_slot[s] else 0
            by_day: dict[str, list] = defaultdict(list)
            for s in slots:
                if per_slot[s]:
                    by_day[f.slot_day[s]].append(self.meet[a, s])
            for exprs in by_day.values():
                if len(exprs) > 1:
                    m.add(sum(exprs) <= 1)
            for s in slots:
                if not per_slot[s]:
                    continue
                cells = []
                for g in groups:
                    var = m.new_bool_var(f"room[{a},{s},{g}]")
                    self.room[a, s, g] = var
                    cells.append(var)
                m.add(sum(cells) == self.meet[a, s])

        # Room groups hold at most their size per slot.
        usage: dict[tuple[str, int], list] = defaultdict(list)
        for (_a, slot_id, g), var in self.room.items():
            usage[slot_id, g].append(var)
        for (_slot_id, g), cells in usage.items():
            capacity = len(f.room_groups[g][2])
            if len(cells) > capacity:
                m.add(sum(cells) <= capacity)

    def _force_off(self, activity_id: str):
        self.model.add(self.run[activity_id] == 0)
        self.forced_off.add(activity_id)

    def _students(self):
        p, f, m = self.problem, self.facts, self.model
        members: dict[str, list] = defaultdict(list)
        clash: dict[tuple[str, str], cp_model.IntVar] = {}
        for student in p.students:
            usable = [(a, r) for a, r in f.student_choices[student.id] if a not in self.forced_off]
            if not usable:
                continue
            cells = []
            for a, rank in usable:
                var = m.new_bool_var(f"enrol[{student.id},{a}]")
                self.enrol[student.id, a] = var
                m.add_implication(var, self.run[a])
                members[a].append(var)
                cells.append(var)
                points = p.weights.rank_points[rank] if rank < len(p.weights.rank_points) else 0
                if points:
                    self.objective_terms.append(points * var)
                missing_days = set(p.days) - set(student.days)
                for s in f.activity_slots[a]:
                    if f.slot_day[s] in missing_days and not _is_const(self.meet[a, s]):
                        m.add(var + self.meet[a, s] <= 1)
            if student.wants < len(cells):
                m.add(sum(cells) <= student.wants)
            if student.wants >= 2 and len(usable) >= 2:
                for i, (a, _) in enumerate(usable):
                    for b, _ in usable[i + 1 :]:
                        key = (a, b) if a < b else (b, a)
                        if key not in clash:
                            clash[key] = self._clash_literal(*key)
                        if clash[key] is not None:
                            m.add(self.enrol[student.id, a] + self.enrol[student.id, b] + clash[key] <= 2)
        rooms_of: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for (a, _s, g), var in self.room.items():
            rooms_of[a].append((g, var))
        for activity in p.activities:
            a = activity.id
            cells = members.get(a, [])
            self.size[a] = sum(cells) if cells else 0
            if a in self.forced_off:
                continue
            if not cells:
                if activity.min_size:
                    self._force_off(a)
                continue
            m.add(sum(cells) <= activity.max_size * self.run[a])
            if activity.min_size:
                m.add(sum(cells) >= activity.min_size * self.run[a])
            # A room smaller than the group cannot hold it.
            for g, var in rooms_of[a]:
                capacity = f.room_groups[g][1]
                if capacity < min(activity.max_size, len(cells)):
                    m.add(sum(cells) <= capacity).only_enforce_if(var)

    def _clash_literal(self, a: str, b: str):
        f, m = self.facts, self.model
        common = [s for s in f.activity_slots[a] if s in set(f.activity_slots[b])]
        common = [s for s in common if not _is_const(self.meet[a, s]) and not _is_const(self.meet[b, s])]
        if not common:
            return None
        literal = m.new_bool_var(f"clash[{a},{b}]")
        for s in common:
            m.add(self.meet[a, s] + self.meet[b, s] <= 1 + literal)
        return literal

    def _people(self):
        p, _f, m = self.problem, self.facts, self.model
        busy: dict[tuple[str, str], list] = defaultdict(list)
        duties: dict[str, list] = defaultdict(list)
        for (t, s), var in self.sup.items():
            busy[t, s].append(var)
            duties[t].append(var)
        for (_a, s, person), var in self.x.items():
            busy[person, s].append(var)
            duties[person].append(var)
        for cells in busy.values():
            if len(cells) > 1:
                m.add(sum(cells) <= 1)
        self.duty = {}
        for staff in p.staff:
            cells = duties.get(staff.id, [])
            self.duty[staff.id] = sum(cells) if cells else 0
            if staff.max_duties is not None and len(cells) > staff.max_duties:
                guard = self._guard(
                    Explanation(
                        "duty_cap",
                        {"staff": staff.id, "max_duties": staff.max_duties},
                        f"staff member {staff.id} may take at most {staff.max_duties} duties",
                    )
                )
                self._add(lambda c=cells, n=staff.max_duties: m.add(sum(c) <= n), guard)
            if staff.min_duties:
                guard = self._guard(
                    Explanation(
                        "min_duties",
                        {"staff": staff.id, "min_duties": staff.min_duties},
                        f"staff member {staff.id} must take at least {staff.min_duties} duties",
                    )
                )
                if cells:
                    self._add(lambda c=cells, n=staff.min_duties: m.add(sum(c) >= n), guard)
                else:
                    self._add(lambda: m.add_bool_or([]), guard)
        for instructor in p.instructors:
            cells = duties.get(instructor.id, [])
            if instructor.max_sessions is not None and len(cells) > instructor.max_sessions:
                m.add(sum(cells) <= instructor.max_sessions)

    def _pins(self):
        p, f, m = self.problem, self.facts, self.model
        pinned = p.pinned
        if pinned is None:
            return

        def impossible(entry: dict, why: str):
            explanation = Explanation("pinned_impossible", entry, why)
            self.impossible_pins.append(explanation)
            guard = self._guard(explanation)
            self._add(lambda: m.add_bool_or([]), guard)

        def pin(entry: dict, why: str, literals):
            guard = self._guard(Explanation("pinned_conflict", entry, why))
            for literal in literals:
                self._add(lambda v=literal: m.add(v == 1), guard)

        staff_per_slot: dict[tuple[str, str], str] = {}
        for sup in pinned.supervisions:
            entry = {"class": sup.class_id, "slot": sup.slot, "staff": sup.staff}
            var = self.sup.get((sup.staff, sup.slot))
            if var is None or sup.class_id not in f.classes_in_slot.get(sup.slot, []):
                impossible(
                    entry,
                    f"pinned supervision of class {sup.class_id} in {sup.slot} by {sup.staff} cannot hold",
                )
                continue
            if staff_per_slot.get((sup.staff, sup.slot), sup.class_id) != sup.class_id:
                impossible(entry, f"{sup.staff} is pinned to two classes in {sup.slot}")
                continue
            staff_per_slot[sup.staff, sup.slot] = sup.class_id
            pin(entry, f"pinned supervision of class {sup.class_id} in {sup.slot} by {sup.staff}", [var])
        classes_pinned: dict[tuple[str, str], str] = {}
        for sup in pinned.supervisions:
            if classes_pinned.setdefault((sup.class_id, sup.slot), sup.staff) != sup.staff:
                impossible(
                    {"class": sup.class_id, "slot": sup.slot, "staff": sup.staff},
                    f"class {sup.class_id} is pinned to two supervisors in {sup.slot}",
                )

        for meeting in pinned.meetings:
            a = meeting.activity
            entry = {k: v for k, v in vars(meeting).items() if v is not None}
            literals = [self.run[a]]
            if meeting.slot is not None:
                expr = self.meet.get((a, meeting.slot))
                if expr is None or _is_const(expr):
                    impossible(entry, f"activity {a} cannot meet in {meeting.slot}")
                    continue
                if meeting.teacher is not None:
                    var = self.x.get((a, meeting.slot, meeting.teacher))
                    if var is None:
                        impossible(entry, f"{meeting.teacher} cannot teach {a} in {meeting.slot}")
                        continue
                    literals.append(var)
                else:
                    holder = m.new_bool_var(f"pinmeet[{a},{meeting.slot}]")
                    m.add(self.meet[a, meeting.slot] == 1).only_enforce_if(holder)
                    literals.append(holder)
            if meeting.teacher is not None:
                var = self.teach.get((a, meeting.teacher))
                if var is None:
                    impossible(entry, f"{meeting.teacher} cannot teach {a}")
                    continue
                literals.append(var)
            if meeting.room is not None:
                g = f.room_group_of.get(meeting.room)
                if g is None or g not in f.activity_groups[a]:
                    impossible(entry, f"room {meeting.room} does not suit activity {a}")
                    continue
                slots = [meeting.slot] if meeting.slot is not None else f.activity_slots[a]
                for s in slots:
                    var = self.room.get((a, s, g))
                    if var is None:
                        continue
                    if meeting.slot is not None:
                        literals.append(var)
                        self.pinned_slot_rooms[a, s] = meeting.room
                    else:
                        m.add(var == 1).only_enforce_if(_as_literal(m, self.meet[a, s]))
                if meeting.slot is None:
                    self.pinned_rooms[a] = meeting.room
            pin(entry, f"pinned meeting of activity {a}", literals)
        # Two activities pinned to one room cannot meet in the same slot.
        room_users: dict[str, list[str]] = defaultdict(list)
        for a, room in self.pinned_rooms.items():
            room_users[room].append(a)
        for (a, _s), room in self.pinned_slot_rooms.items():
            if a not in room_users[room]:
                room_users[room].append(a)
        for users in room_users.values():
            for s in f.enrichment:
                exprs = [self.meet.get((a, s), 0) for a in users]
                exprs = [e for e in exprs if not _is_const(e)]
                if len(exprs) > 1:
                    m.add(sum(exprs) <= 1)

        for enrolment in pinned.enrollments:
            entry = {"student": enrolment.student, "activity": enrolment.activity}
            var = self.enrol.get((enrolment.student, enrolment.activity))
            if var is None:
                impossible(entry, f"student {enrolment.student} cannot join {enrolment.activity}")
                continue
            pin(entry, f"pinned enrolment of {enrolment.student} in {enrolment.activity}", [var])
        for activity_id in pinned.cancelled:
            guard = self._guard(
                Explanation(
                    "pinned_conflict",
                    {"cancelled": activity_id},
                    f"activity {activity_id} is pinned as cancelled",
                )
            )
            self._add(lambda a=activity_id: m.add(self.run[a] == 0), guard)

    def _objective(self):
        p, f, m = self.problem, self.facts, self.model
        terms = list(self.objective_terms)
        if p.weights.duty_spread and len(f.counted_staff) > 1:
            upper = len(f.supervised) + len(f.enrichment)
            high = m.new_int_var(0, upper, "duty_max")
            low = m.new_int_var(0, upper, "duty_min")
            for t in f.counted_staff:
                m.add(high >= self.duty[t])
                m.add(low <= self.duty[t])
            terms.append(-p.weights.duty_spread * (high - low))
        if p.previous is not None and p.weights.changes:
            terms.append(-p.weights.changes * self._changes())
        self.objective = sum(terms) if terms else 0
        m.maximize(self.objective)

    def _changes(self):
        """|old| + |new| − 2·|kept| over supervisions, meetings and enrolments."""
        p, f, m = self.problem, self.facts, self.model
        old = _known_previous(p)
        kept = []
        # Supervisions: the old pairs of one slot form a matching, so all kept pairs can be
        # honoured at once by the post-processing (unless a pin says otherwise).
        pinned_pairs = {(s.slot, s.staff): s.class_id for s in (p.pinned.supervisions if p.pinned else ())}
        pinned_classes = {(s.slot, s.class_id) for s in (p.pinned.supervisions if p.pinned else ())}
        seen_staff, seen_class = set(), set()
        for sup in old["supervisions"]:
            key = (sup.slot, sup.staff)
            if key in seen_staff or (sup.slot, sup.class_id) in seen_class:
                continue
            if pinned_pairs.get(key, sup.class_id) != sup.class_id:
                continue
            if (sup.slot, sup.class_id) in pinned_classes and pinned_pairs.get(key) != sup.class_id:
                continue
            var = self.sup.get((sup.staff, sup.slot))
            if var is not None and sup.class_id in f.classes_in_slot.get(sup.slot, []):
                seen_staff.add(key)
                seen_class.add((sup.slot, sup.class_id))
                kept.append(var)
        new_supervisions = sum(len(v) for v in f.classes_in_slot.values())
        # Meetings: kept when the activity meets in the slot with the teacher and a room of
        # the old room's group (the post-processing then gives it the old room).
        taken_rooms = {(s, r) for (a, s), r in self.pinned_slot_rooms.items()}
        for meeting in old["meetings"]:
            # One kept meeting per old room and slot: a valid ``previous`` never has two.
            var_x = self.x.get((meeting.activity, meeting.slot, meeting.teacher))
            g = f.room_group_of.get(meeting.room)
            var_room = self.room.get((meeting.activity, meeting.slot, g))
            pinned_room = self.pinned_rooms.get(meeting.activity) or self.pinned_slot_rooms.get(
                (meeting.activity, meeting.slot)
            )
            if var_x is None or var_room is None or (pinned_room not in (None, meeting.room)):
                continue
            if (meeting.slot, meeting.room) in taken_rooms:
                continue
            taken_rooms.add((meeting.slot, meeting.room))
            both = m.new_bool_var(f"kept[{meeting.activity},{meeting.slot}]")
            m.add_implication(both, var_x)
            m.add_implication(both, var_room)
            kept.append(both)
        new_meetings = [e for (a, s), e in self.meet.items() if not _is_const(e)]
        for enrolment in old["enrollments"]:
            var = self.enrol.get((enrolment.student, enrolment.activity))
            if var is not None:
                kept.append(var)
        new_enrolments = list(self.enrol.values())
        size_old = len(old["supervisions"]) + len(old["meetings"]) + len(old["enrollments"])
        return size_old + new_supervisions + sum(new_meetings) + sum(new_enrolments) - 2 * sum(kept)

    # -- hints --
    def add_hint(self, solution: Solution):
        """Hint every decision variable from a complete solution (others hinted 0)."""
        sup = {(s.staff, s.slot) for s in solution.supervisions}
        x = {(mt.activity, mt.slot, mt.teacher) for mt in solution.meetings}
        running = {mt.activity for mt in solution.meetings}
        teach = {(mt.activity, mt.teacher) for mt in solution.meetings}
        rooms = {(mt.activity, mt.slot, self.facts.room_group_of.get(mt.room)) for mt in solution.meetings}
        enrol = {(e.student, e.activity) for e in solution.enrollments}
        m = self.model
        m.clear_hints()
        for key, var in self.sup.items():
            m.add_hint(var, key in sup)
        for a, var in self.run.items():
            m.add_hint(var, a in running)
        for key, var in self.teach.items():
            m.add_hint(var, key in teach)
        for key, var in self.x.items():
            m.add_hint(var, key in x)
        for key, var in self.room.items():
            m.add_hint(var, key in rooms)
        for key, var in self.enrol.items():
            m.add_hint(var, key in enrol)

    # -- reading a solution back --
    def extract(self, value: Callable) -> Solution:
        """Turn variable values into the spec's decisions (``value(var) -> int``)."""
        p = self.problem
        solution = Solution(status="feasible")
        solution.supervisions = self._assign_supervisions(value)
        solution.meetings = self._assign_meetings(value)
        solution.enrollments = [Enrollment(st, a) for (st, a), var in self.enrol.items() if value(var)]
        solution.cancelled = [a.id for a in p.activities if not value(self.run[a.id])]
        return solution

    def _assign_supervisions(self, value) -> list[Supervision]:
        p, f = self.problem, self.facts
        pinned = {(s.slot, s.class_id): s.staff for s in (p.pinned.supervisions if p.pinned else ())}
        previous = _known_previous(p)["supervisions"]
        result = []
        for slot_id in f.supervised:
            staff = [t.id for t in p.staff if (t.id, slot_id) in self.sup and value(self.sup[t.id, slot_id])]
            free = set(staff)
            assigned: dict[str, str] = {}
            for class_id in f.classes_in_slot[slot_id]:
                t = pinned.get((slot_id, class_id))
                if t in free:
                    assigned[class_id] = t
                    free.discard(t)
            for sup in previous:
                wanted = sup.slot == slot_id and sup.class_id in f.classes_in_slot[slot_id]
                if wanted and sup.class_id not in assigned and sup.staff in free:
                    assigned[sup.class_id] = sup.staff
                    free.discard(sup.staff)
            remaining = sorted(free)
            for class_id in f.classes_in_slot[slot_id]:
                if class_id not in assigned and remaining:
                    assigned[class_id] = remaining.pop(0)
            for class_id in f.classes_in_slot[slot_id]:
                if class_id in assigned:
                    result.append(Supervision(class_id, slot_id, assigned[class_id]))
        return result

    def _assign_meetings(self, value) -> list[Meeting]:
        p, f = self.problem, self.facts
        chosen = []  # (activity, slot, teacher, group)
        for (a, s, person), var in self.x.items():
            if value(var):
                group = next(g for g in f.activity_groups[a] if value(self.room[a, s, g]))
                chosen.append((a, s, person, group))
        previous_room = {(mt.activity, mt.slot): mt.room for mt in _known_previous(p)["meetings"]}
        used: set[tuple[str, str]] = set()
        room_of: dict[tuple[str, str], str] = {}
        # Pinned rooms first, then the rooms of ``previous``, then the first free room.
        for a, s, _, _g in chosen:
            room = self.pinned_slot_rooms.get((a, s)) or self.pinned_rooms.get(a)
            if room is not None:
                room_of[a, s] = room
                used.add((s, room))
        for a, s, _, g in chosen:
            room = previous_room.get((a, s))
            if (
                (a, s) not in room_of
                and room is not None
                and f.room_group_of.get(room) == g
                and (s, room) not in used
            ):
                room_of[a, s] = room
                used.add((s, room))
        for a, s, _, g in chosen:
            if (a, s) in room_of:
                continue
            room = next(r for r in f.room_groups[g][2] if (s, r) not in used)
            room_of[a, s] = room
            used.add((s, room))
        order = {a.id: i for i, a in enumerate(p.activities)}
        slot_order = {s.id: i for i, s in enumerate(p.slots)}
        chosen.sort(key=lambda c: (order[c[0]], slot_order[c[1]]))
        return [Meeting(a, s, room_of[a, s], person) for a, s, person, _ in chosen]


def _known_previous(problem: Problem) -> dict[str, list]:
    """The elements of ``previous`` that name only ids of this problem, without repeats."""
    prev = problem.previous
    if prev is None:
        return {"supervisions": [], "meetings": [], "enrollments": []}
    slots, rooms = problem.slot_by_id, problem.room_by_id
    classes, staff = problem.class_by_id, problem.staff_by_id
    people = set(staff) | set(problem.instructor_by_id)
    activities, students = problem.activity_by_id, problem.student_by_id
    return {
        "supervisions": list(
            dict.fromkeys(
                s for s in prev.supervisions if s.class_id in classes and s.slot in slots and s.staff in staff
            )
        ),
        "meetings": list(
            dict.fromkeys(
                mt
                for mt in prev.meetings
                if mt.activity in activities
                and mt.slot in slots
                and mt.room in rooms
                and mt.teacher in people
            )
        ),
        "enrollments": list(
            dict.fromkeys(e for e in prev.enrollments if e.student in students and e.activity in activities)
        ),
    }


def _is_const(expr) -> bool:
    return isinstance(expr, int)


def _as_literal(model, expr):
    if isinstance(expr, cp_model.IntVar):
        return expr
    literal = model.new_bool_var("")
    model.add(expr == 1).only_enforce_if(literal)
    model.add(expr == 0).only_enforce_if(~literal)
    return literal


# --- solving ------------------------------------------------------------------------------------


class _Progress(cp_model.CpSolverSolutionCallback):
    """Reports each solution that beats the best so far and passes the independent check."""

    def __init__(self, timetable: TimetableModel, started: float, on_solution, checker, best: int | None):
        super().__init__()
        self.best = best
        self.timetable = timetable
        self.started = started
        self.on_solution = on_solution
        self.checker = checker
        self.first_seconds: float | None = None
        self.count = 0

    def on_solution_callback(self):
        seconds = time.perf_counter() - self.started
        self.count += 1
        if self.first_seconds is None:
            self.first_seconds = seconds
        if self.on_solution is None or (self.best is not None and self.objective_value <= self.best):
            return
        solution = self.timetable.extract(lambda v: self.value(v) if not isinstance(v, int) else v)
        solution.objective = int(self.objective_value)
        solution.bound = int(self.best_objective_bound)
        solution.solve_seconds = seconds
        if self.checker(solution):
            self.best = solution.objective
            self.on_solution(solution, seconds)


def solve(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    workers: int | None = None,
    seed: int = 0,
    on_solution: Callable[[Solution, float], None] | None = None,
    hint: Solution | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Solve a validated problem within ``time_limit`` seconds (model building included).

    ``on_solution(solution, seconds)`` is called for each improving solution that passes
    the independent check. Setting ``stop`` ends the search early; the best solution found
    so far is returned (``feasible``), or ``unknown`` when there is none. The returned
    solution never breaks a hard rule.
    """
    started = time.perf_counter()
    facts = derive_facts(problem)
    explanations = precheck(problem, facts)
    if explanations:
        return Solution(
            status="infeasible", solve_seconds=time.perf_counter() - started, explanation=explanations
        )

    timetable = TimetableModel(problem, facts)
    if timetable.impossible_pins:
        return Solution(
            status="infeasible",
            solve_seconds=time.perf_counter() - started,
            explanation=timetable.impossible_pins,
        )

    def valid(solution: Solution) -> bool:
        return not check(problem, solution).violations

    # The constructive solution is the hint, and when it is valid it is the first solution.
    first = hint or _constructive(problem, seed)
    fallback = None
    if first is not None:
        timetable.add_hint(first)
        if valid(first):
            fallback = Solution(
                status="feasible",
                objective=score(problem, first),
                supervisions=list(first.supervisions),
                meetings=list(first.meetings),
                enrollments=list(first.enrollments),
                cancelled=list(first.cancelled),
            )
            if on_solution is not None:
                fallback.solve_seconds = time.perf_counter() - started
                on_solution(fallback, fallback.solve_seconds)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers or os.cpu_count() or 1
    solver.parameters.random_seed = seed
    # The LP relaxation with the extra cuts of level 2 guides the search and tightens the
    # bound noticeably on timetables (measured on the benchmark's large instances).
    solver.parameters.linearization_level = 2
    remaining = time_limit - (time.perf_counter() - started) - _MARGIN_SECONDS
    solver.parameters.max_time_in_seconds = max(0.05, remaining)
    if stop is not None and stop.is_set():
        solver.parameters.max_time_in_seconds = 0.01
    progress = _Progress(
        timetable, started, on_solution, valid, best=fallback.objective if fallback else None
    )
    status = _solve_stoppable(solver, timetable.model, progress, stop)
    elapsed = time.perf_counter() - started

    if status == cp_model.INFEASIBLE:
        budget = max(0.5, time_limit - (time.perf_counter() - started) - _MARGIN_SECONDS)
        return Solution(
            status="infeasible",
            solve_seconds=time.perf_counter() - started,
            explanation=explain_infeasible(problem, facts, time_limit=budget, workers=workers),
        )
    bound = _upper_bound(problem, facts)
    if math.isfinite(solver.best_objective_bound):
        bound = min(bound, math.floor(solver.best_objective_bound + 1e-6))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = timetable.extract(lambda v: solver.value(v) if not isinstance(v, int) else v)
        solution.status = "optimal" if status == cp_model.OPTIMAL else "feasible"
        solution.objective = int(round(solver.objective_value))
        solution.bound = solution.objective if status == cp_model.OPTIMAL else bound
        solution.solve_seconds = elapsed
        report = check(problem, solution)
        if not report.violations and (fallback is None or solution.objective >= fallback.objective):
            return solution
        if report.violations:  # never return a solution that breaks a hard rule
            logger.error("CP-SAT solution rejected by the checker: %s", "; ".join(report.violations[:5]))
    if fallback is not None:
        fallback.bound = max(bound, fallback.objective)
        fallback.solve_seconds = elapsed
        return fallback
    return Solution(status="unknown", solve_seconds=elapsed)


def _solve_stoppable(solver, model, callback, stop: threading.Event | None):
    """``solver.solve``, ended early from another thread when ``stop`` is set."""
    if stop is None:
        return solver.solve(model, callback)
    finished = threading.Event()

    def watch():
        # Keep asking: a request made before CP-SAT has started its search is lost.
        while not finished.wait(0.1):
            if stop.is_set():
                solver.stop_search()

    watcher = threading.Thread(target=watch, name="timetable-stop-watch", daemon=True)
    watcher.start()
    try:
        return solver.solve(model, callback)
    finally:
        finished.set()
        watcher.join()


def _upper_bound(problem: Problem, facts: Facts) -> int:
    """A bound that needs no search: every student gets their best usable choices."""
    points = problem.weights.rank_points
    total = 0
    for student in problem.students:
        gains = sorted(
            (points[r] if r < len(points) else 0 for _, r in facts.student_choices[student.id]), reverse=True
        )
        total += sum(max(0, gain) for gain in gains[: student.wants])
    return total


def _constructive(problem: Problem, seed: int) -> Solution | None:
    """A first solution for the hint: ``previous`` when given, else the first-come baseline."""
    if problem.previous is not None:
        prev = problem.previous
        return Solution(
            status="feasible",
            supervisions=list(prev.supervisions),
            meetings=list(prev.meetings),
            enrollments=list(prev.enrollments),
            cancelled=list(prev.cancelled),
        )
    return baseline(problem, seed=seed)


# --- explanations ---------------------------------------------------------------------------


def precheck(problem: Problem, facts: Facts) -> list[Explanation]:
    """Exact, cheap reasons why no timetable can exist."""
    found: list[Explanation] = []
    for slot_id in facts.supervised:
        classes = facts.classes_in_slot[slot_id]
        able = [t.id for t in problem.staff if slot_id in facts.person_slots[t.id]]
        if len(able) < len(classes):
            for class_id in classes[len(able) :]:
                found.append(
                    Explanation(
                        "class_unsupervisable",
                        {"class": class_id, "slot": slot_id},
                        f"class {class_id} needs a supervisor in slot {slot_id} but every staff member is "
                        "unavailable, resting or at maximum duties",
                    )
                )
        rooms: dict[str, list[str]] = defaultdict(list)
        for class_id in classes:
            rooms[problem.class_by_id[class_id].home_room].append(class_id)
        for room_id, sharing in rooms.items():
            if len(sharing) > 1:
                found.append(
                    Explanation(
                        "home_room_shared",
                        {"room": room_id, "slot": slot_id, "classes": sharing},
                        f"classes {', '.join(sharing)} share home room {room_id} in slot {slot_id}",
                    )
                )
    needed = sum(len(classes) for classes in facts.classes_in_slot.values())
    capacity = 0
    for staff in problem.staff:
        supervisable = sum(1 for slot_id in facts.supervised if slot_id in facts.person_slots[staff.id])
        capacity += supervisable if staff.max_duties is None else min(staff.max_duties, supervisable)
    if capacity < needed:
        found.append(
            Explanation(
                "supervision_capacity_short",
                {"needed": needed, "available": capacity},
                f"the classes need {needed} supervisions a week but the staff can take at most {capacity} "
                "within their duty caps, rest days and unavailability",
            )
        )
    for staff in problem.staff:
        workable = len(facts.person_slots[staff.id])
        cap = staff.max_duties if staff.max_duties is not None else workable
        if staff.min_duties > min(cap, workable):
            found.append(
                Explanation(
                    "min_duties_unreachable",
                    {"staff": staff.id, "min_duties": staff.min_duties, "possible": min(cap, workable)},
                    f"staff member {staff.id} must take {staff.min_duties} duties but can take at most "
                    f"{min(cap, workable)}",
                )
            )
    return found


def explain_infeasible(
    problem: Problem, facts: Facts, *, time_limit: float, workers: int | None
) -> list[Explanation]:
    """A small set of requirements that cannot all hold, from CP-SAT's infeasible core."""
    timetable = TimetableModel(problem, facts, with_assumptions=True)
    literals = [timetable.model.get_bool_var_from_proto_index(i) for i in timetable.assumptions]
    timetable.model.add_assumptions(literals)
    timetable.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # the core is reported by the single-thread search
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(timetable.model)
    if status != cp_model.INFEASIBLE:
        return [Explanation("unexplained", {}, "no timetable exists, but no small reason was found in time")]
    core = solver.sufficient_assumptions_for_infeasibility()
    found = [timetable.assumptions[i] for i in core if i in timetable.assumptions]
    return found or [Explanation("unexplained", {}, "no timetable exists, but no small reason was found")]
