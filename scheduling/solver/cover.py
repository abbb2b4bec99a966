"""Cover: a one-day overlay on a weekly solution for people who are away (spec: "Cover").

``cover`` keeps every decision of the weekly solution and of the earlier covers of the day
(``keep``) and hands only the absent people's duties on their absent day to substitutes. The
spec's rules for a substitute are checked per duty, before any optimisation:

- free in the duty's slot, both in the weekly timetable and in the covers: no supervision, no
  meeting, not already a substitute there, and not absent that day (people absent in a kept
  cover are absent too);
- a supervision or a staff activity: a staff member, not unavailable in the slot nor resting
  that day, with the activity's subject for an activity;
- a vendor activity: another instructor of the same vendor, ``available`` in the slot;
- within the cap counting the week's duties plus the covers' (kept ones and this one):
  ``max_duties`` for staff, ``max_sessions`` (meetings taught) for instructors.

The assignment is exact, not first-fit. It is a small CP-SAT model: a boolean ``x[d, p]`` for
each duty ``d`` and each substitute ``p`` that may take it, with at most one substitute per
duty, at most one duty per substitute and slot, and at most the substitute's remaining cap in
total. The objective is lexicographic, solved stage by stage, each stage's optimum fixed as a
constraint before the next (and its solution given as a hint):

1. maximise the number of duties covered;
2. minimise the sum, over the reassignments, of the chosen substitute's duties that week (the
   weekly solution's duties plus those the kept covers gave them), so the least loaded people
   are asked first;
3. break the remaining ties deterministically, duty by duty in output order (slots in input
   order, supervisions by class before meetings by activity): each duty in turn gets the
   substitute with the smallest id (plain string order) that still allows the optimum of
   stages 1 and 2 and the choices already made, and an earlier duty is covered in preference
   to a later one when not all of them can be. A single weighted sum of id ranks would leave
   ties (ranks 0 + 3 = 1 + 2) and so a solver-dependent answer; one small solve per duty does
   not, and is skipped when the current solution already gives the duty its best possible
   substitute.

Given time, the answer is therefore unique, whatever the solver's search. ``time_limit``
bounds all the stages together; a stage that runs out keeps the best solution found so far.

An uncovered duty gets the code ``no_substitute`` when nobody passes the per-duty rules above
leaving the cap aside, and ``substitutes_exhausted`` when somebody does but every such person
is needed for another duty of this cover or is at their cap.

Nothing here imports Django.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .problem import COVER_FORMAT, STAFF_PROVIDER, Problem, Solution

SUPERVISION = "supervision"
MEETING = "meeting"
NO_SUBSTITUTE = "no_substitute"
SUBSTITUTES_EXHAUSTED = "substitutes_exhausted"

_KIND_FIELD = {SUPERVISION: "class", MEETING: "activity"}
_LISTED = 5  # candidate ids named in an uncovered duty's text


@dataclass(frozen=True)
class Duty:
    """One supervision (``target`` a class id) or meeting (``target`` an activity id) to cover."""

    kind: str
    target: str
    slot: str
    holder: str  # the absent person who holds it now

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.target, self.slot)


# --- input -----------------------------------------------------------------------------------


def parse_absent(text: str) -> list[tuple[str, str]]:
    """``"t017:wed,t023:wed"`` as ``[("t017", "wed"), ("t023", "wed")]``.

    Raises ``ValueError`` (``"t017" is not ID:DAY``; the CLI prefixes ``--absent: ``) for an
    empty list or an element that is not ``ID:DAY``; ids and days are checked against the
    problem by ``validate_cover_request``.
    """
    result = []
    for part in text.split(","):
        person, colon, day = part.strip().rpartition(":")
        person, day = person.strip(), day.strip()
        if not colon or not person or not day:
            raise ValueError(f'"{part.strip()}" is not ID:DAY')
        result.append((person, day))
    return result


def validate_cover_request(
    problem: Problem, solution: Solution, absent: Sequence, keep: Iterable[dict] = ()
) -> list[str]:
    """Messages for every fault of a cover request (the CLI exits 2 on any), each with its path.

    Checks the absent list, the references of the weekly solution that the cover relies on, and
    the kept covers: their format, ids, days (each must be a day of this request) and that each
    kept reassignment takes its duty from whoever holds it after the solution and the covers
    before it.
    """
    errors: list[str] = []
    people = _people(problem)
    days = set(problem.days)
    slots = problem.slot_by_id

    if not absent:
        errors.append("absent: at least one ID:DAY is required")
    request_days = set()
    for i, item in enumerate(absent):
        if not (isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            errors.append(f"absent[{i}]: expected an id and a day")
            continue
        person, day = item
        if person not in people:
            errors.append(f'absent[{i}]: unknown staff or instructor "{person}"')
        if day not in days:
            errors.append(f'absent[{i}]: day "{day}" is not in days')
        else:
            request_days.add(day)

    for i, s in enumerate(solution.supervisions):
        path = f"solution.supervisions[{i}]"
        _check_ref(errors, f"{path}.class", s.class_id, problem.class_by_id, "class")
        _check_ref(errors, f"{path}.slot", s.slot, slots, "slot")
        _check_ref(errors, f"{path}.staff", s.staff, problem.staff_by_id, "staff member")
    for i, m in enumerate(solution.meetings):
        path = f"solution.meetings[{i}]"
        _check_ref(errors, f"{path}.activity", m.activity, problem.activity_by_id, "activity")
        _check_ref(errors, f"{path}.slot", m.slot, slots, "slot")
        _check_ref(errors, f"{path}.teacher", m.teacher, people, "staff or instructor")
    if errors:
        return errors  # the kept covers are checked against a sound solution only

    holder = _weekly_holders(solution)
    for k, kept in enumerate(keep):
        path = f"keep[{k}]"
        if not isinstance(kept, dict):
            errors.append(f"{path}: expected a cover object")
            continue
        if kept.get("format") != COVER_FORMAT:
            errors.append(f'{path}.format: expected "{COVER_FORMAT}"')
        for i, a in enumerate(_list(kept, "absent", path, errors)):
            if (
                not isinstance(a, dict)
                or not isinstance(a.get("id"), str)
                or not isinstance(a.get("day"), str)
            ):
                errors.append(f"{path}.absent[{i}]: expected an object with id and day")
                continue
            if a["id"] not in people:
                errors.append(f'{path}.absent[{i}].id: unknown staff or instructor "{a["id"]}"')
            if a["day"] not in days:
                errors.append(f'{path}.absent[{i}].day: day "{a["day"]}" is not in days')
            elif request_days and a["day"] not in request_days:
                errors.append(f'{path}.absent[{i}].day: "{a["day"]}" is not a day of this cover')
        for i, r in enumerate(_list(kept, "reassigned", path, errors)):
            _check_kept_reassignment(
                errors, f"{path}.reassigned[{i}]", r, problem, people, holder, request_days
            )
    return errors


def _check_ref(errors, path, value, known, noun):
    if value not in known:
        errors.append(f'{path}: unknown {noun} "{value}"')


def _list(data: dict, name: str, path: str, errors: list[str]) -> list:
    value = data.get(name, [])
    if not isinstance(value, list):
        errors.append(f"{path}.{name}: expected a list")
        return []
    return value


def _check_kept_reassignment(errors, path, r, problem, people, holder, request_days):
    if not isinstance(r, dict) or r.get("kind") not in _KIND_FIELD:
        errors.append(f'{path}.kind: expected "{SUPERVISION}" or "{MEETING}"')
        return
    kind = r["kind"]
    field = _KIND_FIELD[kind]
    known = problem.class_by_id if kind == SUPERVISION else problem.activity_by_id
    before = len(errors)
    _check_ref(errors, f"{path}.{field}", r.get(field), known, field)
    _check_ref(errors, f"{path}.slot", r.get("slot"), problem.slot_by_id, "slot")
    _check_ref(errors, f"{path}.from", r.get("from"), people, "staff or instructor")
    _check_ref(errors, f"{path}.to", r.get("to"), people, "staff or instructor")
    if len(errors) > before:
        return
    day = problem.slot_by_id[r["slot"]].day
    if request_days and day not in request_days:
        errors.append(f'{path}.slot: "{r["slot"]}" is not on a day of this cover')
        return
    key = (kind, r[field], r["slot"])
    if holder.get(key) != r["from"]:
        noun = (
            f"class {r[field]} is not supervised"
            if kind == SUPERVISION
            else f"activity {r[field]} is not taught"
        )
        errors.append(f"{path}: {noun} by {r['from']} in {r['slot']}")
        return
    holder[key] = r["to"]


def _people(problem: Problem) -> set[str]:
    return set(problem.staff_by_id) | set(problem.instructor_by_id)


def _weekly_holders(solution: Solution) -> dict[tuple[str, str, str], str]:
    holder = {(SUPERVISION, s.class_id, s.slot): s.staff for s in solution.supervisions}
    holder.update({(MEETING, m.activity, m.slot): m.teacher for m in solution.meetings})
    return holder


# --- the cover -------------------------------------------------------------------------------


def cover(
    problem: Problem,
    solution: Solution,
    absent: Sequence[tuple[str, str]],
    keep: Iterable[dict] = (),
    *,
    time_limit: float = 10.0,
) -> tuple[dict, int]:
    """The cover for ``absent`` as the spec's JSON dict, and the exit code (0 all covered, else 1).

    ``keep`` are earlier covers of the same day: their reassignments stay, occupy their
    substitutes and count among their duties, and their absent people are absent too. Raises
    ``ValueError`` (one message per line) when ``validate_cover_request`` finds a fault.
    """
    deadline = time.monotonic() + time_limit
    keep = list(keep)
    errors = validate_cover_request(problem, solution, absent, keep)
    if errors:
        raise ValueError("\n".join(errors))

    requested = list(dict.fromkeys((person, day) for person, day in absent))
    away = set(requested)
    holder = _weekly_holders(solution)
    load = Counter(holder.values())  # the week's duties (staff) or sessions (instructors)
    for kept in keep:
        away.update((a["id"], a["day"]) for a in kept.get("absent", []))
        for r in kept.get("reassigned", []):
            holder[(r["kind"], r[_KIND_FIELD[r["kind"]]], r["slot"])] = r["to"]
            load[r["to"]] += 1

    duties = _duties_to_cover(problem, holder, set(requested))
    busy = {(person, slot) for (_, _, slot), person in holder.items()}
    candidates = {d: _candidates(problem, d, busy, away) for d in duties}
    remaining = {p: _remaining_cap(problem, p, load) for ps in candidates.values() for p in ps}
    assignable = {
        d: [p for p in ps if remaining[p] is None or remaining[p] > 0] for d, ps in candidates.items()
    }

    chosen = _assign(duties, assignable, remaining, load, deadline)

    reassigned, uncovered = [], []
    for d in duties:
        base = {"kind": d.kind, _KIND_FIELD[d.kind]: d.target, "slot": d.slot, "from": d.holder}
        if d in chosen:
            reassigned.append({**base, "to": chosen[d]})
        else:
            uncovered.append({**base, **_why_uncovered(problem, d, candidates[d], assignable[d])})
    result = {
        "format": COVER_FORMAT,
        "absent": [{"id": person, "day": day} for person, day in requested],
        "reassigned": reassigned,
        "uncovered": uncovered,
    }
    return result, 1 if uncovered else 0


def _duties_to_cover(problem: Problem, holder, requested: set[tuple[str, str]]) -> list[Duty]:
    """The requested absent people's duties on their absent day, in output order."""
    slot_order = {s.id: i for i, s in enumerate(problem.slots)}
    target_order = {
        SUPERVISION: {c.id: i for i, c in enumerate(problem.classes)},
        MEETING: {a.id: i for i, a in enumerate(problem.activities)},
    }
    duties = [
        Duty(kind, target, slot, person)
        for (kind, target, slot), person in holder.items()
        if (person, problem.slot_by_id[slot].day) in requested
    ]
    return sorted(
        duties,
        key=lambda d: (slot_order[d.slot], d.kind != SUPERVISION, target_order[d.kind][d.target], d.target),
    )


def _candidates(problem: Problem, duty: Duty, busy, away) -> list[str]:
    """Everyone who may take ``duty`` by the spec's rules, leaving their cap aside; sorted by id."""
    day = problem.slot_by_id[duty.slot].day

    def free(person: str) -> bool:
        return person != duty.holder and (person, duty.slot) not in busy and (person, day) not in away

    activity = problem.activity_by_id[duty.target] if duty.kind == MEETING else None
    if activity is not None and activity.provider != STAFF_PROVIDER:
        vendor = problem.vendor_by_id.get(activity.provider)
        instructors = vendor.instructors if vendor else ()
        return sorted(i.id for i in instructors if duty.slot in i.available and free(i.id))
    return sorted(
        s.id
        for s in problem.staff
        if free(s.id)
        and duty.slot not in s.unavailable
        and day not in s.rest_days
        and (activity is None or activity.subject in s.subjects)
    )


def _remaining_cap(problem: Problem, person: str, load: Counter) -> int | None:
    staff = problem.staff_by_id.get(person)
    cap = staff.max_duties if staff is not None else problem.instructor_by_id[person].max_sessions
    return None if cap is None else max(0, cap - load[person])


def _why_uncovered(problem: Problem, duty: Duty, candidates: list[str], assignable: list[str]) -> dict:
    activity = problem.activity_by_id[duty.target] if duty.kind == MEETING else None
    vendor = activity is not None and activity.provider != STAFF_PROVIDER
    if duty.kind == SUPERVISION:
        who = f"staff member free to supervise class {duty.target} in {duty.slot}"
        nobody = f"no staff member is free to supervise class {duty.target} in {duty.slot}"
    elif vendor:
        who = f"other instructor of vendor {activity.provider} available and free in {duty.slot}"
        nobody = f"no other instructor of vendor {activity.provider} is available and free in {duty.slot}"
    else:
        who = f"other staff member with subject {activity.subject} free in {duty.slot}"
        nobody = f"no other staff member with subject {activity.subject} is free in {duty.slot}"
    if not candidates:
        return {"code": NO_SUBSTITUTE, "text": nobody}
    cap = "maximum sessions" if vendor else "maximum duties"
    reason = f"is at {cap}" if not assignable else f"is needed for another duty or at {cap}"
    named = ", ".join(candidates[:_LISTED]) + (
        f" and {len(candidates) - _LISTED} more" if len(candidates) > _LISTED else ""
    )
    return {"code": SUBSTITUTES_EXHAUSTED, "text": f"every {who} ({named}) {reason}"}


# --- the exact assignment --------------------------------------------------------------------


def _assign(
    duties: list[Duty],
    assignable: dict[Duty, list[str]],
    remaining: dict[str, int | None],
    load: Counter,
    deadline: float,
) -> dict[Duty, str]:
    """The lexicographically best assignment of substitutes (see the module docstring)."""
    model = cp_model.CpModel()
    x = {
        (d, p): model.new_bool_var(f"x[{d.kind}:{d.target}@{d.slot}->{p}]")
        for d in duties
        for p in assignable[d]
    }
    if not x:
        return {}
    by_duty = {d: [x[d, p] for p in assignable[d]] for d in duties if assignable[d]}
    by_person_slot, by_person = {}, {}
    for (d, p), var in x.items():
        by_person_slot.setdefault((p, d.slot), []).append(var)
        by_person.setdefault(p, []).append(var)
    for vars_ in by_duty.values():
        model.add_at_most_one(vars_)
    for vars_ in by_person_slot.values():
        model.add_at_most_one(vars_)
    for p, vars_ in by_person.items():
        if remaining[p] is not None and remaining[p] < len(vars_):
            model.add(sum(vars_) <= remaining[p])

    people = sorted({p for (_, p) in x})
    rank = {p: i for i, p in enumerate(people)}
    worst = len(people)  # the "rank" of leaving a duty uncovered: worse than any substitute

    # Each objective is a linear form over the keys of ``x``: ({(duty, person): coefficient}, constant).
    covered = (dict.fromkeys(x, 1), 0)
    week_duties = ({key: load[key[1]] for key in x}, 0)
    values = dict.fromkeys(x, 0)  # all uncovered: always feasible, the first hint
    for form, minimise in ((covered, False), (week_duties, True)):  # stages 1 and 2
        values = _optimise(model, x, form, minimise, values, deadline)
        model.add(_expr(x, form) == _value(form, values))

    for d in duties:  # 3. ties: each duty in turn, smallest id first, covered before uncovered
        if not assignable[d]:
            continue
        form = ({(d, p): rank[p] - worst for p in assignable[d]}, worst)
        if _value(form, values) != min(rank[p] for p in assignable[d]):
            values = _optimise(model, x, form, True, values, deadline)
        model.add(_expr(x, form) == _value(form, values))

    return {d: p for (d, p), value in values.items() if value}


def _expr(x: dict, form: tuple[dict, int]):
    coefficients, constant = form
    return sum(c * x[key] for key, c in coefficients.items()) + constant


def _value(form: tuple[dict, int], values: dict) -> int:
    coefficients, constant = form
    return sum(c * values[key] for key, c in coefficients.items()) + constant


def _optimise(model: cp_model.CpModel, x: dict, form, minimise: bool, hint: dict, deadline: float) -> dict:
    """Optimise ``form`` from the feasible ``hint``; the hint itself when time is up or no better."""
    left = deadline - time.monotonic()
    if left <= 0:
        return hint
    model.clear_hints()
    for key, value in hint.items():
        model.add_hint(x[key], value)
    if minimise:
        model.minimize(_expr(x, form))
    else:
        model.maximize(_expr(x, form))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = left
    solver.parameters.num_workers = 1  # a small assignment model: one worker, repeatable
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint
    found = {key: int(solver.boolean_value(var)) for key, var in x.items()}
    gain = _value(form, found) - _value(form, hint)
    return found if (gain < 0 if minimise else gain > 0) else hint
