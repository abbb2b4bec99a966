"""Parent self-service: set up a household, link children with the school's code."""

import pytest
from django.urls import reverse

from marketplace.households import services
from marketplace.households.models import Child, Household
from marketplace.households.services import HouseholdError
from people.roles.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def roster_child(code="ABCD2345", name="王小明", **kwargs):
    return f.ChildFactory(household=None, link_code=code, name=name, **kwargs)


# --- household_create -----------------------------------------------------------------------


def test_household_create_makes_household_and_parent_membership():
    user = f.UserFactory()
    household = services.household_create(user=user, name="  王家  ")
    assert household.name == "王家"
    assert Membership.objects.filter(user=user, role=Role.PARENT, household=household).count() == 1


def test_second_household_is_refused_and_nothing_written():
    parent = f.ParentFactory()
    with pytest.raises(HouseholdError) as caught:
        services.household_create(user=parent.user, name="Another")
    assert caught.value.code == "household_exists"
    assert Household.objects.count() == 1
    assert Membership.objects.filter(user=parent.user).count() == 1


def test_empty_household_name_is_refused():
    user = f.UserFactory()
    with pytest.raises(HouseholdError) as caught:
        services.household_create(user=user, name="   ")
    assert caught.value.code == "name_missing"
    assert "name" in caught.value.error_dict
    assert not Household.objects.exists()


def test_create_page_sets_up_household(client):
    user = f.UserFactory()
    client.force_login(user)
    assert client.get(reverse("households:household_create")).status_code == 200
    response = client.post(reverse("households:household_create"), {"name": "李家"})
    household = Household.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:household_home", args=[household.pk])
    assert client.get(response.url).status_code == 200


def test_create_page_with_empty_name_shows_error(client):
    client.force_login(f.UserFactory())
    response = client.post(reverse("households:household_create"), {"name": ""})
    assert response.status_code == 400
    assert 'data-testid="field-error"' in response.content.decode()
    assert not Household.objects.exists()


def test_create_page_redirects_a_parent_to_their_household(client):
    parent = f.ParentFactory()
    client.force_login(parent.user)
    response = client.post(reverse("households:household_create"), {"name": "Second"})
    assert response.status_code == 302
    assert response.url == reverse("portal:household_home", args=[parent.household_id])
    assert Household.objects.count() == 1


def test_create_page_needs_login(client):
    response = client.get(reverse("households:household_create"))
    assert response.status_code == 302
    assert "login" in response.url


def test_role_chooser_offers_household_setup_only_without_one(client):
    user = f.UserFactory()
    client.force_login(user)
    body = client.get(reverse("roles:home")).content.decode()
    assert reverse("households:household_create") in body
    assert 'data-testid="register-vendor"' in body
    # A parent who is also a teacher sees the chooser, without the set-up entry.
    parent = f.ParentFactory()
    f.TeacherFactory(user=parent.user)
    client.force_login(parent.user)
    body = client.get(reverse("roles:home")).content.decode()
    assert 'data-testid="create-household"' not in body


# --- child_link -------------------------------------------------------------------------------


def test_child_link_links_and_consumes_the_code():
    parent = f.ParentFactory()
    child = roster_child()
    linked = services.child_link(
        household=parent.household, user=parent.user, code="abcd-2345", name=" 王小明 "
    )
    child.refresh_from_db()
    assert linked.pk == child.pk
    assert child.household_id == parent.household_id
    assert child.link_code is None
    link = child.links.get()
    assert (link.household_id, link.method, link.made_by, link.email) == (
        parent.household_id,
        "code",
        parent.user,
        "",
    )


@pytest.mark.parametrize(
    ("code", "name"),
    [("ZZZZ9999", "王小明"), ("ABCD2345", "王小红"), ("", "王小明")],
    ids=["unknown code", "wrong name", "empty code"],
)
def test_child_link_refuses_mismatch_with_one_message(code, name):
    parent = f.ParentFactory()
    child = roster_child()
    with pytest.raises(HouseholdError) as caught:
        services.child_link(household=parent.household, user=parent.user, code=code, name=name)
    assert caught.value.code == "link_refused"
    assert caught.value.messages == [str(services.LINK_REFUSED)]
    child.refresh_from_db()
    assert child.household_id is None
    assert child.link_code == "ABCD2345"


def test_used_code_is_refused():
    first = f.ParentFactory()
    second = f.ParentFactory()
    roster_child()
    services.child_link(household=first.household, user=first.user, code="ABCD2345", name="王小明")
    with pytest.raises(HouseholdError) as caught:
        services.child_link(household=second.household, user=second.user, code="ABCD2345", name="王小明")
    assert caught.value.code == "link_refused"
    assert caught.value.messages == [str(services.LINK_REFUSED)]
    assert Child.objects.get().household_id == first.household_id


def test_code_of_an_already_linked_child_is_refused():
    """A child who somehow kept a code after linking cannot be taken by another family."""
    other = f.ParentFactory()
    f.ChildFactory(household=other.household, link_code="ABCD2345", name="王小明")
    parent = f.ParentFactory()
    with pytest.raises(HouseholdError) as caught:
        services.child_link(household=parent.household, user=parent.user, code="ABCD2345", name="王小明")
    assert caught.value.code == "link_refused"
    assert Child.objects.get().household_id == other.household_id


def test_child_link_refuses_a_user_who_is_not_parent_of_the_household():
    parent = f.ParentFactory()
    stranger = f.ParentFactory()
    roster_child()
    with pytest.raises(HouseholdError) as caught:
        services.child_link(household=parent.household, user=stranger.user, code="ABCD2345", name="王小明")
    assert caught.value.code == "not_household_parent"
    assert Child.objects.get().household_id is None


def test_link_page_adds_the_child_and_lists_school_and_class(client):
    parent = f.ParentFactory()
    child = roster_child()
    client.force_login(parent.user)
    url = reverse("portal:child_link", args=[parent.household_id])
    response = client.post(url, {"code": "ABCD2345", "name": "王小明"})
    assert response.status_code == 302
    page = client.get(reverse("portal:household_home", args=[parent.household_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "王小明" in body
    assert child.school_class.school.display_name in body
    assert 'data-testid="link-form"' in body


def test_link_page_wrong_code_shows_one_error_and_links_nothing(client):
    parent = f.ParentFactory()
    roster_child()
    client.force_login(parent.user)
    response = client.post(
        reverse("portal:child_link", args=[parent.household_id]), {"code": "WRONG234", "name": "王小明"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body
    assert Child.objects.get().household_id is None


def test_other_household_is_404_for_page_and_link(client):
    parent = f.ParentFactory()
    other = f.ParentFactory()
    roster_child()
    client.force_login(parent.user)
    assert client.get(reverse("portal:household_home", args=[other.household_id])).status_code == 404
    response = client.post(
        reverse("portal:child_link", args=[other.household_id]), {"code": "ABCD2345", "name": "王小明"}
    )
    assert response.status_code == 404
    assert Child.objects.get().household_id is None


def test_non_parent_role_gets_404_on_a_household(client):
    admin = f.SchoolAdminFactory()
    household = f.HouseholdFactory()
    client.force_login(admin.user)
    assert client.get(reverse("portal:household_home", args=[household.pk])).status_code == 404
