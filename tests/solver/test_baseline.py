"""The first-come baseline follows the spec's four steps exactly: the concrete supervisors,
meeting slots, rooms and enrolments the steps imply on the tiny problem, seeded arrival order,
cancellation of under-filled activities without re-placing, and a valid result by ``check``."""

import ast
import random
from pathlib import Path

from scheduling.solver.baseline import baseline
from scheduling.solver.check import check, objective
from scheduling.solver.problem import Enrollment, Meeting, Supervision
from tests.solver.builders import problem, tiny_problem


def by_id(items, value):
    return next(item for item in items if item["id"] == value)


def run(mutate=None, seed=0):
    data = tiny_problem()
    if mutate:
        mutate(data)
    p = problem(data)
    return p, baseline(p, seed=seed)


def pairs(solution):
    return {(e.student, e.activity) for e in solution.enrollments}


def arrivals(p, seed):
    order = list(p.students)
    random.Random(seed).shuffle(order)
    return [s.id for s in order]


def test_the_baseline_shares_no_code_with_the_model_nor_django():
    source = Path(__file__).resolve().parents[2] / "scheduling" / "solver" / "baseline.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert not any("django" in name or name.endswith("model") for name in imported)


def test_supervision_takes_the_available_staff_with_fewest_duties_ties_by_id():
    _, s = run()
    assert s.supervisions == [
        Supervision("3-1", "mon-1", "t1"),  # all at 0 duties: t1 by id
        Supervision("4-1", "mon-1", "t2"),  # t1 is busy in mon-1
        Supervision("3-1", "tue-1", "t3"),  # t3 and t4 have 0 duties, t4 rests on tue
        Supervision("4-1", "tue-1", "t1"),  # t1 and t2 tie at 1 duty: t1 by id
    ]


def test_supervision_respects_max_duties_and_unavailability():
    def mutate(p):
        by_id(p["staff"], "t1")["max_duties"] = 1
        by_id(p["staff"], "t3")["unavailable"] = ["tue-1"]

    p, s = run(mutate)
    assert s.supervisions == [
        Supervision("3-1", "mon-1", "t1"),
        Supervision("4-1", "mon-1", "t2"),
        Supervision("3-1", "tue-1", "t2"),  # t1 at max_duties, t3 unavailable, t4 resting
    ]
    # 4-1 in tue-1: t1 at max_duties, t2 busy, t3 unavailable, t4 resting: nobody, and the
    # baseline does not repair it.
    assert check(p, s).violations == ["rule 1 (supervision): class 4-1 has no supervisor in tue-1"]
    assert s.status == "unknown"


def test_activities_take_the_first_teacher_who_gets_every_meeting():
    _, s = run()
    assert s.meetings == [
        # t1 has art but only one duty left under max_duties 3 (mon-2): t3 is next.
        Meeting("a1", "mon-2", "studio", "t3"),
        Meeting("a1", "tue-2", "studio", "t3"),
        # r1 is the first free classroom with room for max_size 4.
        Meeting("a2", "mon-2", "r1", "t2"),
        # v1-i1 is available only in tue-2.
        Meeting("a3", "tue-2", "gym", "v1-i1"),
    ]
    assert s.cancelled == []


def test_the_first_teacher_keeps_the_activity_when_within_cap():
    _, s = run(lambda p: by_id(p["staff"], "t1").update(max_duties=4))
    assert [m for m in s.meetings if m.activity == "a1"] == [
        Meeting("a1", "mon-2", "studio", "t1"),
        Meeting("a1", "tue-2", "studio", "t1"),
    ]


def test_meetings_are_on_new_days_in_slot_input_order():
    def mutate(p):
        p["slots"].insert(
            2, {"id": "mon-3", "day": "mon", "start": "17:50", "end": "18:50", "kind": "enrichment"}
        )

    _, s = run(mutate)
    assert [m.slot for m in s.meetings if m.activity == "a1"] == ["mon-2", "tue-2"]


def test_the_activity_slots_restrict_the_walk():
    def mutate(p):
        by_id(p["activities"], "a3")["slots"] = ["mon-2"]

    _, s = run(mutate)
    # v1-i1 is not available in mon-2; the vendor's next instructor is.
    assert [m for m in s.meetings if m.activity == "a3"] == [Meeting("a3", "mon-2", "gym", "v1-i2")]


def test_a_given_instructor_is_the_only_teacher_tried():
    def mutate(p):
        by_id(p["activities"], "a2")["instructor"] = "t3"

    _, s = run(mutate)
    # t3 already teaches painting in both enrichment slots; t2 is not tried.
    assert "a2" in s.cancelled
    assert not [m for m in s.meetings if m.activity == "a2"]
    assert not [e for e in s.enrollments if e.activity == "a2"]


def test_the_first_free_room_of_the_kind_is_taken():
    def mutate(p):
        p["activities"].append(
            {"id": "a4", "name": "English", "provider": "v1", "subject": "english", "grades": [3, 4],
             "meetings": 1, "room_kind": "classroom", "max_size": 4}
        )  # fmt: skip

    _, s = run(mutate)
    # v1-i1 is not available in mon-2 and teaches basketball in tue-2; v1-i2 takes mon-2, where
    # r1 (the first classroom) already holds chess, so r2.
    assert [m for m in s.meetings if m.activity == "a4"] == [Meeting("a4", "mon-2", "r2", "v1-i2")]


def test_an_activity_without_a_big_enough_room_is_cancelled():
    _, s = run(lambda p: by_id(p["activities"], "a2").update(max_size=46))
    assert s.cancelled == ["a2"]


def test_students_arrive_in_the_seeded_order_and_take_choices_in_rank_order():
    p, s = run(seed=0)
    assert arrivals(p, 0) == ["s5", "s2", "s6", "s3", "s1", "s4", "s8", "s7"]
    assert pairs(s) == {
        ("s5", "a3"),  # first choice
        ("s2", "a1"),  # first choice
        ("s6", "a2"),  # a3 meets on tue, s6 only comes on mon
        ("s3", "a2"),  # wants 2, but a1 meets in mon-2 like a2
        ("s1", "a1"),  # the last seat of a1 (max_size 2)
        ("s4", "a2"),  # a3 is not open to grade 3
        ("s7", "a3"),  # a1 is full
    }
    assert s.enrollments[:2] == [Enrollment("s2", "a1"), Enrollment("s1", "a1")]  # in arrival order


def test_painting_seats_go_to_the_first_two_arrivals_who_want_it():
    for seed in range(20):
        p, s = run(seed=seed)
        first_two = [x for x in arrivals(p, seed) if x in ("s1", "s2", "s7")][:2]
        assert {e.student for e in s.enrollments if e.activity == "a1"} == set(first_two), seed


def test_the_baseline_is_deterministic_for_a_seed():
    p = problem(tiny_problem())
    for seed in (0, 1, 7):
        a, b = baseline(p, seed=seed).to_dict(), baseline(p, seed=seed).to_dict()
        a.pop("solve_seconds")
        b.pop("solve_seconds")
        assert a == b


def test_another_seed_changes_who_gets_the_contested_seats():
    _, s0 = run(seed=0)
    _, s1 = run(seed=1)
    assert {e.student for e in s0.enrollments if e.activity == "a1"} == {"s1", "s2"}
    assert {e.student for e in s1.enrollments if e.activity == "a1"} == {"s2", "s7"}
    assert pairs(s0) != pairs(s1)


def test_under_filled_activities_are_cancelled_and_their_students_not_re_placed():
    def mutate(p):
        by_id(p["activities"], "a2")["min_size"] = 5
        by_id(p["activities"], "a1")["max_size"] = 4

    p, s = run(mutate, seed=0)
    assert "a2" in s.cancelled
    assert not [m for m in s.meetings if m.activity == "a2"]
    # s3, s4 and s6 had chess; s3's second choice (painting) still has a free seat and no
    # longer clashes, but s3 is not re-placed.
    assert pairs(s) == {("s2", "a1"), ("s1", "a1"), ("s7", "a1"), ("s5", "a3")}
    assert check(p, s).violations == []


def test_an_activity_left_empty_with_min_size_zero_still_runs():
    def mutate(p):
        by_id(p["activities"], "a3").update(min_size=0)
        for student in p["students"]:
            student["choices"] = [c for c in student.get("choices", []) if c != "a3"]

    _, s = run(mutate)
    assert "a3" not in s.cancelled
    assert [m.activity for m in s.meetings].count("a3") == 1


def test_check_finds_no_violation_without_min_duties():
    for seed in range(10):
        p, s = run(seed=seed)
        assert check(p, s).violations == [], seed
        assert s.status == "feasible"
        assert s.objective == objective(p, s)
        assert s.bound is None


def test_the_baseline_ignores_min_duties_and_says_so_in_its_status():
    p, s = run(lambda p: by_id(p["staff"], "t4").update(min_duties=1))
    assert check(p, s).violations == ["rule 4 (people): staff t4 has 0 duties, fewer than min_duties 1"]
    assert s.status == "unknown"
    assert s.objective == objective(p, s)


def test_the_objective_of_the_baseline_on_the_tiny_problem():
    p, s = run(seed=0)
    # rank points 10+10+6+10+10+6+6 = 58; duties t1 2, t2 2, t3 3, t4 0
    assert s.objective == 58 - 20 * 3
    assert s.to_dict()["format"] == "afterschool-timetable-solution/1"
