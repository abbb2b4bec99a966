"""Signal receivers of enrolment: families' choices in the timetable problem, and their places
after a timetable is published (``scheduling.timetables.signals``)."""

from __future__ import annotations

from django.db.models import Count

from core.weekdays import DAY_CODES, days_from_mask
from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.enrolment.services import enrolments_after_publish
from scheduling.timetables.assembly import activity_key, class_key, student_key
from scheduling.timetables.signals import Demand


def problem_demand(sender, *, school, term, activities, days, **kwargs) -> Demand:
    """``problem_assembling``: the families' term plans as the problem's students, and the
    places already held in its activities."""
    return Demand(
        students=_students(school=school, term=term, activities=activities, days=days),
        held=_places_held(activities),
    )


def places_after_publish(sender, *, run, since, **kwargs) -> None:
    """``timetable_published`` (in the publishing transaction): release the places of the
    activities the timetable no longer runs and allocate the run's enrolments
    (``services.enrolments_after_publish``)."""
    enrolments_after_publish(run=run, today=since)


def _places_held(activities) -> dict[int, int]:
    """Placed enrolments per activity pk that the ranked allocation does not write (late
    joiners, promotions from the waiting list, the school's moves): a re-allocation keeps them."""
    rows = (
        Enrolment.objects.filter(activity__in=activities, status=Enrolment.Status.PLACED)
        .exclude(source=Enrolment.Source.ALLOCATION)
        .values("activity_id")
        .annotate(n=Count("pk"))
    )
    return {row["activity_id"]: row["n"] for row in rows}


def _students(*, school, term, activities, days=None) -> list[dict]:
    """Families' plans for ``term``: one student per child of the school with a term plan.

    ``choices`` are the plan's activities in rank order, limited to ``activities`` (those the
    problem places); ``days`` are the plan's days within the class's days in the problem
    (``days``: the weekdays the school has slots on; None: every day). Children of a class
    without a home room are left out, as their class is. Children without a plan are not
    students: their class is supervised all the same.
    """
    placed = {activity.pk for activity in activities}
    plans = (
        TermPlan.objects.filter(
            term=term, child__school_class__school=school, child__school_class__home_room__isnull=False
        )
        .select_related("child__school_class")
        .prefetch_related("choices")
        .order_by("child__school_class__grade", "child__school_class__number", "child_id")
    )
    students = []
    for plan in plans:
        school_class = plan.child.school_class
        class_days = [d for d in days_from_mask(school_class.days) if days is None or d in days]
        students.append(
            {
                "id": student_key(plan.child_id),
                "class": class_key(school_class),
                "choices": [
                    activity_key(choice.activity_id)
                    for choice in sorted(plan.choices.all(), key=lambda c: c.rank)
                    if choice.activity_id in placed
                ],
                "wants": plan.wants,
                "days": [DAY_CODES[d] for d in days_from_mask(plan.days) if d in class_days],
            }
        )
    return students
