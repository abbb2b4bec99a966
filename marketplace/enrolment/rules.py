"""The one set of rules every way into a place goes through.

Ranked allocation (``allocation_apply``), late joining (``enrolment_late_join``), promotion
from a waiting list and a school's move of a child (``enrolment_move``) all ask
``broken_rule`` whether ``child`` may hold a place in ``activity`` on ``today``. It returns
the first rule broken, as a ``Broken(code, message)``, or None; ``check`` raises it as an
``EnrolmentError`` with the same code. The codes are stable (tests and pages rely on them):

``no_window``               the school has no enrolment window for the activity's term
``window_open``             the window has not closed yet (nobody is placed while families choose)
``window_not_allocated``    the window has closed but its places have not been allocated yet:
                            late joining and moves wait for the ranked allocation
``term_over``               the term has ended
``not_open_to_class``       another school or term, or the child's grade is outside the activity's
``activity_cancelled``      the live published timetable cancelled the activity, or gives it no
                            meeting at all
``no_sessions_left``        the activity has no meeting left from ``today`` on
``already_enrolled``        the child already holds a place in it or waits for one
``day_not_stayed``          it meets on a weekday the child does not stay for after-school service
``clash``                   it meets at the same time as another activity the child has a place in
``wants_reached``           the child already has as many places as the family's plan wants
``max_activities_reached``  the child already has as many places as the window allows per child
``full``                    every place is taken (a late joiner is listed as waiting instead)

Places counted for ``clash``, ``wants_reached`` and ``max_activities_reached`` are the
child's *placed* enrolments this term; ``ignore`` leaves one of them out (the place a move or
a promotion-by-swap gives up). Days, clashes and sessions come from the published meetings
(``DatedSession`` of kind meeting); a make-up day counts as the weekday it follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.weekdays import days_from_mask
from marketplace.courses.selectors import activities_open_to
from marketplace.enrolment.models import Enrolment, EnrolmentWindow, TermPlan
from scheduling.timetables.assembly import activity_key
from scheduling.timetables.models import DatedSession, TimetableRun

LIVE_STATUSES = (Enrolment.Status.PLACED, Enrolment.Status.WAITING)


class Purpose:
    """Which way into a place is being checked (a few rules differ between them)."""

    ALLOCATION = "allocation"  # the ranked allocation of a published run: before allocated_at
    LATE = "late"  # a late joiner, first-come after the allocation
    PROMOTION = "promotion"  # a waiting child moving into a freed seat
    MOVE = "move"  # the school moves a child from one activity to another


@dataclass(frozen=True)
class Broken:
    """A rule broken: its stable ``code`` and a message fit to show the user."""

    code: str
    message: str


# --- facts the rules read ------------------------------------------------------------------------

_memo: ContextVar[dict | None] = ContextVar("enrolment_rules_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within this block, facts that one change of places cannot alter (an activity's
    meetings and cancellation, which activities a class may take, a child's plan) are read
    once: the allocation of a whole school checks thousands of places."""
    token = _memo.set({}) if _memo.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _memo.reset(token)


def _remember(key: tuple, compute: Callable):
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def live_run(*, school_id: int, term_id: int):
    """The published run whose timetable is in force for the school and term, or None."""
    return (
        TimetableRun.objects.filter(school_id=school_id, term_id=term_id, published_at__isnull=False)
        .order_by("-live", "-published_at", "-pk")
        .first()
    )


def _meetings(activity):
    return DatedSession.objects.filter(activity_id=activity.pk, kind=DatedSession.Kind.MEETING)


def meeting_times(activity, today: date) -> set[tuple[int, time, time]]:
    """(weekday, start, end) of the activity's published meetings from ``today`` on."""
    return _remember(
        ("times", activity.pk, today),
        lambda: set(_meetings(activity).filter(date__gte=today).values_list("slot__weekday", "start", "end")),
    )


def cancellation(activity, today: date) -> str | None:
    """``activity_cancelled`` or ``no_sessions_left`` when a timetable is published for the
    activity's school and term and does not run it from ``today`` on; None otherwise
    (including before any timetable is published: nothing is known yet)."""
    return _remember(("cancelled", activity.pk, today), lambda: _cancellation(activity, today))


def _cancellation(activity, today: date) -> str | None:
    run = live_run(school_id=activity.school_id, term_id=activity.term_id)
    if run is None:
        return None
    cancelled = (run.solution or {}).get("cancelled") if isinstance(run.solution, dict) else None
    if activity_key(activity.pk) in (cancelled or []):
        return "activity_cancelled"
    meetings = _meetings(activity)
    if not meetings.exists():
        return "activity_cancelled"
    if not meetings.filter(date__gte=today).exists():
        return "no_sessions_left"
    return None


def days_of(*, child, term) -> set[int]:
    """The weekdays the child stays this term: the plan's, else the child's within the class's."""
    plan = _plan(child=child, term=term)
    mask = plan.days if plan is not None else child.days & child.school_class.days
    return set(days_from_mask(mask))


def _plan(*, child, term) -> TermPlan | None:
    return _remember(
        ("plan", child.pk, term.pk),
        lambda: TermPlan.objects.filter(child=child, term=term).order_by("pk").first(),
    )


def _overlap(a: tuple[int, time, time], b: tuple[int, time, time]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def placed_elsewhere(*, child, term, ignore=None):
    """The child's placed enrolments this term, less ``ignore`` (an enrolment or None)."""
    rows = Enrolment.objects.filter(child=child, activity__term=term, status=Enrolment.Status.PLACED)
    if ignore is not None:
        rows = rows.exclude(pk=ignore.pk)
    return rows.select_related("activity")


def clashing_place(*, child, activity, today: date, ignore=None):
    """A placed enrolment of the child whose meetings overlap ``activity``'s, or None."""
    times = meeting_times(activity, today)
    if not times:
        return None
    for other in placed_elsewhere(child=child, term=activity.term, ignore=ignore):
        if other.activity_id == activity.pk:
            continue
        theirs = meeting_times(other.activity, today)
        if any(_overlap(a, b) for a in times for b in theirs):
            return other
    return None


def placed_count(activity) -> int:
    return Enrolment.objects.filter(activity_id=activity.pk, status=Enrolment.Status.PLACED).count()


# --- the rules ---------------------------------------------------------------------------------


def broken_rule(
    *,
    child,
    activity,
    today: date,
    purpose: str,
    give_up=None,
    promoting=None,
    window: EnrolmentWindow | None = None,
) -> Broken | None:
    """The first rule that ``child`` taking a place in ``activity`` on ``today`` breaks, or None.

    ``purpose`` is one of ``Purpose``; ``give_up`` is a placed enrolment the child gives up in
    the same change (a move's origin, or the worse place a promotion trades), ``promoting``
    the child's waiting enrolment in ``activity`` that becomes the place. ``full`` is
    checked last, except for a promotion (its caller counts the seats). ``full`` for a late
    joiner means: list them as waiting. The waiting list's claim on free seats is not a rule
    here but an order: callers promote every eligible waiting child (``services``'s fill)
    before they check a newcomer, so a free seat left after that belongs to nobody waiting.
    """
    term = activity.term
    school_class = child.school_class
    values = {"activity": activity.name, "child": child.name, "class": school_class.code}
    if window is None:
        window = EnrolmentWindow.objects.filter(school_id=school_class.school_id, term=term).first()
    if window is None or window.school_id != activity.school_id:
        return Broken("no_window", str(_("The school has not opened enrolment for this term.")))
    if purpose == Purpose.ALLOCATION:
        if timezone.now() < window.closes_at:
            return Broken(
                "window_open", str(_("Places are allocated only after the enrolment window closes."))
            )
    elif window.allocated_at is None:
        return Broken(
            "window_not_allocated",
            str(
                _(
                    "The places chosen in the enrolment window have not been allocated yet; "
                    "late enrolment opens once they are."
                )
            ),
        )
    if today > term.end:
        return Broken("term_over", str(_("The term is over; no one can enrol in it any more.")))
    open_ids = _remember(
        ("open", school_class.pk, term.pk),
        lambda: set(activities_open_to(school_class=school_class, term=term).values_list("pk", flat=True)),
    )
    if activity.pk not in open_ids:
        return Broken(
            "not_open_to_class", str(_("%(activity)s is not open to class %(class)s this term.") % values)
        )
    cancelled = cancellation(activity, today)
    if cancelled == "activity_cancelled":
        return Broken(cancelled, str(_("%(activity)s has been cancelled.") % values))
    if cancelled == "no_sessions_left":
        return Broken(cancelled, str(_("%(activity)s has no sessions left this term.") % values))
    live = Enrolment.objects.filter(child=child, activity_id=activity.pk, status__in=LIVE_STATUSES)
    if promoting is not None:
        live = live.exclude(pk=promoting.pk)
    if live.exists():
        return Broken(
            "already_enrolled",
            str(_("%(child)s is already enrolled in %(activity)s or on its waiting list.") % values),
        )
    times = meeting_times(activity, today)
    if {weekday for weekday, _start, _end in times} - days_of(child=child, term=term):
        return Broken(
            "day_not_stayed",
            str(_("%(activity)s meets on days %(child)s does not stay for after-school service.") % values),
        )
    other = clashing_place(child=child, activity=activity, today=today, ignore=give_up)
    if other is not None:
        values["other"] = other.activity.name
        return Broken(
            "clash",
            str(_("%(activity)s meets at the same time as %(other)s, where %(child)s has a place.") % values),
        )
    held = placed_elsewhere(child=child, term=term, ignore=give_up).count()
    plan = _plan(child=child, term=term)
    # A plan that ranked nothing (wants 0) said nothing about activities: the window's limit applies.
    if plan is not None and plan.wants >= 1 and held >= plan.wants:
        values["count"] = plan.wants
        return Broken(
            "wants_reached",
            str(_("%(child)s already has the %(count)s activities the family's plan wants.") % values),
        )
    if held >= window.max_activities:
        values["count"] = window.max_activities
        return Broken(
            "max_activities_reached",
            str(_("A child can take at most %(count)s activities this term.") % values),
        )
    if purpose != Purpose.PROMOTION and placed_count(activity) >= activity.max_size:
        return Broken("full", str(_("%(activity)s is full.") % values))
    return None


def check(**kwargs) -> None:
    """``broken_rule`` that raises: ``EnrolmentError(message, code=code)`` when a rule is broken."""
    # Imported here: services imports this module (circular).
    from marketplace.enrolment.services import EnrolmentError

    broken = broken_rule(**kwargs)
    if broken is not None:
        raise EnrolmentError(broken.message, code=broken.code)
