"""The independent checker: each hard rule (and each of its sub-cases) is broken by hand in an
otherwise valid solution of the tiny problem and reported naming the right entity; the metrics
and the objective (rank points, duty spread, changes from ``previous``) are computed as the spec
says."""

import ast
from pathlib import Path

import pytest

from scheduling.solver.check import METRIC_KEYS, CheckReport, changes, check, objective
from tests.solver.builders import problem, solution, tiny_problem, tiny_solution


def report(mutate_problem=None, mutate_solution=None) -> CheckReport:
    """``check`` on the tiny problem and its valid solution, after the given mutations."""
    p, s = tiny_problem(), tiny_solution()
    if mutate_problem:
        mutate_problem(p)
    if mutate_solution:
        mutate_solution(s)
    return check(problem(p), solution(s))


def violations(mutate_problem=None, mutate_solution=None) -> list[str]:
    return report(mutate_problem, mutate_solution).violations


def by_id(items, value, key="id"):
    return next(item for item in items if item[key] == value)


def meeting(s, activity, slot):
    return next(m for m in s["meetings"] if m["activity"] == activity and m["slot"] == slot)


def drop(items, **fields):
    items[:] = [i for i in items if any(i[k] != v for k, v in fields.items())]


def test_the_hand_made_solution_is_valid():
    r = report()
    assert r.violations == []
    assert r.metrics["hard_violations"] == 0


def test_the_checker_shares_no_code_with_the_model_nor_django():
    source = Path(__file__).resolve().parents[2] / "scheduling" / "solver" / "check.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= {"__future__", "collections", "dataclasses", "scheduling.solver.problem"}


# --- rule 1: supervision ------------------------------------------------------------------


def test_rule1_a_class_without_supervisor():
    def mutate(s):
        drop(s["supervisions"], **{"class": "3-1", "slot": "mon-1"})

    assert violations(mutate_solution=mutate) == [
        "rule 1 (supervision): class 3-1 has no supervisor in mon-1"
    ]


def test_rule1_two_supervisors_for_one_class():
    def mutate(s):
        s["supervisions"].append({"class": "3-1", "slot": "mon-1", "staff": "t4"})

    assert violations(mutate_solution=mutate) == [
        "rule 1 (supervision): class 3-1 has 2 supervisors in mon-1 (t1, t4)"
    ]


def test_rule1_a_supervision_listed_twice():
    def mutate(s):
        s["supervisions"].append({"class": "3-1", "slot": "mon-1", "staff": "t1"})

    assert violations(mutate_solution=mutate) == [
        "rule 1 (supervision): the supervision of class 3-1 in mon-1 by t1 is listed 2 times"
    ]


def test_rule1_no_supervision_on_a_day_the_class_does_not_meet():
    def mutate_problem(p):
        by_id(p["classes"], "4-1")["days"] = ["mon"]

    def mutate_solution(s):
        # Basketball moves to Monday so that 4-1's students (now Monday only) can still attend.
        meeting(s, "a3", "tue-2").update(slot="mon-2", teacher="v1-i2")

    assert violations(mutate_problem, mutate_solution) == [
        "rule 1 (supervision): class 4-1 is supervised in tue-1, but it has no class on tue"
    ]


def test_rule1_no_supervision_in_an_enrichment_slot():
    def mutate(s):
        s["supervisions"].append({"class": "4-1", "slot": "mon-2", "staff": "t4"})

    assert violations(mutate_solution=mutate) == [
        "rule 1 (supervision): class 4-1 is supervised in mon-2, which is not a supervised slot"
    ]


def test_rule1_the_supervisor_is_a_staff_member():
    def mutate(s):
        s["supervisions"].append({"class": "3-1", "slot": "mon-1", "staff": "v1-i2"})

    assert violations(mutate_solution=mutate) == [
        "rule 1 (supervision): class 3-1 is supervised in mon-1 by v1-i2, an instructor, not a staff member"
    ]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"class": "9-9", "slot": "mon-1", "staff": "t4"}, "a supervision names unknown class 9-9"),
        (
            {"class": "4-1", "slot": "sun-1", "staff": "t4"},
            "the supervision of class 4-1 names unknown slot sun-1",
        ),
        (
            {"class": "4-1", "slot": "mon-1", "staff": "t99"},
            "the supervision of class 4-1 in mon-1 names unknown staff member t99",
        ),
    ],
)
def test_rule1_unknown_ids(entry, expected):
    def mutate(s):
        s["supervisions"].append(entry)

    assert violations(mutate_solution=mutate) == [f"rule 1 (supervision): {expected}"]


# --- rule 2: activities ---------------------------------------------------------------------


def test_rule2_an_activity_neither_running_nor_cancelled():
    def mutate(s):
        drop(s["meetings"], activity="a3")
        drop(s["enrollments"], activity="a3")

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a3 neither runs nor is cancelled"
    ]


def test_rule2_a_cancelled_activity_has_no_meetings():
    def mutate(s):
        s["cancelled"].append("a3")
        drop(s["enrollments"], activity="a3")

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a3 is cancelled but has 1 meeting"
    ]


def test_rule2_a_cancelled_activity_has_no_students():
    def mutate(s):
        s["cancelled"].append("a3")
        drop(s["meetings"], activity="a3")

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a3 is cancelled but has 2 students (s5, s7)"
    ]


def test_rule2_a_running_activity_has_exactly_its_meetings():
    def mutate(s):
        drop(s["meetings"], activity="a1", slot="tue-2")

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a1 has 1 meeting, needs exactly 2"
    ]


def test_rule2_meetings_are_in_enrichment_slots():
    def mutate_problem(p):
        by_id(p["vendors"][0]["instructors"], "v1-i1")["available"].append("mon-1")

    def mutate_solution(s):
        meeting(s, "a3", "tue-2")["slot"] = "mon-1"

    assert violations(mutate_problem, mutate_solution) == [
        "rule 2 (activities): activity a3 meets in mon-1, which is not an enrichment slot"
    ]


def test_rule2_meetings_are_within_the_activity_slots():
    def mutate(p):
        by_id(p["activities"], "a2")["slots"] = ["tue-2"]

    assert violations(mutate_problem=mutate) == [
        "rule 2 (activities): activity a2 meets in mon-2, which is not among its slots (tue-2)"
    ]


def test_rule2_meetings_are_on_distinct_days():
    def mutate_problem(p):
        p["slots"].insert(
            2, {"id": "mon-3", "day": "mon", "start": "17:50", "end": "18:50", "kind": "enrichment"}
        )

    def mutate_solution(s):
        meeting(s, "a1", "tue-2")["slot"] = "mon-3"

    assert violations(mutate_problem, mutate_solution) == [
        "rule 2 (activities): activity a1 meets 2 times on mon (mon-2, mon-3)"
    ]


def test_rule2_meetings_are_in_distinct_slots():
    def mutate_problem(p):
        p["rooms"].append({"id": "studio2", "capacity": 10, "kinds": ["art"]})

    def mutate_solution(s):
        meeting(s, "a1", "tue-2").update(slot="mon-2", room="studio2")

    assert violations(mutate_problem, mutate_solution) == [
        "rule 2 (activities): activity a1 meets 2 times on mon (mon-2, mon-2)"
    ]


def test_rule2_a_running_activity_has_at_least_min_size_students():
    def mutate(s):
        drop(s["enrollments"], student="s2")

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a1 runs with 1 student, fewer than min_size 2"
    ]


def test_rule2_a_running_activity_has_at_most_max_size_students():
    def mutate(p):
        by_id(p["activities"], "a2")["max_size"] = 2

    assert violations(mutate_problem=mutate) == [
        "rule 2 (activities): activity a2 runs with 3 students, more than max_size 2"
    ]


def test_rule2_a_meeting_listed_twice():
    def mutate(s):
        s["meetings"].append(dict(meeting(s, "a2", "mon-2")))

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): the meeting of activity a2 in mon-2 (r1, t2) is listed 2 times"
    ]


def test_rule2_a_cancellation_listed_twice():
    def mutate(s):
        drop(s["meetings"], activity="a3")
        drop(s["enrollments"], activity="a3")
        s["cancelled"] += ["a3", "a3"]

    assert violations(mutate_solution=mutate) == [
        "rule 2 (activities): activity a3 is listed in cancelled 2 times"
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["cancelled"].append("zz"), "cancelled names unknown activity zz"),
        (
            lambda s: s["meetings"].append(
                {"activity": "zz", "slot": "mon-2", "room": "r2", "teacher": "t4"}
            ),
            "a meeting names unknown activity zz",
        ),
        (
            lambda s: s["meetings"].append(
                {"activity": "a2", "slot": "sun-2", "room": "r2", "teacher": "t2"}
            ),
            "a meeting of activity a2 names unknown slot sun-2",
        ),
    ],
)
def test_rule2_unknown_ids(mutate, expected):
    assert violations(mutate_solution=mutate) == [f"rule 2 (activities): {expected}"]


# --- rule 3: rooms --------------------------------------------------------------------------


def test_rule3_the_room_has_the_activity_kind():
    def mutate(s):
        meeting(s, "a3", "tue-2")["room"] = "r2"

    assert violations(mutate_solution=mutate) == [
        "rule 3 (rooms): room r2 of activity a3 in tue-2 is not of kind gym"
    ]


def test_rule3_the_room_holds_the_enrolled_students():
    def mutate(p):
        by_id(p["rooms"], "studio")["capacity"] = 1

    assert violations(mutate_problem=mutate) == [
        "rule 3 (rooms): room studio of activity a1 in mon-2 holds 1, fewer than its 2 students",
        "rule 3 (rooms): room studio of activity a1 in tue-2 holds 1, fewer than its 2 students",
    ]


def test_rule3_two_meetings_in_one_room():
    def mutate_problem(p):
        by_id(p["rooms"], "r1")["kinds"].append("gym")

    def mutate_solution(s):
        meeting(s, "a3", "tue-2").update(slot="mon-2", room="r1", teacher="v1-i2")

    assert violations(mutate_problem, mutate_solution) == [
        "rule 3 (rooms): room r1 is used 2 times in mon-2 (activity a2, activity a3)"
    ]


def test_rule3_two_classes_with_one_home_room_are_supervised_in_one_slot():
    def mutate(p):
        by_id(p["classes"], "4-1")["home_room"] = "r1"

    assert violations(mutate_problem=mutate) == [
        "rule 3 (rooms): room r1 is used 2 times in mon-1 (class 3-1, class 4-1)",
        "rule 3 (rooms): room r1 is used 2 times in tue-1 (class 3-1, class 4-1)",
    ]


def test_rule3_a_meeting_in_a_supervised_home_room():
    def mutate_problem(p):
        by_id(p["rooms"], "r1")["kinds"].append("gym")
        by_id(p["vendors"][0]["instructors"], "v1-i1")["available"].append("mon-1")

    def mutate_solution(s):
        meeting(s, "a3", "tue-2").update(slot="mon-1", room="r1")

    found = violations(mutate_problem, mutate_solution)
    assert "rule 3 (rooms): room r1 is used 2 times in mon-1 (class 3-1, activity a3)" in found


def test_rule3_unknown_room():
    def mutate(s):
        s["meetings"].append({"activity": "a2", "slot": "tue-2", "room": "attic", "teacher": "t3"})

    assert violations(mutate_solution=mutate) == [
        "rule 3 (rooms): the meeting of activity a2 in tue-2 names unknown room attic"
    ]


# --- rule 4: people -------------------------------------------------------------------------


def test_rule4_a_supervisor_in_two_places():
    def mutate(s):
        by_id(s["supervisions"], "4-1", key="class")["staff"] = "t1"  # 4-1's mon-1 supervision

    assert violations(mutate_solution=mutate) == [
        "rule 4 (people): t1 is in 2 places in mon-1 (class 3-1, class 4-1)"
    ]


def test_rule4_a_teacher_in_two_places():
    def mutate(s):
        meeting(s, "a2", "mon-2")["teacher"] = "t3"

    assert violations(mutate_solution=mutate) == [
        "rule 4 (people): t3 is in 2 places in mon-2 (activity a1, activity a2)"
    ]


def test_rule4_staff_never_work_when_unavailable():
    def mutate(p):
        by_id(p["staff"], "t2")["unavailable"].append("mon-2")

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): staff t2 works in mon-2, where they are unavailable"
    ]


def test_rule4_staff_never_work_on_rest_days():
    def mutate(p):
        by_id(p["staff"], "t1")["rest_days"] = ["tue"]

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): staff t1 works in tue-1, on their rest day tue"
    ]


def test_rule4_at_most_max_duties():
    def mutate(p):
        by_id(p["staff"], "t1")["max_duties"] = 1

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): staff t1 has 2 duties, more than max_duties 1"
    ]


def test_rule4_at_least_min_duties():
    def mutate(p):
        by_id(p["staff"], "t4")["min_duties"] = 1

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): staff t4 has 0 duties, fewer than min_duties 1"
    ]


def test_rule4_a_staff_activity_is_taught_by_staff():
    def mutate(s):
        meeting(s, "a2", "mon-2")["teacher"] = "v1-i2"

    assert violations(mutate_solution=mutate) == [
        "rule 4 (people): staff activity a2 is taught by v1-i2, who is not a staff member"
    ]


def test_rule4_a_staff_activity_is_taught_by_staff_with_its_subject():
    def mutate(s):
        meeting(s, "a2", "mon-2")["teacher"] = "t4"

    assert violations(mutate_solution=mutate) == [
        "rule 4 (people): activity a2 is taught by t4, who does not have subject chess"
    ]


def test_rule4_a_vendor_activity_is_not_taught_by_staff():
    def mutate(s):
        meeting(s, "a3", "tue-2")["teacher"] = "t1"

    assert violations(mutate_solution=mutate) == [
        "rule 4 (people): vendor activity a3 is taught by t1, who is not an instructor of v1"
    ]


def test_rule4_a_vendor_activity_is_taught_by_its_own_vendor():
    def mutate_problem(p):
        p["vendors"].append(
            {
                "id": "v2",
                "name": "Other",
                "instructors": [{"id": "v2-i1", "name": "Xu", "available": ["tue-2"]}],
            }
        )

    def mutate_solution(s):
        meeting(s, "a3", "tue-2")["teacher"] = "v2-i1"

    assert violations(mutate_problem, mutate_solution) == [
        "rule 4 (people): vendor activity a3 is taught by v2-i1, who is not an instructor of v1"
    ]


def test_rule4_instructors_teach_only_when_available():
    def mutate(p):
        by_id(p["vendors"][0]["instructors"], "v1-i1")["available"] = ["mon-2"]

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): instructor v1-i1 works in tue-2, where they are not available"
    ]


def test_rule4_instructors_teach_within_max_sessions():
    def mutate(p):
        by_id(p["vendors"][0]["instructors"], "v1-i1")["max_sessions"] = 0

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): instructor v1-i1 teaches 1 session, more than max_sessions 0"
    ]


def test_rule4_one_teacher_per_activity():
    def mutate(s):
        meeting(s, "a1", "tue-2")["teacher"] = "t1"

    assert violations(mutate_solution=mutate) == ["rule 4 (people): activity a1 has 2 teachers (t3, t1)"]


def test_rule4_the_teacher_is_the_given_instructor():
    def mutate(p):
        by_id(p["activities"], "a1")["instructor"] = "t1"

    assert violations(mutate_problem=mutate) == [
        "rule 4 (people): activity a1 is taught by t3, not its instructor t1"
    ]


def test_rule4_unknown_teacher():
    def mutate(s):
        meeting(s, "a2", "mon-2")["teacher"] = "t99"

    found = violations(mutate_solution=mutate)
    assert found[0] == "rule 2 (activities): activity a2 neither runs nor is cancelled"
    assert "rule 4 (people): the meeting of activity a2 in mon-2 names unknown teacher t99" in found


# --- rule 5: students -----------------------------------------------------------------------


def test_rule5_only_chosen_activities():
    def mutate(s):
        by_id(s["enrollments"], "s5", key="student")["activity"] = "a2"

    assert violations(mutate_solution=mutate) == [
        "rule 5 (students): student s5 is enrolled in a2, which is not among their choices"
    ]


def test_rule5_only_activities_open_to_the_grade():
    def mutate(s):
        by_id(s["enrollments"], "s4", key="student")["activity"] = "a3"

    assert violations(mutate_solution=mutate) == [
        "rule 5 (students): student s4 is enrolled in a3, which is not open to grade 3"
    ]


def test_rule5_at_most_wants():
    def mutate_problem(p):
        by_id(p["students"], "s5")["choices"] = ["a3", "a2"]

    def mutate_solution(s):
        s["enrollments"].append({"student": "s5", "activity": "a2"})

    assert violations(mutate_problem, mutate_solution) == [
        "rule 5 (students): student s5 is in 2 activities, more than wants 1"
    ]


def test_rule5_never_two_in_one_slot():
    def mutate_problem(p):
        by_id(p["activities"], "a1")["max_size"] = 3

    def mutate_solution(s):
        s["enrollments"].append({"student": "s3", "activity": "a1"})

    assert violations(mutate_problem, mutate_solution) == [
        "rule 5 (students): student s3 has 2 activities in mon-2 (a2, a1)"
    ]


def test_rule5_only_on_the_student_days():
    def mutate(s):
        by_id(s["enrollments"], "s6", key="student")["activity"] = "a3"

    assert violations(mutate_solution=mutate) == [
        "rule 5 (students): student s6 is enrolled in a3, which meets in tue-2, not on their days"
    ]


def test_rule5_no_duplicate_enrolment():
    def mutate(s):
        s["enrollments"].append({"student": "s1", "activity": "a1"})

    assert violations(mutate_solution=mutate) == ["rule 5 (students): student s1 is enrolled in a1 2 times"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"student": "s99", "activity": "a2"}, "an enrolment names unknown student s99"),
        ({"student": "s8", "activity": "zz"}, "the enrolment of student s8 names unknown activity zz"),
    ],
)
def test_rule5_unknown_ids(entry, expected):
    def mutate(s):
        s["enrollments"].append(entry)

    assert violations(mutate_solution=mutate) == [f"rule 5 (students): {expected}"]


# --- rule 6: pinned -------------------------------------------------------------------------


def pin(**decisions):
    full = {"supervisions": [], "meetings": [], "enrollments": [], "cancelled": []}
    full.update(decisions)
    return lambda p: p.update(pinned=full)


def test_rule6_kept_pins_are_no_violation():
    kept = pin(
        supervisions=[{"class": "3-1", "slot": "tue-1", "staff": "t3"}],
        meetings=[
            {"activity": "a1", "slot": "tue-2", "teacher": "t3"},
            {"activity": "a1", "room": "studio"},
            {"activity": "a2"},
        ],
        enrollments=[{"student": "s7", "activity": "a3"}],
    )
    assert violations(mutate_problem=kept) == []


def test_rule6_a_pinned_supervision_is_kept():
    mutate = pin(supervisions=[{"class": "3-1", "slot": "mon-1", "staff": "t2"}])
    assert violations(mutate_problem=mutate) == [
        "rule 6 (pinned): the pinned supervision of class 3-1 in mon-1 by t2 is missing"
    ]


@pytest.mark.parametrize(
    ("pinned", "given"),
    [
        ({"activity": "a1", "slot": "tue-2", "room": "gym"}, "slot tue-2, room gym"),
        ({"activity": "a1", "slot": "mon-2", "teacher": "t1"}, "slot mon-2, teacher t1"),
        ({"activity": "a2", "slot": "tue-2"}, "slot tue-2"),
    ],
)
def test_rule6_a_pinned_meeting_is_matched_on_every_field_it_gives(pinned, given):
    mutate = pin(meetings=[pinned])
    assert violations(mutate_problem=mutate) == [
        f"rule 6 (pinned): the pinned meeting of activity {pinned['activity']} ({given}) has no matching meeting"
    ]


def test_rule6_an_activity_pinned_to_run_is_not_cancelled():
    def mutate_solution(s):
        drop(s["meetings"], activity="a3")
        drop(s["enrollments"], activity="a3")
        s["cancelled"].append("a3")

    assert violations(pin(meetings=[{"activity": "a3"}]), mutate_solution) == [
        "rule 6 (pinned): the pinned meeting of activity a3 (any slot) has no matching meeting"
    ]


def test_rule6_a_pinned_enrolment_is_kept():
    mutate = pin(enrollments=[{"student": "s3", "activity": "a1"}])
    assert violations(mutate_problem=mutate) == [
        "rule 6 (pinned): the pinned enrolment of student s3 in a1 is missing"
    ]


def test_rule6_a_pinned_cancellation_is_kept():
    mutate = pin(cancelled=["a2"])
    assert violations(mutate_problem=mutate) == [
        "rule 6 (pinned): the pinned cancellation of activity a2 is missing"
    ]


# --- metrics --------------------------------------------------------------------------------


def test_metrics_of_the_tiny_solution():
    # Wanting: s1-s7 (s8 wants nothing). First choices: s1, s2, s3, s5. Seats wanted:
    # min(wants, choices) = 1+1+2+1+1+1+2 = 9. Rank points: ranks 0,0,0,1,0,1,1 -> 4*10 + 3*6.
    # Duties: t1 2, t2 2, t3 3, t4 0 (t4 rests on tue but can work on mon, so it counts).
    assert report().metrics == {
        "hard_violations": 0,
        "students_wanting": 7,
        "first_choice_rate": 0.5714,
        "any_choice_rate": 1.0,
        "seat_fill_rate": 0.7778,
        "wanting_but_none": 0,
        "rank_points": 58,
        "cancelled": 0,
        "duty_max": 3,
        "duty_min": 0,
        "duty_spread": 3,
    }
    assert tuple(report().metrics) == METRIC_KEYS


def test_metrics_count_students_left_without_a_choice_and_the_violations():
    def mutate(s):
        drop(s["enrollments"], student="s2")

    r = report(mutate_solution=mutate)
    assert r.metrics["hard_violations"] == len(r.violations) == 1
    assert r.metrics["wanting_but_none"] == 1
    assert r.metrics["any_choice_rate"] == round(6 / 7, 4)
    assert r.metrics["first_choice_rate"] == round(3 / 7, 4)
    assert r.metrics["seat_fill_rate"] == round(6 / 9, 4)
    assert r.metrics["rank_points"] == 48


def test_metrics_count_cancellations():
    def mutate(s):
        drop(s["meetings"], activity="a3")
        drop(s["enrollments"], activity="a3")
        s["cancelled"].append("a3")

    m = report(mutate_solution=mutate).metrics
    assert m["cancelled"] == 1
    assert m["wanting_but_none"] == 2  # s5 and s7
    assert m["rank_points"] == 58 - 10 - 6


def test_metrics_ignore_enrolments_outside_the_choices():
    def mutate(s):
        by_id(s["enrollments"], "s5", key="student")["activity"] = "a2"

    m = report(mutate_solution=mutate).metrics
    assert m["hard_violations"] == 1
    assert m["wanting_but_none"] == 1
    assert m["rank_points"] == 48


def test_rates_are_zero_without_students_wanting():
    def mutate(p):
        for student in p["students"]:
            student["wants"] = 0

    m = report(mutate_problem=mutate).metrics
    assert m["students_wanting"] == 0
    assert m["first_choice_rate"] == m["any_choice_rate"] == m["seat_fill_rate"] == 0.0
    assert m["wanting_but_none"] == 0


def test_a_student_with_wants_but_no_choices_is_not_wanting():
    def mutate(p):
        by_id(p["students"], "s8")["wants"] = 2

    assert report(mutate_problem=mutate).metrics["students_wanting"] == 7


@pytest.mark.parametrize(
    "t4",
    [
        {"max_duties": 0},
        {"rest_days": ["mon", "tue"]},
        {"unavailable": ["mon-1", "mon-2", "tue-1", "tue-2"]},
        {"unavailable": ["mon-1", "mon-2"], "rest_days": ["tue"]},
    ],
)
def test_duty_spread_leaves_out_staff_who_cannot_work(t4):
    def mutate(p):
        by_id(p["staff"], "t4").update(t4)

    m = report(mutate_problem=mutate).metrics
    assert (m["duty_max"], m["duty_min"], m["duty_spread"]) == (3, 2, 1)


def test_duty_spread_counts_supervisions_and_meetings():
    def mutate(s):
        meeting(s, "a2", "mon-2")["teacher"] = "t4"  # breaks rule 4 (no chess) but moves a duty
        by_id(s["supervisions"], "4-1", key="class")["staff"] = "t4"  # 4-1 in mon-1

    m = report(mutate_solution=mutate).metrics
    # t1 2, t2 0, t3 3, t4 2
    assert (m["duty_max"], m["duty_min"], m["duty_spread"]) == (3, 0, 3)


# --- objective ------------------------------------------------------------------------------


def value(mutate_problem=None, mutate_solution=None) -> int:
    p, s = tiny_problem(), tiny_solution()
    if mutate_problem:
        mutate_problem(p)
    if mutate_solution:
        mutate_solution(s)
    return objective(problem(p), solution(s))


def test_objective_of_the_tiny_solution():
    assert value() == 58 - 20 * (3 - 0)


def test_objective_rank_points_beyond_the_list_score_zero():
    def mutate(p):
        p["weights"]["rank_points"] = [7]

    assert value(mutate_problem=mutate) == 4 * 7 - 20 * 3


def test_objective_default_weights():
    def mutate(p):
        del p["weights"]

    assert value(mutate_problem=mutate) == 58 - 20 * 3


def test_objective_duty_spread_weight():
    def mutate(p):
        p["weights"]["duty_spread"] = 5
        by_id(p["staff"], "t4")["max_duties"] = 0  # now spread = 3 - 2

    assert value(mutate_problem=mutate) == 58 - 5 * 1


def previous_of_tiny() -> dict:
    s = tiny_solution()
    return {k: s[k] for k in ("supervisions", "meetings", "enrollments", "cancelled")}


def test_objective_no_changes_from_an_identical_previous():
    assert value(lambda p: p.update(previous=previous_of_tiny())) == 58 - 60


def test_changes_count_each_element_of_the_symmetric_difference():
    prev = previous_of_tiny()
    prev["supervisions"][0]["staff"] = "t4"  # moved supervision: 2
    prev["meetings"][2]["room"] = "r2"  # moved meeting: 2
    prev["enrollments"].pop()  # new enrolment: 1
    prev["enrollments"].append({"student": "s3", "activity": "a1"})  # dropped enrolment: 1
    prev["cancelled"] = ["a2"]  # cancellations are not counted
    p = problem(tiny_problem(previous=prev))
    s = solution(tiny_solution())
    assert changes(p, s) == 6
    assert objective(p, s) == 58 - 60 - 50 * 6


def test_changes_from_an_empty_previous_count_every_decision():
    p = problem(tiny_problem(previous={"supervisions": [], "meetings": [], "enrollments": []}))
    assert changes(p, solution(tiny_solution())) == 4 + 4 + 7


def test_changes_without_previous_are_zero():
    assert changes(problem(tiny_problem()), solution(tiny_solution())) == 0


def test_changes_ignore_previous_elements_naming_unknown_ids():
    prev = previous_of_tiny()
    prev["supervisions"] += [
        {"class": "9-9", "slot": "mon-1", "staff": "t1"},
        {"class": "3-1", "slot": "sun-1", "staff": "t1"},
        {"class": "3-1", "slot": "mon-1", "staff": "t99"},
    ]
    prev["meetings"] += [
        {"activity": "zz", "slot": "mon-2", "room": "r1", "teacher": "t2"},
        {"activity": "a2", "slot": "sun-2", "room": "r1", "teacher": "t2"},
        {"activity": "a2", "slot": "mon-2", "room": "attic", "teacher": "t2"},
        {"activity": "a2", "slot": "mon-2", "room": "r1", "teacher": "gone"},
    ]
    prev["enrollments"] += [{"student": "s99", "activity": "a1"}, {"student": "s1", "activity": "zz"}]
    p = problem(tiny_problem(previous=prev))
    assert changes(p, solution(tiny_solution())) == 0
    assert value(lambda d: d.update(previous=prev)) == 58 - 60


def test_the_tiny_problem_and_solution_are_valid_input():
    from scheduling.solver.validate import validate_problem, validate_solution

    assert validate_problem(tiny_problem()) == []
    assert validate_solution(problem(tiny_problem()), tiny_solution()) == []
