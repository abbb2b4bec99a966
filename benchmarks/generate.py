"""Seeded, realistic timetable problems for the scheduler's benchmarks.

``generate(size, seed)`` returns one school's weekly after-school problem as a JSON-ready dict
in the interchange format ``afterschool-timetable/1`` (``shared/spec/timetable-json.md``).
The same size and seed always give the same problem (every draw comes from one
``random.Random`` seeded with the size and the seed); different seeds give different schools.

The instances imitate a Chinese primary school's after-school service:

- grades 1 to 6, the same number of classes per grade, 38 to 45 pupils a class, each class
  with its home classroom;
- a week of Monday to Friday in periods: period 1 (15:30-16:20) is supervised homework time,
  except on Wednesday, the club afternoon, when it is enrichment; period 2 (16:30-17:20) is
  enrichment every day; in the larger sizes period 3 (17:30-18:10) is enrichment except on
  Wednesday, when it is supervised (``small``: 4 supervised and 6 enrichment slots, ``large``
  and ``huge``: 5 and 10);
- scarce special rooms (gym, playground, art, music, lab, computer, library, chess and
  multi-purpose rooms) beside the classrooms; activities are drawn so that no kind of room
  is booked for more meetings than its rooms can hold in a week (rooms shared by several
  kinds counted once);
- about 1.3 staff per class, 40% of them able to teach an enrichment subject (sport, art,
  calligraphy, music, science, coding, chess, reading...), a third with one or two
  unavailable slots, about 15% with a rest day, ``max_duties`` 3 to 6 or null (enrichment
  teachers, partly hired for the programme, have higher caps), ``min_duties`` 1 for a few;
  the instance is always feasible for supervision (checked by replaying the first-come
  supervision rule, and repaired by loosening one constraint at a time if needed);
- outside vendors (``small`` 4-5, ``large`` 8-12, ``huge`` 11-14: sports clubs, art studios,
  coding schools...) with 2 to 4 instructors, each available in 2 to 4 enrichment slots on
  at least two days and capped at 2 to 5 sessions;
- activities, about 40% run by vendors (of their specialities) and the rest by staff (of a
  subject some staff member teaches), for bands of one to three adjacent grades (every grade
  gets about as many), meeting once (70%) or twice (30%) a week, 6-10 to 20-35 pupils;
  half of those for grades 1-2 are kept to slots ending by 17:20;
- one sign-up per pupil: 60% want one activity, 35% two, 5% none (and list nothing); 3 to 5
  ranked choices among the activities open to the pupil's grade, drawn with Zipf-like
  popularity (``appeal of the subject / (rank + 1)``, flagship activities open to more
  grades tending to rank higher), so a few activities are heavily over-subscribed while
  others struggle to reach their minimum size; 10% of pupils stay only on some days;
- a few classes (6%) go home early on Friday.

Command line::

    python -m benchmarks.generate --size large --seed 1 --out /tmp/p.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from random import Random

FORMAT = "afterschool-timetable/1"
DAYS = ("mon", "tue", "wed", "thu", "fri")
GRADES = (1, 2, 3, 4, 5, 6)
SUPERVISED = "supervised"
ENRICHMENT = "enrichment"
CLUB_DAY = "wed"  # period 1 is enrichment and period 3 supervised on this day
ZIPF_EXPONENT = 1.0  # popularity of the activity ranked r (from 0) is appeal / (r + 1) ** this


@dataclass(frozen=True)
class Period:
    number: int
    start: str
    end: str
    kind: str  # its kind on every day but CLUB_DAY
    club_day_kind: str


PERIOD_1 = Period(1, "15:30", "16:20", SUPERVISED, ENRICHMENT)
PERIOD_2 = Period(2, "16:30", "17:20", ENRICHMENT, ENRICHMENT)
PERIOD_3 = Period(3, "17:30", "18:10", ENRICHMENT, SUPERVISED)
EARLY_END = "17:20"  # activities of grades 1-2 may be kept to slots ending by then


@dataclass(frozen=True)
class Size:
    """What a size means: counts and the school's equipment."""

    classes_per_grade: int
    activities: int
    periods: tuple[Period, ...]
    vendors: tuple[int, int]  # inclusive range of the number of vendors
    special_rooms: tuple[tuple[str, int], ...]  # (room type, how many)


SIZES: dict[str, Size] = {
    "small": Size(
        classes_per_grade=2,
        activities=25,
        periods=(PERIOD_1, PERIOD_2),
        vendors=(4, 5),
        special_rooms=(
            ("gym", 1),
            ("playground", 1),
            ("art", 1),
            ("music", 1),
            ("lab", 1),
            ("computer", 1),
            ("library", 1),
            ("multipurpose", 1),
        ),
    ),
    "large": Size(
        classes_per_grade=8,
        activities=90,
        periods=(PERIOD_1, PERIOD_2, PERIOD_3),
        vendors=(8, 12),
        special_rooms=(
            ("gym", 2),
            ("playground", 2),
            ("art", 2),
            ("music", 2),
            ("lab", 2),
            ("computer", 2),
            ("library", 1),
            ("chess", 1),
            ("multipurpose", 2),
        ),
    ),
    "huge": Size(
        classes_per_grade=12,
        activities=130,
        periods=(PERIOD_1, PERIOD_2, PERIOD_3),
        vendors=(11, 14),
        special_rooms=(
            ("gym", 3),
            ("playground", 2),
            ("art", 3),
            ("music", 3),
            ("lab", 3),
            ("computer", 2),
            ("library", 2),
            ("chess", 2),
            ("multipurpose", 2),
        ),
    ),
}

# Room type -> (kinds, capacity range). Home classrooms have kinds ["classroom"], 45-50 seats.
ROOM_TYPES: dict[str, tuple[tuple[str, ...], tuple[int, int]]] = {
    "gym": (("gym",), (60, 80)),
    "playground": (("playground",), (150, 200)),
    "art": (("art",), (36, 40)),
    "music": (("music",), (40, 48)),
    "lab": (("lab",), (36, 40)),
    "computer": (("computer",), (40, 45)),
    "library": (("library",), (50, 60)),
    "chess": (("chess",), (36, 40)),
    "multipurpose": (("multipurpose", "dance", "chess"), (60, 80)),
}
CLASSROOM = "classroom"
CLASSROOM_CAPACITY = (45, 50)
CLASS_SIZE = (38, 45)


@dataclass(frozen=True)
class Subject:
    room_kind: str
    grades: tuple[int, int]  # lowest and highest grade it suits
    names: tuple[str, ...]
    appeal: float  # multiplies the Zipf popularity of its activities


SUBJECTS: dict[str, Subject] = {
    "basketball": Subject("gym", (2, 6), ("Basketball", "Mini Basketball"), 1.4),
    "football": Subject("playground", (1, 6), ("Football", "Campus Football"), 1.3),
    "table_tennis": Subject("gym", (1, 6), ("Table Tennis",), 1.1),
    "badminton": Subject("gym", (3, 6), ("Badminton",), 1.0),
    "rope_skipping": Subject("playground", (1, 4), ("Rope Skipping", "Fancy Rope Skipping"), 0.8),
    "athletics": Subject("playground", (2, 6), ("Athletics", "Sprint and Jump"), 0.7),
    "martial_arts": Subject("multipurpose", (1, 6), ("Wushu", "Taekwondo"), 0.9),
    "painting": Subject(
        "art", (1, 6), ("Children's Painting", "Watercolour", "Sketching", "Comic Drawing"), 1.2
    ),
    "paper_cutting": Subject("art", (1, 4), ("Paper Cutting",), 0.6),
    "clay": Subject("art", (1, 5), ("Clay Modelling",), 0.9),
    "calligraphy": Subject(CLASSROOM, (2, 6), ("Brush Calligraphy", "Hard-pen Calligraphy"), 0.6),
    "choir": Subject("music", (1, 6), ("Choir",), 0.7),
    "guzheng": Subject("music", (3, 6), ("Guzheng",), 0.6),
    "percussion": Subject("music", (2, 6), ("Percussion Band", "Drum Club"), 0.8),
    "dance": Subject("dance", (1, 6), ("Folk Dance", "Street Dance", "Ballet"), 1.1),
    "science": Subject("lab", (2, 6), ("Science Experiments", "Little Scientists"), 1.1),
    "robotics": Subject("lab", (3, 6), ("Robotics", "LEGO Robotics"), 1.5),
    "aeromodelling": Subject(CLASSROOM, (3, 6), ("Model Aircraft",), 0.8),
    "coding": Subject("computer", (3, 6), ("Scratch Coding", "Python for Kids"), 1.4),
    "go": Subject("chess", (1, 6), ("Go (Weiqi)",), 0.8),
    "xiangqi": Subject("chess", (1, 6), ("Chinese Chess",), 0.7),
    "chess": Subject("chess", (2, 6), ("International Chess",), 0.7),
    "reading": Subject("library", (1, 6), ("Picture-book Reading", "Reading Club"), 0.6),
    "storytelling": Subject(CLASSROOM, (1, 4), ("Storytelling",), 0.5),
    "drama": Subject(CLASSROOM, (2, 6), ("English Drama", "Campus Drama"), 0.8),
    "puzzles": Subject(CLASSROOM, (2, 6), ("Math Puzzles", "Sudoku Club"), 0.6),
}

# Staff able to teach an enrichment subject: family -> (share, subjects, how many of them).
STAFF_FAMILIES: dict[str, tuple[float, tuple[str, ...], tuple[int, int]]] = {
    "sport": (
        0.24,
        ("basketball", "football", "table_tennis", "badminton", "rope_skipping", "athletics", "martial_arts"),
        (2, 3),
    ),
    "art": (0.14, ("painting", "paper_cutting", "clay"), (1, 2)),
    "calligraphy": (0.08, ("calligraphy",), (1, 1)),
    "music": (0.14, ("choir", "dance", "guzheng", "percussion"), (1, 2)),
    "science": (0.12, ("science", "aeromodelling", "robotics"), (1, 2)),
    "coding": (0.06, ("coding", "robotics"), (1, 2)),
    "chess": (0.08, ("go", "xiangqi", "chess"), (1, 2)),
    "reading": (0.14, ("reading", "storytelling", "drama", "puzzles"), (1, 2)),
}
CORE_SUBJECTS = (
    ("chinese",),
    ("math",),
    ("english",),
    ("morality",),
    ("chinese", "morality"),
    ("math", "english"),
)
ENRICHMENT_STAFF_SHARE = 0.40
STAFF_PER_CLASS = 1.3

VENDOR_TEMPLATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Sea Breeze Sports", ("basketball", "football", "athletics")),
    ("Golden Ball Basketball Academy", ("basketball",)),
    ("Green Field Football Club", ("football",)),
    ("Jump High Rope Skipping", ("rope_skipping", "athletics")),
    ("Tiger Wushu Academy", ("martial_arts",)),
    ("Silver Paddle Table Tennis", ("table_tennis", "badminton")),
    ("Little Picasso Art Studio", ("painting", "clay")),
    ("Ink and Brush Studio", ("calligraphy", "painting")),
    ("Rainbow Crafts", ("paper_cutting", "clay")),
    ("Harmony Music School", ("choir", "percussion")),
    ("Silk String Guzheng Studio", ("guzheng",)),
    ("Happy Feet Dance", ("dance",)),
    ("RoboKids Lab", ("robotics", "science")),
    ("Codey Coding Academy", ("coding", "robotics")),
    ("Young Einstein Science", ("science", "aeromodelling")),
    ("Sky Model Aviation", ("aeromodelling",)),
    ("Black and White Go Academy", ("go", "chess")),
    ("Checkmate Chess Club", ("chess", "xiangqi")),
    ("Bookworm Reading House", ("reading", "storytelling")),
    ("Little Stage English Drama", ("drama",)),
)
VENDOR_SHARE = 0.40

DISTRICTS = ("Haishu", "Jiangbei", "Yinzhou", "Zhenhai", "Beilun", "Fenghua", "Cixi", "Yuyao", "Xiangshan")
SCHOOL_KINDS = (
    "Experimental Primary School",
    "Central Primary School",
    "Foreign Language Primary School",
    "No. 2 Primary School",
    "Normal University Attached Primary School",
)
SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu",
    "Hu", "Guo", "He", "Lin", "Luo", "Gao", "Zheng", "Xie", "Song", "Tang", "Han", "Feng", "Dong", "Ye",
    "Cheng", "Cao", "Yuan", "Deng", "Fu", "Shen", "Zeng", "Peng", "Pan", "Jiang", "Lu", "Wei",
)  # fmt: skip
GIVEN_NAMES = (
    "Li", "Fang", "Min", "Jing", "Wei", "Lei", "Jun", "Yan", "Tao", "Ming", "Chao", "Xia", "Hong", "Ping",
    "Gang", "Hui", "Ying", "Xin", "Qiang", "Lan", "Juan", "Yong", "Jie", "Na", "Ting", "Hao", "Yu", "Rui",
    "Dan", "Lin", "Mei", "Xiaoyan", "Jianguo", "Haiyan", "Zhiwei", "Lili", "Yufei", "Wenjing", "Jiahui",
)  # fmt: skip


def generate(size: str, seed: int) -> dict:
    """A problem of the given size ("small", "large" or "huge") as a JSON-ready dict."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    return _Generator(SIZES[size], Random(f"afterschool-benchmark/{size}/{seed}")).build()


def summary(problem: dict) -> dict:
    """Headline counts of a problem dict (pupils, classes, activities, slots...)."""
    slots = problem["slots"]
    return {
        "pupils": len(problem["students"]),
        "classes": len(problem["classes"]),
        "activities": len(problem["activities"]),
        "slots": len(slots),
        "enrichment_slots": sum(s["kind"] == ENRICHMENT for s in slots),
        "staff": len(problem["staff"]),
        "vendors": len(problem.get("vendors") or []),
        "instructors": sum(len(v["instructors"]) for v in problem.get("vendors") or []),
        "rooms": len(problem["rooms"]),
        "meetings": sum(a["meetings"] for a in problem["activities"]),
    }


class _Generator:
    """One generation run: the draws happen in a fixed order, so the output is reproducible."""

    def __init__(self, size: Size, rng: Random):
        self.size = size
        self.rng = rng

    def build(self) -> dict:
        rng = self.rng
        school = f"{rng.choice(DISTRICTS)} {rng.choice(SCHOOL_KINDS)}"
        slots = self._slots()
        self.slots = slots
        self.enrichment = [s for s in slots if s["kind"] == ENRICHMENT]
        self.supervised = [s for s in slots if s["kind"] == SUPERVISED]
        rooms, classes = self._rooms_and_classes()
        self.rooms = rooms
        staff = self._staff(len(classes))
        _make_supervisable(staff, classes, self.supervised, rng)
        vendors = self._vendors()
        activities = self._activities(staff, vendors)
        students = self._students(classes, activities)
        return {
            "format": FORMAT,
            "school": school,
            "days": list(DAYS),
            "slots": slots,
            "rooms": rooms,
            "classes": classes,
            "staff": staff,
            "vendors": vendors,
            "activities": activities,
            "students": students,
            "previous": None,
            "pinned": None,
        }

    # --- the week and the building ----------------------------------------------------------
    def _slots(self) -> list[dict]:
        return [
            {
                "id": f"{day}-{p.number}",
                "day": day,
                "start": p.start,
                "end": p.end,
                "kind": p.club_day_kind if day == CLUB_DAY else p.kind,
            }
            for day in DAYS
            for p in self.size.periods
        ]

    def _rooms_and_classes(self) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        rooms, classes = [], []
        for grade in GRADES:
            for number in range(1, self.size.classes_per_grade + 1):
                room_id = f"r{grade}{number:02d}"
                rooms.append(
                    {"id": room_id, "capacity": rng.randint(*CLASSROOM_CAPACITY), "kinds": [CLASSROOM]}
                )
                # A few classes go home early on Friday and need no after-school care that day.
                days = [d for d in DAYS if d != "fri"] if rng.random() < 0.06 else list(DAYS)
                classes.append(
                    {
                        "id": f"{grade}-{number}",
                        "grade": grade,
                        "size": rng.randint(*CLASS_SIZE),
                        "home_room": room_id,
                        "days": days,
                    }
                )
        for room_type, count in self.size.special_rooms:
            kinds, capacity = ROOM_TYPES[room_type]
            for number in range(1, count + 1):
                rooms.append(
                    {"id": f"{room_type}-{number}", "capacity": rng.randint(*capacity), "kinds": list(kinds)}
                )
        return rooms, classes

    # --- people -----------------------------------------------------------------------------
    def _name(self) -> str:
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(GIVEN_NAMES)}"

    def _staff(self, n_classes: int) -> list[dict]:
        rng = self.rng
        n = round(STAFF_PER_CLASS * n_classes)
        enrichment_teachers = set(rng.sample(range(n), round(ENRICHMENT_STAFF_SHARE * n)))
        families = list(STAFF_FAMILIES)
        shares = [STAFF_FAMILIES[f][0] for f in families]
        slot_ids = [s["id"] for s in self.slots]
        staff = []
        for index in range(n):
            if index in enrichment_teachers:
                _, pool, (low, high) = STAFF_FAMILIES[rng.choices(families, shares)[0]]
                subjects = rng.sample(pool, min(len(pool), rng.randint(low, high)))
            else:
                subjects = list(rng.choice(CORE_SUBJECTS))
            unavailable = (
                sorted(rng.sample(slot_ids, rng.randint(1, 2)), key=slot_ids.index)
                if rng.random() < 0.35
                else []
            )
            min_duties = 1 if rng.random() < 0.05 else 0
            rest_days = [rng.choice(DAYS)] if min_duties == 0 and rng.random() < 0.15 else []
            # Enrichment teachers are partly hired for the after-school programme: higher caps.
            if index in enrichment_teachers:
                max_duties = None if rng.random() < 0.20 else rng.choices((4, 5, 6), (1, 2, 2))[0]
            else:
                max_duties = None if rng.random() < 0.08 else rng.choices((3, 4, 5, 6), (1, 2, 3, 2))[0]
            staff.append(
                {
                    "id": f"t{index + 1:03d}",
                    "name": self._name(),
                    "subjects": subjects,
                    "unavailable": unavailable,
                    "rest_days": rest_days,
                    "max_duties": max_duties,
                    "min_duties": min_duties,
                }
            )
        return staff

    def _vendors(self) -> list[dict]:
        rng = self.rng
        templates = rng.sample(VENDOR_TEMPLATES, rng.randint(*self.size.vendors))
        enrichment_ids = [s["id"] for s in self.enrichment]
        day_of = {s["id"]: s["day"] for s in self.enrichment}
        vendors = []
        for v_index, (name, subjects) in enumerate(templates, start=1):
            vendor_id = f"v{v_index:02d}"
            instructors = []
            for i_index in range(1, rng.randint(2, 4) + 1):
                while True:  # two to four slots, on at least two days
                    available = rng.sample(enrichment_ids, rng.randint(2, 4))
                    if len({day_of[s] for s in available}) >= 2:
                        break
                instructors.append(
                    {
                        "id": f"{vendor_id}-i{i_index}",
                        "name": self._name(),
                        "available": sorted(available, key=enrichment_ids.index),
                        "max_sessions": rng.randint(2, 5),
                    }
                )
            # Private to the generator (removed before output): what the vendor teaches.
            vendors.append(
                {"id": vendor_id, "name": name, "instructors": instructors, "_subjects": list(subjects)}
            )
        return vendors

    # --- activities -------------------------------------------------------------------------
    def _activities(self, staff: list[dict], vendors: list[dict]) -> list[dict]:
        rng = self.rng
        n = self.size.activities
        n_enrichment = len(self.enrichment)
        rooms_of: dict[str, set[str]] = {}  # room kind -> the rooms that have it
        smallest: dict[str, int] = {}  # room kind -> the capacity of its smallest room
        for room in self.rooms:
            for kind in room["kinds"]:
                rooms_of.setdefault(kind, set()).add(room["id"])
                smallest[kind] = min(smallest.get(kind, room["capacity"]), room["capacity"])
        load = dict.fromkeys(rooms_of, 0)  # meetings planned per room kind

        def room_factor(subject: str, meetings: int) -> float:
            """Near 1 while the rooms an activity could use have room to spare, 0 when full.

            Kinds sharing a room (a multi-purpose room also hosts dance and chess) share its
            week: the load of every kind overlapping this one is counted against their rooms.
            """
            kind = SUBJECTS[subject].room_kind
            related = [k for k in rooms_of if rooms_of[k] & rooms_of[kind]]
            capacity = n_enrichment * len(set().union(*(rooms_of[k] for k in related)))
            planned = meetings + sum(load[k] for k in related)
            if planned > capacity:
                return 0.0
            return max(0.02, 1 - planned / (0.7 * capacity))

        def slack(subject: str) -> int:
            """Free meetings left in the rooms of a subject's kind (negative when over)."""
            kind = SUBJECTS[subject].room_kind
            related = [k for k in rooms_of if rooms_of[k] & rooms_of[kind]]
            rooms = set().union(*(rooms_of[k] for k in related))
            return n_enrichment * len(rooms) - sum(load[k] for k in related)

        qualified: dict[str, int] = {}  # subject -> staff who teach it
        for person in staff:
            for subject in person["subjects"]:
                if subject in SUBJECTS:
                    qualified[subject] = qualified.get(subject, 0) + 1
        subject_count: dict[str, int] = {}  # activities per subject so far: variety is preferred
        vendor_capacity = {
            v["id"]: sum(min(len(i["available"]), i["max_sessions"]) for i in v["instructors"])
            for v in vendors
        }
        vendor_load = dict.fromkeys(vendor_capacity, 0)

        def options(kind: str, meetings: int) -> list[tuple[str, str, float]]:
            """(provider, subject, weight) for staff-run or vendor-run activities."""
            if kind == "staff":
                return [
                    ("staff", s, qualified[s] * SUBJECTS[s].appeal / (1 + subject_count.get(s, 0)) ** 2)
                    for s in qualified
                ]
            return [
                (
                    v["id"],
                    s,
                    max(0.2, vendor_capacity[v["id"]] - vendor_load[v["id"]] - meetings)
                    * SUBJECTS[s].appeal
                    / (1 + subject_count.get(s, 0)) ** 2,
                )
                for v in vendors
                for s in v["_subjects"]
            ]

        n_vendor = round(VENDOR_SHARE * n) if vendors else 0
        providers = ["vendor"] * n_vendor + ["staff"] * (n - n_vendor)
        rng.shuffle(providers)
        offered = dict.fromkeys(GRADES, 0)  # activities open to each grade so far
        early_slots = [s["id"] for s in self.enrichment if s["end"] <= EARLY_END]
        has_late_slots = len(early_slots) < n_enrichment

        activities, names_used = [], {}
        for index in range(n):
            # Centred on a grade with the fewest activities so far, so every grade has a choice.
            fewest = min(offered.values())
            centre = rng.choice([g for g in GRADES if offered[g] == fewest])
            meetings = 2 if rng.random() < 0.30 else 1
            # The drawn kind of provider and a subject for the centre grade; failing that (its
            # rooms are full), the other kind of provider; failing that, any subject at all.
            kinds = (providers[index], "staff" if providers[index] == "vendor" else "vendor")
            mine, theirs = options(kinds[0], meetings), options(kinds[1], meetings)
            pools = (
                [o for o in mine if _suits(o[1], centre)],
                [o for o in theirs if _suits(o[1], centre)],
                mine + theirs,
            )
            for pool in pools:
                weights = [weight * room_factor(subject, meetings) for _, subject, weight in pool]
                if any(weights):
                    provider, subject, _ = rng.choices(pool, weights)[0]
                    break
            else:  # every room is booked up: the least crowded kind of room
                provider, subject, _ = max(pools[-1], key=lambda option: slack(option[1]))
            if provider != "staff":
                vendor_load[provider] += meetings
            info = SUBJECTS[subject]
            load[info.room_kind] += meetings
            subject_count[subject] = subject_count.get(subject, 0) + 1
            grades = self._band(centre, info.grades)
            for grade in grades:
                offered[grade] += 1
            base = rng.choice(info.names)
            label = f"G{grades[0]}" if len(grades) == 1 else f"G{grades[0]}-{grades[-1]}"
            name = f"{base} ({label})"
            names_used[name] = names_used.get(name, 0) + 1
            if names_used[name] > 1:
                name = f"{base} ({label}, group {chr(ord('A') + names_used[name] - 1)})"
            activity = {
                "id": f"a{index + 1:03d}",
                "name": name,
                "provider": provider,
                "subject": subject,
                "grades": grades,
                "meetings": meetings,
                "room_kind": info.room_kind,
                "min_size": rng.randint(6, 10),
                "max_size": min(rng.randint(20, 35), smallest[info.room_kind]),
            }
            # Half the activities of the youngest pupils end before the late period.
            if has_late_slots and grades[-1] <= 2 and rng.random() < 0.5:
                activity["slots"] = list(early_slots)
            activities.append(activity)
        for vendor in vendors:
            del vendor["_subjects"]
        return activities

    def _band(self, centre: int, suited: tuple[int, int]) -> list[int]:
        """One to three adjacent grades around ``centre``, within the grades a subject suits."""
        low, high = suited
        centre = min(max(centre, low), high)
        width = self.rng.choices((1, 2, 3), (0.35, 0.40, 0.25))[0]
        width = min(width, high - low + 1)
        first = self.rng.randint(max(low, centre - width + 1), min(centre, high - width + 1))
        return list(range(first, first + width))

    # --- pupils -------------------------------------------------------------------------------
    def _students(self, classes: list[dict], activities: list[dict]) -> list[dict]:
        rng = self.rng
        # The popularity ranking is random, but flagship activities, open to more grades, tend
        # to rank higher (a weighted random order, the weight being the number of grades).
        ranked = sorted(activities, key=lambda a: -(rng.random() ** (1 / len(a["grades"]))))
        popularity = {
            a["id"]: SUBJECTS[a["subject"]].appeal / (rank + 1) ** ZIPF_EXPONENT
            for rank, a in enumerate(ranked)
        }
        open_to = {g: [a["id"] for a in activities if g in a["grades"]] for g in GRADES}
        students = []
        width = max(4, len(str(sum(c["size"] for c in classes))))
        for school_class in classes:
            offered = open_to[school_class["grade"]]
            for _ in range(school_class["size"]):
                roll = rng.random()
                wants = 0 if roll < 0.05 else 1 if roll < 0.65 else 2
                choices = []
                if wants and offered:
                    count = min(len(offered), rng.randint(3, 5))
                    # Weighted sampling without replacement (Efraimidis-Spirakis keys).
                    keys = sorted(offered, key=lambda a: -(rng.random() ** (1 / popularity[a])))
                    choices = keys[:count]
                student = {
                    "id": f"s{len(students) + 1:0{width}d}",
                    "class": school_class["id"],
                    "choices": choices,
                    "wants": wants,
                }
                if rng.random() < 0.10:  # some pupils stay only on some days
                    days = list(school_class["days"])
                    for day in rng.sample(days, min(len(days) - 1, rng.randint(1, 2))):
                        days.remove(day)
                    student["days"] = days
                students.append(student)
        return students


def _suits(subject: str, grade: int) -> bool:
    low, high = SUBJECTS[subject].grades
    return low <= grade <= high


def supervision_shortfall(
    staff: list[dict], classes: list[dict], supervised_slots: list[dict]
) -> dict | None:
    """Replay the baseline's first-come supervision; the first (slot, class) left uncovered.

    Slots in input order, classes in input order; each takes the available staff member with
    the fewest duties so far (ties by id) who is free in that slot and within ``max_duties``.
    Returns ``None`` when every class is supervised, else the slot and class that failed and
    the ids of the staff who were free then but at their ``max_duties``.
    """
    duties = {p["id"]: 0 for p in staff}
    for slot in supervised_slots:
        busy = set()
        for school_class in classes:
            if slot["day"] not in school_class.get("days", DAYS):
                continue
            present = [
                p
                for p in staff
                if p["id"] not in busy
                and slot["id"] not in p.get("unavailable", ())
                and slot["day"] not in p.get("rest_days", ())
            ]
            candidates = [
                p for p in present if p.get("max_duties") is None or duties[p["id"]] < p["max_duties"]
            ]
            if not candidates:
                return {"slot": slot, "class": school_class, "at_cap": [p["id"] for p in present]}
            chosen = min(candidates, key=lambda p: (duties[p["id"]], p["id"]))
            busy.add(chosen["id"])
            duties[chosen["id"]] += 1
    return None


def _make_supervisable(
    staff: list[dict], classes: list[dict], supervised_slots: list[dict], rng: Random
) -> None:
    """Loosen the staff's constraints, a little at a time, until every class can be supervised.

    A greedy replay that succeeds proves feasibility (and that the baseline supervises too).
    Each failure frees one staff member for the failing slot: a cap raised by one, else an
    unavailability or a rest day lifted.
    """
    for _ in range(10 * len(staff) * max(1, len(supervised_slots))):
        failure = supervision_shortfall(staff, classes, supervised_slots)
        if failure is None:
            return
        slot = failure["slot"]
        if failure["at_cap"]:  # someone free in this slot has used up their duties: allow one more
            person_id = rng.choice(failure["at_cap"])
            next(p for p in staff if p["id"] == person_id)["max_duties"] += 1
            continue
        blocked = [p for p in staff if slot["id"] in p["unavailable"] or slot["day"] in p["rest_days"]]
        if not blocked:
            raise RuntimeError("more classes than staff in one supervised slot")
        person = rng.choice(blocked)
        person["unavailable"] = [s for s in person["unavailable"] if s != slot["id"]]
        person["rest_days"] = [d for d in person["rest_days"] if d != slot["day"]]
    raise RuntimeError("could not make the instance supervisable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the problem here (default: standard output)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    problem = generate(args.size, args.seed)
    elapsed = time.perf_counter() - started
    text = json.dumps(problem, ensure_ascii=False, indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    counts = ", ".join(f"{value} {key}" for key, value in summary(problem).items())
    print(f"{args.size} seed {args.seed}: {counts} ({elapsed:.2f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
