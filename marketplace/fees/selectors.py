from datetime import date

from django.db.models import Q

from marketplace.fees.models import ChargingStandard


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
