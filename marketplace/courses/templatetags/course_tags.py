"""Data for the course fragments included in pages other apps own (the vendor home)."""

from django import template

from marketplace.courses.selectors import courses_of_vendor

register = template.Library()


@register.simple_tag
def vendor_courses(vendor):
    """The vendor's courses with their review status, for ``courses/_vendor_courses.html``."""
    if vendor is None:
        return []
    return list(courses_of_vendor(vendor=vendor))
