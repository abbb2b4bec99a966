"""Reads of enrolment: a window's state, a child's plan, and what each choice came to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from marketplace.enrolment.models import Choice, Enrolment, EnrolmentWindow, TermPlan


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
    return TermPlan.objects.filter(child=child, term=term).first()


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


def choice_results(*, child, term) -> list[ChoiceResult]:
    """The child's choices this term in rank order, each with its enrolment's outcome."""
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
        if enrolment is None:
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
    from core.weekdays import days_from_mask

    if plan is not None:
        return days_from_mask(plan.days)
    return days_from_mask(child.days & child.school_class.days)
