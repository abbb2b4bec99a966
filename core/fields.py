from django import forms
from django.core import checks
from django.db import models
from django.utils.text import capfirst

from core.weekdays import WEEKDAY_CHOICES, days_from_mask, mask_from_days


class WeekdaySetFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, max_length=None, **kwargs):
        kwargs.pop("choices", None)
        kwargs.pop("coerce", None)
        kwargs.pop("empty_value", None)
        super().__init__(choices=WEEKDAY_CHOICES, coerce=int, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return days_from_mask(value)
        return value

    def clean(self, value):
        return mask_from_days(super().clean(value) or [])


class WeekdaySetField(models.PositiveSmallIntegerField):
    """A set of weekdays stored as a bit mask (bit 0 = Monday … bit 6 = Sunday).

    One small integer keeps a set that every solve and fee calculation reads, with a
    database check that no bit beyond Sunday is ever set (see ``weekday_mask_check``).
    """

    def formfield(self, **kwargs):
        defaults = {
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        if self.has_default():
            defaults["initial"] = days_from_mask(self.get_default())
        defaults.update(
            {k: v for k, v in kwargs.items() if k in {"required", "label", "help_text", "initial"}}
        )
        return WeekdaySetFormField(**defaults)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_default()]

    def _check_default(self):
        if self.has_default() and not isinstance(self.default, int):
            return [checks.Error("WeekdaySetField default must be an int mask", obj=self)]
        return []


def weekday_mask_check(field_name: str, name: str) -> models.CheckConstraint:
    """A constraint that the mask holds only weekdays 0–6."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__gte": 0, f"{field_name}__lte": 127}),
        name=name,
    )
