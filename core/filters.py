"""django-filter's filters, made safe against any query string (see ``core.params``).

Use ``FilterSet`` as the base of every filter set, and these filter classes where a filter
is declared by hand: a value that is no id of the model, or an integer beyond 64 bits,
becomes an error of the filter's form (the filter is then left out) instead of an
``OverflowError`` (SQLite) or ``DataError`` (PostgreSQL) from the database.
"""

import django_filters
from django import forms
from django.db import models
from django.db.models.fields.related import ManyToManyRel, ManyToOneRel, OneToOneRel
from django_filters import fields as filter_fields
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

from core.params import INT64_MAX, INT64_MIN, IdChoiceMixin


class _IdModelChoiceField(IdChoiceMixin, filter_fields.ModelChoiceField):
    pass


class _IdModelMultipleChoiceField(IdChoiceMixin, filter_fields.ModelMultipleChoiceField):
    pass


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _IdModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _IdModelMultipleChoiceField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within 64 bits (django-filter's ``NumberFilter`` takes any decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", INT64_MIN)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(*args, **kwargs)


def _safe_defaults() -> dict:
    defaults = {key: dict(value) for key, value in FILTER_FOR_DBFIELD_DEFAULTS.items()}
    for key in (models.OneToOneField, models.ForeignKey, OneToOneRel):
        defaults[key]["filter_class"] = ModelChoiceFilter
    for key in (models.ManyToManyField, ManyToOneRel, ManyToManyRel):
        defaults[key]["filter_class"] = ModelMultipleChoiceFilter
    for key in (
        models.AutoField,
        models.SmallIntegerField,
        models.IntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
    ):
        defaults[key]["filter_class"] = IntegerFilter
    return defaults


class FilterSet(django_filters.FilterSet):
    """The project's base filter set: the filters it generates from model fields are the
    safe ones above (relations by id, integers within 64 bits)."""

    FILTER_DEFAULTS = _safe_defaults()
