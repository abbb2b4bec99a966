"""State changes of fee waivers: a parent asks, the child's school approves or rejects.

Both functions are atomic and check who may act as well as what may happen: a user who is
not a parent of the child's household (or not an administrator of the child's school)
gets ``PermissionDenied`` (views turn it into a 404 through the access helpers); bad input
or a wrong state raises ``WaiverError`` (a ``ValidationError``: field errors name the form
field) and nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.fees.models import Waiver
from people.roles.access import roles_of
from people.roles.models import Role


class WaiverError(ValidationError):
    """A waiver request or decision that cannot be made."""


def _is_parent_of(user, child) -> bool:
    return child.household_id is not None and any(
        m.household_id == child.household_id for m in roles_of(user, Role.PARENT)
    )


def _is_admin_of(user, school_id: int) -> bool:
    return any(m.school_id == school_id for m in roles_of(user, Role.SCHOOL_ADMIN))


@transaction.atomic
def waiver_request(*, child, term, user, kind: str, percent: int | None = None, reason: str) -> Waiver:
    """A parent of the child's household asks for a full or partial waiver for a term."""
    if not _is_parent_of(user, child):
        raise PermissionDenied("Not a parent of this child")
    errors = {}
    if kind not in Waiver.Kind.values:
        errors["kind"] = _("Choose a full or a partial waiver.")
    elif kind == Waiver.Kind.FULL:
        percent = None
    elif percent is None or not 1 <= int(percent) <= 99:
        errors["percent"] = _("A partial waiver waives between 1 and 99 percent.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the family asks for a waiver.")
    if errors:
        raise WaiverError(errors)
    if Waiver.objects.filter(
        child=child, term=term, status__in=[Waiver.Status.REQUESTED, Waiver.Status.APPROVED]
    ).exists():
        raise WaiverError(_("This child already has a waiver requested or approved for this term."))
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
        raise WaiverError(_("This child already has a waiver requested or approved for this term.")) from None


@transaction.atomic
def waiver_decide(*, waiver: Waiver, user, approve: bool, note: str = "") -> Waiver:
    """An administrator of the child's school approves or rejects a requested waiver."""
    waiver = Waiver.objects.select_for_update().select_related("child__school_class").get(pk=waiver.pk)
    if not _is_admin_of(user, waiver.child.school_class.school_id):
        raise PermissionDenied("Not an administrator of this child's school")
    if waiver.status != Waiver.Status.REQUESTED:
        raise WaiverError(_("This waiver has already been decided."))
    note = (note or "").strip()
    if not approve and not note:
        raise WaiverError({"note": _("Give the family the reason for the rejection.")})
    waiver.status = Waiver.Status.APPROVED if approve else Waiver.Status.REJECTED
    waiver.decided_by = user
    waiver.decided_at = timezone.now()
    waiver.decision_note = note
    waiver.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    return waiver
