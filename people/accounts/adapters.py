from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Send everyone to their role's home page after login."""

    def get_login_redirect_url(self, request):
        return reverse("roles:home")
