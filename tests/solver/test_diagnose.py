"""The reasons read back from a problem and its solution (``scheduling.solver.diagnose``)."""

from scheduling.solver.diagnose import cancelled_reasons, quality, unplaced_reasons
from tests.solver.builders import problem, solution, tiny_problem, tiny_solution


def cancel(data: dict, activity: str) -> dict:
    data = {**data, "cancelled": [*data["cancelled"], activity]}
    data["meetings"] = [m for m in data["meetings"] if m["activity"] != activity]
    data["enrollments"] = [e for e in data["enrollments"] if e["activity"] != activity]
    return data


def codes(p, s) -> dict:
    return {a: r.code for a, r in cancelled_reasons(p, s).items()}


def test_each_cancelled_activity_gets_the_fact_that_explains_it():
    data = tiny_problem()
    sol = cancel(cancel(tiny_solution(), "a2"), "a3")
    # Chess: 4 pupils of its grades chose it but its minimum is now 5.
    next(a for a in data["activities"] if a["id"] == "a2")["min_size"] = 5
    # Basketball: its vendor has no instructor left.
    data["vendors"][0]["instructors"] = []
    reasons = cancelled_reasons(problem(data), solution(sol))
    assert reasons["a2"].code == "below_minimum"
    assert reasons["a2"].params == {"chose": 4, "eligible": 4, "min_size": 5}
    assert reasons["a3"].code == "no_eligible_leader"


def test_no_room_kind_and_no_free_room():
    data = tiny_problem()
    sol = cancel(tiny_solution(), "a3")
    for room in data["rooms"]:
        if room["id"] == "gym":
            room["kinds"] = ["sports"]
    assert codes(problem(data), solution(sol))["a3"] == "no_room_kind"

    # With the gym busy in both enrichment slots, no room of its kind is free.
    data = tiny_problem()
    for room in data["rooms"]:
        room["kinds"] = [*room["kinds"], "gym"] if room["id"] == "gym" else room["kinds"]
    sol = cancel(tiny_solution(), "a3")
    sol["meetings"] = [{**m, "room": "gym"} if m["activity"] == "a2" else m for m in sol["meetings"]] + [
        {"activity": "x", "slot": "tue-2", "room": "gym", "teacher": "t4"}
    ]
    assert codes(problem(data), solution(sol))["a3"] == "no_room_free"


def test_unplaced_pupils_get_a_reason_per_choice_and_the_quality_counts_them():
    data = tiny_problem()
    sol = cancel(tiny_solution(), "a3")
    p, s = problem(data), solution(sol)
    unplaced = {u.student: u for u in unplaced_reasons(p, s)}
    # Basketball is cancelled and Painting's two places are taken.
    assert set(unplaced) == {"s5", "s7"}
    assert unplaced["s5"].class_id == "4-1" and unplaced["s5"].choices == ("a3", "a1")
    assert [(r.code, r.params.get("because")) for r in unplaced["s5"].reasons] == [
        ("cancelled", "outweighed"),
        ("full", None),
    ]
    assert [r.code for r in unplaced["s7"].reasons] == ["full", "cancelled"]

    # A grade-3 pupil who chose only Basketball (grade 4) is told so.
    data["students"].append({"id": "s9", "class": "3-1", "choices": ["a3"], "wants": 1})
    [s9] = [u for u in unplaced_reasons(problem(data), s) if u.student == "s9"]
    assert [r.code for r in s9.reasons] == ["wrong_grade"]
    q = quality(p, s)
    assert q["wanting"] == 7 and q["unplaced"] == len(unplaced) and q["placed"] == 7 - len(unplaced)
    assert q["cancelled"] == 1
