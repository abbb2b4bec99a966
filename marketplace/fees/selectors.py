from datetime import date

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from marketplace.fees.models import ChargingStandard, Waiver
from marketplace.households.models import ChildLink


def standards_in_force(*, district_id: int | None = None, on: date):
    """The charging standards in force on a date (all districts when none is given)."""
    standards = ChargingStandard.objects.select_related("district").filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on
    )
    if district_id is not None:
        standards = standards.filter(district_id=district_id)
    return standards.order_by("district__code", "service_kind", "unit")


def standard_in_force(*, district_id: int, service_kind: str, unit: str, on: date) -> ChargingStandard | None:
    return (
        standards_in_force(district_id=district_id, on=on)
        .filter(service_kind=service_kind, unit=unit)
        .order_by("-effective_from")
        .first()
    )


def waiver_of(*, child, term):
    """The child's live waiver for the term (requested or approved), else the latest one."""
    waivers = Waiver.objects.filter(child=child, term=term)
    live = waivers.filter(status__in=[Waiver.Status.REQUESTED, Waiver.Status.APPROVED]).first()
    return live or waivers.order_by("-created_at", "-pk").first()


def waivers_for_school(*, school, status: str | None = None):
    """Waivers of the school's pupils, those waiting for a decision first."""
    waivers = Waiver.objects.filter(child__school_class__school=school).select_related(
        "child__school_class", "child__household", "term", "requested_by", "decided_by"
    )
    if status:
        waivers = waivers.filter(status=status)
    waiting_first = Case(
        When(status=Waiver.Status.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return waivers.order_by(waiting_first, "-created_at", "-pk")


def charging_start(*, child, term) -> date:
    """The first day ``child`` is charged for in ``term``: the later of the term's start and
    the day the child joined its household on the platform (its latest link to the current
    household). A child the school attached without a link is charged from the term's start.

    Every quote starts here, so a family that joins mid-term is never quoted for the days
    before it joined, whatever the charging unit.
    """
    start = term.start
    if child.household_id is None:
        return start
    linked = (
        ChildLink.objects.filter(child=child, household_id=child.household_id)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if linked is not None:
        start = max(start, timezone.localdate(linked))
    return start
