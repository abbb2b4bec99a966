"""Published sessions as iCalendar files (RFC 5545), for teachers', classes' and families'
calendar apps (a family's calendar is put together by ``portal.calendars`` with
``render_calendar``).

The text is written here rather than with a library, so that the running site depends on
nothing beyond Django (the tests read it back with ``icalendar``, a development package).
What RFC 5545 asks of it:

* lines end with CRLF and are folded so that no line is longer than 75 octets; a folded
  line continues after CRLF and one space, and a UTF-8 character is never split (3.1);
* TEXT values escape backslash, semicolon, comma and newlines (3.3.11);
* local times name their zone, ``Asia/Shanghai``, which the file defines in a VTIMEZONE
  (China has kept UTC+8 without daylight saving since 1991); DTSTAMP is in UTC.

Each session is one VEVENT whose UID (``session-<pk>@afterschool``) stays the same for as
long as the session does, so that a calendar app updates rather than duplicates it. Its
DTSTAMP is when the run that wrote it was published.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.timetables.models import DatedSession
from scheduling.timetables.selectors import sessions_for_class, sessions_for_staff
from scheduling.timetables.signals import staff_calendar_annotating

PRODID = "-//afterschool//timetable//ZH"
TZID = "Asia/Shanghai"
MAX_OCTETS = 75
CRLF = b"\r\n"

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """A TEXT property value: backslash, semicolon and comma escaped, newlines as ``\\n``."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold_line(line: str) -> bytes:
    """One content line as UTF-8 octets, folded at 75 octets, each physical line ending in CRLF.

    Continuation lines start with one space, which counts towards their 75 octets; a line is
    only ever broken between characters, never inside a multi-byte one.
    """
    physical: list[bytes] = []
    current = b""
    for character in line:
        octets = character.encode("utf-8")
        if len(current) + len(octets) > MAX_OCTETS:
            physical.append(current)
            current = b" "
        current += octets
    physical.append(current)
    return b"".join(part + CRLF for part in physical)


def _local(day: datetime.date, at: datetime.time) -> str:
    return f"{day:%Y%m%d}T{at:%H%M%S}"


def _utc(moment: datetime.datetime) -> str:
    return f"{moment.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"


def summary(session: DatedSession) -> str:
    """What the session is: the translated kind and the class, or the activity's name."""
    if session.kind == DatedSession.Kind.SUPERVISION:
        return f"{session.get_kind_display()} {session.school_class.code}"
    return session.activity.name


def _event(session: DatedSession, stamp: datetime.datetime) -> list[str]:
    teacher = session.staff or session.instructor
    description = "\n".join(
        name for name in (teacher.name if teacher else "", session.school.display_name) if name
    )
    what = summary(session)
    for_names = getattr(session, "for_names", None)
    if for_names:
        # A family's calendar: whose session it is (one event even when two children share it).
        what = _("%(names)s: %(what)s") % {"names": ", ".join(for_names), "what": what}
    cover_from = getattr(session, "cover_from_name", None)
    if cover_from:
        # A cover duty (a colleague's compensatory rest): say so, and stamp it when the cover
        # was granted so that calendar apps take the change.
        what = _("Cover for %(name)s: %(what)s") % {"name": cover_from, "what": what}
        stamp = max(stamp, session.cover_created_at)
    return [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@afterschool",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;TZID={TZID}:{_local(session.date, session.start)}",
        f"DTEND;TZID={TZID}:{_local(session.date, session.end)}",
        f"SUMMARY:{escape_text(what)}",
        f"LOCATION:{escape_text(session.room.name)}",
        f"DESCRIPTION:{escape_text(description)}",
        "END:VEVENT",
    ]


def render_calendar(*, name: str, sessions: Iterable[DatedSession]) -> bytes:
    """A VCALENDAR named ``name`` with one VEVENT per session.

    A session's DTSTAMP is its run's ``published_at`` when the queryset annotates it as
    ``run_published_at`` (the calendar functions below do), otherwise the current time. A
    session with ``cover_from_name`` is a cover duty for that colleague, stamped no earlier
    than its ``cover_created_at``; one with ``for_names`` names whose session it is.
    """
    now = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for session in sessions:
        lines += _event(session, getattr(session, "run_published_at", None) or now)
    lines.append("END:VCALENDAR")
    return b"".join(fold_line(line) for line in lines)


def calendar_for_staff(staff) -> bytes:
    """Every published session of a staff member (supervisions and meetings they teach),
    cover duties included and marked as such (the receivers of
    ``signals.staff_calendar_annotating`` name them: ``scheduling.rest``)."""
    sessions = sessions_for_staff(staff=staff, start=None, end=None).annotate(
        run_published_at=F("run__published_at")
    )
    for _receiver, extra in staff_calendar_annotating.send(sender=DatedSession, staff=staff):
        if extra:
            sessions = sessions.annotate(**extra)
    return render_calendar(name=_("%(name)s's after-school duties") % {"name": staff.name}, sessions=sessions)


def calendar_for_class(school_class) -> bytes:
    """Every published session of a class (for now: its supervisions)."""
    sessions = sessions_for_class(school_class=school_class, start=None, end=None).annotate(
        run_published_at=F("run__published_at")
    )
    return render_calendar(name=f"{school_class.school.display_name} {school_class.code}", sessions=sessions)
