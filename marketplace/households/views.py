"""Setting up a household (parents) and the pupil roster pages of a school's administrators.

The household's own page, its calendar and linking a child are in ``portal.views``."""

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
from core.forms import add_service_error
from marketplace.households import selectors, services
from marketplace.households.forms import HouseholdForm, PupilImportForm
from marketplace.households.imports import PupilImportError, pupils_import, template_csv
from marketplace.households.services import HouseholdError
from schools.access import school_for_user_or_404

# --- parents -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    """A signed-in user without a household sets one up (and becomes its parent)."""
    existing = selectors.household_of_user(request.user)
    if existing is not None:
        messages.info(request, _("Your account already has a household."))
        return redirect("portal:household_home", existing.pk)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(user=request.user, name=form.cleaned_data["name"])
        except HouseholdError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your household is set up. Add your children with the codes from school.")
            )
            return redirect("portal:household_home", household.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "households/household_create.html", {"form": form}, status=status)


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
