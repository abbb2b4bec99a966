"""One door in: allauth's sign-in flow is the only way to a session.

Django's and Wagtail's own sign-in views take a password and nothing else: no email
verification, no rate limit, no second factor. Their routes are sent to allauth's page
(``login_elsewhere``), and ``OneDoorMiddleware`` refuses a session that did not come
through allauth where it matters:

* an account with two-factor authentication needs the second factor recorded in the
  session, on every route (a session opened by a password alone is closed);
* the admin areas (``/cms-admin/``, ``/django-admin/``) need a session that allauth opened.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# Areas whose sessions must have been opened by allauth's flow.
ADMIN_PREFIXES = ("/cms-admin/", "/django-admin/")


def _sign_in_url(request, next_url: str | None) -> str:
    url = resolve_url(settings.LOGIN_URL)
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return url


def login_elsewhere(request, *args, **kwargs):
    """Stands in for Django's and Wagtail's sign-in views: whatever is posted, no one is
    signed in here; the visitor goes to allauth's page, keeping a safe ``next``."""
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    return HttpResponseRedirect(_sign_in_url(request, next_url))


def session_methods(request) -> set[str]:
    """The sign-in methods allauth recorded for this session's user ("password", "mfa"…)."""
    return {record.get("method") for record in get_authentication_records(request, request.user)}


def mfa_enabled(user) -> bool:
    """Has ``user`` set up two-factor authentication? Asked once per request."""
    cached = getattr(user, "_mfa_enabled_cache", None)
    if cached is None:
        from allauth.mfa.utils import is_mfa_enabled

        cached = user._mfa_enabled_cache = is_mfa_enabled(user)
    return cached


def session_refusal(request) -> str | None:
    """Why this signed-in session may not go on (a stable code), or ``None``."""
    methods = session_methods(request)
    if "mfa" not in methods and mfa_enabled(request.user):
        return "second_factor_missing"
    if request.path.startswith(ADMIN_PREFIXES) and not methods:
        return "not_signed_in_through_allauth"
    return None


class OneDoorMiddleware:
    """Close sessions that skipped allauth's flow (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and session_refusal(request):
            logout(request)
            return HttpResponseRedirect(_sign_in_url(request, request.get_full_path()))
        return self.get_response(request)


def record_second_factor_on_activation(sender, request, user, authenticator, **kwargs):
    """Setting up TOTP proves the second factor (the user entered a code from it), so the
    session that set it up carries it, as a sign-in with the code would."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    if getattr(request, "user", None) is not None and request.user.pk == user.pk:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
