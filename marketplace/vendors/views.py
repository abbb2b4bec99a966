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
from core.params import query_id
from marketplace.vendors import selectors, services
from marketplace.vendors.forms import (
    AvailabilityFormSet,
    DecisionForm,
    DocumentForm,
    InstructorForm,
    VendorListFilterForm,
    VendorProfileForm,
)
from marketplace.vendors.models import Vendor, VendorDecision
from marketplace.vendors.services import VendorError
from people.roles.access import (
    bureau_district_ids,
    require_role,
    vendor_for_officer_or_404,
    vendor_for_user_or_404,
    vendor_ids_for,
)
from people.roles.models import Role

# The officer's buttons, one per decision.
ACTION_VERBS = {
    VendorDecision.Action.APPROVED: gettext_lazy("Approve"),
    VendorDecision.Action.REJECTED: gettext_lazy("Reject"),
    VendorDecision.Action.CHANGES_REQUESTED: gettext_lazy("Request changes"),
    VendorDecision.Action.SUSPENDED: gettext_lazy("Suspend"),
    VendorDecision.Action.REVOKED: gettext_lazy("Revoke"),
    VendorDecision.Action.REINSTATED: gettext_lazy("Reinstate"),
}


def _error_text(error: VendorError) -> str:
    return " ".join(error.messages)


def _add_errors(form, error: VendorError) -> None:
    """Put a service refusal on the form: per field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


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
            _add_errors(form, error)
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
            _add_errors(form, error)
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
            _add_errors(form, error)
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
            _add_errors(form, error)
        else:
            messages.success(request, _("The document is uploaded."))
            return redirect("vendors:documents", vendor.pk)
    context = {
        "vendor": vendor,
        "documents": selectors.documents_of_vendor(vendor=vendor),
        "form": form,
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
        "missing": [],
        "instructors": selectors.instructors_of_vendor(vendor=vendor),
        "documents": selectors.documents_of_vendor(vendor=vendor),
        "actions": [(a, ACTION_VERBS[a]) for a in services.officer_actions(vendor)],
        "needs_reason": VendorDecision.NEEDS_REASON,
        "form": form,
    }
    return render(request, "vendors/officer_detail.html", context, status=status)


@login_required
@require_POST
def officer_decide(request, vendor_id: int):
    vendor = vendor_for_officer_or_404(request.user, vendor_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _officer_detail(request, vendor, form, status=400)
    try:
        decision = services.vendor_decide(
            vendor=vendor,
            officer=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except VendorError as error:
        _add_errors(form, error)
        return _officer_detail(request, vendor, form, status=400)
    messages.success(
        request,
        _("%(vendor)s: %(action)s.")
        % {"vendor": vendor.display_name, "action": decision.get_action_display()},
    )
    return redirect("vendors:officer_detail", vendor.pk)


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
