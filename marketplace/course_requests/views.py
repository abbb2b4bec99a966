"""Course request pages: a school administrator asks for a course and follows the answers;
a vendor's member answers.

School pages admit only an administrator of the school (``school_for_user_or_404``), vendor
pages only a member of the vendor (``vendor_for_user_or_404``); requests are read only
through querysets of that school or vendor, so anyone else's is a 404. Every change is a
POST through ``services``, whose ``PurchaseError`` becomes a form error or a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.course_requests import selectors, services
from marketplace.course_requests.forms import AcceptForm, CourseRequestForm, DeclineForm
from marketplace.course_requests.models import CourseRequest
from marketplace.courses.models import Course
from marketplace.vendors.access import vendor_for_user_or_404
from schools.access import school_for_user_or_404


def _course_or_404(school, course_id: int) -> Course:
    """A vendor's approved course (the catalogue's), or one of this school's own; never another
    school's, nor a vendor's course that is not approved (a school must not learn that a draft
    or a rejected course exists). An approved course that cannot be bought (its vendor
    suspended, its price above the cap) is shown with the reason."""
    courses = Course.objects.select_related("vendor", "vendor__district", "category", "subject")
    visible = Q(vendor__isnull=False, review_status=Course.ReviewStatus.APPROVED) | Q(school=school)
    return get_object_or_404(courses.filter(visible), pk=course_id)


def _school_request_or_404(school, request_id: int) -> CourseRequest:
    return get_object_or_404(selectors.requests_of_school(school=school), pk=request_id)


def _vendor_request_or_404(vendor, request_id: int) -> CourseRequest:
    return get_object_or_404(selectors.requests_of_vendor(vendor=vendor), pk=request_id)


def _term_caps(school, course) -> list[dict]:
    """For each term open to requests: the cap in force and whether the course's price fits it."""
    rows = []
    for term in selectors.terms_open_for_requests():
        refusal, standard = services.price_refusal(school=school, term=term, price=course.price_per_session)
        rows.append({"term": term, "standard": standard, "refusal": refusal})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request, school_id: int, course_id: int):
    school = school_for_user_or_404(request.user, school_id)
    course = _course_or_404(school, course_id)
    refusal = services.course_refusal(school=school, course=course)
    form, status = None, 200
    if refusal is not None:
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        form = CourseRequestForm(request.POST, school=school, course=course)
        if form.is_valid():
            try:
                services.course_request_create(
                    school=school, course=course, user=request.user, **form.cleaned_data
                )
            except services.PurchaseError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The request has been sent to %(vendor)s.") % {"vendor": course.vendor}
                )
                return redirect("purchases:school_requests", school.pk)
        status = 400
    else:
        form = CourseRequestForm(school=school, course=course)
    context = {
        "school": school,
        "course": course,
        "refusal": refusal,
        "form": form,
        "term_caps": _term_caps(school, course) if refusal is None else [],
    }
    return render(request, "purchases/request_create.html", context, status=status)


@login_required
def school_requests(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    context = {"school": school, "course_requests": selectors.requests_of_school(school=school)}
    return render(request, "purchases/school_requests.html", context)


@login_required
@require_POST
def request_withdraw(request, school_id: int, request_id: int):
    """Withdraw the school's open request; a POST without ``confirm`` only asks to confirm."""
    school = school_for_user_or_404(request.user, school_id)
    course_request = _school_request_or_404(school, request_id)
    if not request.POST.get("confirm"):
        context = {"school": school, "course_request": course_request}
        return render(request, "purchases/withdraw_confirm.html", context)
    try:
        services.course_request_withdraw(course_request=course_request, user=request.user)
    except services.PurchaseError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request has been withdrawn."))
    return redirect("purchases:school_requests", school.pk)


@login_required
def vendor_requests(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    requests = list(selectors.requests_of_vendor(vendor=vendor))
    context = {
        "vendor": vendor,
        "open_requests": [r for r in requests if r.status == CourseRequest.Status.REQUESTED],
        "answered_requests": [r for r in requests if r.status != CourseRequest.Status.REQUESTED],
    }
    return render(request, "purchases/vendor_requests.html", context)


def _vendor_request_page(request, vendor, course_request, *, accept_form=None, decline_form=None, status=200):
    context = {
        "vendor": vendor,
        "course_request": course_request,
        "fits": selectors.instructor_fits_for_request(course_request),
        "candidate_slots": selectors.candidate_slots(course_request),
        "activities": course_request.activities.select_related("vendor_instructor").order_by("name"),
        "accept_form": accept_form or AcceptForm(course_request=course_request),
        "decline_form": decline_form or DeclineForm(),
    }
    return render(request, "purchases/vendor_request.html", context, status=status)


@login_required
def vendor_request(request, vendor_id: int, request_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    return _vendor_request_page(request, vendor, _vendor_request_or_404(vendor, request_id))


@login_required
@require_POST
def request_accept(request, vendor_id: int, request_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course_request = _vendor_request_or_404(vendor, request_id)
    form = AcceptForm(request.POST, course_request=course_request)
    if form.is_valid():
        try:
            activities = services.course_request_accept(
                course_request=course_request,
                user=request.user,
                instructors=list(form.cleaned_data["instructors"]),
                note=form.cleaned_data["note"],
            )
        except services.PurchaseError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Accepted: %(count)s activity added to the school's timetable.",
                    "Accepted: %(count)s activities added to the school's timetable.",
                    len(activities),
                )
                % {"count": len(activities)},
            )
            return redirect("purchases:vendor_request", vendor.pk, course_request.pk)
    course_request.refresh_from_db()
    return _vendor_request_page(request, vendor, course_request, accept_form=form, status=400)


@login_required
@require_POST
def request_decline(request, vendor_id: int, request_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    course_request = _vendor_request_or_404(vendor, request_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.course_request_decline(
                course_request=course_request, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.PurchaseError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The request has been declined."))
            return redirect("purchases:vendor_request", vendor.pk, course_request.pk)
    course_request.refresh_from_db()
    return _vendor_request_page(request, vendor, course_request, decline_form=form, status=400)
