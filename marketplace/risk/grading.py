"""The grade's arithmetic, free of the database: factors in, grade, score and reasons out.

``evaluate`` is what ``services.risk_grade_vendor`` stores and what the pages explain; see
``marketplace.risk.models`` for the factors and the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import money
from marketplace.vendors.models import RiskGrade, VendorStatus

# The vendor statuses that are graded: the approved list and the vendors suspended from it.
# Drafts and applications under review have no business yet, and rejected or revoked vendors
# can do none: their grade stays blank.
GRADED_STATUSES = (VendorStatus.APPROVED, VendorStatus.SUSPENDED)


@dataclass
class Evaluation:
    grade: str
    score: int
    factors: dict
    reasons: list[dict] = field(default_factory=list)


def step_points(value, first, second, points_1: int, points_2: int) -> int:
    """``points_2`` at or above ``second``, ``points_1`` at or above ``first``, else 0."""
    if value >= second:
        return points_2
    if value >= first:
        return points_1
    return 0


def evaluate(
    *,
    policy,
    status: str,
    institution_type: str,
    pupils_holding: int = 0,
    held: Decimal = Decimal("0.00"),
    refunds_owed: Decimal = Decimal("0.00"),
    open_complaints: int = 0,
) -> Evaluation:
    """The grade of a vendor with these factors under ``policy`` (a ``RiskPolicy``).

    A vendor that is not graded (see ``GRADED_STATUSES``) gets a blank grade and score 0.
    """
    held, refunds_owed = money(held), money(refunds_owed)
    if status not in GRADED_STATUSES:
        return Evaluation(grade="", score=0, factors={"status": {"value": status, "points": 0}})
    p = policy
    type_points = p.type_points(institution_type)
    pupils_points = step_points(
        pupils_holding, p.pupils_threshold_1, p.pupils_threshold_2, p.prepaid_points_1, p.prepaid_points_2
    )
    held_points = step_points(
        held, p.held_threshold_1, p.held_threshold_2, p.prepaid_points_1, p.prepaid_points_2
    )
    # Pupils and money measure one exposure: the worse of the two counts, not both.
    prepaid_points = max(pupils_points, held_points)
    refund_points = step_points(
        refunds_owed, p.refunds_threshold_1, p.refunds_threshold_2, p.refunds_points_1, p.refunds_points_2
    )
    complaint_points = step_points(
        open_complaints,
        p.complaints_threshold_1,
        p.complaints_threshold_2,
        p.complaints_points_1,
        p.complaints_points_2,
    )
    suspended = status == VendorStatus.SUSPENDED
    forces_d = suspended and p.suspended_is_d
    score = type_points + prepaid_points + refund_points + complaint_points
    grade = RiskGrade.D if forces_d else p.grade_for(score)
    factors = {
        "institution_type": {"value": institution_type, "points": type_points},
        "prepaid": {
            "pupils": pupils_holding,
            "held": str(held),
            "pupils_points": pupils_points,
            "held_points": held_points,
            "points": prepaid_points,
        },
        "refunds": {"value": str(refunds_owed), "points": refund_points},
        "complaints": {"value": open_complaints, "points": complaint_points},
        "status": {"value": status, "points": 0, "forces_d": forces_d},
    }
    reasons: list[dict] = []
    if forces_d:
        reasons.append({"code": "suspended", "params": {}})
    candidates = [
        (refund_points, "refunds", {"amount": str(refunds_owed)}),
        (complaint_points, "complaints", {"count": open_complaints}),
        (pupils_points, "pupils", {"count": pupils_holding}),
        (held_points, "held", {"amount": str(held)}),
        (type_points, "institution_type", {"type": institution_type}),
    ]
    # The heaviest factor first: the list page shows the first reason only.
    for points, code, params in sorted(candidates, key=lambda c: -c[0]):
        if points > 0:
            reasons.append({"code": code, "params": {**params, "points": points}})
    if not reasons:
        reasons.append({"code": "none", "params": {}})
    return Evaluation(grade=str(grade), score=score, factors=factors, reasons=reasons)
