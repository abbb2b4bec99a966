"""The command line of the timetable engine (see ``shared/spec/timetable-json.md``).

    python -m scheduling solve PROBLEM.json [--time-limit SECONDS] [--workers N] [--out SOLUTION.json]
    python -m scheduling check PROBLEM.json SOLUTION.json
    python -m scheduling cover PROBLEM.json SOLUTION.json --absent ID:DAY[,ID:DAY...] [--keep COVER.json] [--out COVER.json]

Exit codes follow the spec: ``solve`` 0 optimal/feasible, 1 infeasible, 2 invalid input,
3 unknown; ``check`` 0 valid, 1 a hard rule broken, 2 invalid input; ``cover`` 0 all
covered, 1 some duty uncovered, 2 invalid input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from scheduling.solver import model
from scheduling.solver.check import check as check_solution
from scheduling.solver.cover import cover as cover_absences
from scheduling.solver.cover import parse_absent, validate_cover_request
from scheduling.solver.problem import Solution, load_problem, load_solution
from scheduling.solver.validate import load_json, validate_problem, validate_solution

INVALID = 2
SOLVE_EXIT = {"optimal": 0, "feasible": 0, "infeasible": 1, "unknown": 3}


class InvalidInput(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


def _read_json(path: str, label: str):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInput([f"{label}: cannot read {path}: {error.strerror}"]) from error
    data, errors = load_json(text)
    if errors:
        raise InvalidInput([f"{label}: {message}" if label != "problem" else message for message in errors])
    return data


def _load_problem(path: str):
    data = _read_json(path, "problem")
    errors = validate_problem(data)
    if errors:
        raise InvalidInput(errors)
    return data, load_problem(data)


def _load_solution(problem, path: str):
    data = _read_json(path, "solution")
    errors = validate_solution(problem, data)
    if errors:
        raise InvalidInput([f"solution {message}" for message in errors])
    return load_solution(data)


def _write(payload: dict, out: str | None) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _solve(args) -> int:
    started = time.perf_counter()
    try:
        _, problem = _load_problem(args.problem)
    except InvalidInput as invalid:
        # A solution file is always written, whatever the status: here with no decisions.
        for message in invalid.messages:
            print(message, file=sys.stderr)
        _write(Solution(status="unknown").to_dict(), args.out)
        return INVALID
    remaining = args.time_limit - (time.perf_counter() - started)
    solution = model.solve(problem, time_limit=max(0.1, remaining), workers=args.workers)
    _write(solution.to_dict(), args.out)
    for explanation in solution.explanation:
        print(f"{explanation.code}: {explanation.text}", file=sys.stderr)
    return SOLVE_EXIT[solution.status]


def _check(args) -> int:
    try:
        _, problem = _load_problem(args.problem)
        solution = _load_solution(problem, args.solution)
    except InvalidInput as invalid:
        for message in invalid.messages:
            print(message, file=sys.stderr)
        return INVALID
    report = check_solution(problem, solution)
    for line in report.violations:
        print(line)
    print(json.dumps(report.metrics, ensure_ascii=False))
    return 1 if report.violations else 0


def _cover(args) -> int:
    try:
        _, problem = _load_problem(args.problem)
        solution = _load_solution(problem, args.solution)
        try:
            absent = parse_absent(args.absent)
        except ValueError as error:
            raise InvalidInput([f"--absent: {error}"]) from error
        keep = []
        for index, path in enumerate(args.keep or []):
            data = _read_json(path, f"keep[{index}]")
            keep.extend(data if isinstance(data, list) else [data])
        errors = validate_cover_request(problem, solution, absent, keep)
        if errors:
            raise InvalidInput(errors)
    except InvalidInput as invalid:
        for message in invalid.messages:
            print(message, file=sys.stderr)
        return INVALID
    result, code = cover_absences(problem, solution, absent, keep)
    _write(result, args.out)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scheduling", description="After-school timetable engine")
    commands = parser.add_subparsers(dest="command", required=True)

    solve = commands.add_parser("solve", help="solve a problem")
    solve.add_argument("problem")
    solve.add_argument(
        "--time-limit", type=float, default=60.0, help="wall-time limit in seconds (default 60)"
    )
    solve.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="solver threads (default: cores)"
    )
    solve.add_argument("--out", help="write the solution here (default: standard output)")
    solve.set_defaults(handler=_solve)

    check = commands.add_parser("check", help="check a solution against the hard rules")
    check.add_argument("problem")
    check.add_argument("solution")
    check.set_defaults(handler=_check)

    cover = commands.add_parser("cover", help="cover one day's absences")
    cover.add_argument("problem")
    cover.add_argument("solution")
    cover.add_argument("--absent", required=True, help="ID:DAY[,ID:DAY...]")
    cover.add_argument("--keep", action="append", help="an earlier cover of that day (repeatable)")
    cover.add_argument("--out", help="write the cover here (default: standard output)")
    cover.set_defaults(handler=_cover)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return INVALID if exit_.code else 0
    return args.handler(args)
