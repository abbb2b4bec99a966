"""The benchmark instance generator: reproducible per seed, different across seeds, the
advertised sizes, every reference valid (checked here independently of the project's
validator), skewed popularity, supervisable, and accepted by ``load_problem``; plus the
benchmark runner's verdicts. Only ``small`` and ``large`` are generated, to stay fast."""

import json
from functools import cache

import pytest

from benchmarks import run as bench
from benchmarks.generate import SIZES, generate, main, summary, supervision_shortfall
from scheduling.solver.problem import load_problem

SEEDS = (1, 2, 3)


@cache
def _generated(size: str, seed: int) -> str:
    return json.dumps(generate(size, seed), sort_keys=True)


def instance(size: str, seed: int) -> dict:
    """A fresh copy of a generated problem (generation is cached across tests)."""
    return json.loads(_generated(size, seed))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return 60 * int(hours) + int(minutes)


def reference_faults(data: dict) -> list[str]:
    """Every broken reference or field rule of the spec, found without the project's code."""
    faults = []

    def unique(items, what):
        ids = [item["id"] for item in items]
        if len(ids) != len(set(ids)):
            faults.append(f"duplicate {what} ids")
        return set(ids)

    days = data["days"]
    slots = {s["id"]: s for s in data["slots"]}
    unique(data["slots"], "slot")
    enrichment = {sid for sid, s in slots.items() if s["kind"] == "enrichment"}
    for s in data["slots"]:
        if s["day"] not in days or s["kind"] not in ("supervised", "enrichment"):
            faults.append(f"slot {s['id']}: bad day or kind")
        if _minutes(s["start"]) >= _minutes(s["end"]):
            faults.append(f"slot {s['id']}: start not before end")
    for a in data["slots"]:
        for b in data["slots"]:
            same_day = a["id"] < b["id"] and a["day"] == b["day"]
            if (
                same_day
                and _minutes(a["start"]) < _minutes(b["end"])
                and _minutes(b["start"]) < _minutes(a["end"])
            ):
                faults.append(f"slots {a['id']} and {b['id']} overlap")

    rooms = {r["id"]: r for r in data["rooms"]}
    unique(data["rooms"], "room")
    kinds = {kind for r in data["rooms"] for kind in r["kinds"]}
    if any(r["capacity"] < 1 or not r["kinds"] for r in data["rooms"]):
        faults.append("a room without capacity or kinds")

    classes = {c["id"]: c for c in data["classes"]}
    unique(data["classes"], "class")
    if len({c["home_room"] for c in data["classes"]}) != len(classes):
        faults.append("two classes share a home room")
    for c in data["classes"]:
        if c["home_room"] not in rooms:
            faults.append(f"class {c['id']}: unknown home room")
        elif rooms[c["home_room"]]["capacity"] < c["size"]:
            faults.append(f"class {c['id']}: home room too small")
        if not set(c["days"]) <= set(days):
            faults.append(f"class {c['id']}: unknown day")

    staff_ids = unique(data["staff"], "staff")
    subjects = {subject for p in data["staff"] for subject in p["subjects"]}
    for p in data["staff"]:
        if not set(p["unavailable"]) <= set(slots) or not set(p["rest_days"]) <= set(days):
            faults.append(f"staff {p['id']}: unknown slot or day")
        if p["max_duties"] is not None and p["max_duties"] < p["min_duties"]:
            faults.append(f"staff {p['id']}: max_duties below min_duties")
    vendors = {v["id"]: v for v in data["vendors"]}
    unique(data["vendors"], "vendor")
    instructors = [i for v in data["vendors"] for i in v["instructors"]]
    instructor_ids = unique(instructors, "instructor")
    if staff_ids & instructor_ids or "staff" in vendors:
        faults.append("staff and instructor ids collide, or a vendor is called staff")
    for i in instructors:
        if not set(i["available"]) <= enrichment:
            faults.append(f"instructor {i['id']}: available in a slot that is not enrichment")

    activities = {a["id"]: a for a in data["activities"]}
    unique(data["activities"], "activity")
    for a in data["activities"]:
        where = f"activity {a['id']}"
        if a["provider"] != "staff" and a["provider"] not in vendors:
            faults.append(f"{where}: unknown provider")
        if a["provider"] == "staff" and a["subject"] not in subjects:
            faults.append(f"{where}: no staff member teaches {a['subject']}")
        if a["room_kind"] not in kinds:
            faults.append(f"{where}: no room of kind {a['room_kind']}")
        elif a["max_size"] > max(r["capacity"] for r in data["rooms"] if a["room_kind"] in r["kinds"]):
            faults.append(f"{where}: larger than every room of its kind")
        grades = a["grades"]
        if (
            not grades
            or grades != list(range(grades[0], grades[0] + len(grades)))
            or not 1 <= len(grades) <= 3
        ):
            faults.append(f"{where}: grades are not a band of 1-3 adjacent grades")
        if not 1 <= a["meetings"] <= len(days) or not 0 <= a["min_size"] <= a["max_size"]:
            faults.append(f"{where}: bad meetings or sizes")
        if a.get("slots") is not None:
            if not set(a["slots"]) <= enrichment:
                faults.append(f"{where}: allowed slot that is not enrichment")
            if len({slots[s]["day"] for s in a["slots"] if s in slots}) < a["meetings"]:
                faults.append(f"{where}: allowed slots on too few days")

    unique(data["students"], "student")
    for s in data["students"]:
        where = f"student {s['id']}"
        if s["class"] not in classes:
            faults.append(f"{where}: unknown class")
            continue
        school_class = classes[s["class"]]
        if len(s["choices"]) != len(set(s["choices"])):
            faults.append(f"{where}: the same choice twice")
        for choice in s["choices"]:
            if choice not in activities:
                faults.append(f"{where}: unknown activity {choice}")
            elif school_class["grade"] not in activities[choice]["grades"]:
                faults.append(f"{where}: {choice} is not open to grade {school_class['grade']}")
        if not set(s.get("days", school_class["days"])) <= set(school_class["days"]):
            faults.append(f"{where}: days outside the class's days")
        if s["wants"] < 0:
            faults.append(f"{where}: negative wants")
    return faults


def first_choice_counts(data: dict) -> list[int]:
    counts = dict.fromkeys((a["id"] for a in data["activities"]), 0)
    for s in data["students"]:
        if s["choices"]:
            counts[s["choices"][0]] += 1
    return sorted(counts.values(), reverse=True)


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_same_seed_gives_the_same_problem(size):
    assert json.dumps(generate(size, 7), sort_keys=True) == json.dumps(generate(size, 7), sort_keys=True)
    assert instance(size, 1) == json.loads(json.dumps(generate(size, 1)))


@pytest.mark.parametrize("size", ["small", "large"])
def test_different_seeds_give_different_problems(size):
    problems = [instance(size, seed) for seed in SEEDS]
    for key in ("classes", "staff", "vendors", "activities", "students"):
        assert len({json.dumps(p[key], sort_keys=True) for p in problems}) == len(SEEDS), key


def test_sizes_have_the_advertised_counts():
    for seed in SEEDS:
        small = summary(instance("small", seed))
        assert 450 <= small["pupils"] <= 550
        assert (small["classes"], small["activities"], small["slots"]) == (12, 25, 10)

        data = instance("large", seed)
        large = summary(data)
        assert 1800 <= large["pupils"] <= 2200
        assert (large["classes"], large["activities"], large["slots"], large["enrichment_slots"]) == (
            48,
            90,
            15,
            10,
        )
        assert sorted({c["grade"] for c in data["classes"]}) == [1, 2, 3, 4, 5, 6]
        assert all(sum(c["grade"] == g for c in data["classes"]) == 8 for g in range(1, 7))
        assert all(38 <= c["size"] <= 45 for c in data["classes"])
        assert sum(c["size"] for c in data["classes"]) == large["pupils"]
        assert 8 <= large["vendors"] <= 12
        assert large["staff"] == round(1.3 * 48)
    with pytest.raises(ValueError, match="unknown size"):
        generate("medium", 1)
    assert set(SIZES) == {"small", "large", "huge"}


@pytest.mark.parametrize("size", ["small", "large"])
def test_every_reference_is_valid(size):
    for seed in SEEDS:
        assert reference_faults(instance(size, seed)) == [], (size, seed)


def test_the_reference_check_catches_faults():
    data = instance("small", 1)
    student = next(s for s in data["students"] if s["choices"])
    closed = next(a for a in data["activities"] if data["classes"][-1]["grade"] not in a["grades"])
    bad_class = next(c for c in data["classes"] if c["grade"] not in closed["grades"])
    student["class"] = bad_class["id"]
    student["choices"] = [closed["id"]]
    student["days"] = ["sun"]
    data["activities"][0]["room_kind"] = "pool"
    data["classes"][0]["home_room"] = "nowhere"
    faults = reference_faults(data)
    assert any("is not open to grade" in f for f in faults)
    assert any("days outside" in f for f in faults)
    assert any("no room of kind pool" in f for f in faults)
    assert any("unknown home room" in f for f in faults)


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_structure_is_realistic(size):
    data = instance(size, 1)
    activities = data["activities"]
    vendor_share = sum(a["provider"] != "staff" for a in activities) / len(activities)
    assert 0.3 <= vendor_share <= 0.5
    assert {a["meetings"] for a in activities} == {1, 2}
    assert all(6 <= a["min_size"] <= 10 and 20 <= a["max_size"] <= 35 for a in activities)
    students = data["students"]
    wanting = [s for s in students if s["wants"]]
    assert all(3 <= len(s["choices"]) <= 5 for s in wanting)
    assert all(not s["choices"] for s in students if not s["wants"])
    assert {s["wants"] for s in students} == {0, 1, 2}
    assert 0.03 <= sum("days" in s for s in students) / len(students) <= 0.2
    staff = data["staff"]
    assert any(p["max_duties"] is None for p in staff) or size == "small"
    assert all(p["max_duties"] is None or p["max_duties"] >= 3 for p in staff)
    assert data["school"]


def test_popularity_is_skewed():
    for size in ("small", "large"):
        for seed in SEEDS:
            data = instance(size, seed)
            counts = first_choice_counts(data)
            median = counts[len(counts) // 2]
            assert counts[0] >= 4 * max(1, median), (size, seed, counts[:3], median)
            # A few activities are heavily over-subscribed (more first choices than seats).
            seats = {a["id"]: a["max_size"] for a in data["activities"]}
            assert counts[0] > min(seats.values())


@pytest.mark.parametrize("size", ["small", "large"])
def test_every_class_can_be_supervised(size):
    for seed in SEEDS:
        data = instance(size, seed)
        supervised = [s for s in data["slots"] if s["kind"] == "supervised"]
        assert supervision_shortfall(data["staff"], data["classes"], supervised) is None


@pytest.mark.parametrize("size", ["small", "large"])
def test_load_problem_accepts_it(size):
    data = instance(size, 2)
    problem = load_problem(data)
    assert len(problem.students) == len(data["students"])
    assert len(problem.activities) == len(data["activities"])
    assert problem.school == data["school"]
    assert all(s.days for s in problem.students)


def test_the_project_validator_accepts_it():
    validate = pytest.importorskip("scheduling.solver.validate")
    assert validate.validate_problem(instance("large", 1)) == []


def test_the_command_line_writes_the_problem(tmp_path, capsys):
    out = tmp_path / "p.json"
    assert main(["--size", "small", "--seed", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == instance("small", 3)
    assert "small seed 3: " in capsys.readouterr().err


def test_the_runner_judges_the_targets():
    def run(size, **values):
        result = bench.Run(size, 1, summary(instance("small", 1)), 0.0, "cpsat")
        result.metrics = dict.fromkeys(bench.METRICS, 0)
        for key, value in values.items():
            setattr(result, key, value)
        return result

    good = run("large", first_seconds=2.0, rank_ratio=1.5, fill_ratio=1.2)
    assert bench.judge(good) == []
    slow = run("large", first_seconds=6.0, rank_ratio=1.1, fill_ratio=1.2)
    assert bench.judge(slow) == ["first valid <= 5 s (got 6.00)", "rank ratio >= 1.2 (got 1.10)"]
    assert bench.judge(run("huge", first_seconds=14.0)) == []
    assert bench.judge(run("huge", first_seconds=None)) == ["first valid <= 15 s (got none)"]
    broken = run("small")
    broken.metrics["hard_violations"] = 2
    assert bench.judge(broken) == ["2 hard violations"]
    assert bench.judge(run("small", metrics=None)) == ["no solution (status unknown)"]
    slow.failures = bench.judge(slow)
    table = bench.format_table([good, slow])
    assert "PASS" in table and "FAIL" in table and "rank ratio >= 1.2" in table
