"""Forms of the risk pages. They check input for the page; ``services`` enforces the rules
again (and is the only writer)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.risk.models import RiskPolicy
from marketplace.risk.services import POLICY_FIELDS
from marketplace.vendors.models import RiskGrade


class GradeFilterForm(forms.Form):
    grade = forms.ChoiceField(
        label=pgettext_lazy("risk grade", "Grade"),
        required=False,
        choices=[("", _("All")), *RiskGrade.choices, ("-", _("Not graded yet"))],
    )


class ComplaintForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A complaint cannot be received in the future."))
        return day


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RiskPolicyForm(forms.ModelForm):
    """Every number of the grade; the model's ``clean`` checks the orderings."""

    class Meta:
        model = RiskPolicy
        fields = POLICY_FIELDS

    GROUPS = (
        (
            _("Institution type"),
            ("points_public", "points_non_profit", "points_company", "points_individual"),
        ),
        (
            _("Pupils holding prepaid sessions and money held"),
            (
                "pupils_threshold_1",
                "pupils_threshold_2",
                "held_threshold_1",
                "held_threshold_2",
                "prepaid_points_1",
                "prepaid_points_2",
            ),
        ),
        (
            _("Refunds owed"),
            ("refunds_threshold_1", "refunds_threshold_2", "refunds_points_1", "refunds_points_2"),
        ),
        (
            _("Operating status"),
            (
                "suspended_is_d",
                "complaints_threshold_1",
                "complaints_threshold_2",
                "complaints_points_1",
                "complaints_points_2",
            ),
        ),
        (_("Score to grade"), ("band_a_max", "band_b_max", "band_c_max")),
    )

    def groups(self):
        """(title, bound fields) per factor, for the page."""
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]
