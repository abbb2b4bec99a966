from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.rest.models import RestPolicy


class ClaimForm(forms.Form):
    date = forms.DateField(label=_("Rest day"), widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = RestPolicy
        fields = ["duties_per_credit", "max_credits_per_term", "expiry_month", "expiry_day"]
