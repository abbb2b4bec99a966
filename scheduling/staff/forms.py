from django import forms
from django.utils.translation import gettext_lazy as _

from core.params import IdModelMultipleChoiceField
from core.weekdays import WEEKDAY_CHOICES, days_from_mask, mask_from_days
from scheduling.slots.models import Slot


class SlotChoiceField(IdModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class AvailabilityForm(forms.Form):
    """Rest days among the school's after-school days, and slots of its grid (checkboxes)."""

    rest_days = forms.TypedMultipleChoiceField(
        label=_("Weekly rest days"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    unavailable = SlotChoiceField(
        label=_("Slots you cannot work"),
        queryset=Slot.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note for the administrator"), max_length=200, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        slots = Slot.objects.filter(school_id=staff.school_id).order_by("weekday", "start")
        days = set(slots.values_list("weekday", flat=True))
        self.fields["rest_days"].choices = [(d, label) for d, label in WEEKDAY_CHOICES if d in days]
        self.fields["unavailable"].queryset = slots
        if not self.is_bound:
            self.initial.setdefault("rest_days", days_from_mask(staff.rest_days))
            self.initial.setdefault("unavailable", list(staff.unavailable.values_list("pk", flat=True)))

    def clean_rest_days(self):
        return mask_from_days(self.cleaned_data.get("rest_days") or [])


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
