"""Payment pages: a family's fees for a child (the quote, what is due, asking for a waiver,
leaving supervised study), start paying a child's term, the card page, the return, the
gateway's webhook.

The fee pages keep their addresses under ``/fees/`` (see ``urls``).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from core.money import format_yuan
from core.params import parse_id
from marketplace.billing.quotes import QuoteError, quote_for, study_left_on
from marketplace.fees import services as fee_services
from marketplace.fees.forms import WaiverRequestForm
from marketplace.fees.models import Waiver
from marketplace.fees.selectors import waiver_of
from marketplace.households.access import household_for_user_or_404
from marketplace.payments import selectors, services
from marketplace.payments.forms import StudyLeaveForm
from marketplace.payments.models import Payment
from marketplace.payments.providers import WebhookSignatureError, get_provider
from schools.models import Term
from schools.selectors import term_current

# --- a family's fees for a child -----------------------------------------------------------


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
            due = selectors.amount_due(child=child, term=term, quote=quote)
    waiver = waiver_of(child=child, term=term) if term is not None else None
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
    return render(request, "payments/quote.html", context, status=status)


@login_required
@require_GET
def quote(request, household_id: int, child_id: int):
    """A parent's quote for one child: each line with its standard and approval document,
    what is still to pay, and the waiver (asked for here)."""
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
            fee_services.waiver_request(
                child=child,
                term=term,
                user=request.user,
                kind=form.cleaned_data["kind"],
                percent=form.cleaned_data["percent"],
                reason=form.cleaned_data["reason"],
            )
        except fee_services.WaiverError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your waiver request has been sent to the school."))
            url = reverse("payments:quote", args=[household.pk, child.pk])
            return redirect(f"{url}?term={term.pk}")
    return _quote_page(request, household, child, term, form, status=400)


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
                add_service_error(form, error)
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
    return render(request, "payments/study_leave.html", context, status=status)


# --- paying ----------------------------------------------------------------------------------


def _payment_or_404(request, household_id: int, payment_id: int) -> Payment:
    household = household_for_user_or_404(request.user, household_id)
    return get_object_or_404(
        Payment.objects.select_related("child", "term", "household").prefetch_related(
            "lines__activity", "lines__refunds"
        ),
        pk=payment_id,
        household=household,
    )


@login_required
@require_POST
def start(request, household_id: int, child_id: int):
    """Start paying what is due for the child's term, then go to the card page."""
    household = household_for_user_or_404(request.user, household_id)
    child = get_object_or_404(household.children.select_related("school_class__school"), pk=child_id)
    try:
        term = get_object_or_404(Term, pk=int(request.POST.get("term", "")))
    except ValueError:
        raise Http404("No such term") from None
    try:
        payment = services.payment_start(child=child, term=term, user=request.user)
    except (services.PaymentRefused, QuoteError) as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('payments:quote', args=[household.pk, child.pk])}?term={term.pk}")
    return redirect("payments:pay", household.pk, payment.pk)


@login_required
@require_GET
def pay(request, household_id: int, payment_id: int):
    """The card page (Stripe.js card element, or the demo's test cards), or the receipt."""
    payment = _payment_or_404(request, household_id, payment_id)
    provider = services.provider_for(payment)
    context = {
        "payment": payment,
        "household": payment.household,
        "provider": provider.name,
        "publishable_key": getattr(provider, "publishable_key", ""),
        "stripe_js_url": settings.STRIPE_JS_URL,
        "test_cards": provider.supports_test_cards,
    }
    return render(request, "payments/pay.html", context)


@login_required
@require_POST
def confirm(request, household_id: int, payment_id: int):
    """Pay with the card the family entered. Answers JSON to the page's script; a plain form
    post (the demo's test cards without script) is redirected back with a message."""
    payment = _payment_or_404(request, household_id, payment_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = reverse("payments:pay", args=[payment.household_id, payment.pk])
    try:
        intent = services.payment_confirm(
            payment=payment, payment_method=request.POST.get("payment_method", "")
        )
    except services.PaymentRefused as error:
        message = " ".join(error.messages)
        if wants_json:
            return JsonResponse({"error": message}, status=402)
        messages.error(request, message)
        return redirect(back)
    done = reverse("payments:done", args=[payment.household_id, payment.pk])
    if wants_json:
        body = {"status": intent.status, "redirect": done}
        if intent.status == "requires_action":
            body["client_secret"] = payment.client_secret
        return JsonResponse(body)
    return redirect(done)


@login_required
@require_GET
def done(request, household_id: int, payment_id: int):
    """The family's return from checkout: read the intent back from the gateway and record it."""
    payment = services.payment_sync(payment=_payment_or_404(request, household_id, payment_id))
    if payment.status == Payment.Status.SUCCEEDED:
        messages.success(
            request,
            _("Thank you: the payment of %(amount)s was received.") % {"amount": format_yuan(payment.amount)},
        )
    elif payment.status == Payment.Status.PENDING:
        messages.warning(
            request,
            payment.failure or _("The payment is not complete yet; this page updates when it is confirmed."),
        )
    return redirect("payments:pay", payment.household_id, payment.pk)


@login_required
@require_GET
def history(request, household_id: int):
    """The household's payments and refunds."""
    household = household_for_user_or_404(request.user, household_id)
    return render(
        request,
        "payments/history.html",
        {"household": household, "payments": selectors.payments_of_household(household)},
    )


@csrf_exempt
@require_POST
def webhook(request):
    """The gateway's webhook: verify the signature, record the event once.

    400 (and nothing written) for a missing or wrong signature or a malformed body; 200 for a
    verified event, including a replayed one (the gateway must stop retrying it)."""
    provider = get_provider()
    try:
        event = provider.parse_webhook(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature", "")
        )
    except WebhookSignatureError as error:
        return HttpResponseBadRequest(str(error))
    services.payment_record_event(event=event)
    return HttpResponse("ok")
