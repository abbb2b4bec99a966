"""Template helpers of the CMS pages: language-chosen fields and paging links."""

from django import template
from django.utils.http import urlencode

from core.i18n import prefers_english

register = template.Library()


@register.filter
def bilingual(obj, field: str):
    """``obj.<field>_en`` when English is active and it is filled in, else ``obj.<field>``.

    ``{{ vendor|bilingual:"description" }}``
    """
    if obj is None:
        return ""
    if prefers_english():
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current query string with ``page`` set to ``number`` (filters are kept)."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + urlencode(sorted(params.lists()), doseq=True)
