"""The officers' risk pages: list, detail with complaints, policy; access and errors."""

import datetime

import pytest
from django.urls import reverse

from marketplace.ledger.services import ledger_pay
from marketplace.risk.models import Complaint, RiskPolicy
from marketplace.risk.services import risk_grade_all
from marketplace.vendors.models import Vendor
from schools.selectors import today
from tests import factories as f
from tests.risk.conftest import fresh


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)


@pytest.fixture
def graded(world):
    ledger_pay(child=world.children[0], lines=[(world.vendor_activity, "600.00")])
    risk_grade_all()
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    return world


def test_the_list_shows_the_officers_vendors_with_grade_score_and_reason(client, graded):
    login(client, graded.officer)
    response = client.get(reverse("risk:list"))
    assert response.status_code == 200
    page = html(response)
    assert graded.vendor.name in page and graded.other_vendor.name not in page
    assert "¥600.00 of prepaid money held (+1)." in page
    assert 'data-grade="B"' in page


def test_the_city_officer_sees_every_district_and_filters_by_grade(client, graded):
    login(client, graded.city_officer)
    page = html(client.get(reverse("risk:list")))
    assert graded.vendor.name in page and graded.other_vendor.name in page
    Vendor.objects.filter(pk=graded.other_vendor.pk).update(institution_type="public")
    risk_grade_all()
    page = html(client.get(reverse("risk:list"), {"grade": "A"}))
    assert graded.other_vendor.name in page and graded.vendor.name not in page


def test_the_detail_explains_the_grade(client, graded):
    login(client, graded.officer)
    response = client.get(reverse("risk:detail", args=[graded.vendor.pk]))
    assert response.status_code == 200
    page = html(response)
    assert 'data-testid="factor-held"' in page and "¥600.00" in page and "≥ ¥500.00: +1" in page
    assert 'data-testid="history-row"' in page
    assert "Prepaid money moved" in page or "Daily regrade" in page


@pytest.mark.parametrize("name", ["risk:detail", "risk:complaint_add", "risk:regrade"])
def test_another_districts_vendor_is_404(client, world, name):
    login(client, world.foreign_officer)
    method = client.get if name == "risk:detail" else client.post
    assert method(reverse(name, args=[world.vendor.pk])).status_code == 404
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("who", ["school_admin", "anonymous"])
def test_non_officers_are_refused(client, world, who):
    if who == "school_admin":
        login(client, world.school_admin)
    for url in (reverse("risk:list"), reverse("risk:policy"), reverse("risk:detail", args=[world.vendor.pk])):
        response = client.get(url)
        assert response.status_code in (302, 404)
        if who == "school_admin":
            assert response.status_code == 404


def test_recording_and_resolving_a_complaint_regrades(client, world):
    login(client, world.officer)
    response = client.post(
        reverse("risk:complaint_add", args=[world.vendor.pk]),
        {"received_on": today().isoformat(), "summary": "家长投诉退费慢"},
    )
    assert response.status_code == 302
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    complaint = Complaint.objects.get()
    response = client.post(
        reverse("risk:complaint_resolve", args=[world.vendor.pk, complaint.pk]),
        {f"c{complaint.pk}-resolution": "已全额退费"},
    )
    assert response.status_code == 302
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "A"


def test_complaint_form_errors_are_shown(client, world):
    login(client, world.officer)
    response = client.post(
        reverse("risk:complaint_add", args=[world.vendor.pk]),
        {"received_on": (today() + datetime.timedelta(days=2)).isoformat(), "summary": ""},
    )
    assert response.status_code == 400
    page = html(response)
    assert 'data-testid="field-errors-summary"' in page
    assert "A complaint cannot be received in the future." in page
    complaint = Complaint.objects.create(
        vendor=world.vendor, received_on=today(), summary="x", recorded_by=world.officer
    )
    response = client.post(reverse("risk:complaint_resolve", args=[world.vendor.pk, complaint.pk]), {})
    assert response.status_code == 400 and 'data-testid="resolve-errors"' in html(response)


def test_another_vendors_complaint_is_404_under_this_vendor(client, world):
    other = f.VendorFactory(district=world.district)
    complaint = Complaint.objects.create(
        vendor=other, received_on=today(), summary="x", recorded_by=world.officer
    )
    login(client, world.officer)
    url = reverse("risk:complaint_resolve", args=[world.vendor.pk, complaint.pk])
    assert client.post(url, {f"c{complaint.pk}-resolution": "y"}).status_code == 404


def policy_data(policy, **changes):
    data = {
        name: getattr(policy, name)
        for name in [f.name for f in RiskPolicy._meta.concrete_fields]
        if name not in ("id", "updated_at", "updated_by")
    }
    data.update(changes)
    if not data["suspended_is_d"]:
        data.pop("suspended_is_d")
    return data


def test_the_city_officer_edits_the_policy_and_vendors_are_regraded(client, world):
    risk_grade_all()
    login(client, world.city_officer)
    assert client.get(reverse("risk:policy")).status_code == 200
    response = client.post(reverse("risk:policy"), policy_data(world.policy, points_company=0))
    assert response.status_code == 302
    assert RiskPolicy.current().points_company == 0
    assert RiskPolicy.current().updated_by == world.city_officer
    world.other_vendor.refresh_from_db()
    assert world.other_vendor.risk_grade == "A"


def test_policy_form_errors_are_clear(client, world):
    login(client, world.city_officer)
    response = client.post(
        reverse("risk:policy"), policy_data(world.policy, band_a_max=2, band_b_max=2, pupils_threshold_2=1)
    )
    assert response.status_code == 400
    page = html(response)
    assert 'data-testid="field-errors-band_b_max"' in page
    assert "Grade B must start above grade A&#x27;s highest score (2)." in page
    assert 'data-testid="field-errors-pupils_threshold_2"' in page
    assert RiskPolicy.current().band_a_max == 0


def test_a_district_officer_reads_the_policy_but_cannot_change_it(client, world):
    login(client, world.officer)
    page = html(client.get(reverse("risk:policy")))
    assert 'data-testid="read-only"' in page and 'data-testid="policy-save"' not in page
    response = client.post(reverse("risk:policy"), policy_data(world.policy, points_company=0))
    assert response.status_code == 302
    assert RiskPolicy.current().points_company == 1


def test_the_officer_vendor_page_links_to_the_risk_page(client, world):
    login(client, fresh(world.officer))
    page = html(client.get(reverse("vendors:officer_detail", args=[world.vendor.pk])))
    assert reverse("risk:detail", args=[world.vendor.pk]) in page
    assert 'data-testid="institution-type"' in page and "Public institution" in page


def test_registration_asks_for_the_institution_type(client, world):
    login(client, f.UserFactory())
    page = html(client.get(reverse("vendors:register")))
    assert 'name="institution_type"' in page and "For-profit company" in page
