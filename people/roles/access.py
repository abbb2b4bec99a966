"""Access helpers that every view uses.

Each helper answers one question — may this user act on this object in this role? — and
raises ``Http404`` when the answer is no, so another tenant's object is indistinguishable
from one that does not exist. Views fetch objects only through these helpers (or through
querysets they return), never with a bare ``get_object_or_404`` on an id from the URL.
"""

from collections.abc import Iterable

from django.http import Http404

from people.roles.models import Membership, Role


def memberships_of(user) -> list[Membership]:
    """The user's memberships, loaded once per user object (and so once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("district", "school", "school__district", "staff", "vendor", "household")
            .order_by("role", "pk")
        )
        user._memberships_cache = cached
    return cached


def roles_of(user, role: Role | str) -> list[Membership]:
    return [m for m in memberships_of(user) if m.role == role]


def has_role(user, role: Role | str) -> bool:
    return bool(roles_of(user, role))


def require_role(user, role: Role | str) -> list[Membership]:
    """The user's memberships of ``role``; 404 when they hold none."""
    found = roles_of(user, role)
    if not found:
        raise Http404("No such page for this account")
    return found


def _bureau_covers_district(user, district_id: int) -> bool:
    return any(
        m.district_id is None or m.district_id == district_id for m in roles_of(user, Role.BUREAU_OFFICER)
    )


def bureau_membership_or_404(user, district_id: int | None) -> Membership:
    """The user's bureau membership for the city (``None``) or for one district."""
    for membership in roles_of(user, Role.BUREAU_OFFICER):
        if membership.district_id == district_id:
            return membership
    raise Http404("Not a bureau officer of this district")


def school_ids_for(user, roles: Iterable[Role | str] = (Role.SCHOOL_ADMIN,)) -> set[int]:
    roles = set(roles)
    return {m.school_id for m in memberships_of(user) if m.role in roles and m.school_id}


def reviewer_membership_or_404(user, membership_id: int) -> Membership:
    for membership in roles_of(user, Role.COURSE_REVIEWER):
        if membership.pk == membership_id:
            return membership
    raise Http404("Not a course reviewer here")


def forget_memberships(user) -> None:
    """Drop the per-user memberships cache (after a service gave the user a new role)."""
    user.__dict__.pop("_memberships_cache", None)


def vendor_ids_for(user) -> set[int]:
    """The vendors the user works for (``vendor_member`` memberships)."""
    return {m.vendor_id for m in roles_of(user, Role.VENDOR_MEMBER)}


def bureau_covers_district(user, district_id: int) -> bool:
    """Is the user a bureau officer of the city or of this district?"""
    return _bureau_covers_district(user, district_id)


def bureau_district_ids(user) -> set[int] | None:
    """The districts the user oversees as a bureau officer: ``None`` means every district
    (a city officer); an empty set means none."""
    officer = roles_of(user, Role.BUREAU_OFFICER)
    if any(m.district_id is None for m in officer):
        return None
    return {m.district_id for m in officer}
