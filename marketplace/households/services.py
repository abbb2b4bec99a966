"""State changes of households: a parent sets up a household, links children to it, and a
school issues the link codes that make that possible.

* A signed-in user without a household creates one (``household_create``) and becomes its
  ``parent``. One household per account: a second is refused.
* A school puts its pupils on its roster (by hand in the admin, or by the spreadsheet import
  in ``imports``); a pupil there has no household yet and carries a ``link_code``
  (``link_codes_issue``). The school hands each family its code on a paper slip.
* The parent enters the code and the child's name as the school knows it
  (``child_link``). Both must match a roster child without a household; a mismatch gives
  one message that does not say whether the code exists, so codes cannot be probed. The
  code is single use: linking clears it.

Refusals raise ``HouseholdError`` (a ``ValidationError``) and write nothing.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from marketplace.households.models import Child, ChildLink, Household
from people.roles.access import forget_memberships, roles_of
from people.roles.models import Membership, Role
from schools.models import SchoolClass

# No 0/O or 1/I: a code is read off paper and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Collisions are astronomically rare (32**8 codes); a handful of retries is ample.
CODE_ATTEMPTS = 20


class HouseholdError(DomainError):
    """A household change that cannot be made; the message says what and why."""


def normalize_code(code: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t")


def normalize_name(name: str) -> str:
    """A name as compared: surrounding space dropped, inner runs of space made single."""
    return " ".join((name or "").split())


def new_link_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _unused_code() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = new_link_code()
        if not Child.objects.filter(link_code=code).exists():
            return code
    raise HouseholdError(_("Could not find an unused link code; try again."), code="link_code_exhausted")


def child_code_assign(child: Child) -> str:
    """Give a roster child a fresh, unused link code and save it (inside the caller's
    transaction). Retries on the rare collision the unique index reports."""
    for _attempt in range(CODE_ATTEMPTS):
        child.link_code = _unused_code()
        try:
            with transaction.atomic():
                child.save(update_fields=["link_code"])
        except IntegrityError:
            continue
        return child.link_code
    raise HouseholdError(_("Could not find an unused link code; try again."), code="link_code_exhausted")


@transaction.atomic
def household_create(*, user, name: str) -> Household:
    """Create a household with ``user`` as its parent. One household per account."""
    # Lock the user row so two simultaneous requests cannot both create a household.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Membership.objects.filter(user=user, role=Role.PARENT).exists():
        raise HouseholdError(_("Your account already has a household."), code="household_exists")
    name = normalize_name(name)
    if not name:
        raise HouseholdError(
            {"name": ValidationError(_("Give the household a name."), code="name_missing")},
            code="name_missing",
        )
    household = Household.objects.create(name=name)
    Membership.objects.create(user=user, role=Role.PARENT, household=household)
    forget_memberships(user)
    return household


# One message for an unknown code, a used code and a wrong name: codes cannot be probed.
LINK_REFUSED = gettext_lazy(
    "This code and name do not match a pupil waiting to be linked. Check both against the slip from the school."
)


@transaction.atomic
def child_link(*, household: Household, user, code: str, name: str) -> Child:
    """Link the roster child holding ``code`` to ``household``, when ``name`` is the child's
    name as the school knows it. The code is single use (cleared on success)."""
    if not any(m.household_id == household.pk for m in roles_of(user, Role.PARENT)):
        raise HouseholdError(
            _("Only a parent of this household can add a child to it."), code="not_household_parent"
        )
    code = normalize_code(code)
    child = (
        Child.objects.select_for_update().filter(link_code=code, household__isnull=True).first()
        if code
        else None
    )
    if child is None or normalize_name(child.name) != normalize_name(name):
        raise HouseholdError(LINK_REFUSED, code="link_refused")
    child.household = household
    child.link_code = None
    child.save(update_fields=["household", "link_code"])
    ChildLink.objects.create(child=child, household=household, method=ChildLink.Method.CODE, made_by=user)
    return child


@transaction.atomic
def link_codes_issue(*, school_class: SchoolClass, regenerate: bool = True) -> int:
    """Give every unlinked pupil of the class a fresh link code (all of them when
    ``regenerate``, else only those without one). Returns how many codes were issued.
    A new code replaces an old one, so a lost slip can be cancelled by reissuing."""
    pupils = Child.objects.select_for_update().filter(school_class=school_class, household__isnull=True)
    if not regenerate:
        pupils = pupils.filter(link_code__isnull=True)
    issued = 0
    for child in pupils.order_by("pk"):
        child_code_assign(child)
        issued += 1
    return issued
