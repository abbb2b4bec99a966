"""Accounts through django-allauth: sign-up with email verification, login by email,
password reset, logout, login rate limits, and two-factor authentication for bureau officers."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from people.accounts.models import User
from people.roles.models import Membership, Role

pytestmark = pytest.mark.django_db

PASSWORD = "Qiuyue-2026!"


def make_user(email="li.na@example.cn", *, verified=True):
    user = User.objects.create_user(email=email, password=PASSWORD, name="李娜")
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_signup_sends_a_verification_email_and_confirming_logs_in(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new.parent@example.cn", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.parent@example.cn")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified
    # A person with no role yet is told so on the role home page.
    response = client.get(reverse("roles:home"))
    assert response.status_code == 200
    assert b'data-testid="no-role"' in response.content


def test_unverified_email_cannot_log_in(client):
    make_user(verified=False)
    response = client.post(reverse("account_login"), {"login": "li.na@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert "confirm-email" in response.url or "verification" in response.url
    assert "_auth_user_id" not in client.session


def test_login_by_email_is_case_insensitive_and_lands_on_role_home(client):
    make_user()
    response = client.post(reverse("account_login"), {"login": "LI.NA@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("roles:home")


def test_password_reset_sends_a_working_link(client):
    make_user()
    client.post(reverse("account_reset_password"), {"email": "li.na@example.cn"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "Dongzhi-2027?"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert User.objects.get(email="li.na@example.cn").check_password(new_password)


def test_logout(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_login_failures_are_rate_limited(client):
    make_user()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "li.na@example.cn", "password": "wrong-one"}
        )
        assert b"Too many failed login attempts" not in response.content
    # After five failures for this email, even the right password is refused for a while.
    response = client.post(reverse("account_login"), {"login": "li.na@example.cn", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        "Too many failed login attempts" in response.content.decode()
        or "登录失败次数过多" in response.content.decode()
    )


def sign_in(client, email):
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302


def test_pages_offer_two_factor_set_up_to_everyone(client):
    make_user()
    sign_in(client, "li.na@example.cn")
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp").encode() in response.content
    # Activating asks for the password once more (allauth's reauthentication), then shows a QR code.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"<svg" in response.content or b"data:image" in response.content


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
def test_bureau_officer_must_set_up_two_factor_when_required(client):
    officer = make_user("officer@example.cn")
    Membership.objects.create(user=officer, role=Role.BUREAU_OFFICER)
    sign_in(client, "officer@example.cn")
    response = client.get(reverse("portal:bureau_city"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # The set-up flow itself (under /accounts/) stays open.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
def test_bureau_officer_with_two_factor_passes(client):
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    officer = make_user("officer@example.cn")
    Membership.objects.create(user=officer, role=Role.BUREAU_OFFICER)
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    sign_in(client, "officer@example.cn")
    client.post(
        reverse("mfa_authenticate"), {"code": format_hotp_value(hotp_value(secret, int(time.time()) // 30))}
    )
    assert client.get(reverse("portal:bureau_city")).status_code == 200


@override_settings(MFA_REQUIRED_FOR_BUREAU=True)
def test_two_factor_rule_does_not_touch_other_roles(client):
    from tests.factories import SchoolFactory

    school = SchoolFactory()
    admin = make_user("admin@example.cn")
    Membership.objects.create(user=admin, role=Role.SCHOOL_ADMIN, school=school)
    client.force_login(admin)
    assert client.get(reverse("portal:school_home", args=[school.pk])).status_code == 200


@override_settings(MFA_REQUIRED_FOR_BUREAU=False)
def test_two_factor_not_required_for_bureau_in_the_demo(client):
    officer = make_user("officer@example.cn")
    Membership.objects.create(user=officer, role=Role.BUREAU_OFFICER)
    client.force_login(officer)
    assert client.get(reverse("portal:bureau_city")).status_code == 200
