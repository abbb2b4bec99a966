"""The rest pages: a teacher's own page and claims, the administrator's page; nobody sees or
touches another school's (404)."""

import pytest
from django.urls import reverse

from scheduling.rest.models import RestClaim, RestPolicy
from tests import factories as f
from tests.rest import BEFORE, MONDAY, build_world, give_duties

pytestmark = pytest.mark.django_db
EN = {"django_language": "en"}


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("scheduling.rest.services.timezone.localdate", lambda: BEFORE)
    monkeypatch.setattr("scheduling.rest.views.today", lambda: BEFORE)
    world = build_world()
    give_duties(world.wang, world.term, 2)
    world.teacher = f.TeacherFactory(school=world.school, staff=world.wang).user
    world.admin = f.SchoolAdminFactory(school=world.school).user
    return world


def test_teacher_sees_duties_credits_and_claims(client, world):
    client.force_login(world.teacher)
    client.cookies.load(EN)
    body = client.get(reverse("rest:mine", args=[world.wang.pk])).content.decode()
    assert 'data-testid="rest-balance">2<' in body
    assert body.count('data-testid="duty"') == 2
    assert 'data-testid="claim-form"' in body


def test_teacher_claims_and_cancels_in_the_page(client, world):
    client.force_login(world.teacher)
    url = reverse("rest:mine", args=[world.wang.pk])
    response = client.post(url, {"date": MONDAY.isoformat()})
    assert response.status_code == 302
    claim = RestClaim.objects.get(staff=world.wang)
    assert claim.status == "approved"
    body = client.get(url).content.decode()
    assert 'data-testid="rest-balance">1<' in body and 'data-testid="cancel-claim"' in body
    client.post(reverse("rest:cancel", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "cancelled"


def test_a_refused_claim_shows_the_reason(client, world):
    client.force_login(world.teacher)
    client.cookies.load(EN)
    response = client.post(reverse("rest:mine", args=[world.wang.pk]), {"date": BEFORE.isoformat()})
    assert response.status_code == 400
    assert "after today" in response.content.decode()


def test_administrator_may_look_but_not_claim_for_the_teacher(client, world):
    client.force_login(world.admin)
    url = reverse("rest:mine", args=[world.wang.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": MONDAY.isoformat()}).status_code == 404
    assert not RestClaim.objects.exists()


def test_another_schools_teacher_and_admin_get_404(client, world):
    claim = RestClaim.objects.create(staff=world.wang, date=MONDAY, status="pending")
    for membership in (f.TeacherFactory(), f.SchoolAdminFactory()):
        client.force_login(membership.user)
        assert client.get(reverse("rest:mine", args=[world.wang.pk])).status_code == 404
        assert client.get(reverse("rest:school", args=[world.school.pk])).status_code == 404
        assert client.post(reverse("rest:cancel", args=[claim.pk])).status_code == 404
        assert (
            client.post(reverse("rest:decide", args=[claim.pk]), {"decision": "approve"}).status_code == 404
        )
    # A colleague of the same school does not see another teacher's page either.
    colleague = f.TeacherFactory(school=world.school, staff=world.li)
    client.force_login(colleague.user)
    assert client.get(reverse("rest:mine", args=[world.wang.pk])).status_code == 404
    assert client.get(reverse("rest:school", args=[world.school.pk])).status_code == 404
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_admin_page_lists_pending_claims_and_decides(client, world):
    world.chen.delete()  # nobody to cover: the claim waits
    world.run.problem["staff"] = [
        row for row in world.run.problem["staff"] if row["id"] != f"t{world.chen.pk}"
    ]
    world.run.save(update_fields=["problem"])
    client.force_login(world.teacher)
    client.post(reverse("rest:mine", args=[world.wang.pk]), {"date": MONDAY.isoformat()})
    claim = RestClaim.objects.get()
    assert claim.status == "pending"
    client.force_login(world.admin)
    client.cookies.load(EN)
    body = client.get(reverse("rest:school", args=[world.school.pk])).content.decode()
    assert 'data-testid="pending-claim"' in body and "3-2" in body
    client.post(reverse("rest:decide", args=[claim.pk]), {"decision": "reject", "note": "Exam week"})
    claim.refresh_from_db()
    assert (claim.status, claim.decision_note) == ("rejected", "Exam week")


def test_admin_saves_the_policy(client, world):
    client.force_login(world.admin)
    url = reverse("rest:school", args=[world.school.pk])
    data = {"duties_per_credit": 4, "max_credits_per_term": "", "expiry_month": 7, "expiry_day": 15}
    assert client.post(url, data).status_code == 302
    policy = RestPolicy.objects.get(school=world.school)
    assert (policy.duties_per_credit, policy.max_credits_per_term, policy.expiry_day) == (4, None, 15)
    assert client.post(url, {**data, "duties_per_credit": 0}).status_code == 400


def test_the_pages_show_the_default_policy_and_only_saving_stores_it(client, world):
    RestPolicy.objects.filter(school=world.school).delete()
    before = RestPolicy.objects.count()
    client.force_login(world.admin)
    url = reverse("rest:school", args=[world.school.pk])
    body = client.get(url).content.decode()
    assert 'name="duties_per_credit" value="8"' in body
    client.force_login(world.teacher)
    assert client.get(reverse("rest:mine", args=[world.wang.pk])).status_code == 200
    assert RestPolicy.objects.count() == before
    client.force_login(world.admin)
    data = {"duties_per_credit": 4, "max_credits_per_term": 5, "expiry_month": 8, "expiry_day": 31}
    assert client.post(url, data).status_code == 302
    assert RestPolicy.objects.get(school=world.school).duties_per_credit == 4


def test_teacher_home_links_to_the_rest_page(client, world):
    client.force_login(world.teacher)
    body = client.get(reverse("portal:teacher_home", args=[world.wang.pk])).content.decode()
    assert reverse("rest:mine", args=[world.wang.pk]) in body
