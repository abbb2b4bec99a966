"""Who bears a waiver of a vendor's activity is explicit and shows on the statements."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from marketplace.billing.quotes import LineKind, quote_for
from marketplace.billing.selectors import waiver_shares
from marketplace.fees import services
from marketplace.fees.models import SchoolFeePolicy, Waiver
from tests import factories as f
from tests.ledger import build_paying_world

M = Decimal


@pytest.fixture
def world(db):
    w = build_paying_world()
    w.admin = f.SchoolAdminFactory(school=w.school).user
    w.vendor_user = f.VendorMemberFactory(vendor=w.vendor).user
    return w


def approve(world, **kwargs) -> Waiver:
    waiver = services.waiver_request(
        child=world.child, term=world.term, user=world.parent, reason="hardship", **kwargs
    )
    return services.waiver_decide(waiver=waiver, user=world.admin, approve=True)


def vendor_charges(world) -> Decimal:
    quote = quote_for(child=world.child, term=world.term)
    return sum(
        (
            line.amount
            for line in quote.charges
            if line.activity is not None and line.activity.pk == world.vendor_activity.pk
        ),
        M("0"),
    )


def text_of(response, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>([^<]*)<', response.content.decode())
    assert match, f"no {testid} on the page"
    return match.group(1).strip()


def test_by_default_the_school_bears_it_and_owes_the_vendor_the_waived_part(client, world):
    charges = vendor_charges(world)
    waiver = approve(world, kind="full")
    assert waiver.borne_by == Waiver.Bearer.SCHOOL
    [share] = waiver_shares(vendor=world.vendor)
    assert share.activity == world.vendor_activity and share.amount == charges and share.borne_by_school
    with translation.override("en"):
        client.force_login(world.vendor_user)
        page = client.get(reverse("ledger:vendor_payouts", args=[world.vendor.pk]))
        assert text_of(page, "owed-by-school") == f"¥{charges}"
        assert text_of(page, "waived-by-vendor") == "¥0.00"
        client.force_login(world.admin)
        page = client.get(reverse("ledger:school_payouts", args=[world.school.pk]))
        assert text_of(page, "owed-by-school") == f"¥{charges}"
        assert world.vendor.display_name in page.content.decode()


def test_a_school_may_make_its_vendors_bear_waivers(client, world):
    SchoolFeePolicy.objects.create(school=world.school, waiver_bearer=Waiver.Bearer.VENDOR)
    charges = vendor_charges(world)
    waiver = approve(world, kind="partial", percent=50)
    assert waiver.borne_by == Waiver.Bearer.VENDOR
    [share] = waiver_shares(vendor=world.vendor)
    assert not share.borne_by_school and M("0") < share.amount < charges
    with translation.override("en"):
        client.force_login(world.vendor_user)
        page = client.get(reverse("ledger:vendor_payouts", args=[world.vendor.pk]))
        assert text_of(page, "waived-by-vendor") == f"¥{share.amount}"
        assert text_of(page, "owed-by-school") == "¥0.00"
        client.force_login(world.admin)
        page = client.get(reverse("ledger:school_payouts", args=[world.school.pk]))
        assert 'data-testid="waiver-row"' not in page.content.decode()  # not the school's to pay


def test_a_later_policy_change_does_not_rewrite_a_decided_waiver(world):
    waiver = approve(world, kind="full")
    SchoolFeePolicy.objects.create(school=world.school, waiver_bearer=Waiver.Bearer.VENDOR)
    waiver.refresh_from_db()
    assert waiver.borne_by == Waiver.Bearer.SCHOOL
    assert [line.kind for line in quote_for(child=world.child, term=world.term).lines].count(
        LineKind.WAIVER
    ) == 1


def test_the_database_refuses_an_unknown_bearer(world):
    from django.db import IntegrityError, transaction

    waiver = approve(world, kind="full")
    with pytest.raises(IntegrityError), transaction.atomic():
        Waiver.objects.filter(pk=waiver.pk).update(borne_by="nobody")


def test_the_school_administrator_chooses_the_bearer_in_the_application(client, world):
    url = reverse("fees:fee_policy", args=[world.school.pk])
    client.force_login(world.admin)
    page = client.get(reverse("fees:school_waivers", args=[world.school.pk]))
    assert b'data-testid="fee-policy-form"' in page.content
    response = client.post(url, {"waiver_bearer": "vendor"})
    assert response.status_code == 302
    assert SchoolFeePolicy.for_school(world.school.pk).waiver_bearer == Waiver.Bearer.VENDOR
    assert approve(world, kind=Waiver.Kind.FULL).borne_by == Waiver.Bearer.VENDOR

    bad = client.post(url, {"waiver_bearer": "city"})
    assert bad.status_code == 400
    assert SchoolFeePolicy.for_school(world.school.pk).waiver_bearer == Waiver.Bearer.VENDOR


def test_another_schools_administrator_gets_404_and_a_parent_cannot_set_it(client, world):
    other = f.SchoolAdminFactory(school=f.SchoolFactory()).user
    url = reverse("fees:fee_policy", args=[world.school.pk])
    for user in (other, world.parent):
        client.force_login(user)
        assert client.post(url, {"waiver_bearer": "vendor"}).status_code == 404
    assert SchoolFeePolicy.for_school(world.school.pk).waiver_bearer == Waiver.Bearer.SCHOOL
    with pytest.raises(PermissionDenied):
        services.fee_policy_save(school=world.school, user=world.parent, waiver_bearer="vendor")
    with pytest.raises(services.WaiverError) as excinfo:
        services.fee_policy_save(school=world.school, user=world.admin, waiver_bearer="city")
    assert excinfo.value.code == "fee_policy_bearer_invalid"
