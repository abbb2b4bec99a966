"""Household pages (parents) and the pupil roster pages of a school's administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import set_download_name
from core.exports import CSV_CONTENT_TYPE
from marketplace.courses.selectors import activities_open_to
from marketplace.households import selectors, services
from marketplace.households.access import household_for_user_or_404
from marketplace.households.forms import ChildLinkForm, HouseholdForm, PupilImportForm
from marketplace.households.imports import PupilImportError, pupils_import, template_csv
from marketplace.households.services import HouseholdError
from scheduling.timetables.ics import calendar_for_household
from scheduling.timetables.publishing import week_of
from schools.access import school_for_user_or_404
from schools.selectors import term_current, today


def _add_errors(form, error: HouseholdError) -> None:
    """Put a service refusal on the form: per field where the form has that field."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- parents -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    """A signed-in user without a household sets one up (and becomes its parent)."""
    existing = selectors.household_of_user(request.user)
    if existing is not None:
        messages.info(request, _("Your account already has a household."))
        return redirect("households:household_home", existing.pk)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(user=request.user, name=form.cleaned_data["name"])
        except HouseholdError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Your household is set up. Add your children with the codes from school.")
            )
            return redirect("households:household_home", household.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "households/household_create.html", {"form": form}, status=status)


def _household_page(request, household, link_form, status=200):
    term = term_current()
    monday, sunday = week_of(today())
    context = {
        "household": household,
        "term": term,
        "week": {"monday": monday, "sunday": sunday},
        "link_form": link_form,
        "children": [
            {
                "child": child,
                "activities": activities_open_to(school_class=child.school_class, term=term),
                "week": selectors.sessions_for_child(child=child, start=monday, end=sunday),
            }
            for child in selectors.children_of_household(household=household)
        ],
    }
    return render(request, "households/household_home.html", context, status=status)


@login_required
@require_GET
def household_home(request, household_id: int):
    household = household_for_user_or_404(request.user, household_id)
    return _household_page(request, household, ChildLinkForm())


@login_required
@require_GET
def household_calendar(request, household_id: int):
    """The household's calendar feed: every child's supervised study and activity places."""
    household = household_for_user_or_404(request.user, household_id)
    response = HttpResponse(calendar_for_household(household), content_type="text/calendar; charset=utf-8")
    return set_download_name(response, f"household-{household.pk}", "ics")


@login_required
@require_POST
def child_link(request, household_id: int):
    """The parent adds a child with the school's link code and the child's name."""
    household = household_for_user_or_404(request.user, household_id)
    form = ChildLinkForm(request.POST)
    if form.is_valid():
        try:
            child = services.child_link(
                household=household,
                user=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except HouseholdError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(name)s is now linked to your household.") % {"name": child.name})
            return redirect("households:household_home", household.pk)
    return _household_page(request, household, form, status=400)


# --- school administrators: the pupil roster ---------------------------------------------------


@login_required
@require_GET
def school_pupils(request, school_id: int):
    """The school's classes with how many pupils are linked to a family."""
    school = school_for_user_or_404(request.user, school_id)
    classes = selectors.classes_with_link_counts(school=school)
    return render(request, "households/school_pupils.html", {"school": school, "classes": classes})


@login_required
@require_GET
def class_pupils(request, school_id: int, class_id: int):
    school = school_for_user_or_404(request.user, school_id)
    school_class = selectors.class_for_school_or_404(school=school, class_id=class_id)
    pupils = selectors.pupils_of_class(school_class=school_class)
    context = {"school": school, "school_class": school_class, "pupils": pupils}
    return render(request, "households/class_pupils.html", context)


@login_required
@require_POST
def link_codes_issue(request, school_id: int, class_id: int):
    """Issue codes to the class's unlinked pupils. When some already hold a code (a slip the
    family may have), the new code cancels it, so a POST without ``confirm`` only shows how
    many slips stop working and asks to confirm; a class with no codes yet gets them at once."""
    school = school_for_user_or_404(request.user, school_id)
    school_class = selectors.class_for_school_or_404(school=school, class_id=class_id)
    cancelled = selectors.pupils_of_class(school_class=school_class).filter(
        household__isnull=True, link_code__isnull=False
    )
    if cancelled.exists() and not request.POST.get("confirm"):
        context = {
            "school": school,
            "school_class": school_class,
            "cancelled": cancelled.count(),
            "unlinked": selectors.pupils_of_class(school_class=school_class)
            .filter(household__isnull=True)
            .count(),
        }
        return render(request, "households/link_codes_confirm.html", context)
    try:
        issued = services.link_codes_issue(school_class=school_class)
    except HouseholdError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s link code issued. An earlier code of this pupil no longer works.",
                "%(n)s link codes issued. Earlier codes of these pupils no longer work.",
                issued,
            )
            % {"n": issued},
        )
    return redirect("households:class_pupils", school.pk, school_class.pk)


@login_required
@require_GET
def link_slips(request, school_id: int, class_id: int):
    """One printable slip per unlinked pupil holding a code."""
    school = school_for_user_or_404(request.user, school_id)
    school_class = selectors.class_for_school_or_404(school=school, class_id=class_id)
    pupils = selectors.pupils_of_class(school_class=school_class).filter(
        household__isnull=True, link_code__isnull=False
    )
    link_url = request.build_absolute_uri(reverse("households:household_create"))
    context = {"school": school, "school_class": school_class, "pupils": pupils, "link_url": link_url}
    return render(request, "households/link_slips.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pupils_import_view(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    form = PupilImportForm(request.POST or None, request.FILES or None)
    context = {"school": school, "form": form, "summary": None, "import_errors": []}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                context["summary"] = pupils_import(
                    school=school, upload=form.cleaned_data["file"], by=request.user
                )
            except PupilImportError as error:
                context["import_errors"] = error.rows
            else:
                status = 200
    return render(request, "households/pupils_import.html", context, status=status)


@login_required
@require_GET
def pupils_template(request, school_id: int):
    school_for_user_or_404(request.user, school_id)
    response = HttpResponse(template_csv(), content_type=CSV_CONTENT_TYPE)
    return set_download_name(response, "pupils-template", "csv")
