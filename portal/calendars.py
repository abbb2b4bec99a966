"""The household's calendar file: every child's week, from households, places and the
published timetable (``scheduling.timetables.ics`` writes the iCalendar text)."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext as _

from marketplace.households.selectors import children_of_household
from portal.selectors import sessions_for_child
from scheduling.timetables.ics import render_calendar
from scheduling.timetables.models import DatedSession


def calendar_for_household(household) -> bytes:
    """Every published session of every child of a household: each child's supervised study
    and the meetings of their live places (``portal.selectors.sessions_for_child``).

    A session two children share is one event naming both, so that its UID stays unique.
    """
    by_pk: dict[int, DatedSession] = {}
    for child in children_of_household(household=household):
        for session in sessions_for_child(child=child, start=None, end=None).annotate(
            run_published_at=F("run__published_at")
        ):
            kept = by_pk.setdefault(session.pk, session)
            kept.for_names = [*getattr(kept, "for_names", []), child.name]
    sessions = sorted(by_pk.values(), key=lambda s: (s.date, s.start, s.pk))
    return render_calendar(
        name=_("%(name)s's after-school week") % {"name": household.name}, sessions=sessions
    )
