"""Reads of the risk grades: the officers' list and a vendor's factor table, worded in the
reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import format_yuan
from marketplace.risk.grading import GRADED_STATUSES
from marketplace.risk.models import Complaint, RiskAssessment, RiskPolicy
from marketplace.vendors.models import InstitutionType, Vendor, VendorStatus


def _yuan(value) -> str:
    return format_yuan(Decimal(value), grouping=True)


def reason_text(reason: dict) -> str:
    """One stored reason (``{"code": …, "params": {…}}``) as a sentence."""
    code, params = reason.get("code"), reason.get("params") or {}
    points = params.get("points", 0)
    if code == "suspended":
        return _("The vendor is suspended: graded D whatever its score.")
    if code == "refunds":
        return _("%(amount)s of refunds owed to families (+%(points)s).") % {
            "amount": _yuan(params.get("amount", 0)),
            "points": points,
        }
    if code == "complaints":
        return _("%(count)s open complaint(s) (+%(points)s).") % {
            "count": params.get("count", 0),
            "points": points,
        }
    if code == "pupils":
        return _("%(count)s pupils hold prepaid sessions (+%(points)s).") % {
            "count": params.get("count", 0),
            "points": points,
        }
    if code == "held":
        return _("%(amount)s of prepaid money held (+%(points)s).") % {
            "amount": _yuan(params.get("amount", 0)),
            "points": points,
        }
    if code == "institution_type":
        label = dict(InstitutionType.choices).get(params.get("type"), params.get("type"))
        return _("Institution type: %(type)s (+%(points)s).") % {"type": label, "points": points}
    if code == "not_graded":
        label = dict(VendorStatus.choices).get(params.get("status"), params.get("status"))
        return _("Not graded: the vendor is %(status)s.") % {"status": label}
    if code == "none":
        return _("No risk factor reaches a threshold.")
    return str(code)


def reasons_text(assessment: RiskAssessment | None) -> list[str]:
    return [reason_text(r) for r in assessment.reasons] if assessment else []


def latest_assessment(*, vendor: Vendor) -> RiskAssessment | None:
    return RiskAssessment.objects.filter(vendor=vendor).order_by("-computed_at", "-pk").first()


def assessments_of(*, vendor: Vendor, limit: int = 50) -> list[RiskAssessment]:
    """The vendor's grading history, newest first, each with ``reason_lines``."""
    rows = list(RiskAssessment.objects.filter(vendor=vendor).order_by("-computed_at", "-pk")[:limit])
    for row in rows:
        row.reason_lines = reasons_text(row)
    return rows


def complaints_of(*, vendor: Vendor):
    return (
        Complaint.objects.filter(vendor=vendor)
        .select_related("recorded_by", "resolved_by")
        .order_by("status", "-received_on", "-pk")
    )


@dataclass
class RiskRow:
    vendor: Vendor
    grade: str
    score: int | None
    reason: str
    computed_at: object


def risk_list(*, district_ids: set[int] | None, grade: str = "") -> list[RiskRow]:
    """Graded (approved or suspended) vendors of these districts (``None``: all), worst grade
    first, each with its latest score and heaviest reason; ``grade`` narrows ("-" = ungraded)."""
    vendors = Vendor.objects.filter(status__in=GRADED_STATUSES).select_related("district", "category")
    if district_ids is not None:
        vendors = vendors.filter(district_id__in=district_ids)
    if grade == "-":
        vendors = vendors.filter(risk_grade="")
    elif grade:
        vendors = vendors.filter(risk_grade=grade)
    vendors = list(vendors)
    latest: dict[int, RiskAssessment] = {}
    for assessment in RiskAssessment.objects.filter(vendor__in=vendors).order_by(
        "vendor_id", "-computed_at", "-pk"
    ):
        latest.setdefault(assessment.vendor_id, assessment)
    rows = []
    for vendor in vendors:
        assessment = latest.get(vendor.pk)
        lines = reasons_text(assessment)
        rows.append(
            RiskRow(
                vendor=vendor,
                grade=vendor.risk_grade,
                score=assessment.score if assessment else None,
                reason=lines[0] if lines else "",
                computed_at=assessment.computed_at if assessment else None,
            )
        )
    order = {"D": 0, "C": 1, "B": 2, "A": 3, "": 4}
    rows.sort(key=lambda r: (order.get(r.grade, 5), -(r.score or 0), r.vendor.name))
    return rows


@dataclass
class FactorLine:
    code: str
    label: str
    value: str
    points: int
    thresholds: str


def factor_table(*, assessment: RiskAssessment | None, policy: RiskPolicy) -> list[FactorLine]:
    """The four factors of ``assessment`` with their values, points and the policy's
    thresholds, for the officer's page."""
    if assessment is None or not assessment.grade:
        return []
    f = assessment.factors
    p = policy
    kind = f.get("institution_type", {})
    prepaid = f.get("prepaid", {})
    refunds = f.get("refunds", {})
    complaints = f.get("complaints", {})
    status = f.get("status", {})
    types = dict(InstitutionType.choices)
    statuses = dict(VendorStatus.choices)
    type_points = ", ".join(f"{label} +{p.type_points(value)}" for value, label in InstitutionType.choices)
    return [
        FactorLine(
            "institution_type",
            _("Institution type"),
            str(types.get(kind.get("value"), kind.get("value", ""))),
            kind.get("points", 0),
            type_points,
        ),
        FactorLine(
            "pupils",
            _("Pupils holding prepaid sessions"),
            str(prepaid.get("pupils", 0)),
            prepaid.get("pupils_points", 0),
            _("≥ %(t1)s: +%(p1)s; ≥ %(t2)s: +%(p2)s")
            % {
                "t1": p.pupils_threshold_1,
                "p1": p.prepaid_points_1,
                "t2": p.pupils_threshold_2,
                "p2": p.prepaid_points_2,
            },
        ),
        FactorLine(
            "held",
            _("Prepaid money held"),
            _yuan(prepaid.get("held", 0)),
            prepaid.get("held_points", 0),
            _("≥ %(t1)s: +%(p1)s; ≥ %(t2)s: +%(p2)s (the worse of pupils and money counts)")
            % {
                "t1": _yuan(p.held_threshold_1),
                "p1": p.prepaid_points_1,
                "t2": _yuan(p.held_threshold_2),
                "p2": p.prepaid_points_2,
            },
        ),
        FactorLine(
            "refunds",
            _("Refunds owed"),
            _yuan(refunds.get("value", 0)),
            refunds.get("points", 0),
            _("≥ %(t1)s: +%(p1)s; ≥ %(t2)s: +%(p2)s")
            % {
                "t1": _yuan(p.refunds_threshold_1),
                "p1": p.refunds_points_1,
                "t2": _yuan(p.refunds_threshold_2),
                "p2": p.refunds_points_2,
            },
        ),
        FactorLine(
            "complaints",
            _("Open complaints"),
            str(complaints.get("value", 0)),
            complaints.get("points", 0),
            _("≥ %(t1)s: +%(p1)s; ≥ %(t2)s: +%(p2)s")
            % {
                "t1": p.complaints_threshold_1,
                "p1": p.complaints_points_1,
                "t2": p.complaints_threshold_2,
                "p2": p.complaints_points_2,
            },
        ),
        FactorLine(
            "status",
            _("Operating status"),
            str(statuses.get(status.get("value"), status.get("value", ""))),
            0,
            _("Suspended: graded D") if p.suspended_is_d else _("Suspension does not change the grade"),
        ),
    ]


def bands_text(policy: RiskPolicy) -> str:
    return _("A: score ≤ %(a)s · B: ≤ %(b)s · C: ≤ %(c)s · D: above %(c)s") % {
        "a": policy.band_a_max,
        "b": policy.band_b_max,
        "c": policy.band_c_max,
    }
