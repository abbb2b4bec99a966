from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "people.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.mfa.signals import authenticator_added

        # Imported here: signin uses allauth's models, which load only once the app registry is ready.
        from people.accounts.signin import record_second_factor_on_activation

        authenticator_added.connect(record_second_factor_on_activation, dispatch_uid="one_door_mfa")
