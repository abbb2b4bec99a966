"""Template tags of the course request fragments on the school and vendor home pages.

The home views belong to other apps, so the fragments fetch their own data here, from the
context those pages already have (``school`` and ``term``, or ``vendor``, and ``user``).
"""

from django import template

from marketplace.course_requests import selectors
from marketplace.course_requests.models import CourseRequest
from people.roles.access import roles_of
from people.roles.models import Role

register = template.Library()

STATUS_BADGES = {
    CourseRequest.Status.REQUESTED: "submitted",
    CourseRequest.Status.ACCEPTED: "approved",
    CourseRequest.Status.DECLINED: "rejected",
    CourseRequest.Status.WITHDRAWN: "withdrawn",
}


@register.filter
def request_badge(status: str) -> str:
    """The badge class of a request status (``approved`` green, ``rejected`` red…)."""
    return STATUS_BADGES.get(status, "")


@register.simple_tag
def school_course_requests(school, term):
    """The school's requests for ``term`` (none without a term), newest first."""
    if school is None or term is None:
        return []
    return list(selectors.requests_of_school(school=school, term=term))


@register.simple_tag(takes_context=True)
def vendor_open_course_requests(context, vendor):
    """The vendor's requests awaiting an answer, or None when the viewer is not its member.

    Only the vendor's own members answer requests, so others (an officer looking at the
    vendor's page) see nothing of them here.
    """
    user = context.get("user")
    if vendor is None or user is None:
        return None
    if not any(m.vendor_id == vendor.pk for m in roles_of(user, Role.VENDOR_MEMBER)):
        return None
    return list(selectors.open_requests_of_vendor(vendor=vendor))
