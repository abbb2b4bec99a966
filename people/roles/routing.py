"""Where each role's home page is."""

from django.urls import reverse

from people.roles.models import Membership, Role


def home_url(membership: Membership) -> str:
    role = membership.role
    if role == Role.BUREAU_OFFICER:
        if membership.district_id is None:
            return reverse("portal:bureau_city")
        return reverse("portal:bureau_district", args=[membership.district_id])
    if role == Role.SCHOOL_ADMIN:
        return reverse("portal:school_home", args=[membership.school_id])
    if role == Role.TEACHER:
        return reverse("portal:teacher_home", args=[membership.staff_id])
    if role == Role.VENDOR_MEMBER:
        return reverse("vendors:vendor_home", args=[membership.vendor_id])
    if role == Role.COURSE_REVIEWER:
        return reverse("reviews:home")
    if role == Role.PARENT:
        return reverse("portal:household_home", args=[membership.household_id])
    raise ValueError(f"unknown role {role!r}")
