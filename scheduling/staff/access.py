"""A staff record an account may open, or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from people.roles.access import roles_of, school_ids_for
from people.roles.models import Role
from scheduling.staff.models import StaffMember


def staff_for_user_or_404(user, staff_id: int):
    """A staff record: the teacher's own, or any staff of a school the user administers."""
    staff = get_object_or_404(StaffMember.objects.select_related("school"), pk=staff_id)
    own = any(m.staff_id == staff.pk for m in roles_of(user, Role.TEACHER))
    if own or staff.school_id in school_ids_for(user):
        return staff
    raise Http404("No such staff member for this account")
