"""Risk grade pages for bureau officers: the list, a vendor's factors and complaints, and
the policy. Officers see only the vendors of their districts (another district's vendor is
a 404, through ``vendor_for_officer_or_404``); everyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from marketplace.risk import selectors, services
from marketplace.risk.forms import ComplaintForm, GradeFilterForm, ResolveForm, RiskPolicyForm
from marketplace.risk.models import RiskPolicy
from marketplace.vendors.access import vendor_for_officer_or_404
from people.roles.access import bureau_district_ids, require_role
from people.roles.models import Role


@login_required
@require_GET
def risk_list(request):
    """The officer's vendors with their grades, worst first; filter by grade."""
    require_role(request.user, Role.BUREAU_OFFICER)
    form = GradeFilterForm(request.GET or None)
    grade = form.cleaned_data.get("grade", "") if form.is_valid() else ""
    rows = selectors.risk_list(district_ids=bureau_district_ids(request.user), grade=grade)
    context = {"form": form, "rows": rows, "bands": selectors.bands_text(RiskPolicy.current())}
    return render(request, "risk/risk_list.html", context)


def _detail(request, vendor, *, complaint_form=None, resolve_forms=None, status=200):
    policy = RiskPolicy.current()
    latest = selectors.latest_assessment(vendor=vendor)
    complaints = list(selectors.complaints_of(vendor=vendor))
    resolve_forms = resolve_forms or {}
    for complaint in complaints:
        complaint.resolve_form = resolve_forms.get(complaint.pk) or ResolveForm(prefix=f"c{complaint.pk}")
    context = {
        "vendor": vendor,
        "latest": latest,
        "reasons": selectors.reasons_text(latest),
        "factors": selectors.factor_table(assessment=latest, policy=policy),
        "bands": selectors.bands_text(policy),
        "history": selectors.assessments_of(vendor=vendor),
        "complaints": complaints,
        "complaint_form": complaint_form or ComplaintForm(),
    }
    return render(request, "risk/risk_detail.html", context, status=status)


@login_required
@require_GET
def risk_detail(request, vendor_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    return _detail(request, vendor)


@login_required
@require_POST
def regrade(request, vendor_id: int):
    """Recompute the vendor's grade now (an assessment is added only if something changed)."""
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    assessment = services.risk_grade_vendor(vendor=vendor, trigger=services.Trigger.MANUAL)
    if assessment is None:
        messages.info(request, _("The grade is unchanged."))
    else:
        messages.success(request, _("The grade is recomputed."))
    return redirect("risk:detail", vendor.pk)


@login_required
@require_POST
def complaint_add(request, vendor_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    form = ComplaintForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_record(vendor=vendor, officer=request.user, **form.cleaned_data)
        except services.RiskError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The complaint is recorded."))
            return redirect("risk:detail", vendor.pk)
    return _detail(request, vendor, complaint_form=form, status=400)


@login_required
@require_POST
def complaint_resolve(request, vendor_id: int, complaint_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    complaint = get_object_or_404(vendor.complaints, pk=complaint_id)
    form = ResolveForm(request.POST, prefix=f"c{complaint.pk}")
    if form.is_valid():
        try:
            services.complaint_resolve(
                complaint=complaint, officer=request.user, resolution=form.cleaned_data["resolution"]
            )
        except services.RiskError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The complaint is resolved."))
            return redirect("risk:detail", vendor.pk)
    return _detail(request, vendor, resolve_forms={complaint.pk: form}, status=400)


@login_required
def policy(request):
    """The grading policy: every officer may read it, the city bureau may change it."""
    require_role(request.user, Role.BUREAU_OFFICER)
    editable = services.policy_editable_by(request.user)
    current = RiskPolicy.current()
    if request.method == "POST" and not editable:
        messages.error(request, _("Only an officer of the city bureau may change the risk grading policy."))
        return redirect("risk:policy")
    form = RiskPolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.risk_policy_update(officer=request.user, **values)
        except services.RiskError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The policy is saved and every vendor is regraded."))
            return redirect("risk:policy")
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    context = {"form": form, "editable": editable, "policy": current, "bands": selectors.bands_text(current)}
    status = 400 if request.method == "POST" else 200
    return render(request, "risk/policy.html", context, status=status)
