"""Production: every secret and host comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
MFA_REQUIRED_FOR_BUREAU = env_bool("MFA_REQUIRED_FOR_BUREAU", True)

# Real payments: Stripe unless a demo site says otherwise, explicitly. The deploy checks
# (manage.py check --deploy) warn about test keys and a stand-in gateway.
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "stripe")
PAYMENT_OFFLINE_ALLOWED = env_bool("PAYMENT_OFFLINE_ALLOWED", False)
if PAYMENT_PROVIDER == "offline" and not PAYMENT_OFFLINE_ALLOWED:
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=offline takes test cards and moves no money. Use stripe, or set "
        "PAYMENT_OFFLINE_ALLOWED=1 for a demo site."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Production sends real email through SMTP (the dev console backend would lose it).
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
        },
    }
}
