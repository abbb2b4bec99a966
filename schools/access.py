"""The school's own door: a school an account may open, or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from people.roles.access import bureau_covers_district, school_ids_for
from people.roles.models import Role
from schools.models import School


def school_for_user_or_404(user, school_id: int, *, roles=(Role.SCHOOL_ADMIN,), bureau: bool = False):
    """The school, when the user holds one of ``roles`` there (or oversees its district).

    ``bureau=True`` also admits bureau officers of the city or of the school's district.
    """
    school = get_object_or_404(School.objects.select_related("district"), pk=school_id)
    if school.pk in school_ids_for(user, roles):
        return school
    if bureau and bureau_covers_district(user, school.district_id):
        return school
    raise Http404("No such school for this account")
