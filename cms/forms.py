"""The search-and-filter forms of the listing pages (read from the query string)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.params import IdModelChoiceField
from marketplace.courses.models import Category
from scheduling.staff.models import Subject
from schools.models import District, School


class NameChoiceField(IdModelChoiceField):
    """Choices labelled in the active language; a value that is no id is an invalid choice
    before any query (these forms read the query string, see ``core.params``)."""

    def label_from_instance(self, obj):
        return obj.display_name


class ListingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def value(self, name):
        """The cleaned value of ``name``, or ``None`` when it is empty or invalid."""
        if not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


class CatalogueFilterForm(ListingFilterForm):
    category = NameChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_academic=False),
        required=False,
        empty_label=_("All categories"),
    )
    district = NameChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("All districts")
    )


class LibraryFilterForm(ListingFilterForm):
    category = NameChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request so that the labels follow the active language.
        self.fields["grade"].choices = [("", gettext("Any grade"))] + [
            (str(g), gettext("Grade %(grade)d") % {"grade": g}) for g in range(1, 10)
        ]


class PoolFilterForm(ListingFilterForm):
    KIND_CHOICES = [
        ("", _("Everyone")),
        ("staff", _("School staff")),
        ("instructor", _("Vendor instructors")),
    ]

    subject = NameChoiceField(
        label=_("Subject"), queryset=Subject.objects.all(), required=False, empty_label=_("All subjects")
    )
    school = NameChoiceField(
        label=_("School"),
        queryset=School.objects.select_related("district"),
        required=False,
        empty_label=_("All schools"),
    )
    kind = forms.ChoiceField(label=_("Who"), choices=KIND_CHOICES, required=False)
