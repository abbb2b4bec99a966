"""Fee pages: a family's quote and waiver request; a school's waivers to decide."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.money import format_yuan
from core.params import parse_id
from marketplace.fees import selectors, services
from marketplace.fees.forms import FeePolicyForm, StudyLeaveForm, WaiverDecisionForm, WaiverRequestForm
from marketplace.fees.models import SchoolFeePolicy, Waiver
from marketplace.fees.quotes import QuoteError, quote_for, study_left_on
from marketplace.households.access import household_for_user_or_404
from marketplace.payments.selectors import amount_due
from schools.access import school_for_user_or_404
from schools.models import Term
from schools.selectors import term_current


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _child_and_term(request, household_id: int, child_id: int):
    household = household_for_user_or_404(request.user, household_id)
    child = get_object_or_404(
        household.children.select_related("school_class__school__district"), pk=child_id
    )
    term_id = request.POST.get("term") or request.GET.get("term")
    if term_id:
        # Checked in Python: an id beyond 64 bits must not reach the database (core.params).
        term_pk = parse_id(term_id)
        if term_pk is None:
            raise Http404("No such term")
        term = get_object_or_404(Term, pk=term_pk)
    else:
        term = term_current()
    return household, child, term


def _quote_page(request, household, child, term, form, status=200):
    quote = error = None
    due = []
    if term is not None:
        try:
            quote = quote_for(child=child, term=term)
        except QuoteError as exc:
            error = exc.messages[0]
        else:
            due = amount_due(child=child, term=term, quote=quote)
    waiver = selectors.waiver_of(child=child, term=term) if term is not None else None
    left_on = study_left_on(child, term) if term is not None else None
    can_ask = term is not None and (waiver is None or waiver.status == Waiver.Status.REJECTED)
    context = {
        "household": household,
        "child": child,
        "term": term,
        "quote": quote,
        "quote_error": error,
        "due": due,
        "due_total": sum((line.amount for line in due), Decimal("0.00")),
        "waiver": waiver,
        "form": form if can_ask else None,
        "study_left_on": left_on,
    }
    return render(request, "fees/quote.html", context, status=status)


@login_required
@require_GET
def quote(request, household_id: int, child_id: int):
    """A parent's quote for one child: each line with its standard and approval document."""
    household, child, term = _child_and_term(request, household_id, child_id)
    return _quote_page(request, household, child, term, WaiverRequestForm())


@login_required
@require_POST
def waiver_request_view(request, household_id: int, child_id: int):
    household, child, term = _child_and_term(request, household_id, child_id)
    if term is None:
        raise Http404("No term")
    form = WaiverRequestForm(request.POST)
    if form.is_valid():
        try:
            services.waiver_request(
                child=child,
                term=term,
                user=request.user,
                kind=form.cleaned_data["kind"],
                percent=form.cleaned_data["percent"],
                reason=form.cleaned_data["reason"],
            )
        except services.WaiverError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your waiver request has been sent to the school."))
            url = reverse("fees:quote", args=[household.pk, child.pk])
            return redirect(f"{url}?term={term.pk}")
    return _quote_page(request, household, child, term, form, status=400)


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
            _add_errors(form, error)
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
            _add_errors(form, error)
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


@login_required
def study_leave_view(request, household_id: int, child_id: int):
    """A parent takes a child out of supervised study from a date: the form, then a
    confirmation step (nothing changes until the parent confirms), then the refund."""
    household, child, term = _child_and_term(request, household_id, child_id)
    if term is None:
        raise Http404("No term")
    left_on = study_left_on(child, term)
    form = StudyLeaveForm(request.POST or None)
    confirming = False
    status = 200
    if request.method == "POST" and left_on is None and form.is_valid():
        if request.POST.get("confirm") == "yes":
            try:
                _plan, refunds = services.study_leave(
                    child=child, term=term, user=request.user, on=form.cleaned_data["on"]
                )
            except services.StudyLeaveError as error:
                _add_errors(form, error)
                status = 400
            else:
                total = sum((entry.amount for entry in refunds), Decimal("0.00"))
                messages.success(
                    request,
                    _("%(child)s leaves supervised study; %(amount)s is being refunded to your card.")
                    % {"child": child.name, "amount": format_yuan(total)},
                )
                return redirect("ledger:household")
        else:
            confirming = True
    elif request.method == "POST":
        status = 400
    context = {
        "household": household,
        "child": child,
        "term": term,
        "form": form,
        "confirming": confirming,
        "study_left_on": left_on,
    }
    return render(request, "fees/study_leave.html", context, status=status)
