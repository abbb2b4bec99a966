"""Forms of the family's fee pages that move money (leaving supervised study)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StudyLeaveForm(forms.Form):
    on = forms.DateField(
        label=_("First day your child no longer stays"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("From this day on supervised study is not charged; what you paid for it is refunded."),
    )
