from django.conf import settings
from django.shortcuts import redirect

from people.accounts.signin import mfa_enabled
from people.roles.access import has_role
from people.roles.models import Role

# Paths a bureau officer may open before two-factor authentication is set up.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/media/")


class BureauMfaRequiredMiddleware:
    """When ``MFA_REQUIRED_FOR_BUREAU`` is on, bureau officers must set up 2FA first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        if not settings.MFA_REQUIRED_FOR_BUREAU or not request.user.is_authenticated:
            return False
        if request.path.startswith(_OPEN_PREFIXES):
            return False
        if not has_role(request.user, Role.BUREAU_OFFICER):
            return False

        return not mfa_enabled(request.user)
