"""Fee pages of a school: its waivers to decide, and who bears them.

A family's fee pages (the quote, the waiver request, leaving supervised study) show what is
due and refund, so they are the payments app's (``payments.views``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from marketplace.fees import selectors, services
from marketplace.fees.forms import FeePolicyForm, WaiverDecisionForm
from marketplace.fees.models import SchoolFeePolicy
from schools.access import school_for_user_or_404


@login_required
@require_GET
def school_waivers(request, school_id: int):
    """A school administrator's waivers: the requests to decide first, then the decided ones."""
    school = school_for_user_or_404(request.user, school_id)
    waivers = selectors.waivers_for_school(school=school)
    return render(
        request,
        "fees/school_waivers.html",
        {
            "school": school,
            "waivers": waivers,
            "form": WaiverDecisionForm(),
            "policy_form": _policy_form(school),
        },
    )


def _policy_form(school, data=None) -> FeePolicyForm:
    policy = SchoolFeePolicy.for_school(school.pk)
    return FeePolicyForm(data, initial={"waiver_bearer": policy.waiver_bearer})


@login_required
@require_POST
def fee_policy_view(request, school_id: int):
    """A school administrator chooses who bears waivers of vendors' activities."""
    school = school_for_user_or_404(request.user, school_id)
    form = _policy_form(school, request.POST)
    if form.is_valid():
        try:
            services.fee_policy_save(
                school=school, user=request.user, waiver_bearer=form.cleaned_data["waiver_bearer"]
            )
        except services.WaiverError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved: who bears waivers from now on."))
            return redirect("fees:school_waivers", school.pk)
    context = {
        "school": school,
        "waivers": selectors.waivers_for_school(school=school),
        "form": WaiverDecisionForm(),
        "policy_form": form,
    }
    return render(request, "fees/school_waivers.html", context, status=400)


@login_required
@require_POST
def waiver_decide_view(request, school_id: int, waiver_id: int):
    school = school_for_user_or_404(request.user, school_id)
    waiver = get_object_or_404(selectors.waivers_for_school(school=school), pk=waiver_id)
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to reject."))
        return redirect("fees:school_waivers", school.pk)
    form = WaiverDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.waiver_decide(
                waiver=waiver, user=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except services.WaiverError as error:
            add_service_error(form, error)
        else:
            if approve:
                messages.success(request, _("Waiver for %(name)s approved.") % {"name": waiver.child.name})
            else:
                messages.success(request, _("Waiver for %(name)s rejected.") % {"name": waiver.child.name})
            return redirect("fees:school_waivers", school.pk)
    context = {
        "school": school,
        "waivers": selectors.waivers_for_school(school=school),
        "form": WaiverDecisionForm(),
        "failed": waiver.pk,
        "failed_form": form,
        "policy_form": _policy_form(school),
    }
    return render(request, "fees/school_waivers.html", context, status=400)
