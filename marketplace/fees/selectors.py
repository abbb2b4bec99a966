from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, Q

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


def waiver_of(*, child, term):
    """The child's live waiver for the term (requested or approved), else the latest one."""
    from marketplace.fees.models import Waiver

    waivers = Waiver.objects.filter(child=child, term=term)
    live = waivers.filter(status__in=[Waiver.Status.REQUESTED, Waiver.Status.APPROVED]).first()
    return live or waivers.order_by("-created_at", "-pk").first()


def waivers_for_school(*, school, status: str | None = None):
    """Waivers of the school's pupils, those waiting for a decision first."""
    from django.db.models import Case, IntegerField, Value, When

    from marketplace.fees.models import Waiver

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
    from django.utils import timezone

    from marketplace.households.models import ChildLink

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


@dataclass(frozen=True)
class WaiverShare:
    """The part of an approved waiver that falls on one vendor activity, and who bears it."""

    waiver: object
    activity: object
    amount: Decimal

    @property
    def borne_by_school(self) -> bool:
        return self.waiver.borne_by == self.waiver.Bearer.SCHOOL


def waiver_shares(*, vendor=None, school=None) -> list[WaiverShare]:
    """The shares of approved waivers on vendors' activities: of ``vendor``'s activities, or
    of the activities at ``school`` (exactly one of the two).

    A waiver is shared over a child's accounts as the family's quote shares it
    (``payments.selectors.quoted_by_account``). Borne by the school, the share is owed by the
    school to the vendor (the vendor's revenue is not cut); borne by the vendor, it is revenue
    the vendor gives up.
    """
    from marketplace.fees.models import Waiver
    from marketplace.fees.quotes import LineKind, QuoteError, quote_for
    from marketplace.payments.selectors import quoted_by_account

    if (vendor is None) == (school is None):
        raise ValueError("pass exactly one of vendor= or school=")
    waivers = Waiver.objects.filter(status=Waiver.Status.APPROVED).select_related(
        "child__school_class__school", "term"
    )
    if vendor is not None:
        waivers = waivers.filter(
            child__enrolments__activity__vendor=vendor, child__enrolments__activity__term=F("term")
        )
    else:
        waivers = waivers.filter(child__school_class__school=school)
    shares = []
    for waiver in waivers.distinct().order_by("decided_at", "pk"):
        try:
            quote = quote_for(child=waiver.child, term=waiver.term)
        except QuoteError:
            continue
        charged: dict[int, Decimal] = {}
        for line in quote.charges:
            if line.kind in (LineKind.ENRICHMENT, LineKind.MATERIALS):
                charged[line.activity.pk] = charged.get(line.activity.pk, Decimal("0")) + line.amount
        for activity, _name, quoted in quoted_by_account(quote):
            if activity is None or activity.vendor_id is None:
                continue
            if vendor is not None and activity.vendor_id != vendor.pk:
                continue
            amount = charged.get(activity.pk, Decimal("0")) - quoted
            if amount > 0:
                shares.append(WaiverShare(waiver=waiver, activity=activity, amount=amount))
    return shares
