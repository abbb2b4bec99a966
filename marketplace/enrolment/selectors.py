"""Reads of enrolment: a window's state, a child's plan, and what each choice came to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from core.weekdays import days_from_mask
from marketplace.courses.models import Activity
from marketplace.courses.selectors import activities_open_to
from marketplace.enrolment.models import Choice, Enrolment, EnrolmentWindow, TermPlan
from marketplace.enrolment.rules import cancellation
from scheduling.timetables.models import DatedSession


class WindowState:
    """A window's state, derived from the clock and its allocation (never stored)."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    ALLOCATED = "allocated"


def window_for(*, school, term) -> EnrolmentWindow | None:
    """The school's enrolment window for ``term``, or None when it has none."""
    if term is None:
        return None
    return EnrolmentWindow.objects.filter(school=school, term=term).select_related("term").first()


def window_state(window: EnrolmentWindow | None, *, now: datetime | None = None) -> str | None:
    """``upcoming`` before ``opens_at``, ``open`` until ``closes_at``, then ``closed``, and
    ``allocated`` once a published run's solution has placed the children. None: no window."""
    if window is None:
        return None
    if window.allocated_run_id is not None:
        return WindowState.ALLOCATED
    now = now or timezone.now()
    if now < window.opens_at:
        return WindowState.UPCOMING
    if now < window.closes_at:
        return WindowState.OPEN
    return WindowState.CLOSED


def child_of_household_or_404(*, household, child_id: int):
    """One child of the household (already checked with ``household_for_user_or_404``)."""
    child = (
        household.children.select_related("school_class", "school_class__school").filter(pk=child_id).first()
    )
    if child is None:
        raise Http404("No such child in this household")
    return child


def plan_for(*, child, term) -> TermPlan | None:
    if term is None:
        return None
    return TermPlan.objects.filter(child=child, term=term).order_by("pk").first()


def choices_of(plan: TermPlan | None) -> list[Choice]:
    if plan is None:
        return []
    return list(plan.choices.select_related("activity").order_by("rank"))


def waiting_position(enrolment: Enrolment) -> int:
    """1-based place of a waiting enrolment on its activity's list (order: created, then pk)."""
    ahead = (
        Enrolment.objects.filter(activity_id=enrolment.activity_id, status=Enrolment.Status.WAITING)
        .filter(pk__lt=enrolment.pk)
        .count()
    )
    return ahead + 1


@dataclass(frozen=True)
class ChoiceResult:
    """One ranked choice and what it came to: ``result`` is placed, waiting, or "" (none yet)."""

    rank: int
    activity: object
    result: str
    position: int | None = None


def choice_results(*, child, term, today=None) -> list[ChoiceResult]:
    """The child's choices this term in rank order, each with its enrolment's outcome:
    placed, waiting (with the position), ``cancelled`` when the published timetable does not
    run the activity (no place is kept in it), or "" (none yet)."""
    today = today or timezone.localdate()
    choices = choices_of(plan_for(child=child, term=term))
    live = {
        e.activity_id: e
        for e in Enrolment.objects.filter(
            child=child,
            activity_id__in=[c.activity_id for c in choices],
            status__in=[Enrolment.Status.PLACED, Enrolment.Status.WAITING],
        )
    }
    results = []
    for choice in choices:
        enrolment = live.get(choice.activity_id)
        if cancellation(choice.activity, today) == "activity_cancelled":
            results.append(ChoiceResult(choice.rank, choice.activity, "cancelled"))
        elif enrolment is None:
            results.append(ChoiceResult(choice.rank, choice.activity, ""))
        elif enrolment.status == Enrolment.Status.PLACED:
            results.append(ChoiceResult(choice.rank, choice.activity, Enrolment.Status.PLACED))
        else:
            results.append(
                ChoiceResult(
                    choice.rank, choice.activity, Enrolment.Status.WAITING, waiting_position(enrolment)
                )
            )
    return results


def days_initial(plan: TermPlan | None, child) -> list[int]:
    """The days a plan form starts with: the plan's, else the child's within the class's."""
    if plan is not None:
        return days_from_mask(plan.days)
    return days_from_mask(child.days & child.school_class.days)


# --- after the window: late joiners and withdrawals -------------------------------------------

LIVE_STATUSES = (Enrolment.Status.PLACED, Enrolment.Status.WAITING)


def late_join_open(window: EnrolmentWindow | None, term, *, today=None, now: datetime | None = None) -> bool:
    """Whether families may join late: the window's places have been allocated (the ranked
    allocation comes first) and the term is not over."""
    if window is None or term is None or window.allocated_at is None:
        return False
    return (today or timezone.localdate()) <= term.end


def plan_days_of(*, child, term) -> int:
    """The child's after-school days this term as a weekday mask: the plan's, else the
    child's usual days within the class's days."""
    plan = plan_for(child=child, term=term)
    if plan is not None:
        return plan.days
    return child.days & child.school_class.days


def meeting_weekdays(*, activity, today=None) -> set[int]:
    """Weekdays of the activity's published meetings from ``today`` on (all of them when none
    is left); empty when nothing is published yet. A make-up day counts as the weekday whose
    timetable it follows (the slot's weekday, not the date's)."""
    meetings = DatedSession.objects.filter(activity=activity, kind=DatedSession.Kind.MEETING)
    ahead = set(
        meetings.filter(date__gte=today or timezone.localdate()).values_list("slot__weekday", flat=True)
    )
    return ahead or set(meetings.values_list("slot__weekday", flat=True))


def placed_count(activity) -> int:
    return Enrolment.objects.filter(activity=activity, status=Enrolment.Status.PLACED).count()


def waiting_of(activity) -> list[Enrolment]:
    """The activity's waiting enrolments in list order (created, then pk)."""
    return list(
        Enrolment.objects.filter(activity_id=activity.pk, status=Enrolment.Status.WAITING)
        .order_by("created_at", "pk")
        .select_related("child", "child__household", "child__school_class")
    )


def waiting_count(activity) -> int:
    return Enrolment.objects.filter(activity_id=activity.pk, status=Enrolment.Status.WAITING).count()


def first_waiting(activity):
    """The waiting enrolment next in line for ``activity`` (order: created, then pk), or None."""
    return (
        Enrolment.objects.filter(activity=activity, status=Enrolment.Status.WAITING)
        .order_by("created_at", "pk")
        .select_related("child", "child__household", "activity")
        .first()
    )


def live_enrolments_of(*, child, term):
    """The child's placed and waiting enrolments this term, activity by name."""
    return (
        Enrolment.objects.filter(child=child, activity__term=term, status__in=LIVE_STATUSES)
        .select_related("activity")
        .order_by("activity__name", "pk")
    )


@dataclass(frozen=True)
class LateOption:
    """An activity open to the child after the allocation.

    ``free_places`` is what a newcomer could have: seats not placed and not owed to the
    waiting list (never below 0, so 0 while anyone waits for a full activity). ``closed`` is
    the rule code (``activity_cancelled``, ``no_sessions_left``) when it can no longer be
    joined, else "". ``enrolment`` is the child's live enrolment in it (None: not enrolled).
    """

    activity: object
    free_places: int
    waiting: int
    enrolment: Enrolment | None
    closed: str = ""

    @property
    def seats_left(self) -> int:
        return self.free_places


def late_options(*, child, term, today=None) -> list[LateOption]:
    """Activities open to the child's class this term with their free places, waiting list
    length, whether they are closed (cancelled), and the child's live enrolment in each."""
    today = today or timezone.localdate()
    activities = activities_open_to(school_class=child.school_class, term=term).annotate(
        placed=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.PLACED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
    )
    live = {e.activity_id: e for e in live_enrolments_of(child=child, term=term)}
    options = []
    for activity in activities:
        closed = cancellation(activity, today) or ""
        free = 0 if closed else max(activity.max_size - activity.placed - activity.waiting, 0)
        options.append(LateOption(activity, free, activity.waiting, live.get(activity.pk), closed))
    return options


def places_by_activity(*, school, term) -> list[tuple[object, list[Enrolment], int]]:
    """The school's activities this term, each with its placed enrolments (child by name)
    and how many children wait: for the school's page, where a place can be moved."""
    rows = []
    for activity in Activity.objects.filter(school=school, term=term).order_by("name", "pk"):
        placed = list(
            Enrolment.objects.filter(activity=activity, status=Enrolment.Status.PLACED)
            .select_related("child", "child__school_class")
            .order_by("child__name", "pk")
        )
        rows.append((activity, placed, waiting_count(activity)))
    return rows
