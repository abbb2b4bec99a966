from django import forms
from django.utils.translation import gettext_lazy as _

from core.weekdays import WEEKDAY_CHOICES, days_from_mask


class WindowForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    max_choices = forms.IntegerField(
        label=_("Choices a family may rank"), min_value=1, max_value=20, initial=4
    )
    max_activities = forms.IntegerField(
        label=_("Activities a child may take"), min_value=1, max_value=20, initial=2
    )


class PlanForm(forms.Form):
    """Days, how many activities, and one select per rank (no script needed on a phone)."""

    days = forms.TypedMultipleChoiceField(
        label=_("Days the child stays"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    wants = forms.IntegerField(label=_("How many activities the child would take"), min_value=0)

    def __init__(self, *args, school_class, activities, max_choices: int, max_activities: int, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(days_from_mask(school_class.days))
        self.fields["days"].choices = [(d, label) for d, label in WEEKDAY_CHOICES if d in allowed]
        self.fields["wants"].max_value = max_activities
        self.fields["wants"].widget.attrs["max"] = max_activities
        options = [("", _("— none —"))] + [(a.pk, a.name) for a in activities]
        self.rank_names = []
        for rank in range(1, max_choices + 1):
            name = f"rank_{rank}"
            self.fields[name] = forms.TypedChoiceField(
                label=_("Choice %(rank)s") % {"rank": rank},
                choices=options,
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.rank_names.append(name)

    def rank_fields(self):
        return [self[name] for name in self.rank_names]

    def activity_ids(self) -> list[int]:
        """The chosen activities in rank order, gaps closed."""
        return [self.cleaned_data[name] for name in self.rank_names if self.cleaned_data.get(name)]
