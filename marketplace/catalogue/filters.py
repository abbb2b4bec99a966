"""The catalogue's search form: filters, sort order and page size (django-filter).

A value that does not validate is shown with its error and ignored: the list is then
filtered by the other values only (django-filter drops invalid fields from
``cleaned_data``), so a bad link never fails and never silently empties the list.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.filters import FilterSet, ModelChoiceFilter
from core.weekdays import WEEKDAY_CHOICES
from marketplace.catalogue.selectors import title_ordering, vendor_name_ordering
from marketplace.courses.models import Category
from marketplace.vendors.models import InstructorAvailability
from schools.models import District

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 5
GRADES = range(1, 10)


def _grade_label(grade: int) -> str:
    return gettext("Grade %(grade)s") % {"grade": grade}


grade_label = lazy(_grade_label, str)


class Sort:
    TITLE = "title"
    PRICE = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"
    VENDOR = "vendor"

    choices = [
        (TITLE, _("Title")),
        (PRICE, _("Price: lowest first")),
        (PRICE_DESC, _("Price: highest first")),
        (NEWEST, _("Newest first")),
        (VENDOR, _("Vendor")),
    ]


def sort_ordering(sort: str) -> list:
    """The ``order_by`` arguments of a sort choice; each ends with the title and the id."""
    title = title_ordering()
    return {
        Sort.TITLE: title,
        Sort.PRICE: ["price_per_session", *title],
        Sort.PRICE_DESC: ["-price_per_session", *title],
        Sort.NEWEST: ["-created_at", "-pk"],
        Sort.VENDOR: [*vendor_name_ordering(), *title],
    }[sort]


class CatalogueFilterForm(forms.Form):
    """The base of the filter set's form: the page size, and checks across fields."""

    field_order = [
        "q",
        "category",
        "grade",
        "district",
        "weekday",
        "min_price",
        "max_price",
        "sort",
        "page_size",
    ]

    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=DEFAULT_PAGE_SIZE,
    )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            # add_error drops the value, so the list is filtered by the lowest price only.
            self.add_error("max_price", _("The highest price must not be below the lowest price."))
        return cleaned


class CourseFilter(FilterSet):
    """Filters of the course catalogue; pass ``catalogue_courses()`` as the queryset.

    Built on ``core.filters``: an id in the URL that is no id (``?district=2**63``) is an
    error of its field, never a database error."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_(
            "Words in the title, subject, category or description of the course, or the vendor's name."
        ),
    )
    category = ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.filter(is_academic=False),
        empty_label=_("Any category"),
    )
    grade = django_filters.ChoiceFilter(
        label=_("Grade"),
        choices=[(grade, grade_label(grade)) for grade in GRADES],
        method="filter_grade",
        empty_label=_("Any grade"),
    )
    district = ModelChoiceFilter(
        label=_("District"),
        field_name="vendor__district",
        queryset=District.objects.all(),
        empty_label=_("Any district"),
    )
    weekday = django_filters.MultipleChoiceFilter(
        label=_("Available on"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_weekday",
        help_text=_("Courses with an instructor available on any of the chosen days."),
    )
    min_price = django_filters.NumberFilter(
        label=_("Lowest price per session (yuan)"),
        field_name="price_per_session",
        lookup_expr="gte",
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    max_price = django_filters.NumberFilter(
        label=_("Highest price per session (yuan)"),
        field_name="price_per_session",
        lookup_expr="lte",
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=Sort.choices,
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        form = CatalogueFilterForm
        fields = []  # every filter is declared above

    def filter_queryset(self, queryset):
        # The form also carries the page size, which is not a filter.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def page_size(self) -> int:
        """The chosen page size; the default when none or an invalid one is given."""
        if not self.is_bound:
            return DEFAULT_PAGE_SIZE
        self.form.is_valid()  # an invalid page size is left out of cleaned_data
        return self.form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE

    @property
    def active_count(self) -> int:
        """How many valid filters narrow the list (the sort and the page size do not)."""
        if not self.is_bound:
            return 0
        self.form.is_valid()
        return sum(
            1
            for name, value in self.form.cleaned_data.items()
            if name in self.filters and name != "sort" and value not in (None, "", [])
        )

    def filter_search(self, queryset, name, value):
        # Every word must occur somewhere in what a reader would search by: the title, the
        # subject, the category, the description and objectives, or the vendor's name and
        # introduction (either language). EXISTS-free: each is a to-one relation.
        for word in value.split()[:SEARCH_MAX_WORDS]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_en__icontains=word)
                | Q(subject__name__icontains=word)
                | Q(subject__name_en__icontains=word)
                | Q(subject__code__icontains=word)
                | Q(category__name__icontains=word)
                | Q(category__name_en__icontains=word)
                | Q(description__icontains=word)
                | Q(objectives__icontains=word)
                | Q(vendor__name__icontains=word)
                | Q(vendor__name_en__icontains=word)
                | Q(vendor__description__icontains=word)
                | Q(vendor__description_en__icontains=word)
            )
        return queryset

    def filter_grade(self, queryset, name, value):
        grade = int(value)
        return queryset.filter(grade_min__lte=grade, grade_max__gte=grade)

    def filter_weekday(self, queryset, name, value):
        # EXISTS, not a join through the instructors: a course with two matching windows
        # would otherwise appear twice.
        days = sorted({int(day) for day in value})
        available = InstructorAvailability.objects.filter(
            instructor__courses=OuterRef("pk"), weekday__in=days
        )
        return queryset.filter(Exists(available))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*sort_ordering(value))
