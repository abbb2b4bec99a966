"""Reads about districts, schools, terms and classes."""

from datetime import date

from django.utils import timezone

from schools.models import Term


def today() -> date:
    return timezone.localdate()


def term_current(*, on: date | None = None) -> Term | None:
    """The term in progress on a date; else the next one to start; else the latest."""
    on = on or today()
    term = Term.objects.filter(start__lte=on, end__gte=on).order_by("start").first()
    if term is None:
        term = Term.objects.filter(start__gt=on).order_by("start").first()
    if term is None:
        term = Term.objects.order_by("-end").first()
    return term
