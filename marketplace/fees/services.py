"""State changes of fee waivers: a parent asks, the child's school approves or rejects.

Both functions are atomic and check who may act as well as what may happen: a user who is
not a parent of the child's household (or not an administrator of the child's school)
gets ``PermissionDenied`` (views turn it into a 404 through the access helpers); bad input
or a wrong state raises ``WaiverError`` (a ``ValidationError``: field errors name the form
field) and nothing is written.

A decision is announced with ``fees.signals.waiver_decided`` in its transaction: the money
paid before an approved waiver is given back, and the family told, by the payments app.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from marketplace.fees.models import SchoolFeePolicy, Waiver
from marketplace.fees.signals import waiver_decided
from people.roles.access import roles_of
from people.roles.models import Role


class WaiverError(DomainError):
    """A waiver request or decision that cannot be made."""


def is_parent_of(user, child) -> bool:
    """Whether ``user`` is a parent of ``child``'s household (a child without one has none)."""
    return child.household_id is not None and any(
        m.household_id == child.household_id for m in roles_of(user, Role.PARENT)
    )


def _is_admin_of(user, school_id: int) -> bool:
    return any(m.school_id == school_id for m in roles_of(user, Role.SCHOOL_ADMIN))


@transaction.atomic
def waiver_request(*, child, term, user, kind: str, percent: int | None = None, reason: str) -> Waiver:
    """A parent of the child's household asks for a full or partial waiver for a term."""
    if not is_parent_of(user, child):
        raise PermissionDenied("Not a parent of this child")
    errors = {}
    if kind not in Waiver.Kind.values:
        errors["kind"] = ValidationError(_("Choose a full or a partial waiver."), code="waiver_kind_invalid")
    elif kind == Waiver.Kind.FULL:
        percent = None
    elif percent is None or not 1 <= int(percent) <= 99:
        errors["percent"] = ValidationError(
            _("A partial waiver waives between 1 and 99 percent."), code="waiver_percent_invalid"
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ValidationError(
            _("Say why the family asks for a waiver."), code="waiver_reason_missing"
        )
    if errors:
        raise WaiverError.about_fields(errors)
    if Waiver.objects.filter(
        child=child, term=term, status__in=[Waiver.Status.REQUESTED, Waiver.Status.APPROVED]
    ).exists():
        raise WaiverError(
            _("This child already has a waiver requested or approved for this term."),
            code="waiver_already_live",
        )
    try:
        with transaction.atomic():
            return Waiver.objects.create(
                child=child,
                term=term,
                kind=kind,
                percent=int(percent) if percent is not None else None,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:  # a concurrent request won the race
        raise WaiverError(
            _("This child already has a waiver requested or approved for this term."),
            code="waiver_already_live",
        ) from None


@transaction.atomic
def waiver_decide(*, waiver: Waiver, user, approve: bool, note: str = "") -> Waiver:
    """An administrator of the child's school approves or rejects a requested waiver."""
    waiver = Waiver.objects.select_for_update().select_related("child__school_class").get(pk=waiver.pk)
    if not _is_admin_of(user, waiver.child.school_class.school_id):
        raise PermissionDenied("Not an administrator of this child's school")
    if waiver.status != Waiver.Status.REQUESTED:
        raise WaiverError(_("This waiver has already been decided."), code="waiver_already_decided")
    note = (note or "").strip()
    if not approve and not note:
        raise WaiverError(
            {
                "note": ValidationError(
                    _("Give the family the reason for the rejection."), code="waiver_note_missing"
                )
            },
            code="waiver_note_missing",
        )
    waiver.status = Waiver.Status.APPROVED if approve else Waiver.Status.REJECTED
    waiver.decided_by = user
    waiver.decided_at = timezone.now()
    waiver.decision_note = note
    if approve:
        waiver.borne_by = SchoolFeePolicy.for_school(waiver.child.school_class.school_id).waiver_bearer
    waiver.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "borne_by", "updated_at"]
    )
    # Money paid before an approved waiver is over-paid now: the payments app gives it back
    # through the gateway and tells the family (in this transaction, so a refusal undoes it).
    waiver_decided.send(sender=Waiver, waiver=waiver, approved=approve)
    return waiver


@transaction.atomic
def fee_policy_save(*, school, user, waiver_bearer: str) -> SchoolFeePolicy:
    """A school administrator chooses who bears waivers of vendors' activities from now on.

    Waivers already decided keep the bearer they were approved with."""
    if not _is_admin_of(user, school.pk):
        raise PermissionDenied
    if waiver_bearer not in Waiver.Bearer.values:
        raise WaiverError(_("Choose the school or the vendor."), code="fee_policy_bearer_invalid")
    policy, _created = SchoolFeePolicy.objects.select_for_update().get_or_create(school=school)
    policy.waiver_bearer = waiver_bearer
    policy.save(update_fields=["waiver_bearer", "updated_at"])
    return policy
