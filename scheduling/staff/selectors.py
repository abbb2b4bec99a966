import hmac

from django.http import Http404
from django.shortcuts import get_object_or_404

from people.roles.access import roles_of
from people.roles.models import Role
from scheduling.staff.models import AvailabilityRequest, CalendarFeed, StaffMember, feed_token_hash


def staff_of_school(*, school):
    return (
        StaffMember.objects.filter(school=school, active=True)
        .prefetch_related("subjects", "unavailable")
        .order_by("staff_no")
    )


def own_staff_or_404(user, staff_id: int) -> StaffMember:
    """The staff record of the user's own teacher membership (not an administrator's view).

    For what only the teacher may do: propose their availability, see or reset their private
    feed. Anyone else — another teacher, the school's administrator — gets a 404.
    """
    for membership in roles_of(user, Role.TEACHER):
        if membership.staff_id == staff_id and membership.staff is not None:
            return StaffMember.objects.select_related("school").get(pk=staff_id)
    raise Http404("Not this teacher's page")


def availability_requests_of(*, staff: StaffMember):
    return (
        AvailabilityRequest.objects.filter(staff=staff)
        .select_related("decided_by")
        .prefetch_related("unavailable")
        .order_by("-created_at", "-pk")
    )


def pending_availability_request(*, staff: StaffMember):
    return availability_requests_of(staff=staff).filter(status=AvailabilityRequest.Status.PENDING).first()


def availability_requests_for_school(*, school, pending: bool):
    """The school's proposals: the pending ones (oldest first) or the decided ones (newest first)."""
    rows = (
        AvailabilityRequest.objects.filter(staff__school=school)
        .select_related("staff", "decided_by")
        .prefetch_related("unavailable", "staff__unavailable")
    )
    if pending:
        return rows.filter(status=AvailabilityRequest.Status.PENDING).order_by("created_at", "pk")
    return rows.exclude(status=AvailabilityRequest.Status.PENDING).order_by("-decided_at", "-pk")


def availability_request_of_school_or_404(*, school, request_id: int):
    return get_object_or_404(
        AvailabilityRequest.objects.select_related("staff"), pk=request_id, staff__school=school
    )


def staff_for_feed_token(token: str) -> StaffMember | None:
    """The active staff member whose feed has this token; ``None`` for any other token."""
    if not token or len(token) > 128:
        return None
    digest = feed_token_hash(token)
    feed = CalendarFeed.objects.select_related("staff", "staff__school").filter(token_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest) or not feed.staff.active:
        return None
    return feed.staff
