"""Invalid input is refused exactly as ``shared/spec/timetable-json.md`` lists, one message per fault.

Each test starts from ``problem()``, the spec's example completed so that every id it names
exists, breaks one thing, and checks the message's JSON path and the gist of its text.
"""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from scheduling.solver.problem import load_problem
from scheduling.solver.validate import (
    _quick_check,
    _validator,
    load_json,
    schema,
    validate_problem,
    validate_solution,
)

DAYS = ["mon", "tue", "wed", "thu", "fri"]


def problem() -> dict:
    """A fresh, valid problem: the spec's example with everything it mentions defined."""
    slots = []
    for day in DAYS:
        slots.append({"id": f"{day}-1", "day": day, "start": "15:30", "end": "16:30", "kind": "supervised"})
        slots.append({"id": f"{day}-2", "day": day, "start": "16:40", "end": "17:40", "kind": "enrichment"})
    return {
        "format": "afterschool-timetable/1",
        "school": "Haishu Experimental Primary",
        "days": list(DAYS),
        "slots": slots,
        "rooms": [
            {"id": "r301", "capacity": 45, "kinds": ["classroom"]},
            {"id": "gym", "capacity": 60, "kinds": ["gym", "sports"]},
        ],
        "classes": [{"id": "3-2", "grade": 3, "size": 42, "home_room": "r301", "days": list(DAYS)}],
        "staff": [
            {
                "id": "t017",
                "name": "Wang Li",
                "subjects": ["art", "calligraphy"],
                "unavailable": ["fri-2"],
                "rest_days": ["wed"],
                "max_duties": 4,
                "min_duties": 0,
            },
            {"id": "t023", "name": "Li Na", "subjects": ["chess"]},
        ],
        "vendors": [
            {
                "id": "v03",
                "name": "Sea Breeze Sports",
                "instructors": [
                    {"id": "v03-i1", "name": "Chen Gang", "available": ["tue-2", "thu-2"], "max_sessions": 2}
                ],
            },
            {"id": "v05", "name": "Little Coders", "instructors": [{"id": "v05-i1", "name": "Zhao Min"}]},
        ],
        "activities": [
            {
                "id": "a12",
                "name": "Basketball (G3-4)",
                "provider": "v03",
                "subject": "basketball",
                "grades": [3, 4],
                "meetings": 2,
                "room_kind": "gym",
                "min_size": 8,
                "max_size": 30,
            },
            {
                "id": "a05",
                "name": "Painting",
                "provider": "staff",
                "subject": "art",
                "grades": [3],
                "meetings": 1,
                "room_kind": "classroom",
                "max_size": 20,
            },
            {
                "id": "a31",
                "name": "Calligraphy",
                "provider": "staff",
                "subject": "calligraphy",
                "grades": [3],
                "meetings": 1,
                "room_kind": "classroom",
                "max_size": 20,
                "instructor": "t017",
                "slots": ["mon-2", "tue-2"],
            },
        ],
        "students": [
            {"id": "s0001", "class": "3-2", "choices": ["a12", "a05", "a31"], "wants": 1},
            {"id": "s0002", "class": "3-2", "choices": ["a05"], "wants": 1, "days": ["mon", "tue"]},
        ],
        "weights": {"rank_points": [10, 6, 3, 1], "duty_spread": 20, "changes": 50},
        "previous": None,
        "pinned": None,
    }


def pinned() -> dict:
    """A valid ``pinned`` value for ``problem()``."""
    return {
        "supervisions": [{"class": "3-2", "slot": "mon-1", "staff": "t017"}],
        "meetings": [
            {"activity": "a12", "slot": "tue-2"},
            {"activity": "a05", "room": "r301", "teacher": "t017"},
        ],
        "enrollments": [{"student": "s0001", "activity": "a12"}],
        "cancelled": ["a31"],
    }


def solution() -> dict:
    """A well-formed solution for ``problem()`` (whether it keeps the hard rules does not matter here)."""
    return {
        "format": "afterschool-timetable-solution/1",
        "status": "feasible",
        "objective": 10,
        "bound": 16,
        "solve_seconds": 0.5,
        "supervisions": [{"class": "3-2", "slot": "mon-1", "staff": "t017"}],
        "meetings": [{"activity": "a12", "slot": "tue-2", "room": "gym", "teacher": "v03-i1"}],
        "cancelled": ["a31"],
        "enrollments": [{"student": "s0001", "activity": "a12"}],
        "explanation": [],
    }


def only_fault(data: dict, validate=validate_problem) -> str:
    """The single message for a document with one fault."""
    messages = validate(data)
    assert len(messages) == 1, messages
    return messages[0]


def assert_fault(data: dict, path: str, *parts: str) -> None:
    message = only_fault(data)
    assert message.startswith(f"{path}: "), message
    for part in parts:
        assert part in message, message


# --- valid input -------------------------------------------------------------------------------


def test_the_schemas_are_valid_draft_2020_12():
    Draft202012Validator.check_schema(schema("problem"))
    Draft202012Validator.check_schema(schema("solution"))


def test_the_completed_spec_example_is_valid_and_loads():
    data = problem()
    assert validate_problem(data) == []
    loaded = load_problem(data)
    assert loaded.activity_by_id["a12"].provider == "v03"


def test_defaults_are_not_required():
    data = {
        "format": "afterschool-timetable/1",
        "days": ["mon"],
        "slots": [{"id": "mon-1", "day": "mon", "start": "15:30", "end": "16:30", "kind": "supervised"}],
        "rooms": [{"id": "r1", "capacity": 40, "kinds": []}],
        "classes": [{"id": "1-1", "grade": 1, "size": 30, "home_room": "r1"}],
        "staff": [{"id": "t1", "name": "A"}],
        "activities": [
            {
                "id": "a1",
                "name": "Chess",
                "provider": "staff",
                "subject": "chess",
                "grades": [1],
                "meetings": 1,
                "room_kind": "classroom",
                "max_size": 10,
            }
        ],
        "students": [{"id": "s1", "class": "1-1"}],
    }
    assert validate_problem(data) == []
    loaded = load_problem(data)
    assert loaded.students[0].days == ("mon",)
    assert loaded.weights.changes == 50


def test_null_is_accepted_where_the_default_is_null():
    data = problem()
    data["school"] = None
    data["vendors"][0]["instructors"][0]["max_sessions"] = None
    data["staff"][0]["max_duties"] = None
    data["activities"][2]["instructor"] = None
    data["activities"][2]["slots"] = None
    data["students"][1]["days"] = None
    data["weights"] = None
    assert validate_problem(data) == []


def test_unknown_extra_properties_are_accepted():
    data = problem()
    data["generator"] = "demo-city 2.1"
    data["rooms"][0]["floor"] = 3
    assert validate_problem(data) == []


def test_an_impossible_activity_is_not_invalid():
    data = problem()
    data["activities"][0]["room_kind"] = "pool"  # no room of its kind: the activity is cancelled
    data["activities"][1]["subject"] = "origami"  # no qualified teacher
    data["activities"][1]["grades"] = [6]  # s0001 and s0002's choice goes unused
    assert validate_problem(data) == []


def test_unknown_ids_in_previous_are_ignored():
    data = problem()
    data["previous"] = {
        "format": "afterschool-timetable-solution/1",
        "status": "optimal",
        "supervisions": [{"class": "gone", "slot": "sat-1", "staff": "t999"}],
        "meetings": [{"activity": "a99", "slot": "mon-2", "room": "pool", "teacher": "v09-i1"}],
        "enrollments": [{"student": "s9999", "activity": "a12"}],
        "cancelled": ["a98"],
    }
    assert validate_problem(data) == []


def test_valid_pins_are_accepted():
    data = problem()
    data["pinned"] = pinned()
    assert validate_problem(data) == []


# --- not JSON, wrong format -------------------------------------------------------------------


def test_not_json():
    data, messages = load_json('{"format": "afterschool-timetable/1",\n  "days": [mon]}')
    assert data is None
    assert messages == ["$: not valid JSON: Expecting value (line 2, column 12)"]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        ('{"x": NaN}', "NaN"),
        ("", "Expecting value"),
        ("[1, 2]", "expected a JSON object, got an array"),
        ('"text"', 'expected a JSON object, got "text"'),
    ],
)
def test_not_a_json_object(text, part):
    data, messages = load_json(text)
    assert data is None
    assert len(messages) == 1 and messages[0].startswith("$: ") and part in messages[0]


def test_json_is_loaded():
    assert load_json(json.dumps(problem()).encode()) == (problem(), [])


def test_wrong_format_is_the_only_message():
    data = problem()
    data["format"] = "afterschool-timetable/2"
    data["rooms"][0]["capacity"] = 0
    assert validate_problem(data) == [
        'format: expected "afterschool-timetable/1", got "afterschool-timetable/2"'
    ]


def test_a_solution_is_not_a_problem():
    assert only_fault(solution()).startswith('format: expected "afterschool-timetable/1"')


def test_not_an_object():
    assert validate_problem([]) == ["$: expected an object, got an array"]


# --- a required field missing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ((), "format"),
        ((), "days"),
        ((), "slots"),
        ((), "students"),
        (("slots", 3), "kind"),
        (("rooms", 1), "capacity"),
        (("classes", 0), "home_room"),
        (("staff", 1), "name"),
        (("vendors", 1), "name"),
        (("vendors", 0, "instructors", 0), "name"),
        (("activities", 2), "max_size"),
        (("activities", 0), "grades"),
        (("students", 1), "class"),
    ],
)
def test_required_field_missing(location, field):
    data = problem()
    node = data
    for step in location:
        node = node[step]
    del node[field]
    path = "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in (*location, field)).lstrip(".")
    assert only_fault(data) == f"{path}: required field missing"


def test_required_fields_of_pins_and_previous():
    data = problem()
    data["pinned"] = pinned()
    del data["pinned"]["supervisions"][0]["staff"]
    data["previous"] = solution()
    del data["previous"]["meetings"][0]["room"]
    assert validate_problem(data) == [
        "previous.meetings[0].room: required field missing",
        "pinned.supervisions[0].staff: required field missing",
    ]


# --- a value of the wrong type or out of range -------------------------------------------------


def _set(data, dotted, value):
    *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    node = data
    for step in parents:
        node = node[step]
    node[last] = value


WRONG_VALUES = [
    ("rooms.0.capacity", "45", "rooms[0].capacity", 'expected an integer, got "45"'),
    ("rooms.0.capacity", 0, "rooms[0].capacity", "must be at least 1, got 0"),
    ("rooms.0.kinds", "classroom", "rooms[0].kinds", "expected an array"),
    ("classes.0.grade", 3.0, "classes[0].grade", "expected an integer, got 3.0"),
    ("classes.0.grade", True, "classes[0].grade", "expected an integer, got true"),
    ("classes.0.size", -1, "classes[0].size", "must be at least 0"),
    ("classes.0.days", None, "classes[0].days", "expected an array, got null"),
    ("days.0", "monday", "days[0]", 'expected one of "mon", "tue"'),
    ("slots.0.start", "7:30", "slots[0].start", 'expected a time "HH:MM"'),
    ("slots.0.end", "24:00", "slots[0].end", 'expected a time "HH:MM"'),
    ("slots.0.end", "16:30\n", "slots[0].end", 'expected a time "HH:MM"'),
    ("slots.0.kind", "free", "slots[0].kind", 'expected one of "supervised", "enrichment", got "free"'),
    ("slots.0.id", 7, "slots[0].id", "expected a string, got 7"),
    ("staff.0.min_duties", -1, "staff[0].min_duties", "must be at least 0"),
    ("staff.0.max_duties", -1, "staff[0].max_duties", "must be at least 0"),
    ("staff.0.max_duties", "4", "staff[0].max_duties", "expected an integer or null"),
    ("staff.0.rest_days.0", "Wednesday", "staff[0].rest_days[0]", "expected one of"),
    ("staff.0.subjects", None, "staff[0].subjects", "expected an array, got null"),
    ("vendors.0.instructors.0.max_sessions", -2, "vendors[0].instructors[0].max_sessions", "at least 0"),
    ("vendors.0.instructors", {}, "vendors[0].instructors", "expected an array, got an object"),
    ("activities.0.meetings", 0, "activities[0].meetings", "must be at least 1, got 0"),
    ("activities.0.min_size", -1, "activities[0].min_size", "must be at least 0"),
    ("activities.0.max_size", 2.5, "activities[0].max_size", "expected an integer, got 2.5"),
    ("activities.0.grades", [3, "4"], "activities[0].grades[1]", "expected an integer"),
    ("activities.0.provider", None, "activities[0].provider", "expected a string, got null"),
    ("students.0.wants", -1, "students[0].wants", "must be at least 0"),
    ("students.0.choices", "a12", "students[0].choices", "expected an array"),
    ("weights.rank_points", [10, "6"], "weights.rank_points[1]", "expected an integer"),
    ("weights.duty_spread", -20, "weights.duty_spread", "must be at least 0"),
    ("weights.changes", 0.5, "weights.changes", "expected an integer"),
    ("previous", "last year", "previous", "expected an object or null"),
    ("previous", {"cancelled": [1]}, "previous.cancelled[0]", "expected a string"),
    ("pinned", [], "pinned", "expected an object or null, got an array"),
    ("pinned", {"enrollments": {}}, "pinned.enrollments", "expected an array or null"),
]


@pytest.mark.parametrize(("where", "value", "path", "part"), WRONG_VALUES)
def test_wrong_type_or_out_of_range(where, value, path, part):
    data = problem()
    _set(data, where, value)
    assert_fault(data, path, part)


def test_a_pinned_meeting_needs_more_than_its_activity():
    data = problem()
    data["pinned"] = {"meetings": [{"activity": "a12"}, {"activity": "a05", "slot": None}]}
    assert validate_problem(data) == [
        "pinned.meetings[0]: needs at least one of slot, room or teacher besides activity",
        "pinned.meetings[1]: needs at least one of slot, room or teacher besides activity",
    ]


def test_a_pinned_meeting_of_the_wrong_type_gets_one_message():
    data = problem()
    data["pinned"] = {"meetings": [{"activity": "a12", "slot": 3}]}
    assert validate_problem(data) == ["pinned.meetings[0].slot: expected a string or null, got 3"]


# --- duplicate ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "first"),
    [("slots", 3), ("rooms", 1), ("classes", 0), ("staff", 0), ("activities", 2), ("students", 1)],
)
def test_duplicate_id_within_an_array(array, first):
    data = problem()
    data[array].append(copy.deepcopy(data[array][first]))
    index = len(data[array]) - 1
    message = only_fault(data)
    assert (
        message == f'{array}[{index}].id: duplicate id "{data[array][first]["id"]}" (also {array}[{first}])'
    )


def test_duplicate_vendor_id():
    data = problem()
    data["vendors"][1]["id"] = "v03"
    assert only_fault(data) == 'vendors[1].id: duplicate id "v03" (also vendors[0])'


def test_staff_and_instructor_ids_share_one_namespace():
    data = problem()
    data["vendors"][1]["instructors"][0]["id"] = "t023"
    assert only_fault(data) == 'vendors[1].instructors[0].id: duplicate id "t023" (also staff[1])'


def test_instructor_ids_are_unique_across_vendors():
    data = problem()
    data["vendors"][1]["instructors"][0]["id"] = "v03-i1"
    assert (
        only_fault(data)
        == 'vendors[1].instructors[0].id: duplicate id "v03-i1" (also vendors[0].instructors[0])'
    )


def test_no_vendor_is_called_staff():
    data = problem()
    data["vendors"][1]["id"] = "staff"
    assert_fault(data, "vendors[1].id", '"staff" is reserved')


def test_duplicate_day():
    data = problem()
    data["days"].append("mon")
    assert only_fault(data) == 'days[5]: "mon" listed twice (also days[0])'


# --- references to unknown ids -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path", "part"),
    [
        ("staff.0.unavailable.0", "sat-2", "staff[0].unavailable[0]", 'unknown slot "sat-2"'),
        (
            "vendors.0.instructors.0.available.1",
            "thu-3",
            "vendors[0].instructors[0].available[1]",
            "unknown slot",
        ),
        ("activities.2.slots.1", "tue-9", "activities[2].slots[1]", 'unknown slot "tue-9"'),
        ("classes.0.home_room", "r999", "classes[0].home_room", 'unknown room "r999"'),
        ("students.1.class", "9-9", "students[1].class", 'unknown class "9-9"'),
        ("activities.0.provider", "v99", "activities[0].provider", 'unknown vendor "v99"'),
        ("activities.1.provider", "Staff", "activities[1].provider", 'unknown vendor "Staff"'),
        (
            "activities.2.instructor",
            "t999",
            "activities[2].instructor",
            'unknown staff member or instructor "t999"',
        ),
        ("students.0.choices.2", "a99", "students[0].choices[2]", 'unknown activity "a99"'),
        ("staff.0.rest_days.0", "sat", "staff[0].rest_days[0]", 'day "sat" is not in days'),
        ("classes.0.days.4", "sun", "classes[0].days[4]", 'day "sun" is not in days'),
        ("students.1.days.1", "sat", "students[1].days[1]", 'day "sat" is not in days'),
    ],
)
def test_reference_to_an_unknown_id(where, value, path, part):
    data = problem()
    _set(data, where, value)
    assert_fault(data, path, part)


# --- slots ---------------------------------------------------------------------------------------


def test_slot_day_not_in_days():
    data = problem()
    data["slots"].append(
        {"id": "sat-1", "day": "sat", "start": "09:00", "end": "10:00", "kind": "enrichment"}
    )
    assert only_fault(data) == 'slots[10].day: day "sat" is not in days'


def test_overlapping_slots_of_one_day():
    data = problem()
    data["slots"].append(
        {"id": "mon-3", "day": "mon", "start": "16:00", "end": "17:00", "kind": "enrichment"}
    )
    messages = validate_problem(data)
    assert messages == [
        'slots[10]: mon 16:00-17:00 overlaps slot "mon-1" (slots[0], 15:30-16:30)',
        'slots[10]: mon 16:00-17:00 overlaps slot "mon-2" (slots[1], 16:40-17:40)',
    ]


def test_slots_that_touch_or_lie_on_other_days_do_not_overlap():
    data = problem()
    data["slots"].append(
        {"id": "mon-3", "day": "mon", "start": "17:40", "end": "18:30", "kind": "enrichment"}
    )
    data["slots"][2]["start"], data["slots"][2]["end"] = "15:00", "16:40"  # tue-1 over mon-1's times
    assert validate_problem(data) == []


@pytest.mark.parametrize("end", ["15:30", "15:00"])
def test_start_not_before_end(end):
    data = problem()
    data["slots"][0]["end"] = end
    assert only_fault(data) == f"slots[0].start: start 15:30 is not before end {end}"


# --- activities ----------------------------------------------------------------------------------


def test_min_size_greater_than_max_size():
    data = problem()
    data["activities"][0]["min_size"] = 31
    assert only_fault(data) == "activities[0].min_size: min_size 31 is greater than max_size 30"


def test_min_size_equal_to_max_size_is_valid():
    data = problem()
    data["activities"][0]["min_size"] = 30
    assert validate_problem(data) == []


def test_more_meetings_than_days():
    data = problem()
    data["activities"][1]["meetings"] = 6
    assert_fault(data, "activities[1].meetings", "6 meetings but only 5 days")


def test_meetings_equal_to_days_is_valid():
    data = problem()
    data["activities"][1]["meetings"] = 5
    assert validate_problem(data) == []


def test_activity_slot_that_is_not_enrichment():
    data = problem()
    data["activities"][2]["slots"] = ["mon-2", "tue-1"]
    assert only_fault(data) == 'activities[2].slots[1]: slot "tue-1" is supervised, not enrichment'


@pytest.mark.parametrize(
    ("activity", "instructor", "part"),
    [
        (2, "t023", 'staff member "t023" cannot teach it: no subject "calligraphy"'),
        (2, "v03-i1", '"v03-i1" is an instructor of vendor "v03", not a staff member'),
        (0, "t017", '"t017" is a staff member, not an instructor of vendor "v03"'),
        (0, "v05-i1", '"v05-i1" is an instructor of vendor "v05", not of vendor "v03"'),
    ],
)
def test_instructor_who_cannot_teach_the_activity(activity, instructor, part):
    data = problem()
    data["activities"][activity]["instructor"] = instructor
    assert only_fault(data) == f"activities[{activity}].instructor: {part}"


def test_instructor_of_the_activity_vendor_is_valid():
    data = problem()
    data["activities"][0]["instructor"] = "v03-i1"
    assert validate_problem(data) == []


# --- students --------------------------------------------------------------------------------------


def test_student_listing_the_same_activity_twice():
    data = problem()
    data["students"][0]["choices"] = ["a12", "a05", "a12"]
    assert only_fault(data) == 'students[0].choices[2]: activity "a12" listed twice (also choices[0])'


def test_student_days_not_within_the_class_days():
    data = problem()
    data["classes"][0]["days"] = ["mon", "wed", "fri"]
    data["students"][1]["days"] = ["mon", "tue"]
    assert only_fault(data) == 'students[1].days[1]: day "tue" is not among the days of class "3-2"'


def test_student_days_within_the_default_class_days_are_valid():
    data = problem()
    del data["classes"][0]["days"]
    data["students"][1]["days"] = ["fri"]
    assert validate_problem(data) == []


# --- pinned ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "path", "part"),
    [
        ("supervisions.0.class", "9-9", "pinned.supervisions[0].class", 'unknown class "9-9"'),
        ("supervisions.0.slot", "sun-1", "pinned.supervisions[0].slot", 'unknown slot "sun-1"'),
        ("supervisions.0.staff", "t999", "pinned.supervisions[0].staff", 'unknown staff member "t999"'),
        (
            "supervisions.0.staff",
            "v03-i1",
            "pinned.supervisions[0].staff",
            "is an instructor, not a staff member",
        ),
        ("meetings.0.activity", "a99", "pinned.meetings[0].activity", 'unknown activity "a99"'),
        ("meetings.0.slot", "tue-7", "pinned.meetings[0].slot", 'unknown slot "tue-7"'),
        ("meetings.1.room", "pool", "pinned.meetings[1].room", 'unknown room "pool"'),
        ("meetings.1.teacher", "x1", "pinned.meetings[1].teacher", 'unknown staff member or instructor "x1"'),
        ("enrollments.0.student", "s9", "pinned.enrollments[0].student", 'unknown student "s9"'),
        ("enrollments.0.activity", "a9", "pinned.enrollments[0].activity", 'unknown activity "a9"'),
        ("cancelled.0", "a9", "pinned.cancelled[0]", 'unknown activity "a9"'),
    ],
)
def test_pinned_unknown_id(where, value, path, part):
    data = problem()
    data["pinned"] = pinned()
    _set(data["pinned"], where, value)
    assert_fault(data, path, part)


def test_pinned_supervision_in_a_slot_that_is_not_supervised():
    data = problem()
    data["pinned"] = {"supervisions": [{"class": "3-2", "slot": "mon-2", "staff": "t017"}]}
    assert only_fault(data) == 'pinned.supervisions[0].slot: slot "mon-2" is enrichment, not supervised'


def test_pinned_meeting_in_a_slot_that_is_not_enrichment():
    data = problem()
    data["pinned"] = {"meetings": [{"activity": "a12", "slot": "tue-1"}]}
    assert only_fault(data) == 'pinned.meetings[0].slot: slot "tue-1" is supervised, not enrichment'


@pytest.mark.parametrize("array", ["supervisions", "meetings", "enrollments", "cancelled"])
def test_pinned_entry_listed_twice(array):
    data = problem()
    data["pinned"] = pinned()
    data["pinned"][array].append(copy.deepcopy(data["pinned"][array][0]))
    index = len(data["pinned"][array]) - 1
    assert_fault(data, f"pinned.{array}[{index}]", f"(also pinned.{array}[0])")


def test_pins_that_cannot_all_hold_are_not_invalid():
    data = problem()
    data["pinned"] = {
        "supervisions": [
            {"class": "3-2", "slot": "wed-1", "staff": "t017"},  # t017 rests on wednesday
            {"class": "3-2", "slot": "wed-1", "staff": "t023"},  # a second supervisor
        ],
        "meetings": [{"activity": "a31", "slot": "fri-2"}],  # outside its slots
        "cancelled": ["a31"],  # and cancelled too
    }
    assert validate_problem(data) == []


# --- several faults --------------------------------------------------------------------------------


def test_several_faults_give_several_messages_in_document_order():
    data = problem()
    data["students"][0]["choices"].append("a99")
    data["rooms"][1]["capacity"] = 0
    del data["classes"][0]["size"]
    data["slots"][4]["kind"] = "lunch"
    assert validate_problem(data) == [
        'slots[4].kind: expected one of "supervised", "enrichment", got "lunch"',
        "rooms[1].capacity: must be at least 1, got 0",
        "classes[0].size: required field missing",
    ]  # the unknown choice is found once the schema passes
    data = problem()
    data["students"][0]["choices"].append("a99")
    data["activities"][0]["min_size"] = 40
    data["classes"][0]["home_room"] = "r999"
    data["vendors"][0]["id"] = "staff"
    assert validate_problem(data) == [
        'classes[0].home_room: unknown room "r999"',
        'vendors[0].id: the id "staff" is reserved for staff activities',
        'activities[0].provider: unknown vendor "v03" (the provider is "staff" or a vendor id)',
        "activities[0].min_size: min_size 40 is greater than max_size 30",
        'students[0].choices[3]: unknown activity "a99"',
    ]


# --- solutions ---------------------------------------------------------------------------------------


def test_a_well_formed_solution():
    assert validate_solution(problem(), solution()) == []
    assert validate_solution(load_problem(problem()), solution()) == []


def test_an_infeasible_solution_without_decisions_is_well_formed():
    data = solution()
    data.update(status="infeasible", objective=None, bound=None, supervisions=[], meetings=[], enrollments=[])
    data["cancelled"] = []
    data["explanation"] = [{"code": "class_unsupervisable", "params": {"class": "3-2"}, "text": "..."}]
    assert validate_solution(problem(), data) == []


def test_a_malformed_solution():
    data = solution()
    data["format"] = "afterschool-timetable/1"
    assert validate_solution(problem(), data) == [
        'format: expected "afterschool-timetable-solution/1", got "afterschool-timetable/1"'
    ]
    data = solution()
    del data["meetings"][0]["teacher"]
    data["status"] = "done"
    data["explanation"] = [{"code": 1}]
    assert validate_solution(problem(), data) == [
        'status: expected one of "optimal", "feasible", "infeasible", "unknown", got "done"',
        "meetings[0].teacher: required field missing",
        "explanation[0].code: expected a string, got 1",
        "explanation[0].params: required field missing",
        "explanation[0].text: required field missing",
    ]


@pytest.mark.parametrize("as_object", [False, True])
def test_a_solution_naming_unknown_ids(as_object):
    data = solution()
    data["supervisions"][0]["staff"] = "v03-i1"
    data["meetings"][0]["room"] = "pool"
    data["meetings"][0]["teacher"] = "t023"  # a known teacher, if not a qualified one: for check
    data["cancelled"].append("a99")
    data["enrollments"][0]["student"] = "s9"
    the_problem = load_problem(problem()) if as_object else problem()
    assert validate_solution(the_problem, data) == [
        'supervisions[0].staff: unknown staff member "v03-i1"',
        'meetings[0].room: unknown room "pool"',
        'cancelled[1]: unknown activity "a99"',
        'enrollments[0].student: unknown student "s9"',
    ]


# --- size ----------------------------------------------------------------------------------------------


def big_problem(students: int = 3000) -> dict:
    """``problem()`` with many classes, activities and students."""
    data = problem()
    data["rooms"] += [{"id": f"r{c}", "capacity": 45, "kinds": ["classroom"]} for c in range(students // 40)]
    data["classes"] = [
        {"id": f"c{c}", "grade": 1 + c % 6, "size": 40, "home_room": f"r{c}"} for c in range(students // 40)
    ]
    data["staff"] += [{"id": f"t{t}", "name": f"T{t}", "subjects": ["art"]} for t in range(100, 200)]
    data["activities"] += [
        {**data["activities"][1], "id": f"x{a}", "grades": [1 + a % 6], "instructor": f"t{100 + a}"}
        for a in range(100)
    ]
    data["students"] = [
        {
            "id": f"s{s}",
            "class": f"c{s // 40}",
            "choices": [f"x{(s + k) % 100}" for k in range(4)],
            "wants": 2,
        }
        for s in range(students)
    ]
    return data


def test_the_quick_check_agrees_with_jsonschema():
    """The fast yes/no test in front of jsonschema must never accept what jsonschema refuses."""
    documents = [problem(), big_problem(200), {**problem(), "pinned": pinned()}]
    for where, value, _, _ in WRONG_VALUES:
        documents.append(problem())
        _set(documents[-1], where, value)
    for document in documents:
        assert _quick_check("problem")(document) == _validator("problem").is_valid(document), document
    for document in (solution(), {**solution(), "status": "done"}, {**solution(), "objective": "1"}):
        assert _quick_check("solution")(document) == _validator("solution").is_valid(document)


def test_a_school_of_three_thousand_students_validates():
    """A valid school of 3,000 students is accepted. How long it takes is measured by
    ``python -m benchmarks.timing`` (validation), not asserted here."""
    data = big_problem()
    assert validate_problem(data) == []
    assert validate_problem(data) == []  # the schema, loaded once per process, is reused
