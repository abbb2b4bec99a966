"""Benchmark the scheduler against the first-come baseline on generated schools.

For every size and seed this generates a problem (``benchmarks.generate``), solves it with
the solver (``scheduling.solver.model.solve``, or the baseline itself with ``--solver
baseline``) and with the first-come baseline (``scheduling.solver.baseline.baseline``), checks
both solutions with ``scheduling.solver.check.check`` and prints one table row: the instance's
counts, the solver's wall time to its first valid solution and to its final one, status,
objective, bound and relative gap ``(bound - objective) / max(1, |bound|)``, and the check
metrics of the solver beside the baseline's (``solver/baseline``), with the ratios
solver / baseline for rank points and seat fill.

Targets (the RESULT column; the exit status is 1 when any fails, so CI can use it):

- every size: the solver's solution breaks no hard rule;
- ``large``: first valid solution within 5 s, rank-points ratio >= 1.2, seat-fill ratio >= 1.1;
- ``huge``: first valid solution within 15 s.

Times are wall-clock (``time.perf_counter``) from the call of ``solve``, model building
included. Usage::

    python -m benchmarks.run [--sizes small,large,huge] [--seeds 1,2,3] [--time-limit 60]
                             [--workers 2] [--solver cpsat|baseline] [--json OUT]

Exit status: 0 when every target holds, 1 when one fails, 2 when the solver, the baseline or
the checker cannot be imported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field

from benchmarks.generate import SIZES, generate, summary

# size -> (target name, metric key in the row, comparison, limit)
TARGETS: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "large": (
        ("first valid <= 5 s", "first_seconds", "<=", 5.0),
        ("rank ratio >= 1.2", "rank_ratio", ">=", 1.2),
        ("fill ratio >= 1.1", "fill_ratio", ">=", 1.1),
    ),
    "huge": (("first valid <= 15 s", "first_seconds", "<=", 15.0),),
}
METRICS = (
    "hard_violations",
    "rank_points",
    "seat_fill_rate",
    "first_choice_rate",
    "any_choice_rate",
    "duty_spread",
    "cancelled",
)


class SetupError(Exception):
    """A part of the scheduler this benchmark needs cannot be imported."""


@dataclass
class Run:
    """One size and seed: the instance, the solver's run, the baseline's, the verdicts."""

    size: str
    seed: int
    counts: dict
    generate_seconds: float
    solver: str
    status: str = "unknown"
    objective: int | None = None
    bound: int | None = None
    gap: float | None = None
    first_seconds: float | None = None  # wall time to the first solution that checks valid
    final_seconds: float | None = None  # wall time to the returned solution being found
    wall_seconds: float = 0.0  # the whole solve call
    solutions: int = 0  # improving solutions reported
    metrics: dict | None = None
    baseline_seconds: float = 0.0
    baseline_objective: int | None = None
    baseline_metrics: dict | None = None
    rank_ratio: float | None = None
    fill_ratio: float | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return {
            "size": self.size,
            "seed": self.seed,
            **self.counts,
            "generate_seconds": round(self.generate_seconds, 3),
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "first_seconds": _round(self.first_seconds),
            "final_seconds": _round(self.final_seconds),
            "wall_seconds": _round(self.wall_seconds),
            "solutions": self.solutions,
            "metrics": self.metrics,
            "baseline": {
                "seconds": _round(self.baseline_seconds),
                "objective": self.baseline_objective,
                "metrics": self.baseline_metrics,
            },
            "rank_ratio": _round(self.rank_ratio),
            "fill_ratio": _round(self.fill_ratio),
            "result": "PASS" if self.passed else "FAIL",
            "failures": self.failures,
        }


def _round(value: float | None, places: int = 3) -> float | None:
    """Rounded for JSON; None for a missing or infinite value (JSON has no infinity)."""
    return None if value is None or value == float("inf") else round(value, places)


def _import(module: str, name: str):
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except ImportError as error:
        hint = " (try --solver baseline until the solver exists)" if module.endswith(".model") else ""
        raise SetupError(f"cannot import {name} from {module}: {error}{hint}") from error


def _ratio(solver_value, baseline_value) -> float | None:
    if solver_value is None or baseline_value is None:
        return None
    if baseline_value == 0:
        return None if solver_value == 0 else float("inf")
    return solver_value / baseline_value


def run_one(
    size: str, seed: int, *, solver: str = "cpsat", time_limit: float = 60.0, workers: int = 2
) -> Run:
    """Generate, solve, run the baseline, check both and judge the targets for one instance."""
    from scheduling.solver.problem import load_problem

    check = _import("scheduling.solver.check", "check")
    baseline = _import("scheduling.solver.baseline", "baseline")
    objective_of = _import("scheduling.solver.check", "objective")
    solve = _import("scheduling.solver.model", "solve") if solver == "cpsat" else None

    started = time.perf_counter()
    data = generate(size, seed)
    generate_seconds = time.perf_counter() - started
    problem = load_problem(data)
    run = Run(size, seed, summary(data), generate_seconds, solver)

    # The baseline, always: the reference of the ratios.
    started = time.perf_counter()
    reference = baseline(problem, seed=seed)
    run.baseline_seconds = time.perf_counter() - started
    run.baseline_objective = objective_of(problem, reference)
    run.baseline_metrics = check(problem, reference).metrics

    if solve is None:  # --solver baseline: the baseline stands in for the solver
        solution, found = reference, [(run.baseline_seconds, reference)]
        run.wall_seconds = run.baseline_seconds
    else:
        found = []  # (wall seconds, solution) per improving solution

        def on_solution(candidate, _seconds_since_start):
            found.append((time.perf_counter() - solve_started, candidate))

        solve_started = time.perf_counter()
        solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed, on_solution=on_solution)
        run.wall_seconds = time.perf_counter() - solve_started

    run.solutions = len(found)
    for seconds, candidate in found:  # the solver reports valid solutions; check it anyway
        if not check(problem, candidate).violations:
            run.first_seconds = seconds
            break
    if found:
        run.final_seconds = found[-1][0]
    run.status = solution.status
    has_solution = solution.status in ("optimal", "feasible") or (
        solve is None and (solution.supervisions or solution.meetings)
    )
    if has_solution:
        report = check(problem, solution)
        run.metrics = report.metrics
        run.objective = (
            solution.objective if solution.objective is not None else objective_of(problem, solution)
        )
        run.bound = solution.bound
        if run.bound is not None:
            run.gap = (run.bound - run.objective) / max(1, abs(run.bound))
        run.rank_ratio = _ratio(run.metrics["rank_points"], run.baseline_metrics["rank_points"])
        run.fill_ratio = _ratio(run.metrics["seat_fill_rate"], run.baseline_metrics["seat_fill_rate"])
        if run.first_seconds is None and not report.violations:  # only known when solve returned
            run.first_seconds = run.final_seconds = run.wall_seconds
    run.failures = judge(run)
    return run


def judge(run: Run) -> list[str]:
    """The targets this run misses, as short sentences (empty when it passes)."""
    failures = []
    if run.metrics is None:
        failures.append(f"no solution (status {run.status})")
    elif run.metrics["hard_violations"]:
        failures.append(f"{run.metrics['hard_violations']} hard violations")
    for name, key, comparison, limit in TARGETS.get(run.size, ()):
        value = getattr(run, key)
        ok = value is not None and (value <= limit if comparison == "<=" else value >= limit)
        if not ok:
            shown = "none" if value is None else f"{value:.2f}"
            failures.append(f"{name} (got {shown})")
    return failures


# --- the table -------------------------------------------------------------------------------

COLUMNS = (
    ("size", "<"),
    ("seed", ">"),
    ("pupils", ">"),
    ("cls", ">"),
    ("acts", ">"),
    ("slots", ">"),
    ("first s", ">"),
    ("final s", ">"),
    ("status", "<"),
    ("objective", ">"),
    ("bound", ">"),
    ("gap", ">"),
    ("viol s/b", ">"),
    ("rank points s/b", ">"),
    ("ratio", ">"),
    ("seat fill s/b", ">"),
    ("ratio", ">"),
    ("1st choice s/b", ">"),
    ("any choice s/b", ">"),
    ("spread s/b", ">"),
    ("cancel s/b", ">"),
    ("result", "<"),
)


def _fmt(value, spec: str = "") -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    return format(value, spec)


def _pair(run: Run, key: str, spec: str = "") -> str:
    mine = run.metrics.get(key) if run.metrics else None
    theirs = run.baseline_metrics.get(key) if run.baseline_metrics else None
    return f"{_fmt(mine, spec)}/{_fmt(theirs, spec)}"


def table_row(run: Run) -> list[str]:
    c = run.counts
    return [
        run.size,
        str(run.seed),
        str(c["pupils"]),
        str(c["classes"]),
        str(c["activities"]),
        str(c["slots"]),
        _fmt(run.first_seconds, ".2f"),
        _fmt(run.final_seconds, ".2f"),
        run.status,
        _fmt(run.objective),
        _fmt(run.bound),
        _fmt(None if run.gap is None else 100 * run.gap, ".1f") + ("%" if run.gap is not None else ""),
        _pair(run, "hard_violations"),
        _pair(run, "rank_points"),
        _fmt(run.rank_ratio, ".2f"),
        _pair(run, "seat_fill_rate", ".3f"),
        _fmt(run.fill_ratio, ".2f"),
        _pair(run, "first_choice_rate", ".3f"),
        _pair(run, "any_choice_rate", ".3f"),
        _pair(run, "duty_spread"),
        _pair(run, "cancelled"),
        "PASS" if run.passed else "FAIL",
    ]


def format_table(runs: list[Run]) -> str:
    rows = [[name for name, _ in COLUMNS]] + [table_row(run) for run in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]

    def line(row):
        return "  ".join(
            cell.ljust(w) if align == "<" else cell.rjust(w)
            for cell, w, (_, align) in zip(row, widths, COLUMNS, strict=True)
        ).rstrip()

    out = [line(rows[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in rows[1:])
    failures = [f"  {run.size} seed {run.seed}: {'; '.join(run.failures)}" for run in runs if run.failures]
    if failures:
        out += ["", "Failed targets:", *failures]
    out += [
        "",
        "s/b = solver/baseline; times are wall seconds from the solve call; gap = (bound - objective) / max(1, |bound|).",
    ]
    return "\n".join(out)


# --- command line ----------------------------------------------------------------------------


def _list(text: str, kind):
    return [kind(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Benchmark the scheduler against the first-come baseline.",
    )
    parser.add_argument("--sizes", default="small,large,huge", help="comma-separated: small, large, huge")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated integers")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="solver workers (default 2)")
    parser.add_argument("--solver", choices=("cpsat", "baseline"), default="cpsat")
    parser.add_argument("--json", metavar="OUT", help="also write every run's details as JSON here")
    args = parser.parse_args(argv)
    sizes = _list(args.sizes, str)
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {', '.join(unknown)}: choose among {', '.join(SIZES)}")
    try:
        seeds = _list(args.seeds, int)
    except ValueError:
        parser.error(f"--seeds must be comma-separated integers, not {args.seeds!r}")

    runs = []
    for size in sizes:
        for seed in seeds:
            print(f"{size} seed {seed}: solving with {args.solver}...", file=sys.stderr, flush=True)
            try:
                run = run_one(
                    size, seed, solver=args.solver, time_limit=args.time_limit, workers=args.workers
                )
            except SetupError as error:
                print(f"benchmarks.run: {error}", file=sys.stderr)
                return 2
            runs.append(run)
            verdict = "PASS" if run.passed else "FAIL: " + "; ".join(run.failures)
            print(f"  {run.status}, {run.wall_seconds:.1f} s, {verdict}", file=sys.stderr, flush=True)

    print(format_table(runs))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "solver": args.solver,
                    "time_limit": args.time_limit,
                    "workers": args.workers,
                    "runs": [r.to_dict() for r in runs],
                },
                handle,
                indent=1,
            )
            handle.write("\n")
    return 0 if all(run.passed for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
