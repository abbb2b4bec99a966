"""A school issues link codes for its unlinked pupils and prints slips."""

import re

import pytest
from django.urls import reverse

from marketplace.households import services
from marketplace.households.models import Child
from tests import factories as f

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$")


@pytest.fixture
def school_class():
    return f.SchoolClassFactory()


def test_codes_issued_only_to_unlinked_pupils(school_class):
    waiting = [f.ChildFactory(household=None, school_class=school_class) for _ in range(3)]
    linked = f.ChildFactory(school_class=school_class)
    issued = services.link_codes_issue(school_class=school_class)
    assert issued == 3
    codes = set()
    for child in waiting:
        child.refresh_from_db()
        assert CODE_RE.match(child.link_code)
        codes.add(child.link_code)
    assert len(codes) == 3
    linked.refresh_from_db()
    assert linked.link_code is None


def test_reissuing_replaces_old_codes(school_class):
    child = f.ChildFactory(household=None, school_class=school_class, link_code="AAAA2222")
    services.link_codes_issue(school_class=school_class)
    child.refresh_from_db()
    assert child.link_code != "AAAA2222"
    assert CODE_RE.match(child.link_code)


def test_collision_is_retried(school_class, monkeypatch):
    f.ChildFactory(household=None, school_class=f.SchoolClassFactory(), link_code="TAKEN234")
    child = f.ChildFactory(household=None, school_class=school_class)
    codes = iter(["TAKEN234", "TAKEN234", "FRESH234"])
    monkeypatch.setattr(services, "new_link_code", lambda: next(codes))
    services.link_codes_issue(school_class=school_class)
    child.refresh_from_db()
    assert child.link_code == "FRESH234"


def test_alphabet_has_no_ambiguous_characters():
    for ch in "0O1I":
        assert ch not in services.CODE_ALPHABET
    assert CODE_RE.match(services.new_link_code())


def test_admin_sees_classes_and_pupils_with_status(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    f.ChildFactory(household=None, school_class=school_class, link_code="CODE2345", name="待领")
    f.ChildFactory(school_class=school_class, name="已领")
    client.force_login(admin.user)
    overview = client.get(reverse("households:school_pupils", args=[school_class.school_id]))
    assert overview.status_code == 200
    assert (
        reverse("households:class_pupils", args=[school_class.school_id, school_class.pk])
        in overview.content.decode()
    )
    page = client.get(reverse("households:class_pupils", args=[school_class.school_id, school_class.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="status-linked"') == 1
    assert body.count('data-testid="status-code"') == 1
    assert "CODE2345" in body


def test_admin_issues_codes_through_the_page(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    child = f.ChildFactory(household=None, school_class=school_class)
    client.force_login(admin.user)
    url = reverse("households:link_codes_issue", args=[school_class.school_id, school_class.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    child.refresh_from_db()
    assert CODE_RE.match(child.link_code)


def test_slips_show_one_slip_per_waiting_pupil(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    f.ChildFactory(household=None, school_class=school_class, link_code="SLIP2345", name="甲")
    f.ChildFactory(household=None, school_class=school_class, link_code="SLIP6789", name="乙")
    f.ChildFactory(school_class=school_class, name="丙")
    client.force_login(admin.user)
    page = client.get(reverse("households:link_slips", args=[school_class.school_id, school_class.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="slip"') == 2
    assert "SLIP2345" in body and "SLIP6789" in body
    assert "@media print" in body
    assert reverse("households:household_create") in body


def test_slip_code_works_for_a_parent(client, school_class):
    f.ChildFactory(household=None, school_class=school_class, name="甲")
    services.link_codes_issue(school_class=school_class)
    code = Child.objects.get().link_code
    parent = f.ParentFactory()
    services.child_link(household=parent.household, user=parent.user, code=code.lower(), name="甲")
    assert Child.objects.get().household_id == parent.household_id


@pytest.mark.parametrize(
    "name",
    ["school_pupils", "class_pupils", "link_slips", "link_codes_issue", "pupils_import", "pupils_template"],
)
def test_other_schools_admin_and_other_roles_get_404(client, school_class, name):
    f.ChildFactory(household=None, school_class=school_class, link_code="KEEP2345")
    args = [school_class.school_id]
    if name in ("class_pupils", "link_slips", "link_codes_issue"):
        args.append(school_class.pk)
    url = reverse(f"households:{name}", args=args)
    method = "post" if name == "link_codes_issue" else "get"
    for membership in (
        f.SchoolAdminFactory(),
        f.TeacherFactory(school=school_class.school),
        f.ParentFactory(),
    ):
        client.force_login(membership.user)
        assert getattr(client, method)(url).status_code == 404
    assert Child.objects.get().link_code == "KEEP2345"


def test_class_of_another_school_is_404(client, school_class):
    admin = f.SchoolAdminFactory(school=school_class.school)
    foreign = f.SchoolClassFactory()
    f.ChildFactory(household=None, school_class=foreign, link_code="KEEP2345")
    client.force_login(admin.user)
    for name in ("class_pupils", "link_slips"):
        url = reverse(f"households:{name}", args=[school_class.school_id, foreign.pk])
        assert client.get(url).status_code == 404
    url = reverse("households:link_codes_issue", args=[school_class.school_id, foreign.pk])
    assert client.post(url).status_code == 404
    assert Child.objects.get().link_code == "KEEP2345"
