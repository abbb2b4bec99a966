"""Template tags for household fragments on pages other apps own (the role chooser)."""

from django import template

from people.roles.access import has_role
from people.roles.models import Role

register = template.Library()


@register.simple_tag
def has_household(user) -> bool:
    """Does the user already hold a parent membership (a household)?"""
    return has_role(user, Role.PARENT)
