"""``{% load money %}``: ``{{ amount|yuan }}`` writes an amount with ``core.money.format_yuan``."""

from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(value, grouping=False) -> str:
    """``¥412.00`` / ``−¥412.00``; ``{{ amount|yuan:"grouped" }}`` separates thousands."""
    # A page must not fail over one odd value: a float is read through its shortest repr and
    # anything that is not a number is shown as it is.
    if isinstance(value, float):
        value = repr(value)
    try:
        return format_yuan(value, grouping=bool(grouping))
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
