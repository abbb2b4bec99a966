"""The timetable problem and solution as plain, immutable Python values.

This is the in-memory form of ``shared/spec/timetable-json.md`` (format version 1). It knows
nothing of Django: the web application builds the same JSON from its database, and the
command line reads it from a file. ``load_problem`` expects input that ``validate`` has
already accepted and fills in every default the spec names; ``Solution.to_dict`` writes the
spec's solution format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROBLEM_FORMAT = "afterschool-timetable/1"
SOLUTION_FORMAT = "afterschool-timetable-solution/1"
COVER_FORMAT = "afterschool-timetable-cover/1"
STAFF_PROVIDER = "staff"
SUPERVISED = "supervised"
ENRICHMENT = "enrichment"
DEFAULT_RANK_POINTS = (10, 6, 3, 1)
DEFAULT_DUTY_SPREAD = 20
DEFAULT_CHANGES = 50


@dataclass(frozen=True)
class Slot:
    id: str
    day: str
    start: str  # "HH:MM"
    end: str
    kind: str  # SUPERVISED or ENRICHMENT


@dataclass(frozen=True)
class Room:
    id: str
    capacity: int
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class SchoolClass:
    id: str
    grade: int
    size: int
    home_room: str
    days: tuple[str, ...]


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    subjects: tuple[str, ...] = ()
    unavailable: tuple[str, ...] = ()
    rest_days: tuple[str, ...] = ()
    min_duties: int = 0
    max_duties: int | None = None


@dataclass(frozen=True)
class Instructor:
    id: str
    name: str
    vendor: str
    available: tuple[str, ...] = ()
    max_sessions: int | None = None


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    instructors: tuple[Instructor, ...] = ()


@dataclass(frozen=True)
class Activity:
    id: str
    name: str
    provider: str  # STAFF_PROVIDER or a vendor id
    subject: str
    grades: tuple[int, ...]
    meetings: int
    room_kind: str
    max_size: int
    min_size: int = 0
    instructor: str | None = None
    slots: tuple[str, ...] | None = None  # allowed slot ids, or None for any enrichment slot


@dataclass(frozen=True)
class Student:
    id: str
    class_id: str
    choices: tuple[str, ...] = ()
    wants: int = 0
    days: tuple[str, ...] = ()


@dataclass(frozen=True)
class Weights:
    rank_points: tuple[int, ...] = DEFAULT_RANK_POINTS
    duty_spread: int = DEFAULT_DUTY_SPREAD
    changes: int = DEFAULT_CHANGES


@dataclass(frozen=True)
class Supervision:
    class_id: str
    slot: str
    staff: str


@dataclass(frozen=True)
class Meeting:
    activity: str
    slot: str
    room: str
    teacher: str


@dataclass(frozen=True)
class PinnedMeeting:
    """A pinned meeting: the activity, and any of slot, room and teacher it must keep."""

    activity: str
    slot: str | None = None
    room: str | None = None
    teacher: str | None = None


@dataclass(frozen=True)
class Enrollment:
    student: str
    activity: str


@dataclass(frozen=True)
class Decisions:
    """The decisions of a solution: used for ``previous`` (full) and ``pinned`` (partial)."""

    supervisions: tuple[Supervision, ...] = ()
    meetings: tuple = ()  # Meeting in ``previous`` and solutions, PinnedMeeting in ``pinned``
    enrollments: tuple[Enrollment, ...] = ()
    cancelled: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    days: tuple[str, ...]
    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    classes: tuple[SchoolClass, ...]
    staff: tuple[Staff, ...]
    vendors: tuple[Vendor, ...]
    activities: tuple[Activity, ...]
    students: tuple[Student, ...]
    weights: Weights = Weights()
    previous: Decisions | None = None
    pinned: Decisions | None = None
    school: str | None = None

    # --- lookups (built once; the dataclass is frozen, so they are cached by hand) ----------
    def __post_init__(self):
        object.__setattr__(self, "_index", {})

    def _lookup(self, name, items):
        cache = self._index
        if name not in cache:
            cache[name] = {item.id: item for item in items}
        return cache[name]

    @property
    def slot_by_id(self) -> dict[str, Slot]:
        return self._lookup("slots", self.slots)

    @property
    def room_by_id(self) -> dict[str, Room]:
        return self._lookup("rooms", self.rooms)

    @property
    def class_by_id(self) -> dict[str, SchoolClass]:
        return self._lookup("classes", self.classes)

    @property
    def staff_by_id(self) -> dict[str, Staff]:
        return self._lookup("staff", self.staff)

    @property
    def vendor_by_id(self) -> dict[str, Vendor]:
        return self._lookup("vendors", self.vendors)

    @property
    def instructors(self) -> tuple[Instructor, ...]:
        return tuple(i for v in self.vendors for i in v.instructors)

    @property
    def instructor_by_id(self) -> dict[str, Instructor]:
        return self._lookup("instructors", self.instructors)

    @property
    def activity_by_id(self) -> dict[str, Activity]:
        return self._lookup("activities", self.activities)

    @property
    def student_by_id(self) -> dict[str, Student]:
        return self._lookup("students", self.students)


@dataclass
class Explanation:
    code: str
    params: dict
    text: str

    def to_dict(self) -> dict:
        return {"code": self.code, "params": self.params, "text": self.text}


@dataclass
class Solution:
    status: str  # "optimal", "feasible", "infeasible" or "unknown"
    objective: int | None = None
    bound: int | None = None
    solve_seconds: float = 0.0
    supervisions: list[Supervision] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    explanation: list[Explanation] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "format": SOLUTION_FORMAT,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "supervisions": [
                {"class": s.class_id, "slot": s.slot, "staff": s.staff} for s in self.supervisions
            ],
            "meetings": [
                {"activity": m.activity, "slot": m.slot, "room": m.room, "teacher": m.teacher}
                for m in self.meetings
            ],
            "cancelled": list(self.cancelled),
            "enrollments": [{"student": e.student, "activity": e.activity} for e in self.enrollments],
            "explanation": [e.to_dict() for e in self.explanation],
        }


# --- reading -------------------------------------------------------------------------------


def _decisions(data: dict | None, *, pinned: bool) -> Decisions | None:
    if data is None:
        return None
    meetings = []
    for m in data.get("meetings") or []:
        if pinned:
            meetings.append(PinnedMeeting(m["activity"], m.get("slot"), m.get("room"), m.get("teacher")))
        else:
            meetings.append(Meeting(m["activity"], m["slot"], m["room"], m["teacher"]))
    return Decisions(
        supervisions=tuple(
            Supervision(s["class"], s["slot"], s["staff"]) for s in data.get("supervisions") or []
        ),
        meetings=tuple(meetings),
        enrollments=tuple(Enrollment(e["student"], e["activity"]) for e in data.get("enrollments") or []),
        cancelled=tuple(data.get("cancelled") or []),
    )


def load_problem(data: dict) -> Problem:
    """Build a ``Problem`` from validated JSON data, with every default of the spec."""
    days = tuple(data["days"])
    classes = tuple(
        SchoolClass(c["id"], c["grade"], c["size"], c["home_room"], tuple(c.get("days", days)))
        for c in data["classes"]
    )
    class_days = {c.id: c.days for c in classes}
    weights = data.get("weights") or {}
    return Problem(
        school=data.get("school"),
        days=days,
        slots=tuple(Slot(s["id"], s["day"], s["start"], s["end"], s["kind"]) for s in data["slots"]),
        rooms=tuple(Room(r["id"], r["capacity"], tuple(r["kinds"])) for r in data["rooms"]),
        classes=classes,
        staff=tuple(
            Staff(
                s["id"],
                s["name"],
                tuple(s.get("subjects", ())),
                tuple(s.get("unavailable", ())),
                tuple(s.get("rest_days", ())),
                s.get("min_duties", 0),
                s.get("max_duties"),
            )
            for s in data["staff"]
        ),
        vendors=tuple(
            Vendor(
                v["id"],
                v["name"],
                tuple(
                    Instructor(
                        i["id"], i["name"], v["id"], tuple(i.get("available", ())), i.get("max_sessions")
                    )
                    for i in v.get("instructors", ())
                ),
            )
            for v in data.get("vendors") or ()
        ),
        activities=tuple(
            Activity(
                a["id"],
                a["name"],
                a["provider"],
                a["subject"],
                tuple(a["grades"]),
                a["meetings"],
                a["room_kind"],
                a["max_size"],
                a.get("min_size", 0),
                a.get("instructor"),
                tuple(a["slots"]) if a.get("slots") is not None else None,
            )
            for a in data["activities"]
        ),
        students=tuple(
            Student(
                s["id"],
                s["class"],
                tuple(s.get("choices", ())),
                s.get("wants", 0),
                tuple(s["days"]) if s.get("days") is not None else class_days[s["class"]],
            )
            for s in data["students"]
        ),
        weights=Weights(
            tuple(weights.get("rank_points", DEFAULT_RANK_POINTS)),
            weights.get("duty_spread", DEFAULT_DUTY_SPREAD),
            weights.get("changes", DEFAULT_CHANGES),
        ),
        previous=_decisions(data.get("previous"), pinned=False),
        pinned=_decisions(data.get("pinned"), pinned=True),
    )


def load_solution(data: dict) -> Solution:
    """A ``Solution`` from solution JSON (as written by ``Solution.to_dict``)."""
    decisions = _decisions(data, pinned=False)
    return Solution(
        status=data.get("status", "feasible"),
        objective=data.get("objective"),
        bound=data.get("bound"),
        solve_seconds=data.get("solve_seconds", 0.0),
        supervisions=list(decisions.supervisions),
        meetings=list(decisions.meetings),
        cancelled=list(decisions.cancelled),
        enrollments=list(decisions.enrollments),
        explanation=[
            Explanation(e["code"], e.get("params", {}), e.get("text", ""))
            for e in data.get("explanation") or []
        ],
    )
