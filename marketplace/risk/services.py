"""State changes of the risk grades: grading vendors, complaints, and the policy.

* ``risk_grade_vendor`` grades one vendor from its current factors and writes
  ``Vendor.risk_grade`` (the denormalised current grade that the catalogue, the course
  requests and the timetable read). It appends a ``RiskAssessment`` only when the grade,
  the score or a factor's value differs from the vendor's latest assessment (or there is
  none): the history shows every change, not every identical daily recomputation.
* Only approved and suspended vendors are graded (``grading.GRADED_STATUSES``); any other
  vendor's grade is blank, and a vendor that leaves the graded statuses gets one blank
  assessment that says so.
* When the grade changes, ``vendor_changed`` is sent with ``risk_only=True`` (the CMS
  catalogue resyncs) — except when the grading answers a ``vendor_changed`` itself, whose
  other receivers see the new grade already. Our own receiver ignores ``risk_only``
  signals, and a per-thread guard stops any other path back into grading the same vendor
  while it is being graded.
* ``risk_grade_all`` regrades every vendor that is or was graded (daily task, policy edit).

Grades follow their factors through the receivers in ``marketplace.risk.receivers``
(vendor changes, ledger movements) and the complaint and policy services here.
Refusals raise ``RiskError`` and write nothing.
"""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from marketplace.ledger.selectors import vendor_exposures
from marketplace.risk.grading import GRADED_STATUSES, Evaluation, evaluate
from marketplace.risk.models import Complaint, RiskAssessment, RiskPolicy
from marketplace.vendors.models import Vendor
from marketplace.vendors.signals import vendor_changed
from people.roles.access import bureau_covers_district, bureau_district_ids, roles_of
from people.roles.models import Role

Trigger = RiskAssessment.Trigger

_grading = threading.local()


class RiskError(DomainError):
    """A risk step that cannot be carried out; the message says why."""


def _in_progress() -> set[int]:
    if not hasattr(_grading, "vendor_ids"):
        _grading.vendor_ids = set()
    return _grading.vendor_ids


def _open_complaints(vendor_ids) -> dict[int, int]:
    rows = (
        Complaint.objects.filter(vendor_id__in=list(vendor_ids), status=Complaint.Status.OPEN)
        .values("vendor_id")
        .annotate(n=Count("pk"))
    )
    return {row["vendor_id"]: row["n"] for row in rows}


def _latest(vendor_ids) -> dict[int, RiskAssessment]:
    latest: dict[int, RiskAssessment] = {}
    for assessment in RiskAssessment.objects.filter(vendor_id__in=list(vendor_ids)).order_by(
        "vendor_id", "-computed_at", "-pk"
    ):
        latest.setdefault(assessment.vendor_id, assessment)
    return latest


def _evaluate(vendor: Vendor, policy: RiskPolicy, exposure, complaints: int) -> Evaluation:
    return evaluate(
        policy=policy,
        status=vendor.status,
        institution_type=vendor.institution_type,
        pupils_holding=exposure.pupils_holding if exposure else 0,
        held=exposure.held if exposure else 0,
        refunds_owed=exposure.refunds_owed if exposure else 0,
        open_complaints=complaints,
    )


def _apply(
    vendor: Vendor, result: Evaluation, latest: RiskAssessment | None, trigger: str, notify: bool = True
) -> RiskAssessment | None:
    """Store ``result`` for the (locked) vendor; the new assessment, or None when unchanged."""
    assessment = None
    if result.grade or latest is not None and latest.grade:
        same = (
            latest is not None
            and latest.grade == result.grade
            and latest.score == result.score
            and latest.factors == result.factors
        )
        if not same:
            assessment = RiskAssessment.objects.create(
                vendor=vendor,
                grade=result.grade,
                score=result.score,
                factors=result.factors,
                reasons=result.reasons
                if result.grade
                else [{"code": "not_graded", "params": {"status": vendor.status}}],
                trigger=trigger,
            )
    if vendor.risk_grade != result.grade:
        Vendor.objects.filter(pk=vendor.pk).update(risk_grade=result.grade)
        vendor.risk_grade = result.grade
        if not notify:
            return assessment
        ids = _in_progress()
        ids.add(vendor.pk)
        try:
            vendor_changed.send(sender=Vendor, vendor=vendor, risk_only=True)
        finally:
            ids.discard(vendor.pk)
    return assessment


@transaction.atomic
def risk_grade_vendor(
    *, vendor: Vendor, trigger: str = Trigger.MANUAL, notify: bool = True
) -> RiskAssessment | None:
    """Grade ``vendor`` now; returns the new assessment, or None when nothing changed.

    Locks the vendor row so two regrades of one vendor (a ledger movement and a complaint,
    say) cannot both append the same change. ``vendor.risk_grade`` is updated in place.
    ``notify=False`` sends no ``vendor_changed`` for a new grade: the receiver of
    ``vendor_changed`` passes it, since the signal it is answering reaches the CMS anyway
    (after this app's receiver: ``marketplace.risk`` comes before ``cms`` in
    ``INSTALLED_APPS``), and a second signal would sync the catalogue twice.
    """
    if vendor.pk in _in_progress():
        return None
    locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
    policy = RiskPolicy.current()
    exposure = vendor_exposures([locked.pk]).get(locked.pk)
    complaints = _open_complaints([locked.pk]).get(locked.pk, 0)
    result = _evaluate(locked, policy, exposure, complaints)
    assessment = _apply(locked, result, _latest([locked.pk]).get(locked.pk), trigger, notify)
    vendor.risk_grade = locked.risk_grade
    return assessment


@transaction.atomic
def risk_grade_all(*, trigger: str = Trigger.DAILY, notify: bool = True) -> int:
    """Regrade every vendor that is graded or still carries a grade; returns how many
    assessments were appended. Reads the factors of all vendors in a few queries.
    ``notify=False`` sends no ``vendor_changed`` (a bulk load that syncs the CMS itself)."""
    # Graded vendors, and any vendor still carrying a grade it should no longer have.
    vendors = list(
        Vendor.objects.select_for_update()
        .filter(Q(status__in=GRADED_STATUSES) | ~Q(risk_grade=""))
        .order_by("pk")
    )
    ids = [v.pk for v in vendors]
    policy = RiskPolicy.current()
    exposures = vendor_exposures(ids)
    complaints = _open_complaints(ids)
    latest = _latest(ids)
    written = 0
    for vendor in vendors:
        if vendor.pk in _in_progress():
            continue
        result = _evaluate(vendor, policy, exposures.get(vendor.pk), complaints.get(vendor.pk, 0))
        if _apply(vendor, result, latest.get(vendor.pk), trigger, notify=notify) is not None:
            written += 1
    return written


# --- complaints -----------------------------------------------------------------------------


def _require_officer(user, vendor: Vendor) -> None:
    if not bureau_covers_district(user, vendor.district_id):
        raise RiskError(
            _("Only a bureau officer of the vendor's district may record or resolve its complaints."),
            code="not_officer",
        )


@transaction.atomic
def complaint_record(*, vendor: Vendor, officer, received_on, summary: str) -> Complaint:
    """Record a complaint against ``vendor`` (it counts while open) and regrade the vendor."""
    _require_officer(officer, vendor)
    summary = (summary or "").strip()
    errors: dict[str, ValidationError] = {}
    if not summary:
        errors["summary"] = ValidationError(_("Say what the complaint is about."), code="summary_missing")
    if received_on is None:
        errors["received_on"] = ValidationError(
            _("Give the date the complaint was received."), code="received_on_missing"
        )
    elif received_on > timezone.localdate():
        errors["received_on"] = ValidationError(
            _("A complaint cannot be received in the future."), code="received_in_future"
        )
    if errors:
        # The error as a whole carries the code of its first refusal.
        raise RiskError.about_fields(errors)
    complaint = Complaint.objects.create(
        vendor=vendor, received_on=received_on, summary=summary, recorded_by=officer
    )
    risk_grade_vendor(vendor=vendor, trigger=Trigger.COMPLAINT)
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, officer, resolution: str) -> Complaint:
    """Close an open complaint, saying how it was resolved, and regrade the vendor."""
    _require_officer(officer, complaint.vendor)
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status != Complaint.Status.OPEN:
        raise RiskError(_("This complaint is already resolved."), code="already_resolved")
    resolution = (resolution or "").strip()
    if not resolution:
        raise RiskError(
            {
                "resolution": ValidationError(
                    _("Say how the complaint was resolved."), code="resolution_missing"
                )
            },
            code="resolution_missing",
        )
    locked.status = Complaint.Status.RESOLVED
    locked.resolution = resolution
    locked.resolved_by = officer
    locked.resolved_at = timezone.now()
    locked.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    risk_grade_vendor(vendor=locked.vendor, trigger=Trigger.COMPLAINT)
    return locked


# --- the policy -----------------------------------------------------------------------------

POLICY_FIELDS = tuple(
    f.name for f in RiskPolicy._meta.concrete_fields if f.name not in ("id", "updated_at", "updated_by")
)


def policy_editable_by(user) -> bool:
    """Only the city bureau edits the policy: it grades every district's vendors alike."""
    return bool(roles_of(user, Role.BUREAU_OFFICER)) and bureau_district_ids(user) is None


@transaction.atomic
def risk_policy_update(*, officer, **values) -> RiskPolicy:
    """Change the policy's numbers (any of ``POLICY_FIELDS``) and regrade every vendor."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    if not policy_editable_by(officer):
        raise RiskError(
            _("Only an officer of the city bureau may change the risk grading policy."),
            code="not_city_officer",
        )
    RiskPolicy.current()
    policy = RiskPolicy.objects.select_for_update().get(pk=RiskPolicy.SINGLETON_PK)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.updated_by = officer
    try:
        policy.full_clean()
    except ValidationError as error:
        raise RiskError.about_fields(error.error_dict, "policy_rejected") from error
    policy.save()
    risk_grade_all(trigger=Trigger.POLICY)
    return policy
