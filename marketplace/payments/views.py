"""Payment pages: start paying a child's term, the card page, the return, the gateway's webhook."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.money import format_yuan
from marketplace.fees.quotes import QuoteError
from marketplace.households.access import household_for_user_or_404
from marketplace.payments import selectors, services
from marketplace.payments.models import Payment
from marketplace.payments.providers import WebhookSignatureError, get_provider
from schools.models import Term


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
        return redirect(f"{reverse('fees:quote', args=[household.pk, child.pk])}?term={term.pk}")
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
