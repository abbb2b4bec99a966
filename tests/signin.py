"""Signing a test client in as allauth's flow would leave the session.

``client.force_login`` opens a session the way Django's own sign-in views did; the admin
areas take only sessions that allauth opened (see ``people.accounts.signin``), so tests of
those areas sign in with this instead.
"""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)


def sign_in_through_allauth(client, user, *methods: str) -> None:
    """``user`` signed in, with allauth's records of ``methods`` (default: a password)."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": method, "at": time.time()} for method in (methods or ("password",))
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
