"""Cover (one day's absence): the rules and the output of ``shared/spec/timetable-json.md``.

Every test builds a small school inline. Days ``mon``, ``tue``, ``wed``, ``thu``; the absences
are on ``wed`` (``wed-1`` supervised, ``wed-2`` enrichment). The other days' slots only carry
"filler" supervisions that give each staff member their number of duties that week.
"""

from __future__ import annotations

import json

import pytest

from scheduling.solver.cover import cover, parse_absent, validate_cover_request
from scheduling.solver.problem import COVER_FORMAT, load_problem, load_solution

DAYS = ["mon", "tue", "wed", "thu"]
FILLER_SLOTS = ["mon-1", "tue-1", "thu-1"]


def _slot(slot_id, kind):
    day, part = slot_id.split("-")
    start, end = ("15:30", "16:30") if part == "1" else ("16:40", "17:40")
    return {"id": slot_id, "day": day, "start": start, "end": end, "kind": kind}


def person(staff_id, *, subjects=(), unavailable=(), rest_days=(), max_duties=None):
    data = {"id": staff_id, "name": staff_id.upper(), "subjects": list(subjects)}
    data.update(unavailable=list(unavailable), rest_days=list(rest_days))
    if max_duties is not None:
        data["max_duties"] = max_duties
    return data


def instructor(instructor_id, *, available=(), max_sessions=None):
    data = {"id": instructor_id, "name": instructor_id.upper(), "available": list(available)}
    if max_sessions is not None:
        data["max_sessions"] = max_sessions
    return data


def activity(activity_id, subject, provider="staff"):
    return {
        "id": activity_id,
        "name": subject.title(),
        "provider": provider,
        "subject": subject,
        "grades": [3],
        "meetings": 1,
        "room_kind": "classroom",
        "max_size": 30,
    }


def problem(staff, activities=(), vendors=()):
    slots = [
        _slot(f"{day}-{part}", kind)
        for day in DAYS
        for part, kind in (("1", "supervised"), ("2", "enrichment"))
    ]
    rooms = [{"id": f"r{i}", "capacity": 45, "kinds": ["classroom"]} for i in range(1, 13)]
    targets = [{"id": f"3-{i}", "grade": 3, "size": 40, "home_room": f"r{i}"} for i in range(1, 4)]
    fillers = [{"id": f"f{i}", "grade": 3, "size": 40, "home_room": f"r{i + 3}"} for i in range(1, 9)]
    return load_problem(
        {
            "format": "afterschool-timetable/1",
            "days": DAYS,
            "slots": slots,
            "rooms": rooms,
            "classes": targets + fillers,
            "staff": list(staff),
            "vendors": list(vendors),
            "activities": list(activities),
            "students": [],
        }
    )


def solution(supervisions=(), meetings=(), load=None):
    """Supervisions ``(class, slot, staff)``, meetings ``(activity, slot, teacher)``, and
    ``load`` ``{staff: n}``: n filler supervisions each (mon-1, tue-1, thu-1, one class each)."""
    rows = [{"class": c, "slot": s, "staff": t} for c, s, t in supervisions]
    for n, (staff_id, count) in enumerate((load or {}).items(), start=1):
        rows += [{"class": f"f{n}", "slot": slot, "staff": staff_id} for slot in FILLER_SLOTS[:count]]
    return load_solution(
        {
            "format": "afterschool-timetable-solution/1",
            "status": "feasible",
            "supervisions": rows,
            "meetings": [
                {"activity": a, "slot": s, "room": f"r{12 - i}", "teacher": t}
                for i, (a, s, t) in enumerate(meetings)
            ],
        }
    )


def sup(class_id, slot, from_, to=None):
    row = {"kind": "supervision", "class": class_id, "slot": slot, "from": from_}
    return row if to is None else {**row, "to": to}


def meet(activity_id, slot, from_, to=None):
    row = {"kind": "meeting", "activity": activity_id, "slot": slot, "from": from_}
    return row if to is None else {**row, "to": to}


def targets(result):
    return [r["to"] for r in result["reassigned"]]


# --- who substitutes ---------------------------------------------------------------------------


def test_an_absent_supervisor_goes_to_the_free_staff_member_with_fewest_week_duties_ties_by_id():
    p = problem([person(t) for t in ("t1", "t2", "t3", "t4", "t5", "t6")])
    s = solution(
        supervisions=[("3-1", "mon-1", "t1"), ("3-1", "wed-1", "t1"), ("3-2", "wed-1", "t2")],
        # t2 (one duty, but busy in wed-1); t3 2 duties; t4 and t5 1 each; t6 none but absent
        load={"t3": 2, "t4": 1, "t5": 1},
    )
    result, code = cover(p, s, [("t1", "wed"), ("t6", "wed")])

    assert code == 0
    assert result == {
        "format": COVER_FORMAT,
        "absent": [{"id": "t1", "day": "wed"}, {"id": "t6", "day": "wed"}],
        "reassigned": [sup("3-1", "wed-1", "t1", "t4")],  # not mon-1: only the absent day
        "uncovered": [],
    }


def test_fewest_week_duties_wins_over_a_smaller_id():
    p = problem([person(t) for t in ("t1", "t2", "t3")])
    s = solution(supervisions=[("3-1", "wed-1", "t1")], load={"t2": 2, "t3": 1})
    result, _ = cover(p, s, [("t1", "wed")])
    assert targets(result) == ["t3"]


def test_someone_absent_on_another_day_may_substitute():
    p = problem([person(t) for t in ("t1", "t2", "t3")])
    s = solution(supervisions=[("3-1", "wed-1", "t1")], load={"t3": 1})
    result, _ = cover(p, s, [("t1", "wed"), ("t2", "mon")])
    assert targets(result) == ["t2"]


def test_a_staff_activity_needs_a_staff_member_with_its_subject():
    p = problem(
        [person("t1", subjects=["chess"]), person("t2"), person("t3", subjects=["chess"])],
        activities=[activity("a1", "chess")],
    )
    s = solution(meetings=[("a1", "wed-2", "t1")], load={"t3": 2})
    result, code = cover(p, s, [("t1", "wed")])
    assert (result["reassigned"], code) == ([meet("a1", "wed-2", "t1", "t3")], 0)


def test_a_vendor_activity_goes_only_to_another_available_free_instructor_of_that_vendor():
    p = problem(
        [person("t1", subjects=["basketball"])],  # free staff with the subject: not a vendor's
        activities=[activity("a1", "basketball", "v1"), activity("a2", "football", "v1")],
        vendors=[
            {
                "id": "v1",
                "name": "Sea Breeze",
                "instructors": [
                    instructor("v1-i1", available=["wed-2"]),  # absent
                    instructor("v1-i2", available=["mon-2"]),  # not available wed-2
                    instructor("v1-i3", available=["wed-2"]),  # busy: teaches a2 then
                    instructor("v1-i4", available=["mon-2", "wed-2"]),
                ],
            },
            {"id": "v2", "name": "Other", "instructors": [instructor("v2-i1", available=["wed-2"])]},
        ],
    )
    s = solution(meetings=[("a1", "wed-2", "v1-i1"), ("a2", "wed-2", "v1-i3")])
    result, code = cover(p, s, [("v1-i1", "wed")])
    assert (result["reassigned"], code) == ([meet("a1", "wed-2", "v1-i1", "v1-i4")], 0)


def test_a_vendor_instructor_at_max_sessions_is_skipped():
    p = problem(
        [person("t1")],
        activities=[activity("a1", "basketball", "v1"), activity("a2", "football", "v1")],
        vendors=[
            {
                "id": "v1",
                "name": "Sea Breeze",
                "instructors": [
                    instructor("v1-i1", available=["wed-2"]),
                    instructor("v1-i2", available=["mon-2", "wed-2"], max_sessions=1),
                ],
            }
        ],
    )
    s = solution(meetings=[("a1", "wed-2", "v1-i1"), ("a2", "mon-2", "v1-i2")])
    result, code = cover(p, s, [("v1-i1", "wed")])
    assert code == 1
    assert result["uncovered"] == [
        {
            **meet("a1", "wed-2", "v1-i1"),
            "code": "substitutes_exhausted",
            "text": "every other instructor of vendor v1 available and free in wed-2 (v1-i2) is at maximum sessions",
        }
    ]


def test_unavailable_resting_and_capped_staff_are_skipped():
    p = problem(
        [
            person("t1"),
            person("t2", unavailable=["wed-1"]),
            person("t3", rest_days=["wed"]),
            person("t4", max_duties=1),
            person("t5", max_duties=4),
        ]
    )
    s = solution(supervisions=[("3-1", "wed-1", "t1")], load={"t4": 1, "t5": 3})
    result, code = cover(p, s, [("t1", "wed")])
    assert (targets(result), code) == (["t5"], 0)


def test_a_capped_candidate_makes_the_duty_exhausted_not_substituteless():
    p = problem([person("t1"), person("t2", unavailable=["wed-1"]), person("t3", max_duties=1)])
    s = solution(supervisions=[("3-1", "wed-1", "t1")], load={"t3": 1})
    result, code = cover(p, s, [("t1", "wed")])
    assert code == 1
    assert result["uncovered"] == [
        {
            **sup("3-1", "wed-1", "t1"),
            "code": "substitutes_exhausted",
            "text": "every staff member free to supervise class 3-1 in wed-1 (t3) is at maximum duties",
        }
    ]


# --- earlier covers of the day -------------------------------------------------------------------


def _kept(*reassigned, absent=("t2",)):
    return {
        "format": COVER_FORMAT,
        "absent": [{"id": a, "day": "wed"} for a in absent],
        "reassigned": list(reassigned),
        "uncovered": [],
    }


def test_a_kept_cover_occupies_its_substitute_counts_its_duty_and_keeps_its_absent_people_away():
    p = problem(
        [
            person("t1", subjects=["chess"]),
            person("t2", subjects=["chess"]),  # absent in the kept cover: would be the best pick
            person("t3", subjects=["chess"], max_duties=1),  # the kept substitute, at its cap then
            person("t4", subjects=["chess"]),
        ],
        activities=[activity("a1", "chess")],
    )
    s = solution(
        supervisions=[("3-1", "wed-1", "t1"), ("3-2", "wed-1", "t2")],
        meetings=[("a1", "wed-2", "t1")],
        load={"t4": 2},
    )
    kept = _kept(sup("3-2", "wed-1", "t2", "t3"))

    result, code = cover(p, s, [("t1", "wed")], [kept])
    assert code == 0
    assert result["absent"] == [{"id": "t1", "day": "wed"}]
    assert result["reassigned"] == [sup("3-1", "wed-1", "t1", "t4"), meet("a1", "wed-2", "t1", "t4")]

    # the control: without the kept cover t3 is free in wed-1 and t2 is there for the chess
    result, _ = cover(p, s, [("t1", "wed")])
    assert targets(result) == ["t3", "t2"]


def test_a_kept_cover_duty_counts_in_the_fewest_duties_preference():
    p = problem(
        [person(t, subjects=["chess"]) for t in ("t0", "t1", "t2", "t3")],
        activities=[activity("a1", "chess")],
    )
    s = solution(supervisions=[("3-2", "wed-1", "t2")], meetings=[("a1", "wed-2", "t1")], load={"t0": 1})
    # t3 has no weekly duty, so it beats t0 (one) ...
    assert targets(cover(p, s, [("t1", "wed")])[0]) == ["t3"]
    # ... until the kept cover gives it one: then the tie goes to t0 by id
    kept = _kept(sup("3-2", "wed-1", "t2", "t3"))
    assert targets(cover(p, s, [("t1", "wed")], [kept])[0]) == ["t0"]


def test_a_kept_substitute_who_is_now_absent_hands_the_duty_on():
    p = problem([person(t) for t in ("t1", "t2", "t3", "t4")])
    s = solution(supervisions=[("3-2", "wed-1", "t2")], load={"t1": 1, "t4": 2})
    kept = _kept(sup("3-2", "wed-1", "t2", "t3"))
    result, code = cover(p, s, [("t3", "wed")], [kept])
    assert (result["reassigned"], code) == ([sup("3-2", "wed-1", "t3", "t1")], 0)


# --- exact, not first-fit ------------------------------------------------------------------------


def test_exact_assignment_covers_what_first_fit_would_leave_uncovered_across_slots():
    # A (wed-1) can go to t2 or t3, B (wed-2, chess) only to t2, who has room for one more duty.
    # First-fit gives A to t2 (fewest duties) and leaves B uncovered; the exact cover does not.
    p = problem(
        [person("t1", subjects=["chess"]), person("t2", subjects=["chess"], max_duties=1), person("t3")],
        activities=[activity("a1", "chess")],
    )
    s = solution(supervisions=[("3-1", "wed-1", "t1")], meetings=[("a1", "wed-2", "t1")], load={"t3": 2})
    result, code = cover(p, s, [("t1", "wed")])
    assert code == 0
    assert result["reassigned"] == [sup("3-1", "wed-1", "t1", "t3"), meet("a1", "wed-2", "t1", "t2")]
    assert result["uncovered"] == []


def test_exact_assignment_covers_what_first_fit_would_leave_uncovered_in_one_slot():
    # Art (listed first) can go to t3 or t4, chess only to t3, who has fewer duties than t4.
    p = problem(
        [
            person("t1", subjects=["art"]),
            person("t2", subjects=["chess"]),
            person("t3", subjects=["art", "chess"]),
            person("t4", subjects=["art"]),
        ],
        activities=[activity("a1", "art"), activity("a2", "chess")],
    )
    s = solution(meetings=[("a1", "wed-2", "t1"), ("a2", "wed-2", "t2")], load={"t4": 1})
    result, code = cover(p, s, [("t1", "wed"), ("t2", "wed")])
    assert code == 0
    assert result["reassigned"] == [meet("a1", "wed-2", "t1", "t4"), meet("a2", "wed-2", "t2", "t3")]


def test_fewest_duties_is_optimised_over_the_whole_assignment():
    # t2 (no duty, room for one) is everyone's first pick. Giving it the supervision, listed
    # first, leaves the chess to t4 (3 duties); the cover gives the supervision to t3 (1).
    p = problem(
        [
            person("t1", subjects=["chess"]),
            person("t2", subjects=["chess"], max_duties=1),
            person("t3"),
            person("t4", subjects=["chess"]),
        ],
        activities=[activity("a1", "chess")],
    )
    s = solution(
        supervisions=[("3-1", "wed-1", "t1")], meetings=[("a1", "wed-2", "t1")], load={"t3": 1, "t4": 3}
    )
    result, _ = cover(p, s, [("t1", "wed")])
    assert result["reassigned"] == [sup("3-1", "wed-1", "t1", "t3"), meet("a1", "wed-2", "t1", "t2")]


# --- uncovered duties and the output -------------------------------------------------------------


def test_uncovered_duties_carry_their_code_and_text_and_exit_1():
    p = problem(
        [
            person("t1", subjects=["chess"]),
            person("t2", rest_days=["wed"]),
            person("t3", unavailable=["wed-1"]),
        ],
        activities=[activity("a1", "chess"), activity("a2", "art")],
    )
    s = solution(supervisions=[("3-1", "wed-1", "t1")], meetings=[("a1", "wed-2", "t1")])
    result, code = cover(p, s, [("t1", "wed")])
    assert code == 1
    assert result["reassigned"] == []
    assert result["uncovered"] == [
        {
            **sup("3-1", "wed-1", "t1"),
            "code": "no_substitute",
            "text": "no staff member is free to supervise class 3-1 in wed-1",
        },
        {
            **meet("a1", "wed-2", "t1"),
            "code": "no_substitute",
            "text": "no other staff member with subject chess is free in wed-2",
        },
    ]


def test_when_candidates_run_out_the_earlier_duty_is_covered_and_the_other_is_exhausted():
    p = problem([person("t1"), person("t2"), person("t3")])
    s = solution(supervisions=[("3-1", "wed-1", "t1"), ("3-2", "wed-1", "t2")])
    result, code = cover(p, s, [("t2", "wed"), ("t1", "wed")])
    assert code == 1
    assert result["reassigned"] == [sup("3-1", "wed-1", "t1", "t3")]
    assert result["uncovered"] == [
        {
            **sup("3-2", "wed-1", "t2"),
            "code": "substitutes_exhausted",
            "text": "every staff member free to supervise class 3-2 in wed-1 (t3) "
            "is needed for another duty or at maximum duties",
        }
    ]


def test_the_output_has_the_spec_shape():
    p = problem([person("t1", subjects=["chess"]), person("t2")], activities=[activity("a1", "chess")])
    s = solution(supervisions=[("3-1", "wed-1", "t1")], meetings=[("a1", "wed-2", "t1")])
    result, code = cover(p, s, [("t1", "wed")])

    assert code == 1
    assert json.loads(json.dumps(result)) == result
    assert list(result) == ["format", "absent", "reassigned", "uncovered"]
    assert result["format"] == "afterschool-timetable-cover/1"
    assert all(set(a) == {"id", "day"} for a in result["absent"])
    (reassigned,) = result["reassigned"]
    assert set(reassigned) == {"kind", "class", "slot", "from", "to"}
    (uncovered,) = result["uncovered"]
    assert set(uncovered) == {"kind", "activity", "slot", "from", "code", "text"}
    assert uncovered["code"] in {"no_substitute", "substitutes_exhausted"}


def test_nothing_to_cover_is_exit_0():
    p = problem([person("t1"), person("t2")])
    result, code = cover(p, solution(supervisions=[("3-1", "mon-1", "t1")]), [("t1", "wed")])
    assert (result["reassigned"], result["uncovered"], code) == ([], [], 0)


# --- input ---------------------------------------------------------------------------------------


def test_parse_absent():
    assert parse_absent("t017:wed") == [("t017", "wed")]
    assert parse_absent("t017:wed, v03-i1:wed") == [("t017", "wed"), ("v03-i1", "wed")]


@pytest.mark.parametrize("text", ["", "t017", "t017:", ":wed", "t017:wed,,t2:wed"])
def test_parse_absent_refuses_what_is_not_id_day(text):
    with pytest.raises(ValueError, match="is not ID:DAY"):
        parse_absent(text)


def test_invalid_requests_are_named_with_their_path():
    p = problem([person("t1"), person("t2"), person("t3")])
    s = solution(supervisions=[("3-1", "wed-1", "t1")])
    assert validate_cover_request(p, s, [("t1", "wed")], []) == []
    assert validate_cover_request(p, s, [("t999", "wed"), ("t1", "sat")], []) == [
        'absent[0]: unknown staff or instructor "t999"',
        'absent[1]: day "sat" is not in days',
    ]
    assert validate_cover_request(p, s, [], []) == ["absent: at least one ID:DAY is required"]


def test_invalid_kept_covers_are_named_with_their_path():
    p = problem([person("t1"), person("t2"), person("t3")])
    s = solution(supervisions=[("3-1", "wed-1", "t1")])
    kept = {
        "format": "afterschool-timetable-cover/0",
        "absent": [{"id": "t9", "day": "wed"}, {"id": "t2", "day": "mon"}],
        "reassigned": [
            sup("3-1", "wed-1", "t2", "t3"),  # t1 holds it, not t2
            sup("3-9", "wed-1", "t1", "t3"),
            {"kind": "lesson"},
        ],
    }
    assert validate_cover_request(p, s, [("t1", "wed")], [kept]) == [
        'keep[0].format: expected "afterschool-timetable-cover/1"',
        'keep[0].absent[0].id: unknown staff or instructor "t9"',
        'keep[0].absent[1].day: "mon" is not a day of this cover',
        "keep[0].reassigned[0]: class 3-1 is not supervised by t2 in wed-1",
        'keep[0].reassigned[1].class: unknown class "3-9"',
        'keep[0].reassigned[2].kind: expected "supervision" or "meeting"',
    ]
    with pytest.raises(ValueError, match="keep\\[0\\].format"):
        cover(p, s, [("t1", "wed")], [kept])
