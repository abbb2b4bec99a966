"""Calendar files of published sessions (``scheduling.timetables.ics``), read back with ``icalendar``."""

import datetime
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import translation

from scheduling.timetables.assembly import class_key, staff_key
from scheduling.timetables.ics import (
    PRODID,
    calendar_for_class,
    calendar_for_staff,
    escape_text,
    fold_line,
)
from scheduling.timetables.models import DatedSession
from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.timetables import (
    ART_ROOM_NAME,
    LONG_SCHOOL_NAME,
    MAKEUP,
    MEETING_DATES,
    SUPERVISION_DATES,
    D,
    build_school,
    done_run,
    solution,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def physical_lines(data: bytes) -> list[bytes]:
    """The file's physical lines without their CRLF; fails unless every line ends in CRLF."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert lines.pop() == b""
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
    return lines


def assert_well_formed(data: bytes) -> None:
    """CRLF everywhere, no line over 75 octets, and no UTF-8 character split by a fold."""
    for line in physical_lines(data):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold cut a character in two


def unescape(text: str) -> str:
    """A TEXT value as written, unescaped (icalendar leaves unknown X- properties as written)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def events(data: bytes) -> list:
    return sorted(icalendar.Calendar.from_ical(data).walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("美术室", "美术室"),
        ("a,b", "a\\,b"),
        ("a;b", "a\\;b"),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("a\r\nb\rc", "a\\nb\\nc"),
        ("\\,;\n", "\\\\\\,\\;\\n"),
        ("a:b", "a:b"),  # a colon needs no escape in a value
    ],
)
def test_escape_text(text, escaped):
    assert escape_text(text) == escaped


def test_short_line_is_not_folded():
    assert fold_line("SUMMARY:书法") == "SUMMARY:书法\r\n".encode()
    assert fold_line("X" * 75) == b"X" * 75 + b"\r\n"


def test_ascii_line_folds_at_75_octets():
    folded = fold_line("X" * 200)
    lines = physical_lines(folded)
    assert [len(line) for line in lines] == [75, 75, 52]  # 75 + 74 + 51 characters
    assert all(line.startswith(b" ") for line in lines[1:])
    assert folded.replace(b"\r\n ", b"") == b"X" * 200 + b"\r\n"


def test_chinese_line_folds_between_characters():
    line = "DESCRIPTION:" + "课后服务" * 30  # 12 ASCII octets + 120 characters of 3 octets
    folded = fold_line(line)
    assert_well_formed(folded)
    lines = physical_lines(folded)
    assert len(lines[0]) == 75  # 12 + 21 × 3
    assert all(len(part) == 73 for part in lines[1:-1])  # one space + 24 × 3
    assert folded.replace(b"\r\n ", b"").decode("utf-8") == line + "\r\n"


def test_fold_never_splits_a_four_octet_character():
    line = "SUMMARY:a" + "𠀀" * 40  # a character outside the BMP takes four octets
    folded = fold_line(line)
    assert_well_formed(folded)
    assert folded.replace(b"\r\n ", b"").decode("utf-8") == line + "\r\n"


# --- calendars of published sessions -------------------------------------------------------


@pytest.fixture
def world(db):
    world = build_school(school_name=LONG_SCHOOL_NAME)
    world.wang.name = "王丽, 语文组; 班主任"
    world.wang.save()
    world.run = done_run(world, solution(world, supervisor=world.chen, teacher=world.wang))
    run_publish(run=world.run, today=D(2026, 9, 1))
    world.run.refresh_from_db()
    return world


def test_calendar_header_and_time_zone(world):
    with translation.override("zh-hans"):
        data = calendar_for_staff(world.chen)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == PRODID == "-//afterschool//timetable//ZH"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "陈刚的课后服务职责"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Shanghai"
    (standard,) = zone.walk("STANDARD")
    assert standard.decoded("DTSTART") == datetime.datetime(1970, 1, 1)
    assert standard.decoded("TZOFFSETFROM") == standard.decoded("TZOFFSETTO") == datetime.timedelta(hours=8)
    assert str(standard["TZNAME"]) == "CST"


def test_staff_calendar_lists_their_supervisions(world):
    with translation.override("zh-hans"):
        data = calendar_for_staff(world.chen)
    assert_well_formed(data)
    found = events(data)

    assert len(found) == len(SUPERVISION_DATES)
    assert [e.decoded("DTSTART").date() for e in found] == SUPERVISION_DATES
    for event in found:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.tzinfo is not None and start.tzinfo.key == "Asia/Shanghai"
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert (start.time(), end.time()) == (datetime.time(15, 30), datetime.time(16, 30))
        assert str(event["SUMMARY"]) == "基础托管 3-2"  # the translated kind and the class
        assert str(event["LOCATION"]) == "三年级二班教室"
        assert str(event["DESCRIPTION"]) == f"陈刚\n{LONG_SCHOOL_NAME}"
    # The make-up Saturday is there, at Friday's times.
    saturday = next(e for e in found if e.decoded("DTSTART").date() == MAKEUP)
    assert saturday.decoded("DTSTART") == datetime.datetime(2026, 9, 19, 15, 30, tzinfo=SHANGHAI)


def test_summary_follows_the_active_language(world):
    with translation.override("en"):
        (first, *_) = events(calendar_for_staff(world.chen))
    assert str(first["SUMMARY"]) == "Supervised study 3-2"


def test_meetings_carry_the_activity_and_room(world):
    data = calendar_for_staff(world.wang)
    assert_well_formed(data)
    found = events(data)

    assert [e.decoded("DTSTART").date() for e in found] == MEETING_DATES
    for event in found:
        assert str(event["SUMMARY"]) == "书法（三四年级）"
        assert event.decoded("DTSTART") == datetime.datetime.combine(
            event.decoded("DTSTART").date(), datetime.time(16, 40), tzinfo=SHANGHAI
        )
        assert event.decoded("DTEND").time() == datetime.time(17, 40)


def test_escaping_and_folding_round_trip(world):
    data = calendar_for_staff(world.wang)
    assert_well_formed(data)
    # The raw text escapes the room's comma and semicolon and the description's backslash.
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    assert "LOCATION:美术室\\, 二楼\\; 东侧\r\n" in unfolded
    assert "\\\\二号楼" in unfolded
    # The long description was folded, and reads back exactly.
    assert any(line.startswith(b" ") for line in physical_lines(data))
    for event in events(data):
        assert str(event["LOCATION"]) == ART_ROOM_NAME
        assert str(event["DESCRIPTION"]) == f"王丽, 语文组; 班主任\n{LONG_SCHOOL_NAME}"
        assert len(str(event["DESCRIPTION"]).encode()) > 75


def test_uids_are_unique_and_stable(world):
    found = events(calendar_for_staff(world.chen)) + events(calendar_for_staff(world.wang))
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids)) == DatedSession.objects.count()
    assert set(uids) == {
        f"session-{pk}@afterschool" for pk in DatedSession.objects.values_list("pk", flat=True)
    }
    assert [str(e["UID"]) for e in events(calendar_for_staff(world.chen))] == uids[: len(SUPERVISION_DATES)]


def test_dtstamp_is_the_publication_time_in_utc(world):
    for event in events(calendar_for_staff(world.chen)):
        stamp = event.decoded("DTSTAMP")
        assert stamp.utcoffset() == datetime.timedelta(0)
        assert stamp == world.run.published_at.replace(microsecond=0)
    assert b"DTSTAMP:" in calendar_for_staff(world.chen) and b"Z\r\n" in calendar_for_staff(world.chen)


def test_class_calendar_lists_only_that_classs_supervisions(world):
    other = f.SchoolClassFactory(school=world.school, grade=3, number=3, home_room=world.classroom)
    second = done_run(
        world,
        solution(
            world,
            supervisor=world.chen,
            supervisions=[{"class": class_key(other), "slot": "mon-1", "staff": staff_key(world.wang.pk)}],
        ),
    )
    run_publish(run=second, today=D(2026, 9, 1))

    with translation.override("zh-hans"):
        data = calendar_for_class(world.school_class)
        theirs = events(calendar_for_class(other))
    assert_well_formed(data)
    calendar = icalendar.Calendar.from_ical(data)
    assert unescape(str(calendar["X-WR-CALNAME"])) == f"{LONG_SCHOOL_NAME} 3-2"
    found = events(data)
    assert [e.decoded("DTSTART").date() for e in found] == SUPERVISION_DATES
    assert {str(e["SUMMARY"]) for e in found} == {"基础托管 3-2"}  # no meetings, no 3-3
    assert {str(e["LOCATION"]) for e in found} == {"三年级二班教室"}
    assert [str(e["SUMMARY"]) for e in theirs] == ["基础托管 3-3"] * 2  # Mondays 7 and 14
    assert {str(e["LOCATION"]) for e in theirs} == {"三年级三班教室"}


def test_calendar_without_sessions_is_still_valid(world):
    nobody = f.StaffMemberFactory(school=world.school, name="赵敏")
    data = calendar_for_staff(nobody)
    assert_well_formed(data)
    calendar = icalendar.Calendar.from_ical(data)
    assert calendar.walk("VEVENT") == []
    assert len(calendar.walk("VTIMEZONE")) == 1
