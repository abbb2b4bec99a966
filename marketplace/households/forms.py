"""Forms of the household pages. They check input for the page; ``services`` enforces the
rules again (and is the only writer)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class HouseholdForm(forms.Form):
    name = forms.CharField(
        label=_("Household name"),
        max_length=80,
        help_text=_("For example the family name, as the school and vendors will see it."),
    )


class ChildLinkForm(forms.Form):
    code = forms.CharField(
        label=_("Link code"),
        max_length=20,
        help_text=_("The 8-character code on the slip from the school."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    name = forms.CharField(
        label=_("Child's name"),
        max_length=80,
        help_text=_("As the school knows it (as printed on the slip)."),
    )


class PupilImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx), with the columns of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
