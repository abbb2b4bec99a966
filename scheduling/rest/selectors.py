"""Reads of duty and rest: a school's policy, a teacher's duties, credits and balance.

The credit rules (all numbers are the school's ``RestPolicy``):

* **Per term.** A term's credits are ``min(duties // duties_per_credit, max_credits_per_term)``
  (no cap when ``max_credits_per_term`` is empty), counting the teacher's duty records of
  that term, covers taken for others included.
* **Expiry.** The *school year* of a date ends on the first expiry day (``expiry_month`` /
  ``expiry_day``, 31 August by default; a day the month lacks means its last day) on or
  after that date. A term's credits belong to the school year of the term's last day and
  expire after that year's expiry day.
* **Balance.** For a school year: the credits of the terms that belong to it minus the live
  claims (approved and pending) dated in it. A claim is allowed when the balance of the
  school year of its date is at least one. Cancelled and refused claims do not count, so
  cancelling restores the credit by construction.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from scheduling.rest.models import CoverAssignment, DutyRecord, RestClaim, RestPolicy
from schools.models import Term


def policy_for(school) -> RestPolicy:
    """The school's rest policy; before its administrator first saves one, an unsaved policy
    with the defaults (reading writes nothing: ``services.rest_policy_update`` stores it)."""
    return RestPolicy.objects.filter(school=school).first() or RestPolicy(school=school)


def _expiry_on_or_after(policy: RestPolicy, day: date) -> date:
    def expiry(year: int) -> date:
        last = calendar.monthrange(year, policy.expiry_month)[1]
        return date(year, policy.expiry_month, min(policy.expiry_day, last))

    this_year = expiry(day.year)
    return this_year if this_year >= day else expiry(day.year + 1)


def school_year_end(policy: RestPolicy, day: date) -> date:
    """The last day of the school year ``day`` falls in (the policy's expiry day)."""
    return _expiry_on_or_after(policy, day)


def duties_of(staff, term=None) -> QuerySet[DutyRecord]:
    """The staff member's duty records (of ``term`` when given), newest first."""
    records = DutyRecord.objects.filter(staff=staff).select_related(
        "term", "dated_session", "dated_session__school_class", "dated_session__activity"
    )
    if term is not None:
        records = records.filter(term=term)
    return records


@dataclass(frozen=True)
class TermCredits:
    term: Term
    duties: int
    earned: int
    capped: bool
    expires_on: date


def credits_by_term(staff, policy: RestPolicy | None = None) -> list[TermCredits]:
    """The credits each term earned the staff member, latest term first."""
    policy = policy or policy_for(staff.school)
    counts: dict[int, int] = defaultdict(int)
    for term_id in DutyRecord.objects.filter(staff=staff).values_list("term_id", flat=True):
        counts[term_id] += 1
    terms = Term.objects.in_bulk(list(counts))
    result = []
    for term_id, duties in counts.items():
        earned = duties // policy.duties_per_credit
        cap = policy.max_credits_per_term
        capped = cap is not None and earned > cap
        term = terms[term_id]
        result.append(
            TermCredits(
                term=term,
                duties=duties,
                earned=min(earned, cap) if cap is not None else earned,
                capped=capped,
                expires_on=school_year_end(policy, term.end),
            )
        )
    return sorted(result, key=lambda c: c.term.end, reverse=True)


def live_claims(staff) -> QuerySet[RestClaim]:
    return RestClaim.objects.filter(staff=staff, status__in=RestClaim.LIVE)


def balance_on(staff, day: date, policy: RestPolicy | None = None) -> int:
    """The credits left to claim a rest day dated ``day`` (the school year of ``day``)."""
    policy = policy or policy_for(staff.school)
    year_end = school_year_end(policy, day)
    earned = sum(c.earned for c in credits_by_term(staff, policy) if c.expires_on == year_end)
    used = sum(
        1
        for claim_day in live_claims(staff).values_list("date", flat=True)
        if school_year_end(policy, claim_day) == year_end
    )
    return earned - used


def claims_of(staff) -> QuerySet[RestClaim]:
    return RestClaim.objects.filter(staff=staff).prefetch_related(
        "covers__to_staff", "covers__dated_session__school_class", "covers__dated_session__activity"
    )


def pending_claims(school) -> QuerySet[RestClaim]:
    return (
        RestClaim.objects.filter(staff__school=school, status=RestClaim.Status.PENDING)
        .select_related("staff")
        .order_by("date", "pk")
    )


def recent_claims(school, *, limit: int = 30) -> QuerySet[RestClaim]:
    return (
        RestClaim.objects.filter(staff__school=school)
        .exclude(status=RestClaim.Status.PENDING)
        .select_related("staff", "decided_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def active_covers(*, school, day: date) -> QuerySet[CoverAssignment]:
    """The covers in force on ``day`` at ``school``."""
    return CoverAssignment.objects.filter(
        dated_session__school=school, dated_session__date=day, withdrawn_at__isnull=True
    ).select_related("dated_session", "from_staff", "to_staff", "claim")


def covers_of_sessions(sessions) -> QuerySet[CoverAssignment]:
    """The covers in force on the dated sessions ``sessions`` (a queryset)."""
    return CoverAssignment.objects.filter(dated_session__in=sessions, withdrawn_at__isnull=True)


def cover_annotations() -> dict:
    """Annotations for a ``DatedSession`` queryset: ``cover_from_name``, the colleague whose
    session a cover duty is, and ``cover_created_at``, when it was handed over (both None for a
    session not covered)."""
    active = CoverAssignment.objects.filter(dated_session=OuterRef("pk"), withdrawn_at__isnull=True)
    return {
        "cover_from_name": Subquery(active.values("from_staff__name")[:1]),
        "cover_created_at": Subquery(active.values("created_at")[:1]),
    }


@dataclass(frozen=True)
class RestAffected:
    """An approved rest day that publishing a new timetable covers again (or returns to the
    administrator), with the covers it has now."""

    name: str
    date: date
    covers: int


def rest_days_affected(*, school, since: date, until: date, covers) -> list[RestAffected]:
    """The approved rest days of ``school`` from ``since`` to ``until`` (inclusive), by date and
    teacher, each with how many of ``covers`` (a ``CoverAssignment`` queryset) are its."""
    claims = (
        RestClaim.objects.filter(
            staff__school=school, status=RestClaim.Status.APPROVED, date__gte=since, date__lte=until
        )
        .select_related("staff")
        .order_by("date", "staff__name")
    )
    cover_counts = defaultdict(int)
    for claim_id in covers.values_list("claim_id", flat=True):
        cover_counts[claim_id] += 1
    return [RestAffected(claim.staff.name, claim.date, cover_counts[claim.pk]) for claim in claims]
