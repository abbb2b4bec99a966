"""``python -m scheduling``: exit codes, output files and messages, run as a real process."""

import json
import subprocess
import sys

import pytest

from tests.solver.builders import tiny_problem

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "scheduling", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def files(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(tiny_problem()))
    return tmp_path, problem


def test_solve_writes_a_solution_and_check_accepts_it(files):
    folder, problem = files
    out = folder / "solution.json"
    result = run("solve", str(problem), "--time-limit", "10", "--workers", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    solution = json.loads(out.read_text())
    assert solution["format"] == "afterschool-timetable-solution/1"
    assert solution["status"] in ("optimal", "feasible")
    checked = run("check", str(problem), str(out))
    assert checked.returncode == 0
    metrics = json.loads(checked.stdout.strip().splitlines()[-1])
    assert metrics["hard_violations"] == 0


def test_solve_prints_to_stdout_without_out(files):
    _, problem = files
    result = run("solve", str(problem), "--time-limit", "5")
    assert json.loads(result.stdout)["status"] in ("optimal", "feasible")


def test_invalid_input_exits_2_with_json_paths(files):
    folder, problem = files
    data = tiny_problem()
    data["activities"][0]["min_size"] = data["activities"][0]["max_size"] + 1
    problem.write_text(json.dumps(data))
    out = folder / "solution.json"
    result = run("solve", str(problem), "--out", str(out))
    assert result.returncode == 2
    assert "activities[0]" in result.stderr
    assert out.exists()  # a solution file is always written


def test_not_json_exits_2(files):
    _, problem = files
    problem.write_text("{not json")
    result = run("solve", str(problem))
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr


def test_infeasible_exits_1_and_explains(files):
    folder, problem = files
    data = tiny_problem()
    for staff in data["staff"]:
        staff["rest_days"] = [data["days"][0]]
    problem.write_text(json.dumps(data))
    out = folder / "solution.json"
    result = run("solve", str(problem), "--time-limit", "10", "--out", str(out))
    assert result.returncode == 1
    solution = json.loads(out.read_text())
    assert solution["status"] == "infeasible"
    assert solution["explanation"][0]["code"] == "class_unsupervisable"
    assert "class_unsupervisable" in result.stderr


def test_check_exits_1_on_a_broken_rule(files):
    folder, problem = files
    out = folder / "solution.json"
    run("solve", str(problem), "--time-limit", "5", "--out", str(out))
    solution = json.loads(out.read_text())
    solution["supervisions"] = solution["supervisions"][1:]
    out.write_text(json.dumps(solution))
    result = run("check", str(problem), str(out))
    assert result.returncode == 1
    assert result.stdout.startswith("rule 1")


def test_cover_covers_an_absence(files):
    folder, problem = files
    out = folder / "solution.json"
    run("solve", str(problem), "--time-limit", "5", "--out", str(out))
    solution = json.loads(out.read_text())
    absent = solution["supervisions"][0]
    day = absent["slot"].split("-")[0]
    result = run("cover", str(problem), str(out), "--absent", f"{absent['staff']}:{day}")
    assert result.returncode in (0, 1)
    cover = json.loads(result.stdout)
    assert cover["format"] == "afterschool-timetable-cover/1"
    assert cover["absent"] == [{"id": absent["staff"], "day": day}]
    duties = len(cover["reassigned"]) + len(cover["uncovered"])
    assert duties >= 1


def test_cover_refuses_an_unknown_person(files):
    folder, problem = files
    out = folder / "solution.json"
    run("solve", str(problem), "--time-limit", "5", "--out", str(out))
    result = run("cover", str(problem), str(out), "--absent", "nobody:mon")
    assert result.returncode == 2
    assert "absent[0]" in result.stderr


def test_unknown_status_exits_3(monkeypatch, tmp_path, capsys):
    from scheduling.solver import cli, model
    from scheduling.solver.problem import Solution

    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(tiny_problem()))
    monkeypatch.setattr(model, "solve", lambda *a, **k: Solution(status="unknown"))
    assert cli.main(["solve", str(problem)]) == 3
    assert json.loads(capsys.readouterr().out)["status"] == "unknown"
