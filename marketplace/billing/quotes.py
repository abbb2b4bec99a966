"""Quotes: what a child's after-school service costs for a term, line by line.

Every charge comes from the charging standard (收费标准) in force for the school's district
on the day it is for, and each line names that standard and its approval document number.
Standards are versioned by their effective dates: a day (or session) is charged by the
standard in force on its date, so a new standard applies only to days on or after its start
and never rewrites an earlier charge. Lines are grouped by standard.

Rules (the product's choices, documented here because families are quoted from them):

* **Supervised study** is charged for the days the child stays: the term plan's weekdays,
  or the class's weekdays when the family made no plan, never a day the class has no
  service. The term's teaching days come from the calendar (``schools.calendar``): holidays
  and closures are excluded; a make-up working day counts as the weekday it stands for.

  The days charged run from the quote's start (``charging_start``: the later of the term's
  start and the day the child joined its household) until the day the family left
  supervised study (``TermPlan.study_left_on``), if it did; every unit is pro rata to them.

  - ``per_session``: cap × the child's teaching days.
  - ``per_term``: cap × (chosen weekdays / class weekdays) × (the class's teaching days
    charged under this standard / the class's teaching days in the term). With one standard
    for the whole term that is simply cap × chosen / class days; the second factor
    pro-rates a standard that starts mid-term and a quote that starts late (``on``).
  - ``per_month``: one line per calendar month: cap × (chosen weekdays / class weekdays) ×
    (the class's teaching days charged that month / the class's ordinary weekdays in the
    whole calendar month). A month only partly in the term, or with holidays, is pro rata.

* **Enrichment** is charged per dated session: for each activity the child holds a place in,
  the activity's dated sessions on or after the day the child joined (late joiners pay only
  what is left; dated sessions exist only on teaching days, so holidays are never charged)
  × the price per session — the course request's agreed price, else the course's price.
  A price above the ``per_session`` enrichment cap in force is **capped** at the cap and the
  line is flagged (``capped``); it is never charged above the cap. The course's materials fee
  is charged once per activity (when any session is charged).

* An **approved waiver** adds one negative line: the whole of the charges (full) or
  ``percent`` of them rounded to fen half up (partial).

``quote_for`` only reads; it raises ``QuoteError`` when no standard covers a charged day.
``quoted_by_account`` splits a quote over the ledger's accounts, as families pay it.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import money
from core.weekdays import days_from_mask
from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.fees.models import ChargingStandard, Waiver
from marketplace.fees.selectors import charging_start, standard_in_force, standards_in_force
from scheduling.timetables.models import DatedSession
from schools.calendar import teaching_days, teaching_days_for

SS = ChargingStandard.ServiceKind.SUPERVISED_STUDY
ENRICHMENT = ChargingStandard.ServiceKind.ENRICHMENT
QUANTITY_PLACES = Decimal("0.0001")


class QuoteError(DomainError):
    """A quote cannot be made (no standard in force for a charged day, say)."""


class LineKind:
    SUPERVISION = "supervision"
    ENRICHMENT = "enrichment"
    MATERIALS = "materials"
    WAIVER = "waiver"


@dataclass(frozen=True)
class QuoteLine:
    """One line of a quote. ``quantity`` may be a fraction (pro-rated terms and months)."""

    kind: str
    description: str
    service_kind: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    standard: ChargingStandard | None = None
    activity: object = None  # courses.Activity for enrichment and materials lines
    capped: bool = False  # the agreed price was above the cap; the cap was charged
    first_date: date | None = None
    last_date: date | None = None

    @property
    def approval_document(self) -> str:
        return self.standard.approval_document if self.standard else ""


@dataclass(frozen=True)
class Quote:
    child: object
    term: object
    start: date
    lines: tuple[QuoteLine, ...] = field(default_factory=tuple)
    waiver: object = None

    @property
    def charges(self) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.kind != LineKind.WAIVER)

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.amount for line in self.charges), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal("0")))

    @property
    def any_capped(self) -> bool:
        return any(line.capped for line in self.lines)


def _supervision_standard(district_id: int, on: date) -> ChargingStandard:
    """The supervised-study standard in force on ``on`` (any unit; the latest start wins)."""
    found = (
        standards_in_force(district_id=district_id, on=on)
        .filter(service_kind=SS)
        .order_by("-effective_from", "pk")
        .first()
    )
    if found is None:
        raise QuoteError(
            _("No supervised-study charging standard is in force on %(date)s.") % {"date": on},
            code="no_supervision_standard",
        )
    return found


def _enrichment_standard(district_id: int, on: date) -> ChargingStandard:
    found = standard_in_force(
        district_id=district_id, service_kind=ENRICHMENT, unit=ChargingStandard.Unit.PER_SESSION, on=on
    )
    if found is None:
        raise QuoteError(
            _("No per-session enrichment charging standard is in force on %(date)s.") % {"date": on},
            code="no_enrichment_standard",
        )
    return found


def _qty(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_PLACES)


def chosen_weekdays(child, term) -> tuple[list[int], list[int]]:
    """(the weekdays the child stays, the class's weekdays), Monday first."""
    class_days = days_from_mask(child.school_class.days)
    plan = TermPlan.objects.filter(child=child, term=term).only("days").order_by("pk").first()
    if plan is None:
        return class_days, class_days
    return [d for d in days_from_mask(plan.days) if d in class_days], class_days


def study_left_on(child, term) -> date | None:
    """The day the child left supervised study in ``term`` (not charged from then), or None."""
    return (
        TermPlan.objects.filter(child=child, term=term)
        .order_by("pk")
        .values_list("study_left_on", flat=True)
        .first()
    )


def _supervision_lines(*, child, term, start: date, district_id: int) -> list[QuoteLine]:
    chosen, class_days = chosen_weekdays(child, term)
    if not chosen or not class_days:
        return []
    school = child.school_class.school
    all_days = teaching_days_for(term, school, weekend_days=class_days)
    class_term_days = [d for d in all_days if d.weekday in class_days]
    left_on = study_left_on(child, term)
    charged = [d for d in class_term_days if d.date >= start and (left_on is None or d.date < left_on)]
    if not charged:
        return []
    # Each class teaching day is charged by the standard in force on that day: the standards
    # that overlap the charged days are read once, then chosen per day by the same rule as
    # _supervision_standard (the latest start wins, then the lowest pk).
    first, last = min(d.date for d in charged), max(d.date for d in charged)
    candidates = sorted(
        ChargingStandard.objects.select_related("district").filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=first),
            district_id=district_id,
            service_kind=SS,
            effective_from__lte=last,
        ),
        key=lambda standard: (-standard.effective_from.toordinal(), standard.pk),
    )
    groups: dict[int, list] = defaultdict(list)
    standards: dict[int, ChargingStandard] = {}
    for day in charged:
        standard = next(
            (
                c
                for c in candidates
                if c.effective_from <= day.date and (c.effective_to is None or c.effective_to >= day.date)
            ),
            None,
        )
        if standard is None:
            standard = _supervision_standard(district_id, day.date)  # raises the QuoteError
        standards[standard.pk] = standard
        groups[standard.pk].append(day)
    day_share = Decimal(len(chosen)) / Decimal(len(class_days))
    lines = []
    for pk, days in groups.items():
        standard = standards[pk]
        cap = standard.cap_amount
        if standard.unit == ChargingStandard.Unit.PER_SESSION:
            mine = [d for d in days if d.weekday in chosen]
            if not mine:
                continue
            quantity = Decimal(len(mine))
            lines.append(
                QuoteLine(
                    kind=LineKind.SUPERVISION,
                    description=_("Supervised study: %(n)s days") % {"n": len(mine)},
                    service_kind=SS,
                    quantity=quantity,
                    unit_price=cap,
                    amount=money(cap * quantity),
                    standard=standard,
                    first_date=mine[0].date,
                    last_date=mine[-1].date,
                )
            )
        elif standard.unit == ChargingStandard.Unit.PER_TERM:
            share = day_share * Decimal(len(days)) / Decimal(len(class_term_days))
            lines.append(
                QuoteLine(
                    kind=LineKind.SUPERVISION,
                    description=_(
                        "Supervised study: %(chosen)s of %(all)s weekdays, %(days)s of %(total)s teaching days"
                    )
                    % {
                        "chosen": len(chosen),
                        "all": len(class_days),
                        "days": len(days),
                        "total": len(class_term_days),
                    },
                    service_kind=SS,
                    quantity=_qty(share),
                    unit_price=cap,
                    amount=money(cap * share),
                    standard=standard,
                    first_date=days[0].date,
                    last_date=days[-1].date,
                )
            )
        else:  # per month
            by_month: dict[tuple[int, int], list] = defaultdict(list)
            for day in days:
                by_month[(day.date.year, day.date.month)].append(day)
            for (year, month), month_days in sorted(by_month.items()):
                last = pycalendar.monthrange(year, month)[1]
                ordinary = teaching_days(
                    date(year, month, 1), date(year, month, last), school_days=class_days
                )
                share = day_share * Decimal(len(month_days)) / Decimal(len(ordinary))
                lines.append(
                    QuoteLine(
                        kind=LineKind.SUPERVISION,
                        description=_(
                            "Supervised study %(month)s: %(chosen)s of %(all)s weekdays, %(days)s of %(total)s days"
                        )
                        % {
                            "month": f"{year}-{month:02d}",
                            "chosen": len(chosen),
                            "all": len(class_days),
                            "days": len(month_days),
                            "total": len(ordinary),
                        },
                        service_kind=SS,
                        quantity=_qty(share),
                        unit_price=cap,
                        amount=money(cap * share),
                        standard=standard,
                        first_date=month_days[0].date,
                        last_date=month_days[-1].date,
                    )
                )
    return lines


def agreed_price(activity) -> Decimal:
    """The price per session agreed for an activity: its course request's, else its course's."""
    if activity.course_request_id is not None:
        return activity.course_request.price_per_session
    return activity.course.price_per_session


def _enrichment_lines(*, child, term, start: date, district_id: int) -> list[QuoteLine]:
    enrolments = (
        Enrolment.objects.filter(child=child, activity__term=term, status=Enrolment.Status.PLACED)
        .select_related("activity__course", "activity__course_request")
        .order_by("activity__name", "activity_id")
    )
    lines = []
    for enrolment in enrolments:
        activity = enrolment.activity
        price = agreed_price(activity)
        dates = list(
            DatedSession.objects.filter(
                activity=activity, kind=DatedSession.Kind.MEETING, date__gte=max(start, enrolment.joined_on)
            )
            .order_by("date", "start")
            .values_list("date", flat=True)
        )
        if not dates:
            continue
        groups: dict[int, list[date]] = defaultdict(list)
        standards: dict[int, ChargingStandard] = {}
        for day in dates:
            standard = _enrichment_standard(district_id, day)
            standards[standard.pk] = standard
            groups[standard.pk].append(day)
        for pk, days in groups.items():
            standard = standards[pk]
            unit_price = min(price, standard.cap_amount)
            quantity = Decimal(len(days))
            lines.append(
                QuoteLine(
                    kind=LineKind.ENRICHMENT,
                    description=_("%(activity)s: %(n)s sessions")
                    % {"activity": activity.name, "n": len(days)},
                    service_kind=ENRICHMENT,
                    quantity=quantity,
                    unit_price=unit_price,
                    amount=money(unit_price * quantity),
                    standard=standard,
                    activity=activity,
                    capped=price > standard.cap_amount,
                    first_date=days[0],
                    last_date=days[-1],
                )
            )
        materials = activity.course.materials_fee
        if materials:
            lines.append(
                QuoteLine(
                    kind=LineKind.MATERIALS,
                    description=_("%(activity)s: materials fee") % {"activity": activity.name},
                    service_kind=ENRICHMENT,
                    quantity=Decimal(1),
                    unit_price=materials,
                    amount=money(materials),
                    standard=standards[next(iter(groups))],
                    activity=activity,
                )
            )
    return lines


def _waiver_line(waiver, charges: list[QuoteLine]) -> QuoteLine | None:
    base = money(sum((line.amount for line in charges), Decimal("0")))
    if not base:
        return None
    if waiver.kind == waiver.Kind.FULL:
        amount, description = base, _("Fee waiver (full)")
        percent = Decimal(100)
    else:
        percent = Decimal(waiver.percent)
        amount = money(base * percent / Decimal(100))
        description = _("Fee waiver (%(percent)s%%)") % {"percent": waiver.percent}
    return QuoteLine(
        kind=LineKind.WAIVER,
        description=description,
        service_kind="",
        quantity=_qty(percent / Decimal(100)),
        unit_price=base,
        amount=-amount,
    )


def quote_for(*, child, term, on: date | None = None) -> Quote:
    """The quote for ``child`` in ``term``, charging from the child's start.

    The start is ``charging_start`` (the later of the term's start and the day the child
    joined its household), so every caller quotes a late starter pro rata without having to
    pass anything. ``on`` may only move the start later (a quote "from this day on"); days
    and sessions before the start are not charged, for every charging unit. Enrichment is
    charged from the later of the start and the day the child joined each activity.
    Supervised study stops on the day the family left it (``TermPlan.study_left_on``).
    """
    start = charging_start(child=child, term=term)
    if on is not None:
        start = max(start, on)
    district_id = child.school_class.school.district_id
    lines = _supervision_lines(child=child, term=term, start=start, district_id=district_id)
    lines += _enrichment_lines(child=child, term=term, start=start, district_id=district_id)
    waiver = Waiver.objects.filter(child=child, term=term, status=Waiver.Status.APPROVED).first()
    if waiver is not None:
        line = _waiver_line(waiver, lines)
        if line is not None:
            lines.append(line)
    return Quote(child=child, term=term, start=start, lines=tuple(lines), waiver=waiver)


def quoted_by_account(quote: Quote) -> list[tuple[object, str, Decimal]]:
    """The quote's total per ledger account, ``(activity or None, name, amount)``, the waiver
    shared out in proportion.

    Charges go to their activity's account (enrichment and materials) or to supervised
    study (activity None). A waiver line is spread over the accounts by their share of the
    charges; the last account takes the rounding remainder, so the accounts always add up to
    the quote's total. Families pay by these amounts (``payments``) and the waiver statements
    split a waiver by them (``billing.selectors.waiver_shares``).
    """
    zero = Decimal("0.00")
    amounts: dict[object, Decimal] = {}
    names: dict[object, str] = {}
    for line in quote.charges:
        key = line.activity.pk if line.kind in (LineKind.ENRICHMENT, LineKind.MATERIALS) else None
        amounts[key] = amounts.get(key, zero) + line.amount
        names[key] = str(_("Supervised study")) if key is None else line.activity.name
    activities = {line.activity.pk: line.activity for line in quote.charges if line.activity is not None}
    base = sum(amounts.values(), zero)
    waiver = -sum((line.amount for line in quote.lines if line.kind == LineKind.WAIVER), zero)
    keys = list(amounts)
    result = []
    left = waiver
    for index, key in enumerate(keys):
        share = left if index == len(keys) - 1 else (money(waiver * amounts[key] / base) if base else zero)
        left -= share
        result.append((activities.get(key), names[key], money(amounts[key] - share)))
    return result
