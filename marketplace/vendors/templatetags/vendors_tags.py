"""Template tags for vendor fragments on pages other apps own (the bureau home, the role
chooser)."""

from django import template

from marketplace.vendors.selectors import bureau_vendor_summary
from people.roles.access import vendor_ids_for

register = template.Library()


@register.simple_tag
def bureau_vendors(district=None) -> dict:
    """Vendor counts for the bureau home of ``district`` (``None``: the whole city)."""
    return bureau_vendor_summary(district_id=district.pk if district else None)


@register.simple_tag
def has_vendor(user) -> bool:
    """Does the user already work for an institution?"""
    return bool(vendor_ids_for(user))
