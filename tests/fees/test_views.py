"""The fee pages: a parent's quote and waiver request, a school's waiver decisions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.fees.models import Waiver
from tests import factories as f
from tests.fees.conftest import ENR, PER_TERM, D, activity, enrol, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(world):
    standard(world, unit=PER_TERM, cap="300.00", doc="甬发改〔2026〕7号")
    standard(world, kind=ENR, cap="40.00", doc="甬发改〔2026〕8号")
    enrol(world, activity(world, price="55.00", materials="50.00", dates=(D(2026, 9, 9), D(2026, 9, 23))))
    world.parent = f.ParentFactory(household=world.household).user
    world.admin = f.SchoolAdminFactory(school=world.school).user
    return world


def quote_url(world, child=None):
    return (
        reverse("payments:quote", args=[world.household.pk, (child or world.child).pk])
        + f"?term={world.term.pk}"
    )


def test_parent_sees_each_line_with_its_standard_and_document(client, priced):
    client.force_login(priced.parent)
    response = client.get(quote_url(priced))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="quote-line"') == 3  # supervision, enrichment (capped), materials
    assert "甬发改〔2026〕7号" in html and "甬发改〔2026〕8号" in html
    assert 'data-testid="capped"' in html
    assert response.context["quote"].total == Decimal("430.00")  # 300 + 2 × 40 + 50
    assert 'data-testid="waiver-form"' in html


@pytest.mark.parametrize("who", ["other_parent", "admin", "anonymous"])
def test_quote_of_another_household_is_404(client, priced, who):
    if who == "other_parent":
        client.force_login(f.ParentFactory().user)
    elif who == "admin":
        client.force_login(priced.admin)
    response = client.get(quote_url(priced))
    assert response.status_code == (302 if who == "anonymous" else 404)


def test_child_of_another_household_through_my_household_is_404(client, priced):
    client.force_login(priced.parent)
    stranger = f.ChildFactory(school_class=priced.school_class)
    assert client.get(quote_url(priced, stranger)).status_code == 404


def test_quote_error_is_shown_when_no_standard(client, world):
    parent = f.ParentFactory(household=world.household).user
    client.force_login(parent)
    response = client.get(quote_url(world))
    assert response.status_code == 200
    assert 'data-testid="quote-error"' in response.content.decode()


def test_waiver_workflow_through_the_pages(client, priced):
    client.force_login(priced.parent)
    url = reverse("payments:waiver_request", args=[priced.household.pk, priced.child.pk])
    response = client.post(url, {"term": priced.term.pk, "kind": "partial", "percent": "", "reason": "困难"})
    assert response.status_code == 400 and 'data-testid="field-error"' in response.content.decode()
    assert not Waiver.objects.exists()
    response = client.post(
        url, {"term": priced.term.pk, "kind": "partial", "percent": "50", "reason": "困难"}
    )
    assert response.status_code == 302
    waiver = Waiver.objects.get()
    assert (waiver.kind, waiver.percent, waiver.status) == ("partial", 50, "requested")
    # Asking again while one is live is refused on the page.
    assert 'data-testid="waiver-form"' not in client.get(quote_url(priced)).content.decode()
    response = client.post(url, {"term": priced.term.pk, "kind": "full", "reason": "再次"})
    assert response.status_code == 400 and Waiver.objects.count() == 1

    client.force_login(priced.admin)
    listing = reverse("fees:school_waivers", args=[priced.school.pk])
    assert 'data-testid="decide-form"' in client.get(listing).content.decode()
    decide = reverse("fees:waiver_decide", args=[priced.school.pk, waiver.pk])
    response = client.post(decide, {"decision": "reject", "note": ""})
    assert response.status_code == 400 and 'data-testid="field-error"' in response.content.decode()
    waiver.refresh_from_db()
    assert waiver.status == "requested"
    assert client.post(decide, {"decision": "approve", "note": ""}).status_code == 302
    waiver.refresh_from_db()
    assert waiver.status == "approved" and waiver.decided_by == priced.admin

    client.force_login(priced.parent)
    response = client.get(quote_url(priced))
    assert response.context["quote"].total == Decimal("215.00")


def test_school_waiver_pages_are_404_for_other_schools_and_roles(client, priced):
    waiver = Waiver.objects.create(
        child=priced.child, term=priced.term, kind="full", reason="r", requested_by=priced.parent
    )
    listing = reverse("fees:school_waivers", args=[priced.school.pk])
    decide = reverse("fees:waiver_decide", args=[priced.school.pk, waiver.pk])
    other_membership = f.SchoolAdminFactory(school=f.SchoolFactory())
    other_admin = other_membership.user
    for user in (priced.parent, other_admin):
        client.force_login(user)
        assert client.get(listing).status_code == 404
        assert client.post(decide, {"decision": "approve"}).status_code == 404
    # The other school's admin, on their own school's page, cannot reach this waiver either.
    client.force_login(other_admin)
    own = reverse("fees:waiver_decide", args=[other_membership.school_id, waiver.pk])
    assert client.post(own, {"decision": "approve"}).status_code == 404
    waiver.refresh_from_db()
    assert waiver.status == "requested"
