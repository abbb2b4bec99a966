"""A household an account may open (its parents), or a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from marketplace.households.models import Household
from people.roles.access import roles_of
from people.roles.models import Role


def household_for_user_or_404(user, household_id: int):
    household = get_object_or_404(Household, pk=household_id)
    if any(m.household_id == household.pk for m in roles_of(user, Role.PARENT)):
        return household
    raise Http404("No such household for this account")
