"""The first-come baseline of ``shared/spec/timetable-json.md``, for benchmarks.

``baseline(problem, seed=0)`` fills a timetable the way sign-up systems do today, following the
spec's four steps literally and without any search:

1. Supervision: supervised slots in input order, then the classes that meet that day in input
   order; each takes the staff member with the fewest duties so far (ties by id) who is not
   unavailable in the slot, not resting that day, free in the slot and below ``max_duties``.
   A class with no such staff member stays unsupervised.
2. Activities in input order: each qualified teacher in input order (only ``instructor`` when
   given; else the staff with the subject, or the vendor's instructors) walks the allowed
   enrichment slots in the input order of the problem's ``slots`` (restricted to the
   activity's ``slots`` when given) and takes each slot on a day not yet taken where the
   teacher is free, available (staff: not unavailable, not resting; instructors: listed in
   ``available``) and below their cap (``max_duties`` counting supervisions and meetings, or
   ``max_sessions``), and where some room of the kind with capacity >= ``max_size`` is free
   (the first such room in input order), until it has ``meetings`` slots. The first teacher
   who gets them all teaches it; otherwise the activity is cancelled.
3. Students in a seeded random arrival order (``random.Random(seed).shuffle`` of the input
   order); each takes choices in rank order while the activity runs, has a free seat
   (fewer than ``max_size`` enrolled), meets only on the student's days, is open to the
   student's grade and does not share a slot with what the student already has, up to
   ``wants``.
4. Activities left under ``min_size`` are cancelled (meetings and enrolments dropped); their
   students are not re-placed.

The baseline does not repair anything the steps do not mention, so its result can break hard
rules: a staff member below ``min_duties``, an unsupervised class, or two classes sharing a
home room supervised in one slot. The status is ``feasible`` when ``check`` finds no violation
and ``unknown`` otherwise (no valid solution is known; the decisions and their objective are
still returned so benchmarks can compare them). ``objective`` is ``check.objective`` of the
decisions, ``bound`` is None. ``cancelled`` lists activities in input order. It never imports
the solver model or Django.
"""

from __future__ import annotations

import random
import time
from collections import Counter

from scheduling.solver.check import check, objective
from scheduling.solver.problem import (
    ENRICHMENT,
    STAFF_PROVIDER,
    SUPERVISED,
    Activity,
    Enrollment,
    Meeting,
    Problem,
    Solution,
    Supervision,
)


def _qualified_teachers(problem: Problem, act: Activity) -> list[str]:
    if act.instructor is not None:
        return [act.instructor]
    if act.provider == STAFF_PROVIDER:
        return [s.id for s in problem.staff if act.subject in s.subjects]
    vendor = problem.vendor_by_id.get(act.provider)
    return [i.id for i in vendor.instructors] if vendor else []


def baseline(problem: Problem, *, seed: int = 0) -> Solution:
    """The spec's first-come baseline; ``seed`` fixes the students' arrival order."""
    started = time.monotonic()
    duties: Counter = Counter()  # staff id -> supervisions + meetings; instructor id -> sessions
    busy: set[tuple[str, str]] = set()  # (person, slot)
    room_used: set[tuple[str, str]] = set()  # (room, slot)

    # 1. supervision
    supervisions: list[Supervision] = []
    for slot in problem.slots:
        if slot.kind != SUPERVISED:
            continue
        for cls in problem.classes:
            if slot.day not in cls.days:
                continue
            candidates = [
                s
                for s in problem.staff
                if slot.id not in s.unavailable
                and slot.day not in s.rest_days
                and (s.id, slot.id) not in busy
                and (s.max_duties is None or duties[s.id] < s.max_duties)
            ]
            if not candidates:
                continue
            chosen = min(candidates, key=lambda s: (duties[s.id], s.id))
            supervisions.append(Supervision(cls.id, slot.id, chosen.id))
            duties[chosen.id] += 1
            busy.add((chosen.id, slot.id))
            room_used.add((cls.home_room, slot.id))

    # 2. activities
    meetings: dict[str, list[Meeting]] = {}
    for act in problem.activities:
        allowed = [
            s for s in problem.slots if s.kind == ENRICHMENT and (act.slots is None or s.id in act.slots)
        ]
        rooms = [r for r in problem.rooms if act.room_kind in r.kinds and r.capacity >= act.max_size]
        for teacher in _qualified_teachers(problem, act):
            staff = problem.staff_by_id.get(teacher)
            inst = problem.instructor_by_id.get(teacher)
            if staff is None and inst is None:
                continue
            cap = staff.max_duties if staff is not None else inst.max_sessions
            taken: list[Meeting] = []
            days: set[str] = set()
            for slot in allowed:
                if len(taken) == act.meetings:
                    break
                if slot.day in days or (teacher, slot.id) in busy:
                    continue
                if staff is not None and (slot.id in staff.unavailable or slot.day in staff.rest_days):
                    continue
                if inst is not None and slot.id not in inst.available:
                    continue
                if cap is not None and duties[teacher] + len(taken) >= cap:
                    continue
                room = next((r for r in rooms if (r.id, slot.id) not in room_used), None)
                if room is None:
                    continue
                taken.append(Meeting(act.id, slot.id, room.id, teacher))
                days.add(slot.day)
            if len(taken) == act.meetings:
                meetings[act.id] = taken
                for m in taken:
                    duties[teacher] += 1
                    busy.add((teacher, m.slot))
                    room_used.add((m.room, m.slot))
                break

    # 3. students, first come first served
    enrolled: dict[str, list[str]] = {a: [] for a in meetings}
    arrivals = list(problem.students)
    random.Random(seed).shuffle(arrivals)
    for student in arrivals:
        grade = problem.class_by_id[student.class_id].grade
        mine: list[str] = []
        my_slots: set[str] = set()
        for a in student.choices:
            if len(mine) >= student.wants:
                break
            act = problem.activity_by_id.get(a)
            if act is None or a not in meetings or a in mine:
                continue
            slots = {m.slot for m in meetings[a]}
            if (
                len(enrolled[a]) < act.max_size
                and all(problem.slot_by_id[s].day in student.days for s in slots)
                and grade in act.grades
                and not slots & my_slots
            ):
                mine.append(a)
                my_slots |= slots
                enrolled[a].append(student.id)

    # 4. under-filled activities are cancelled; their students are not re-placed
    running = {a for a in meetings if len(enrolled[a]) >= problem.activity_by_id[a].min_size}
    solution = Solution(
        status="unknown",
        supervisions=supervisions,
        meetings=[m for act in problem.activities if act.id in running for m in meetings[act.id]],
        cancelled=[act.id for act in problem.activities if act.id not in running],
        enrollments=[
            Enrollment(s, act.id) for act in problem.activities if act.id in running for s in enrolled[act.id]
        ],
    )
    solution.status = "feasible" if check(problem, solution).ok else "unknown"
    solution.objective = objective(problem, solution)
    solution.bound = None
    solution.solve_seconds = time.monotonic() - started
    return solution
