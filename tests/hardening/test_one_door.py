"""One door in: only allauth's flow (password, verified email, rate limits, the second
factor) opens a session. Django's and Wagtail's own sign-in routes open none, and a
session that skipped the second factor or allauth is closed."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import override_settings
from django.urls import reverse

from people.accounts.models import User
from people.roles.models import Membership, Role

pytestmark = pytest.mark.django_db

PASSWORD = "Qiuyue-2026!"
# Every sign-in route that is not allauth's.
OTHER_DOORS = ["/pages/_util/login/", "/cms-admin/login/", "/django-admin/login/"]


def account(email="officer@example.cn", *, verified=True, staff=False, role=Role.BUREAU_OFFICER):
    user = User.objects.create_user(email=email, password=PASSWORD, is_staff=staff, is_superuser=staff)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    if role:
        Membership.objects.create(user=user, role=role)
    return user


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def post_password(client, door, email):
    """Email and password under every field name a sign-in form might read."""
    return client.post(door, {"username": email, "email": email, "login": email, "password": PASSWORD})


@pytest.mark.parametrize("door", OTHER_DOORS)
def test_a_password_post_to_another_door_opens_no_session(client, door):
    account(staff=True)
    response = post_password(client, door, "officer@example.cn")
    assert not signed_in(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("door", OTHER_DOORS)
def test_another_door_keeps_a_safe_next_only(client, door):
    response = client.get(door + "?next=/cms-admin/pages/")
    assert response["Location"] == reverse("account_login") + "?next=%2Fcms-admin%2Fpages%2F"
    response = client.get(door + "?next=https://evil.test/")
    assert response["Location"] == reverse("account_login")


@pytest.mark.parametrize("door", OTHER_DOORS)
def test_another_door_skips_neither_verification_nor_rate_limit(client, door):
    account("new@example.cn", verified=False, role=None)
    post_password(client, door, "new@example.cn")
    assert not signed_in(client)
    account("li@example.cn")
    for _ in range(30):
        client.post(door, {"username": "li@example.cn", "login": "li@example.cn", "password": "wrong"})
    post_password(client, door, "li@example.cn")
    assert not signed_in(client)


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
@pytest.mark.parametrize("door", [*OTHER_DOORS, "/accounts/login/"])
def test_an_officer_with_two_factor_gets_no_session_on_a_password_alone(client, door):
    officer = account()
    with_totp(officer)
    post_password(client, door, "officer@example.cn")
    assert not signed_in(client)
    assert client.get(reverse("portal:bureau_city")).status_code == 302


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
def test_the_second_factor_through_allauth_opens_the_bureau_pages(client):
    officer = account()
    secret = with_totp(officer)
    response = client.post(reverse("account_login"), {"login": "officer@example.cn", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    client.post(reverse("mfa_authenticate"), {"code": code_now(secret)})
    assert signed_in(client)
    assert client.get(reverse("portal:bureau_city")).status_code == 200


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
@pytest.mark.parametrize("path", ["/home/", "/cms-admin/", "/django-admin/"])
def test_a_session_without_the_second_factor_is_closed(client, path):
    """A session opened by any other means (here: Django's login, as the old doors did) for
    an account with two-factor authentication is closed on its next request."""
    officer = account(staff=True)
    with_totp(officer)
    client.force_login(officer)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)


@pytest.mark.parametrize("path", ["/cms-admin/", "/django-admin/"])
def test_the_admin_areas_take_only_sessions_that_allauth_opened(client, path):
    account("root@example.cn", staff=True, role=None)
    client.force_login(User.objects.get(email="root@example.cn"))
    response = client.get(path)
    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)

    client.post(reverse("account_login"), {"login": "root@example.cn", "password": PASSWORD})
    assert signed_in(client)
    assert client.get(path).status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth signals the new authenticator after commit
def test_setting_up_two_factor_keeps_the_session_that_did_it(client):
    user = account("li@example.cn", role=None)
    client.post(reverse("account_login"), {"login": "li@example.cn", "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password once more first
        client.post(response["Location"], {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))  # the secret is made and kept in the session
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("roles:home")).status_code in (200, 302)
    assert signed_in(client)


def test_the_cms_admins_password_reset_is_allauths(client):
    from django.core import mail

    account("root@example.cn", staff=True, role=None)
    response = client.post("/cms-admin/password_reset/", {"email": "root@example.cn"})
    assert response["Location"] == reverse("account_reset_password")
    assert not mail.outbox
