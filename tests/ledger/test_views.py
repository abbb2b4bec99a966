"""The money pages: payouts and statements (vendor, school), a household's money, the bureau's
overview — with ledger data written by the services (pay → release → settle)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.households.models import Child
from marketplace.ledger.services import (
    ledger_pay,
    ledger_refund_undelivered,
    ledger_release_session,
    ledger_settle,
)
from marketplace.ledger.views import mask_name
from tests import factories as f
from tests.ledger import withdraw

pytestmark = pytest.mark.django_db
M = Decimal


@pytest.fixture
def money(world):
    """c0 (张小明) pays the vendor activity 30, the staff activity 15 and supervised study 9;
    c1 (李华) pays the vendor activity 60. The first session of each is delivered and settled
    on 9 Sept: the vendor is paid 10 + 20 = 30, the school 3 + 5 = 8."""
    c0, c1 = world.children
    Child.objects.filter(pk=c0.pk).update(name="张小明")
    Child.objects.filter(pk=c1.pk).update(name="李华")
    c0.refresh_from_db()
    c1.refresh_from_db()
    ledger_pay(
        child=c0, lines=[(world.vendor_activity, M("30")), (world.staff_activity, M("15")), (None, M("9"))]
    )
    ledger_pay(child=c1, lines=[(world.vendor_activity, M("60"))])
    for session in (world.supervision[0], world.vendor_meetings[0], world.staff_meetings[0]):
        ledger_release_session(dated_session=session)
    payouts = {p.payee: p for p in ledger_settle(for_date=datetime.date(2026, 9, 9))}
    world.vendor_payout = payouts[world.vendor]
    world.school_payout = payouts[world.school]
    # A second delivered vendor session, released but not yet paid out: owed.
    ledger_release_session(dated_session=world.vendor_meetings[1])
    world.vendor_user = f.VendorMemberFactory(vendor=world.vendor).user
    world.officer = f.BureauOfficerFactory(district=world.vendor.district).user
    world.admin = f.SchoolAdminFactory(school=world.school).user
    world.parent0 = f.ParentFactory(household=c0.household).user
    return world


def text_of(response, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', response.content.decode())
    assert match, f"no {testid} on the page"
    return match.group(1).strip()


def test_mask_name():
    assert mask_name("张小明") == "张*明"
    assert mask_name("李华") == "李*"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_name("王") == "*"
    assert mask_name("") == ""


# --- vendor ----------------------------------------------------------------------------------


def test_vendor_payouts_page_shows_balance_and_payouts(client, money):
    client.force_login(money.vendor_user)
    response = client.get(reverse("ledger:vendor_payouts", args=[money.vendor.pk]))
    assert response.status_code == 200
    # Paid 90; released 30 (8 Sept) + 30 (15 Sept); settled 30; so held 30, owed 30.
    assert text_of(response, "balance-paid") == "¥90.00"
    assert text_of(response, "balance-released") == "¥60.00"
    assert text_of(response, "balance-held") == "¥30.00"
    assert text_of(response, "balance-settled") == "¥30.00"
    assert text_of(response, "balance-owed") == "¥30.00"
    assert text_of(response, "balance-refunded") == "¥0.00"
    html = response.content.decode()
    assert html.count('data-testid="payout-row"') == 1
    assert "2026-09-09" in html
    assert reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk]) in html


def test_vendor_statement_masks_children_for_the_vendor(client, money):
    client.force_login(money.vendor_user)
    response = client.get(reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="statement-row"') == 2
    assert "张*明" in html and "李*" in html
    assert "张小明" not in html and "李华" not in html
    assert money.vendor_activity.name in html
    assert text_of(response, "statement-total") == "¥30.00"
    assert "2026-09-08" in html


def test_bureau_officer_sees_the_vendor_statement_with_full_names(client, money):
    client.force_login(money.officer)
    assert client.get(reverse("ledger:vendor_payouts", args=[money.vendor.pk])).status_code == 200
    response = client.get(reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk]))
    assert response.status_code == 200
    assert "张小明" in response.content.decode()


def test_vendor_statement_csv(client, money):
    client.force_login(money.vendor_user)
    url = reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk])
    client.cookies["django_language"] = "en"
    response = client.get(url + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Session date", "Activity", "Child", "Amount (yuan)"]
    body = sorted(rows[1:-1], key=lambda r: r[3])
    assert body == [
        ["2026-09-08", money.vendor_activity.name, "张*明", "10.00"],
        ["2026-09-08", money.vendor_activity.name, "李*", "20.00"],
    ]
    assert rows[-1] == ["Total", "", "", "30.00"]
    assert sum(M(r[3]) for r in body) == money.vendor_payout.amount


@pytest.mark.parametrize("who", ["other_vendor", "officer_elsewhere", "admin", "parent"])
def test_vendor_pages_are_404_for_others(client, money, who):
    user = {
        "other_vendor": lambda: f.VendorMemberFactory().user,
        "officer_elsewhere": lambda: f.BureauOfficerFactory(district=f.DistrictFactory()).user,
        "admin": lambda: money.admin,
        "parent": lambda: money.parent0,
    }[who]()
    client.force_login(user)
    assert client.get(reverse("ledger:vendor_payouts", args=[money.vendor.pk])).status_code == 404
    url = reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk])
    assert client.get(url).status_code == 404
    assert client.get(url + "?format=csv").status_code == 404


def test_another_vendors_payout_through_my_vendor_is_404(client, money):
    client.force_login(money.vendor_user)
    # The school's payout, and another vendor's payout, asked for under my vendor's address.
    other = f.VendorMemberFactory()
    activity = f.ActivityFactory(course__vendor=other.vendor, school=money.school, term=money.term)
    child = f.ChildFactory(school_class=money.school_class)
    from marketplace.ledger.models import Payout

    ledger_pay(child=child, lines=[(activity, M("5"))])
    foreign = Payout.objects.create(vendor=other.vendor, for_date=datetime.date(2026, 9, 30), amount=M("5"))
    for payout in (money.school_payout, foreign):
        url = reverse("ledger:vendor_payout", args=[money.vendor.pk, payout.pk])
        assert client.get(url).status_code == 404
        assert client.get(url + "?format=csv").status_code == 404
    assert client.get(reverse("ledger:vendor_payout", args=[money.vendor.pk, 999999])).status_code == 404


# --- school ----------------------------------------------------------------------------------


def test_school_payouts_and_statement(client, money):
    client.force_login(money.admin)
    response = client.get(reverse("ledger:school_payouts", args=[money.school.pk]))
    assert response.status_code == 200
    # Paid 15 + 9 = 24; released 5 (9 Sept, staff) + 3 (7 Sept, study) = 8, all settled.
    assert text_of(response, "balance-paid") == "¥24.00"
    assert text_of(response, "balance-held") == "¥16.00"
    assert text_of(response, "balance-settled") == "¥8.00"
    assert text_of(response, "balance-owed") == "¥0.00"
    url = reverse("ledger:school_payout", args=[money.school.pk, money.school_payout.pk])
    assert url in response.content.decode()
    client.cookies["django_language"] = "en"
    statement = client.get(url)
    html = statement.content.decode()
    assert html.count('data-testid="statement-row"') == 2
    assert "Supervised study" in html and money.staff_activity.name in html
    assert "张小明" in html  # the school's own pupils, in full
    assert text_of(statement, "statement-total") == "¥8.00"
    rows = list(csv.reader(io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["3.00", "5.00", "8.00"]


@pytest.mark.parametrize("who", ["other_admin", "vendor", "teacher"])
def test_school_pages_are_404_for_others(client, money, who):
    user = {
        "other_admin": lambda: f.SchoolAdminFactory().user,
        "vendor": lambda: money.vendor_user,
        "teacher": lambda: f.TeacherFactory(school=money.school).user,
    }[who]()
    client.force_login(user)
    assert client.get(reverse("ledger:school_payouts", args=[money.school.pk])).status_code == 404
    url = reverse("ledger:school_payout", args=[money.school.pk, money.school_payout.pk])
    assert client.get(url).status_code == 404


def test_another_schools_payout_through_my_school_is_404(client, money):
    client.force_login(money.admin)
    url = reverse("ledger:school_payout", args=[money.school.pk, money.vendor_payout.pk])
    assert client.get(url).status_code == 404


# --- household -------------------------------------------------------------------------------


def test_household_page_shows_each_account_and_the_held_total(client, money):
    c0, c1 = money.children
    client.force_login(money.parent0)
    response = client.get(reverse("ledger:household"))
    assert response.status_code == 200
    # Vendor: 30 paid, 10 + 10 released → 10 held; staff: 15 − 5 = 10; study: 9 − 3 = 6.
    assert text_of(response, f"held-{c0.pk}-{money.vendor_activity.pk}") == "¥10.00"
    assert text_of(response, f"held-{c0.pk}-{money.staff_activity.pk}") == "¥10.00"
    assert text_of(response, f"held-{c0.pk}-study") == "¥6.00"
    assert text_of(response, "held-total") == "¥26.00"
    assert text_of(response, "paid-total") == "¥54.00"
    assert text_of(response, "released-total") == "¥28.00"
    html = response.content.decode()
    assert "张小明" in html
    # Only my household: the other family's child and money do not appear.
    assert "李华" not in html and f'data-testid="held-{c1.pk}-' not in html


def test_household_page_shows_a_refund(client, money):
    c0 = money.children[0]
    ledger_refund_undelivered(enrolment=withdraw(money.enrolments[(0, "vendor")]))
    client.force_login(money.parent0)
    response = client.get(reverse("ledger:household"))
    assert text_of(response, f"held-{c0.pk}-{money.vendor_activity.pk}") == "¥0.00"
    assert text_of(response, "refunded-total") == "¥10.00"
    assert text_of(response, "held-total") == "¥16.00"


def test_household_page_of_a_family_without_money_and_of_non_parents(client, money):
    client.force_login(f.ParentFactory().user)
    response = client.get(reverse("ledger:household"))
    assert response.status_code == 200
    assert 'data-testid="no-money"' in response.content.decode()
    assert text_of(response, "held-total") == "¥0.00"
    client.force_login(money.vendor_user)
    assert client.get(reverse("ledger:household")).status_code == 404


# --- bureau ----------------------------------------------------------------------------------


def test_bureau_overview(client, money):
    # A second vendor in the same district holding more: 100 for c1, who is not placed in it.
    other = f.VendorFactory(district=money.vendor.district)
    big = f.ActivityFactory(course__vendor=other, school=money.school, term=money.term)
    ledger_pay(child=money.children[1], lines=[(big, M("100"))])
    far = f.VendorFactory()  # another district: not shown to a district officer
    ledger_pay(
        child=money.children[1], lines=[(f.ActivityFactory(course__vendor=far, school=money.school), M("7"))]
    )
    client.force_login(money.officer)
    response = client.get(reverse("ledger:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    order = [int(v) for v in re.findall(r'data-testid="vendor-money-row" data-vendor="(\d+)"', html)]
    assert order == [other.pk, money.vendor.pk]  # most held first
    assert text_of(response, f"held-{money.vendor.pk}") == "¥30.00"
    assert text_of(response, f"owed-{money.vendor.pk}") == "¥30.00"
    assert text_of(response, f"pupils-{money.vendor.pk}") == "2"
    assert text_of(response, f"refunds-{money.vendor.pk}") == "¥0.00"
    assert text_of(response, f"held-{other.pk}") == "¥100.00"
    assert text_of(response, f"refunds-{other.pk}") == "¥100.00"  # not placed: due back
    assert far.name not in html
    # Held at the district's schools: the school is in its own district (not the vendor's), so
    # the officer of the vendor's district sees none of it; a city officer sees all of it.
    assert text_of(response, "held-total") == "¥0.00"
    by_name = client.get(reverse("ledger:overview") + "?sort=name")
    assert by_name.status_code == 200
    client.force_login(f.BureauOfficerFactory().user)  # the city
    city = client.get(reverse("ledger:overview"))
    # Held: vendor 30, school services 16, the other vendor 100, the far vendor 7.
    assert text_of(city, "held-total") == "¥153.00"
    assert far.name in city.content.decode()


def test_bureau_overview_sums_the_district_schools(client, money):
    client.force_login(f.BureauOfficerFactory(district=money.school.district).user)
    response = client.get(reverse("ledger:overview"))
    assert text_of(response, "held-total") == "¥46.00"  # vendor 30 + school services 16
    assert 'data-testid="no-vendor-money"' in response.content.decode()  # the vendor is elsewhere


@pytest.mark.parametrize("who", ["vendor", "admin", "parent"])
def test_overview_is_404_for_non_officers(client, money, who):
    client.force_login({"vendor": money.vendor_user, "admin": money.admin, "parent": money.parent0}[who])
    assert client.get(reverse("ledger:overview")).status_code == 404


# --- anonymous -------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, money):
    urls = [
        reverse("ledger:vendor_payouts", args=[money.vendor.pk]),
        reverse("ledger:vendor_payout", args=[money.vendor.pk, money.vendor_payout.pk]),
        reverse("ledger:school_payouts", args=[money.school.pk]),
        reverse("ledger:school_payout", args=[money.school.pk, money.school_payout.pk]),
        reverse("ledger:household"),
        reverse("ledger:overview"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_role_home_pages_link_to_the_money_pages(client, money):
    pages = [
        (
            money.vendor_user,
            reverse("vendors:vendor_home", args=[money.vendor.pk]),
            "ledger:vendor_payouts",
            [money.vendor.pk],
        ),
        (
            money.admin,
            reverse("portal:school_home", args=[money.school.pk]),
            "ledger:school_payouts",
            [money.school.pk],
        ),
        (
            money.parent0,
            reverse("portal:household_home", args=[money.children[0].household_id]),
            "ledger:household",
            [],
        ),
        (
            money.officer,
            reverse("portal:bureau_district", args=[money.vendor.district_id]),
            "ledger:overview",
            [],
        ),
    ]
    for user, home, name, args in pages:
        client.force_login(user)
        response = client.get(home)
        assert response.status_code == 200, home
        assert f'href="{reverse(name, args=args)}"' in response.content.decode(), home
