from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.fees.models import Waiver


class WaiverRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Waiver"), choices=Waiver.Kind.choices, widget=forms.RadioSelect)
    percent = forms.IntegerField(
        label=_("Percent waived"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("For a partial waiver: 1 to 99."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WaiverDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the family"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Required when rejecting."),
    )


class FeePolicyForm(forms.Form):
    waiver_bearer = forms.ChoiceField(
        label=_("Waivers of vendors' activities are borne by"),
        choices=Waiver.Bearer.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The school: the vendor is paid in full and the school owes it the waived part. "
            "The vendor: its revenue is reduced by the waived part. Applies to waivers approved from now on."
        ),
    )
