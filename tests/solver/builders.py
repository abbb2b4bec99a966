"""Small shared helpers for building solver problems in tests.

``tiny_problem(**overrides)`` returns a fresh, valid problem as a JSON dict (the format of
``shared/spec/timetable-json.md``) that a test may mutate freely before turning it into a
``Problem`` with ``problem(data)``. ``tiny_solution()`` is a hand-made valid solution of it
(as solution JSON, turned into a ``Solution`` by ``solution(data)``).

The tiny school (two days, ``mon`` and ``tue``):

* slots ``mon-1``/``tue-1`` (supervised) and ``mon-2``/``tue-2`` (enrichment);
* rooms ``r1``, ``r2`` (classroom, 45 seats), ``studio`` (art, 10), ``gym`` (gym and sports, 30);
* classes ``3-1`` (grade 3, home ``r1``) and ``4-1`` (grade 4, home ``r2``), both days;
* staff ``t1`` (art, ``max_duties`` 3), ``t2`` (chess, unavailable ``tue-2``), ``t3`` (art
  and chess), ``t4`` (no subject, rests on ``tue``);
* vendor ``v1`` with instructors ``v1-i1`` (available ``tue-2``, ``max_sessions`` 2) and
  ``v1-i2`` (available ``mon-2`` and ``tue-2``);
* activities ``a1`` Painting (staff, art, grades 3-4, 2 meetings, room kind art, 2..2
  students), ``a2`` Chess (staff, chess, grades 3-4, 1 meeting, classroom, 2..4) and ``a3``
  Basketball (vendor ``v1``, grade 4 only, 1 meeting, gym, 1..4);
* students ``s1``-``s4`` in ``3-1`` and ``s5``-``s8`` in ``4-1``; ``s6`` only comes on ``mon``
  and ``s8`` wants nothing.

Keyword overrides replace top-level keys, e.g. ``tiny_problem(pinned={...})``.
"""

from __future__ import annotations

import copy

from scheduling.solver.problem import Problem, Solution, load_problem, load_solution

_TINY = {
    "format": "afterschool-timetable/1",
    "school": "Tiny Test Primary",
    "days": ["mon", "tue"],
    "slots": [
        {"id": "mon-1", "day": "mon", "start": "15:30", "end": "16:30", "kind": "supervised"},
        {"id": "mon-2", "day": "mon", "start": "16:40", "end": "17:40", "kind": "enrichment"},
        {"id": "tue-1", "day": "tue", "start": "15:30", "end": "16:30", "kind": "supervised"},
        {"id": "tue-2", "day": "tue", "start": "16:40", "end": "17:40", "kind": "enrichment"},
    ],
    "rooms": [
        {"id": "r1", "capacity": 45, "kinds": ["classroom"]},
        {"id": "r2", "capacity": 45, "kinds": ["classroom"]},
        {"id": "studio", "capacity": 10, "kinds": ["art"]},
        {"id": "gym", "capacity": 30, "kinds": ["gym", "sports"]},
    ],
    "classes": [
        {"id": "3-1", "grade": 3, "size": 40, "home_room": "r1"},
        {"id": "4-1", "grade": 4, "size": 40, "home_room": "r2", "days": ["mon", "tue"]},
    ],
    "staff": [
        {"id": "t1", "name": "Wang Li", "subjects": ["art"], "max_duties": 3},
        {"id": "t2", "name": "Li Na", "subjects": ["chess"], "unavailable": ["tue-2"]},
        {"id": "t3", "name": "Zhang Wei", "subjects": ["art", "chess"]},
        {"id": "t4", "name": "Liu Yang", "rest_days": ["tue"]},
    ],
    "vendors": [
        {
            "id": "v1",
            "name": "Sea Breeze Sports",
            "instructors": [
                {"id": "v1-i1", "name": "Chen Gang", "available": ["tue-2"], "max_sessions": 2},
                {"id": "v1-i2", "name": "Zhao Min", "available": ["mon-2", "tue-2"]},
            ],
        }
    ],
    "activities": [
        {
            "id": "a1",
            "name": "Painting",
            "provider": "staff",
            "subject": "art",
            "grades": [3, 4],
            "meetings": 2,
            "room_kind": "art",
            "min_size": 2,
            "max_size": 2,
        },
        {
            "id": "a2",
            "name": "Chess",
            "provider": "staff",
            "subject": "chess",
            "grades": [3, 4],
            "meetings": 1,
            "room_kind": "classroom",
            "min_size": 2,
            "max_size": 4,
        },
        {
            "id": "a3",
            "name": "Basketball",
            "provider": "v1",
            "subject": "basketball",
            "grades": [4],
            "meetings": 1,
            "room_kind": "gym",
            "min_size": 1,
            "max_size": 4,
        },
    ],
    "students": [
        {"id": "s1", "class": "3-1", "choices": ["a1", "a2"], "wants": 1},
        {"id": "s2", "class": "3-1", "choices": ["a1"], "wants": 1},
        {"id": "s3", "class": "3-1", "choices": ["a2", "a1"], "wants": 2},
        {"id": "s4", "class": "3-1", "choices": ["a3", "a2"], "wants": 1},
        {"id": "s5", "class": "4-1", "choices": ["a3", "a1"], "wants": 1},
        {"id": "s6", "class": "4-1", "choices": ["a3", "a2"], "wants": 1, "days": ["mon"]},
        {"id": "s7", "class": "4-1", "choices": ["a1", "a3"], "wants": 2},
        {"id": "s8", "class": "4-1"},
    ],
    "weights": {"rank_points": [10, 6, 3, 1], "duty_spread": 20, "changes": 50},
    "previous": None,
    "pinned": None,
}

_TINY_SOLUTION = {
    "format": "afterschool-timetable-solution/1",
    "status": "feasible",
    "objective": None,
    "bound": None,
    "solve_seconds": 0.0,
    "supervisions": [
        {"class": "3-1", "slot": "mon-1", "staff": "t1"},
        {"class": "4-1", "slot": "mon-1", "staff": "t2"},
        {"class": "3-1", "slot": "tue-1", "staff": "t3"},
        {"class": "4-1", "slot": "tue-1", "staff": "t1"},
    ],
    "meetings": [
        {"activity": "a1", "slot": "mon-2", "room": "studio", "teacher": "t3"},
        {"activity": "a1", "slot": "tue-2", "room": "studio", "teacher": "t3"},
        {"activity": "a2", "slot": "mon-2", "room": "r1", "teacher": "t2"},
        {"activity": "a3", "slot": "tue-2", "room": "gym", "teacher": "v1-i1"},
    ],
    "cancelled": [],
    "enrollments": [
        {"student": "s1", "activity": "a1"},
        {"student": "s2", "activity": "a1"},
        {"student": "s3", "activity": "a2"},
        {"student": "s4", "activity": "a2"},
        {"student": "s5", "activity": "a3"},
        {"student": "s6", "activity": "a2"},
        {"student": "s7", "activity": "a3"},
    ],
    "explanation": [],
}


def tiny_problem(**overrides) -> dict:
    """A fresh copy of the tiny valid problem as JSON data; keywords replace top-level keys."""
    data = copy.deepcopy(_TINY)
    data.update(copy.deepcopy(overrides))
    return data


def tiny_solution() -> dict:
    """A fresh copy of a hand-made valid solution of ``tiny_problem()`` as solution JSON."""
    return copy.deepcopy(_TINY_SOLUTION)


def problem(data: dict) -> Problem:
    """The ``Problem`` of problem JSON data (``load_problem``; no validation)."""
    return load_problem(data)


def solution(data: dict) -> Solution:
    """The ``Solution`` of solution JSON data (``load_solution``)."""
    return load_solution(data)
