"""Access helpers that every view uses.

Each helper answers one question — may this user act on this object in this role? — and
raises ``Http404`` when the answer is no, so another tenant's object is indistinguishable
from one that does not exist. Views fetch objects only through these helpers (or through
querysets they return), never with a bare ``get_object_or_404`` on an id from the URL.
"""

from collections.abc import Iterable

from django.http import Http404
from django.shortcuts import get_object_or_404

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


def school_for_user_or_404(user, school_id: int, *, roles=(Role.SCHOOL_ADMIN,), bureau: bool = False):
    """The school, when the user holds one of ``roles`` there (or oversees its district).

    ``bureau=True`` also admits bureau officers of the city or of the school's district.
    """
    from schools.models import School

    school = get_object_or_404(School.objects.select_related("district"), pk=school_id)
    if school.pk in school_ids_for(user, roles):
        return school
    if bureau and _bureau_covers_district(user, school.district_id):
        return school
    raise Http404("No such school for this account")


def staff_for_user_or_404(user, staff_id: int):
    """A staff record: the teacher's own, or any staff of a school the user administers."""
    from scheduling.staff.models import StaffMember

    staff = get_object_or_404(StaffMember.objects.select_related("school"), pk=staff_id)
    own = any(m.staff_id == staff.pk for m in roles_of(user, Role.TEACHER))
    if own or staff.school_id in school_ids_for(user):
        return staff
    raise Http404("No such staff member for this account")


def vendor_for_user_or_404(user, vendor_id: int, *, bureau: bool = False):
    from marketplace.vendors.models import Vendor

    vendor = get_object_or_404(Vendor.objects.select_related("district", "category"), pk=vendor_id)
    if any(m.vendor_id == vendor.pk for m in roles_of(user, Role.VENDOR_MEMBER)):
        return vendor
    if bureau and _bureau_covers_district(user, vendor.district_id):
        return vendor
    raise Http404("No such vendor for this account")


def household_for_user_or_404(user, household_id: int):
    from marketplace.households.models import Household

    household = get_object_or_404(Household, pk=household_id)
    if any(m.household_id == household.pk for m in roles_of(user, Role.PARENT)):
        return household
    raise Http404("No such household for this account")


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


def vendor_for_officer_or_404(user, vendor_id: int):
    """The vendor, when the user is a bureau officer of the city or of the vendor's district
    (its own members are not admitted: this is the reviewing side)."""
    from marketplace.vendors.models import Vendor

    vendor = get_object_or_404(Vendor.objects.select_related("district", "category"), pk=vendor_id)
    if _bureau_covers_district(user, vendor.district_id):
        return vendor
    raise Http404("No such vendor for this account")
