"""Vendor pages: registration, the clerk's application (profile, instructors, documents,
submit), and the bureau's side (review queue, decisions, approved list).

Clerks reach their vendor through ``vendor_for_user_or_404`` and officers through
``vendor_for_officer_or_404``; instructors and documents are looked up inside that vendor, so
another tenant's object is a 404. Every change is a POST through ``services``; a refusal
(``VendorError``) becomes a form error or a message, and nothing is written.
"""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.downloads import set_download_name
from core.forms import add_service_error
from core.params import query_id
from marketplace.vendors import selectors, services
from marketplace.vendors.access import vendor_for_officer_or_404, vendor_for_user_or_404
from marketplace.vendors.forms import (
    AmendmentDecisionForm,
    AvailabilityFormSet,
    ContactChangeForm,
    DecisionForm,
    DocumentForm,
    InstructorForm,
    VendorListFilterForm,
    VendorPolicyForm,
    VendorProfileForm,
)
from marketplace.vendors.models import Vendor, VendorDecision
from marketplace.vendors.services import VendorError
from people.roles.access import bureau_district_ids, bureau_membership_or_404, require_role, vendor_ids_for
from people.roles.models import Role

# The officer's buttons, one per decision.
ACTION_VERBS = {
    VendorDecision.Action.APPROVED: gettext_lazy("Approve"),
    VendorDecision.Action.REJECTED: gettext_lazy("Reject"),
    VendorDecision.Action.CHANGES_REQUESTED: gettext_lazy("Request changes"),
    VendorDecision.Action.SUSPENDED: gettext_lazy("Suspend"),
    VendorDecision.Action.REVOKED: gettext_lazy("Revoke"),
    VendorDecision.Action.REINSTATED: gettext_lazy("Reinstate"),
    VendorDecision.Action.REOPENED: gettext_lazy("Reopen the decision"),
}


def _error_text(error: VendorError) -> str:
    return " ".join(error.messages)


def _application_context(vendor: Vendor) -> dict:
    return {
        "vendor": vendor,
        "decisions": selectors.decisions_of_vendor(vendor=vendor),
        "latest_decision": selectors.latest_decision(vendor=vendor),
        "missing": selectors.vendor_missing_items(vendor=vendor) if vendor.is_editable else [],
        "instructors_editable": services.instructors_editable(vendor),
    }


# --- the clerk's side -----------------------------------------------------------------------


@login_required
def register(request):
    """A signed-up user without an institution registers one (a draft application)."""
    owned = vendor_ids_for(request.user)
    if owned:
        messages.info(request, _("Your account already belongs to an institution."))
        return redirect("vendors:vendor_home", min(owned))
    form = VendorProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_register(user=request.user, **form.cleaned_data)
        except VendorError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The institution is registered. Add instructors and documents, then submit it for review."),
            )
            return redirect("vendors:vendor_home", vendor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/register.html", {"form": form}, status=status)


@login_required
@require_GET
def vendor_home(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    context = {
        **_application_context(vendor),
        "instructors": selectors.instructors_of_vendor(vendor=vendor),
        "documents": selectors.documents_of_vendor(vendor=vendor),
        "courses": vendor.courses.select_related("category", "subject").order_by("title"),
        "activities": vendor.activities.select_related("school", "term").order_by("school__code", "name"),
        "reapply_from": selectors.reapply_date(vendor=vendor)
        if vendor.status == Vendor.Status.REJECTED
        else None,
        "amendments": selectors.amendments_of_vendor(vendor=vendor)[:20],
    }
    return render(request, "vendors/vendor_home.html", context)


@login_required
def edit(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    if not vendor.is_editable:
        messages.error(
            request,
            _("The application cannot be changed while it is “%(status)s”.")
            % {"status": vendor.get_status_display()},
        )
        return redirect("vendors:vendor_home", vendor.pk)
    # The form works on a copy, so a rejected edit does not show in the page's heading.
    form = VendorProfileForm(request.POST or None, instance=Vendor.objects.get(pk=vendor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_update(vendor=vendor, user=request.user, **form.cleaned_data)
        except VendorError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("vendors:vendor_home", vendor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/vendor_edit.html", {"vendor": vendor, "form": form}, status=status)


@login_required
@require_GET
def instructors(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    context = {
        "vendor": vendor,
        "instructors": selectors.instructors_of_vendor(vendor=vendor),
        "instructors_editable": services.instructors_editable(vendor),
    }
    return render(request, "vendors/instructors.html", context)


def _instructor_page(request, vendor, instructor=None):
    if not services.instructors_editable(vendor):
        messages.error(
            request,
            _("The vendor is “%(status)s”: its instructors cannot be changed now.")
            % {"status": vendor.get_status_display()},
        )
        return redirect("vendors:instructors", vendor.pk)
    initial = []
    if instructor is not None:
        initial = [
            {"weekday": w.weekday, "start": w.start, "end": w.end}
            for w in instructor.availability.order_by("weekday", "start")
        ]
    form = InstructorForm(request.POST or None, instance=instructor)
    formset = AvailabilityFormSet(request.POST or None, initial=initial, prefix="windows")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            services.instructor_save(
                vendor=vendor,
                user=request.user,
                instructor=instructor,
                name=form.cleaned_data["name"],
                subjects=form.cleaned_data["subjects"],
                qualifications=form.cleaned_data["qualifications"],
                max_sessions=form.cleaned_data["max_sessions"],
                windows=formset.windows(),
            )
        except VendorError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The instructor is saved."))
            return redirect("vendors:instructors", vendor.pk)
    context = {"vendor": vendor, "instructor": instructor, "form": form, "formset": formset}
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/instructor_form.html", context, status=status)


@login_required
def instructor_add(request, vendor_id: int):
    return _instructor_page(request, vendor_for_user_or_404(request.user, vendor_id))


@login_required
def instructor_edit(request, vendor_id: int, instructor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    return _instructor_page(request, vendor, get_object_or_404(vendor.instructors, pk=instructor_id))


@login_required
@require_POST
def instructor_delete(request, vendor_id: int, instructor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    instructor = get_object_or_404(vendor.instructors, pk=instructor_id)
    try:
        services.instructor_delete(instructor=instructor, user=request.user)
    except VendorError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": instructor.name})
    return redirect("vendors:instructors", vendor.pk)


@login_required
def documents(request, vendor_id: int):
    """The application's documents; a POST uploads one."""
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    form = DocumentForm(request.POST or None, request.FILES or None, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(vendor=vendor, user=request.user, **form.cleaned_data)
        except VendorError as error:
            add_service_error(form, error)
        else:
            if vendor.is_approved:
                messages.success(request, _("The document is uploaded and sent to the bureau for approval."))
            else:
                messages.success(request, _("The document is uploaded."))
            return redirect("vendors:documents", vendor.pk)
    context = {
        "vendor": vendor,
        "documents": selectors.documents_of_vendor(vendor=vendor),
        "form": form,
        # An approved vendor files renewed documents as amendments for the officer.
        "may_upload": vendor.is_editable or vendor.is_approved,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/documents.html", context, status=status)


@login_required
@require_POST
def document_delete(request, vendor_id: int, document_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    document = get_object_or_404(vendor.documents, pk=document_id)
    try:
        services.document_delete(document=document, user=request.user)
    except VendorError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(title)s” is deleted.") % {"title": document.title})
    return redirect("vendors:documents", vendor.pk)


@login_required
@require_GET
@never_cache
def document_download(request, vendor_id: int, document_id: int):
    """A document's file, for the vendor's members and the officers over its district only
    (files are never linked by their public media URL)."""
    vendor = vendor_for_user_or_404(request.user, vendor_id, bureau=True)
    document = get_object_or_404(vendor.documents, pk=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing") from None
    response = FileResponse(handle, as_attachment=True, content_type=document.content_type)
    # Named after its title (the stored name is the uploader's original one, or the storage's).
    return set_download_name(response, document.title, os.path.splitext(document.file.name)[1])


@login_required
@require_POST
def submit(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    try:
        services.vendor_submit(vendor=vendor, user=request.user)
    except VendorError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The application is submitted to the district's education bureau."))
    return redirect("vendors:vendor_home", vendor.pk)


# --- the bureau's side ----------------------------------------------------------------------


def _district_filter(request) -> int | None:
    """``?district=<id>``; ``None`` (every district) when absent or no id at all."""
    return query_id(request.GET, "district")


@login_required
@require_GET
def officer_queue(request):
    """Submitted applications waiting for a decision by this officer."""
    require_role(request.user, Role.BUREAU_OFFICER)
    district_id = _district_filter(request)
    waiting = selectors.vendors_for_officer(user=request.user).filter(status=Vendor.Status.CHANGES_REQUESTED)
    if district_id is not None:
        waiting = waiting.filter(district_id=district_id)
    context = {
        "vendors": selectors.vendor_review_queue(user=request.user, district_id=district_id),
        "changes_requested": waiting.order_by("name"),
        "amendments": selectors.amendment_queue(user=request.user),
        "is_city_officer": bureau_district_ids(request.user) is None,
    }
    return render(request, "vendors/officer_queue.html", context)


@login_required
@require_GET
def officer_detail(request, vendor_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    return _officer_detail(request, vendor, DecisionForm())


def _officer_detail(request, vendor, form, status=200):
    context = {
        **_application_context(vendor),
        # The officer sees what the approval would refuse for (see ``vendor_incomplete``).
        "missing": selectors.vendor_missing_items(vendor=vendor)
        if vendor.status == Vendor.Status.SUBMITTED
        else [],
        "instructors": selectors.instructors_of_vendor(vendor=vendor),
        "documents": selectors.documents_of_vendor(vendor=vendor),
        "actions": [(a, ACTION_VERBS[a]) for a in services.officer_actions(vendor)],
        "needs_reason": VendorDecision.NEEDS_REASON,
        "form": form,
        "pending_amendments": selectors.pending_amendments(vendor=vendor),
    }
    return render(request, "vendors/officer_detail.html", context, status=status)


@login_required
@require_POST
def officer_decide(request, vendor_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _officer_detail(request, vendor, form, status=400)
    if form.cleaned_data["action"] == VendorDecision.Action.REVOKED:
        # Revoking is for good and reaches schools and families: it is confirmed on its own
        # page, which names what it does.
        return redirect("portal:officer_revoke", vendor.pk)
    try:
        decision = services.vendor_decide(
            vendor=vendor,
            officer=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except VendorError as error:
        add_service_error(form, error)
        return _officer_detail(request, vendor, form, status=400)
    messages.success(
        request,
        _("%(vendor)s: %(action)s.")
        % {"vendor": vendor.display_name, "action": decision.get_action_display()},
    )
    return redirect("vendors:officer_detail", vendor.pk)


@login_required
@require_POST
def reapply(request, vendor_id: int):
    """A rejected institution applies again (after the bureau's waiting period)."""
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    try:
        services.vendor_reapply(vendor=vendor, user=request.user)
    except VendorError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The application is a draft again: complete it and submit it for review.")
        )
    return redirect("vendors:vendor_home", vendor.pk)


@login_required
@require_GET
def approved_list(request):
    """The approved list (or the suspended or revoked vendors) of the officer's districts."""
    require_role(request.user, Role.BUREAU_OFFICER)
    form = VendorListFilterForm(request.GET or None, district_ids=bureau_district_ids(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or Vendor.Status.APPROVED
    district, category = filters.get("district"), filters.get("category")
    vendors = selectors.vendor_list_for_officer(
        user=request.user,
        status=status,
        district_id=district.pk if district else None,
        category_id=category.pk if category else None,
    )
    context = {"form": form, "vendors": vendors, "status": Vendor.Status(status)}
    return render(request, "vendors/approved_list.html", context)


@login_required
def contact_change(request, vendor_id: int):
    """An approved vendor's new contact details, sent to the officer as an amendment."""
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    if not vendor.is_approved:
        messages.error(request, _("Change the profile instead: the application is not approved."))
        return redirect("vendors:vendor_home", vendor.pk)
    form = ContactChangeForm(request.POST or None, instance=Vendor.objects.get(pk=vendor.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_contact_change(
                vendor=vendor, user=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}
            )
        except VendorError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The new contact details are sent to the bureau for approval."))
            return redirect("vendors:vendor_home", vendor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/contact_change.html", {"vendor": vendor, "form": form}, status=status)


@login_required
@require_POST
def amendment_decide(request, vendor_id: int, amendment_id: int):
    """An officer approves or rejects one amendment of a vendor of their district."""
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    amendment = get_object_or_404(vendor.amendments, pk=amendment_id)
    form = AmendmentDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect("vendors:officer_detail", vendor.pk)
    try:
        services.amendment_decide(
            amendment=amendment,
            officer=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except VendorError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The amendment is decided."))
    return redirect("vendors:officer_detail", vendor.pk)


@login_required
def policy_settings(request):
    """The city bureau's vendor review settings (the waiting period before re-applying)."""
    bureau_membership_or_404(request.user, None)
    policy = selectors.vendor_policy()
    form = VendorPolicyForm(request.POST or None, initial={"reapply_after_days": policy.reapply_after_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_policy_save(
                user=request.user, reapply_after_days=form.cleaned_data["reapply_after_days"]
            )
        except VendorError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The vendor review settings were saved."))
            return redirect("vendors:policy_settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "vendors/policy_settings.html", {"form": form, "policy": policy}, status=status)
