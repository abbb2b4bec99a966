"""The vendor's course pages: writing a course, its page, submitting it for review, its
documents. (The reviewer's home and the document download are pages of the course review,
``marketplace.reviews``.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_error
from marketplace.courses import services
from marketplace.courses.forms import (
    CourseDocumentForm,
    CourseForm,
    plan_formset,
    plans_from,
)
from marketplace.courses.selectors import (
    course_facts,
    course_missing_items,
    course_of_vendor_or_404,
    enrichment_caps_in_force,
    rounds_of_course,
)
from marketplace.vendors.access import vendor_for_user_or_404
from schools.selectors import today


def _course_form_page(request, vendor, course=None):
    editing = course is not None
    if request.method == "POST":
        form = CourseForm(request.POST, vendor=vendor, instance=course)
        formset = plan_formset(data=request.POST, course=course)
        if form.is_valid() and formset.is_valid():
            arguments = {
                "user": request.user,
                "instructors": form.cleaned_data["instructors"],
                "plans": plans_from(formset),
                **form.course_fields(),
            }
            try:
                if editing:
                    course = services.course_update(course=course, **arguments)
                else:
                    course = services.course_create(vendor=vendor, **arguments)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The course was saved."))
                return redirect("courses:vendor_course", vendor.pk, course.pk)
    else:
        form = CourseForm(vendor=vendor, instance=course)
        formset = plan_formset(course=course)
    context = {"vendor": vendor, "course": course, "form": form, "formset": formset, "editing": editing}
    return render(request, "courses/course_form.html", context)


@login_required
def course_new(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    if not vendor.is_approved:
        messages.error(request, _("Only an approved vendor may offer courses."))
        return redirect("vendors:vendor_home", vendor.pk)
    return _course_form_page(request, vendor)


@login_required
def course_edit(request, vendor_id: int, course_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course = course_of_vendor_or_404(vendor=vendor, course_id=course_id)
    if not course.is_editable:
        messages.error(request, _("A course under review or approved cannot be changed."))
        return redirect("courses:vendor_course", vendor.pk, course.pk)
    return _course_form_page(request, vendor, course)


def _detail_page(request, vendor, course, document_form=None, status=200):
    context = {
        "vendor": vendor,
        "course": course,
        **course_facts(course=course),
        "missing": course_missing_items(course=course) if course.is_editable else [],
        "rounds": rounds_of_course(course=course),
        "document_form": document_form or CourseDocumentForm(),
        "caps": enrichment_caps_in_force(on=today()),
    }
    return render(request, "courses/course_detail.html", context, status=status)


@login_required
def course_detail(request, vendor_id: int, course_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course = course_of_vendor_or_404(vendor=vendor, course_id=course_id)
    return _detail_page(request, vendor, course)


@login_required
@require_POST
def course_submit(request, vendor_id: int, course_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course = course_of_vendor_or_404(vendor=vendor, course_id=course_id)
    try:
        review = services.course_submit(course=course, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The course was sent to the %(committee)s (round %(round)s).")
            % {"committee": review.committee, "round": review.round},
        )
    return redirect("courses:vendor_course", vendor.pk, course.pk)


@login_required
@require_POST
def course_document_add(request, vendor_id: int, course_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course = course_of_vendor_or_404(vendor=vendor, course_id=course_id)
    form = CourseDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.course_document_add(
                course=course,
                user=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The document was added."))
            return redirect("courses:vendor_course", vendor.pk, course.pk)
    return _detail_page(request, vendor, course, document_form=form, status=400)


@login_required
@require_POST
def course_document_remove(request, vendor_id: int, course_id: int, document_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course = course_of_vendor_or_404(vendor=vendor, course_id=course_id)
    document = get_object_or_404(course.documents, pk=document_id)
    try:
        services.course_document_remove(document=document, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The document was removed."))
    return redirect("courses:vendor_course", vendor.pk, course.pk)
