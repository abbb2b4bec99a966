"""Refusing invalid input: the spec's closed list, one message per fault, each naming its JSON path.

``shared/spec/timetable-json.md`` (format version 1) promises that invalid input is refused
before any solving, with exit code 2 and one message per fault on standard error, each naming
its JSON path, e.g. ``activities[3].instructor: staff member "t017" has no subject "chess"``.
This module produces those messages; the command line prints them. It knows nothing of Django.

Messages look like ``PATH: TEXT``. PATH is dotted keys with ``[i]`` indices
(``classes[2].home_room``, ``pinned.meetings[0].slot``); a root-level field is named alone
(``format: ...``) and the document itself is ``$`` (``$: not valid JSON ...``). A missing field
is named in the path: ``classes[2].home_room: required field missing``. Messages come in the
order their paths appear in the document, and are deterministic.

Validation runs in two stages:

1. The JSON Schema (``schema/problem.schema.json`` or ``schema/solution.schema.json``, draft
   2020-12): required fields, types and ranges. A document whose ``format`` is present but
   wrong gets that single message, as the rest would be noise. Unknown extra properties are
   allowed (forward compatibility). An integer must be written without a fraction: ``2.0`` is
   refused where an integer is required.
2. Only when the schema passes, the cross-reference checks a schema cannot express, exactly
   the spec's list: duplicate ids (within each array; staff and instructor ids share one
   namespace; no vendor is called ``staff``; day names in ``days`` are listed once); references
   to unknown ids (slots, rooms, classes, staff, vendors, instructors, activities, students, and
   day names not in ``days``); a slot whose day is not in ``days``; two slots of one day whose
   times overlap; ``start`` not before ``end``; ``min_size`` > ``max_size``; ``meetings`` more
   than the number of days; an activity's ``slots`` naming a slot that is not ``enrichment``;
   an ``instructor`` who cannot teach the activity; a student listing the same activity twice;
   a student's ``days`` not within the class's days; a ``pinned`` entry that breaks a field
   rule (an unknown id, a supervision in a slot that is not ``supervised``, a meeting in a slot
   that is not ``enrichment``, an entry listed twice).

Not refused, as the spec says: ids in ``previous`` that are no longer in the problem (they are
ignored; only the shape of ``previous`` is checked), and anything that merely makes an activity
impossible (a ``room_kind`` no room has, no qualified teacher, choices from another grade).

A solution is checked for its shape and for ids unknown to the problem; whether it keeps the
hard rules is the business of ``check``, not of this module.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import extend

from .problem import ENRICHMENT, PROBLEM_FORMAT, SOLUTION_FORMAT, STAFF_PROVIDER, SUPERVISED, Problem

__all__ = ["ROOT", "load_json", "validate_problem", "validate_solution"]

ROOT = "$"
"""The path of the document itself, in messages."""

SCHEMA_DIR = Path(__file__).with_name("schema")
REQUIRED = "required field missing"

Path_ = list[str | int]  # a JSON path: keys and indices
Fault = tuple[Path_, str]


# --- reading ---------------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def load_json(text: str | bytes) -> tuple[dict | None, list[str]]:
    """Parse a JSON document: ``(data, [])``, or ``(None, [message])`` if it is not a JSON object.

    ``NaN`` and ``Infinity``, which Python's parser would accept, are refused: they are not JSON.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return None, [f"{ROOT}: not valid JSON: not UTF-8 text (byte {error.start})"]
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        return None, [f"{ROOT}: not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
    except ValueError as error:  # NaN, Infinity, or a number too long to convert
        return None, [f"{ROOT}: not valid JSON: {error}"]
    except RecursionError:
        return None, [f"{ROOT}: not valid JSON: nested too deeply"]
    if not isinstance(data, dict):
        return None, [f"{ROOT}: expected a JSON object, got {_describe(data)}"]
    return data, []


# --- messages --------------------------------------------------------------------------------


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _describe(value: Any) -> str:
    """A value, shortly, for "got ..." in a message."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = _quote(value)
    return text if len(text) <= 40 else text[:36] + '..."'


def _format_path(path: Path_) -> str:
    text = ""
    for element in path:
        if isinstance(element, int):
            text += f"[{element}]"
        else:
            text += f".{element}" if text else element
    return text or ROOT


def _order_key(data: Any, path: Path_) -> list[int]:
    """Where ``path`` appears in the document: key positions and indices (missing keys go last)."""
    key = []
    node = data
    for element in path:
        if isinstance(element, int):
            key.append(element)
            node = node[element] if isinstance(node, list) and 0 <= element < len(node) else None
        elif isinstance(node, dict):
            names = list(node)
            key.append(names.index(element) if element in node else len(names))
            node = node.get(element)
        else:
            key.append(0)
            node = None
    return key


def _render(data: Any, faults: list[Fault]) -> list[str]:
    """Messages in document order (ties in the order found), without repeats."""
    ordered = sorted(faults, key=lambda fault: _order_key(data, fault[0]))
    messages = []
    seen = set()
    for path, text in ordered:
        message = f"{_format_path(path)}: {text}"
        if message not in seen:
            seen.add(message)
            messages.append(message)
    return messages


# --- stage 1: the JSON Schema ----------------------------------------------------------------


def _is_integer(checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)

_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
}


@cache
def schema(name: str) -> dict:
    """The JSON Schema ``problem`` or ``solution``, as published in ``schema/``."""
    with (SCHEMA_DIR / f"{name}.schema.json").open(encoding="utf-8") as file:
        return json.load(file)


def _inline(node: Any, defs: dict) -> Any:
    """``node`` with every local ``{"$ref": "#/$defs/x"}`` replaced by the definition itself.

    The schemas are not recursive, so this terminates, and it means the same; it spares
    jsonschema a reference lookup for every field of every element (about half the time).
    """
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"$ref"} and node["$ref"].startswith("#/$defs/"):
        return _inline(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    return {key: _inline(value, defs) for key, value in node.items() if key != "$defs"}


@cache
def _validator(name: str):
    """The validator of ``schema/<name>.schema.json``, built once per process."""
    published = schema(name)
    return _Validator(_inline(published, published.get("$defs", {})))


_JSON_TYPES = {
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, int | float) and not isinstance(x, bool),
    "string": lambda x: isinstance(x, str),
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "x-messages"}


def _compile(node: dict):
    """A fast yes/no test for the (inlined) schema ``node``, or None for a keyword it does not know.

    It only has to be right when it says yes: a no sends the document to jsonschema, which
    finds the faults and words them. jsonschema alone takes about 0.2 s for 3,000 students.
    """
    tests = []
    for keyword, value in node.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword == "type":
            kinds = [_JSON_TYPES[t] for t in ([value] if isinstance(value, str) else value)]
            tests.append(lambda x, kinds=kinds: any(kind(x) for kind in kinds))
        elif keyword == "required":
            tests.append(lambda x, names=tuple(value): not isinstance(x, dict) or all(n in x for n in names))
        elif keyword == "properties":
            checks = {}
            for key, subschema in value.items():
                checks[key] = _compile(subschema)
                if checks[key] is None:
                    return None
            tests.append(
                lambda x, checks=checks: (
                    not isinstance(x, dict) or all(check(x[key]) for key, check in checks.items() if key in x)
                )
            )
        elif keyword == "items":
            check = _compile(value)
            if check is None:
                return None
            tests.append(lambda x, check=check: not isinstance(x, list) or all(map(check, x)))
        elif keyword == "anyOf":
            checks = [_compile(subschema) for subschema in value]
            if None in checks:
                return None
            tests.append(lambda x, checks=checks: any(check(x) for check in checks))
        elif keyword in ("enum", "const") and all(
            isinstance(v, str) for v in (value if keyword == "enum" else [value])
        ):
            allowed = frozenset(value if keyword == "enum" else [value])
            tests.append(lambda x, allowed=allowed: isinstance(x, str) and x in allowed)
        elif keyword == "minimum":
            tests.append(lambda x, low=value: not _JSON_TYPES["number"](x) or x >= low)
        elif keyword == "maxLength":
            tests.append(lambda x, high=value: not isinstance(x, str) or len(x) <= high)
        elif keyword == "pattern":
            tests.append(lambda x, search=re.compile(value).search: not isinstance(x, str) or bool(search(x)))
        elif keyword == "uniqueItems" and value is True:  # sure only of strings
            tests.append(
                lambda x: (
                    not isinstance(x, list) or (all(isinstance(i, str) for i in x) and len(set(x)) == len(x))
                )
            )
        else:
            return None
    return lambda x: all(test(x) for test in tests)


@cache
def _quick_check(name: str):
    """``_compile`` of the schema ``name``; a function that says no to everything if it cannot."""
    check = _compile(_validator(name).schema)
    return check if check is not None else lambda x: False


def _schema_faults(name: str, data: Any, expected_format: str) -> list[Fault] | None:
    """The schema's faults, or None if there are none."""
    if isinstance(data, dict) and "format" in data and data["format"] != expected_format:
        return [(["format"], f"expected {_quote(expected_format)}, got {_describe(data['format'])}")]
    if _quick_check(name)(data):
        return None
    errors = list(_validator(name).iter_errors(data))
    if not errors:
        return None
    paths = [list(error.absolute_path) for error in errors]
    faults: list[Fault] = []
    for error, path in zip(errors, paths, strict=True):
        keyword = error.validator
        custom = error.schema.get("x-messages", {}) if isinstance(error.schema, dict) else {}
        if keyword == "required":
            faults.extend(
                (path + [field], REQUIRED) for field in error.validator_value if field not in error.instance
            )
        elif keyword == "anyOf":
            # Reported only when nothing more precise was found inside the same object.
            if not any(other[: len(path)] == path and other != path for other in paths):
                faults.append((path, custom.get("anyOf", "does not match any allowed shape")))
        elif keyword in custom:
            faults.append((path, f"{custom[keyword]}, got {_describe(error.instance)}"))
        elif keyword == "type":
            expected = error.validator_value
            expected = [expected] if isinstance(expected, str) else expected
            names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
            faults.append((path, f"expected {names}, got {_describe(error.instance)}"))
        elif keyword == "minimum":
            faults.append(
                (path, f"must be at least {error.validator_value}, got {_describe(error.instance)}")
            )
        elif keyword == "enum":
            allowed = ", ".join(_quote(value) for value in error.validator_value)
            faults.append((path, f"expected one of {allowed}, got {_describe(error.instance)}"))
        elif keyword == "const":
            faults.append(
                (path, f"expected {_quote(error.validator_value)}, got {_describe(error.instance)}")
            )
        elif keyword == "uniqueItems":
            first: dict[str, int] = {}
            for index, item in enumerate(error.instance):
                marker = json.dumps(item, sort_keys=True)
                if marker in first:
                    also = _format_path(path + [first[marker]])
                    faults.append((path + [index], f"{_describe(item)} listed twice (also {also})"))
                else:
                    first[marker] = index
        else:  # a keyword this module has no wording for: jsonschema's own
            faults.append((path, error.message))
    return faults


# --- stage 2: cross-references ---------------------------------------------------------------


def _ids(items) -> set[str]:
    return {item["id"] for item in items}


class _ProblemChecks:
    """The spec's cross-reference checks on a problem that the schema accepted."""

    def __init__(self, data: dict):
        self.data = data
        self.faults: list[Fault] = []
        self.days = data["days"]
        self.day_set = set(self.days)
        self.slots = {}
        for slot in data["slots"]:
            self.slots.setdefault(slot["id"], slot)
        self.rooms = _ids(data["rooms"])
        self.classes = {}
        for school_class in data["classes"]:
            self.classes.setdefault(school_class["id"], school_class)
        self.staff = {}
        for member in data["staff"]:
            self.staff.setdefault(member["id"], member)
        self.vendors = data.get("vendors") or []
        self.vendor_ids = _ids(self.vendors)
        self.instructor_vendor: dict[str, str] = {}  # instructor id -> vendor id
        for vendor in self.vendors:
            for instructor in vendor.get("instructors", []):
                self.instructor_vendor.setdefault(instructor["id"], vendor["id"])
        self.activities = _ids(data["activities"])
        self.students = _ids(data["students"])

    def fault(self, path: Path_, text: str) -> None:
        self.faults.append((path, text))

    def run(self) -> list[Fault]:
        self.duplicate_ids()
        self.check_slots()
        self.check_staff()
        self.check_vendors()
        self.check_classes()
        self.check_activities()
        self.check_students()
        self.check_pinned()
        return self.faults

    # --- helpers ---
    def unique(self, entries, what: str = "id") -> None:
        """Report every (path, value) whose value was seen before, naming the first one."""
        first: dict[Any, Path_] = {}
        for path, value in entries:
            if value in first:
                also = first[value][:-1] if first[value][-1] == "id" else first[value]  # the element
                self.fault(path, f"duplicate {what} {_quote(value)} (also {_format_path(also)})")
            else:
                first[value] = path

    def known(self, path: Path_, value: str, known, what: str) -> bool:
        if value in known:
            return True
        self.fault(path, f"unknown {what} {_quote(value)}")
        return False

    def day(self, path: Path_, day: str) -> bool:
        if day in self.day_set:
            return True
        self.fault(path, f"day {_quote(day)} is not in days")
        return False

    def day_list(self, path: Path_, days) -> None:
        for index, day in enumerate(days):
            self.day(path + [index], day)

    def slot_list(self, path: Path_, slot_ids) -> None:
        for index, slot in enumerate(slot_ids):
            self.known(path + [index], slot, self.slots, "slot")

    # --- the checks, in document order ---
    def duplicate_ids(self) -> None:
        data = self.data
        for array in ("slots", "rooms", "classes", "activities", "students"):
            self.unique(([array, i, "id"], item["id"]) for i, item in enumerate(data[array]))
        people = [(["staff", i, "id"], member["id"]) for i, member in enumerate(data["staff"])]
        for v, vendor in enumerate(self.vendors):
            people += [
                (["vendors", v, "instructors", i, "id"], instructor["id"])
                for i, instructor in enumerate(vendor.get("instructors", []))
            ]
        self.unique(people)
        self.unique((["vendors", v, "id"], vendor["id"]) for v, vendor in enumerate(self.vendors))
        for v, vendor in enumerate(self.vendors):
            if vendor["id"] == STAFF_PROVIDER:
                self.fault(
                    ["vendors", v, "id"], f'the id "{STAFF_PROVIDER}" is reserved for staff activities'
                )

    def check_slots(self) -> None:
        by_day: dict[str, list[tuple[int, dict]]] = {}
        for i, slot in enumerate(self.data["slots"]):
            self.day(["slots", i, "day"], slot["day"])
            if self.slots[slot["id"]] is not slot:  # a duplicate id, already reported
                continue
            if slot["start"] >= slot["end"]:  # "HH:MM" strings compare as times
                self.fault(["slots", i, "start"], f"start {slot['start']} is not before end {slot['end']}")
                continue
            for j, other in by_day.get(slot["day"], []):
                if slot["start"] < other["end"] and other["start"] < slot["end"]:
                    self.fault(
                        ["slots", i],
                        f"{slot['day']} {slot['start']}-{slot['end']} overlaps slot {_quote(other['id'])} "
                        f"(slots[{j}], {other['start']}-{other['end']})",
                    )
            by_day.setdefault(slot["day"], []).append((i, slot))

    def check_staff(self) -> None:
        for i, member in enumerate(self.data["staff"]):
            self.slot_list(["staff", i, "unavailable"], member.get("unavailable", []))
            self.day_list(["staff", i, "rest_days"], member.get("rest_days", []))

    def check_vendors(self) -> None:
        for v, vendor in enumerate(self.vendors):
            for i, instructor in enumerate(vendor.get("instructors", [])):
                self.slot_list(["vendors", v, "instructors", i, "available"], instructor.get("available", []))

    def check_classes(self) -> None:
        for i, school_class in enumerate(self.data["classes"]):
            self.known(["classes", i, "home_room"], school_class["home_room"], self.rooms, "room")
            self.day_list(["classes", i, "days"], school_class.get("days", []))

    def check_activities(self) -> None:
        for i, activity in enumerate(self.data["activities"]):
            path: Path_ = ["activities", i]
            provider = activity["provider"]
            provider_known = provider == STAFF_PROVIDER or provider in self.vendor_ids
            if not provider_known:
                self.fault(
                    path + ["provider"],
                    f'unknown vendor {_quote(provider)} (the provider is "{STAFF_PROVIDER}" or a vendor id)',
                )
            if activity["meetings"] > len(self.days):
                self.fault(
                    path + ["meetings"],
                    f"{activity['meetings']} meetings but only {len(self.days)} days (one meeting a day at most)",
                )
            min_size = activity.get("min_size", 0)
            if min_size > activity["max_size"]:
                self.fault(
                    path + ["min_size"],
                    f"min_size {min_size} is greater than max_size {activity['max_size']}",
                )
            instructor = activity.get("instructor")
            if instructor is not None and provider_known:
                self.check_instructor(path + ["instructor"], activity, instructor)
            for j, slot_id in enumerate(activity.get("slots") or []):
                if self.known(path + ["slots", j], slot_id, self.slots, "slot"):
                    kind = self.slots[slot_id]["kind"]
                    if kind != ENRICHMENT:
                        self.fault(path + ["slots", j], f"slot {_quote(slot_id)} is {kind}, not {ENRICHMENT}")

    def check_instructor(self, path: Path_, activity: dict, teacher: str) -> None:
        provider = activity["provider"]
        if teacher in self.staff:
            if provider != STAFF_PROVIDER:
                self.fault(
                    path,
                    f"{_quote(teacher)} is a staff member, not an instructor of vendor {_quote(provider)}",
                )
            elif activity["subject"] not in self.staff[teacher].get("subjects", []):
                self.fault(
                    path,
                    f"staff member {_quote(teacher)} cannot teach it: no subject {_quote(activity['subject'])}",
                )
        elif teacher in self.instructor_vendor:
            vendor = self.instructor_vendor[teacher]
            if provider == STAFF_PROVIDER:
                self.fault(
                    path, f"{_quote(teacher)} is an instructor of vendor {_quote(vendor)}, not a staff member"
                )
            elif vendor != provider:
                self.fault(
                    path,
                    f"{_quote(teacher)} is an instructor of vendor {_quote(vendor)}, not of vendor {_quote(provider)}",
                )
        else:
            self.fault(path, f"unknown staff member or instructor {_quote(teacher)}")

    def check_students(self) -> None:
        for i, student in enumerate(self.data["students"]):
            path: Path_ = ["students", i]
            school_class = self.classes.get(student["class"])
            self.known(path + ["class"], student["class"], self.classes, "class")
            first: dict[str, int] = {}
            for j, choice in enumerate(student.get("choices", [])):
                if choice in first:
                    self.fault(
                        path + ["choices", j],
                        f"activity {_quote(choice)} listed twice (also choices[{first[choice]}])",
                    )
                    continue
                first[choice] = j
                self.known(path + ["choices", j], choice, self.activities, "activity")
            days = student.get("days")
            if days is None:
                continue
            class_days = set(school_class.get("days", self.days)) if school_class else None
            for j, day in enumerate(days):
                if self.day(path + ["days", j], day) and class_days is not None and day not in class_days:
                    self.fault(
                        path + ["days", j],
                        f"day {_quote(day)} is not among the days of class {_quote(student['class'])}",
                    )

    def check_pinned(self) -> None:
        pinned = self.data.get("pinned")
        if not pinned:
            return
        base: Path_ = ["pinned"]
        entries = pinned.get("supervisions") or []
        for k, entry in enumerate(entries):
            path = base + ["supervisions", k]
            self.known(path + ["class"], entry["class"], self.classes, "class")
            self.slot_of_kind(path + ["slot"], entry["slot"], SUPERVISED)
            staff = entry["staff"]
            if staff in self.instructor_vendor and staff not in self.staff:
                self.fault(path + ["staff"], f"{_quote(staff)} is an instructor, not a staff member")
            else:
                self.known(path + ["staff"], staff, self.staff, "staff member")
        self.unique_entries(base + ["supervisions"], entries, ("class", "slot", "staff"))

        entries = pinned.get("meetings") or []
        for k, entry in enumerate(entries):
            path = base + ["meetings", k]
            self.known(path + ["activity"], entry["activity"], self.activities, "activity")
            if entry.get("slot") is not None:
                self.slot_of_kind(path + ["slot"], entry["slot"], ENRICHMENT)
            if entry.get("room") is not None:
                self.known(path + ["room"], entry["room"], self.rooms, "room")
            teacher = entry.get("teacher")
            if teacher is not None and teacher not in self.staff and teacher not in self.instructor_vendor:
                self.fault(path + ["teacher"], f"unknown staff member or instructor {_quote(teacher)}")
        self.unique_entries(base + ["meetings"], entries, ("activity", "slot", "room", "teacher"))

        entries = pinned.get("enrollments") or []
        for k, entry in enumerate(entries):
            path = base + ["enrollments", k]
            self.known(path + ["student"], entry["student"], self.students, "student")
            self.known(path + ["activity"], entry["activity"], self.activities, "activity")
        self.unique_entries(base + ["enrollments"], entries, ("student", "activity"))

        entries = pinned.get("cancelled") or []
        for k, activity in enumerate(entries):
            self.known(base + ["cancelled", k], activity, self.activities, "activity")
        self.unique(((base + ["cancelled", k], activity) for k, activity in enumerate(entries)), "activity")

    def slot_of_kind(self, path: Path_, slot_id: str, kind: str) -> None:
        if self.known(path, slot_id, self.slots, "slot") and self.slots[slot_id]["kind"] != kind:
            self.fault(path, f"slot {_quote(slot_id)} is {self.slots[slot_id]['kind']}, not {kind}")

    def unique_entries(self, path: Path_, entries, fields) -> None:
        first: dict[tuple, int] = {}
        for k, entry in enumerate(entries):
            key = tuple(entry.get(field) for field in fields)
            if key in first:
                self.fault(path + [k], f"pinned twice (also {_format_path(path + [first[key]])})")
            else:
                first[key] = k


# --- entry points ----------------------------------------------------------------------------


def validate_problem(data: Any) -> list[str]:
    """Every fault of a problem document (parsed JSON), as ``PATH: TEXT`` messages; [] if valid.

    A problem this accepts can be given to ``problem.load_problem``.
    """
    faults = _schema_faults("problem", data, PROBLEM_FORMAT)
    if faults is None:
        faults = _ProblemChecks(data).run()
    return _render(data, faults)


def _problem_ids(problem: Problem | dict) -> dict[str, set[str]]:
    if isinstance(problem, Problem):
        return {
            "class": {c.id for c in problem.classes},
            "slot": {s.id for s in problem.slots},
            "room": {r.id for r in problem.rooms},
            "staff member": {s.id for s in problem.staff},
            "teacher": {s.id for s in problem.staff} | {i.id for i in problem.instructors},
            "activity": {a.id for a in problem.activities},
            "student": {s.id for s in problem.students},
        }
    staff = _ids(problem["staff"])
    instructors = {i["id"] for v in problem.get("vendors") or [] for i in v.get("instructors", [])}
    return {
        "class": _ids(problem["classes"]),
        "slot": _ids(problem["slots"]),
        "room": _ids(problem["rooms"]),
        "staff member": staff,
        "teacher": staff | instructors,
        "activity": _ids(problem["activities"]),
        "student": _ids(problem["students"]),
    }


_SOLUTION_REFERENCES = {
    "supervisions": (("class", "class"), ("slot", "slot"), ("staff", "staff member")),
    "meetings": (("activity", "activity"), ("slot", "slot"), ("room", "room"), ("teacher", "teacher")),
    "enrollments": (("student", "student"), ("activity", "activity")),
}


def validate_solution(problem: Problem | dict, data: Any) -> list[str]:
    """Every fault of a solution document for ``problem`` (a valid problem, as JSON data or a
    ``Problem``), as ``PATH: TEXT`` messages; [] if well formed.

    Checked: the solution's shape (its schema) and that every id it names exists in the problem.
    Broken hard rules (two supervisors for one class, a full room, ...) are not faults of the
    input: ``check`` reports them.
    """
    faults = _schema_faults("solution", data, SOLUTION_FORMAT)
    if faults is None:
        faults = []
        known = _problem_ids(problem)
        for array, references in _SOLUTION_REFERENCES.items():
            for k, entry in enumerate(data[array]):
                for field, what in references:
                    if entry[field] not in known[what]:
                        word = "staff member or instructor" if what == "teacher" else what
                        faults.append(([array, k, field], f"unknown {word} {_quote(entry[field])}"))
        for k, activity in enumerate(data["cancelled"]):
            if activity not in known["activity"]:
                faults.append((["cancelled", k], f"unknown activity {_quote(activity)}"))
    return _render(data, faults)
