"""Lesson materials (Wagtail documents) in the course library's collection need sign-in."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from cms import sync
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def library():
    return Collection.objects.get(name=sync.COURSE_LIBRARY_COLLECTION)


def document_in(collection, name="lesson-1.pdf"):
    return get_document_model().objects.create(
        title="第一课 教案", file=ContentFile(PDF, name=name), collection=collection
    )


def test_sync_all_makes_the_collection_once_with_a_sign_in_restriction(home):
    assert not Collection.objects.filter(name=sync.COURSE_LIBRARY_COLLECTION).exists()
    sync.sync_all()
    sync.sync_all()
    collection = library()
    assert collection.get_parent() == Collection.get_first_root_node()
    restrictions = CollectionViewRestriction.objects.filter(collection=collection)
    assert list(restrictions.values_list("restriction_type", flat=True)) == ["login"]


def test_a_lifted_restriction_comes_back_and_a_stricter_one_is_kept(home):
    collection = sync.course_library_collection_ensure()
    collection.view_restrictions.all().delete()  # an editor made it public
    sync.index_pages_ensure()
    assert list(collection.view_restrictions.values_list("restriction_type", flat=True)) == ["login"]

    collection.view_restrictions.all().delete()
    groups = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    groups.groups.add(Group.objects.create(name="教研组"))
    sync.course_library_collection_ensure()
    assert list(collection.view_restrictions.all()) == [groups]


def test_a_document_in_the_library_redirects_anonymous_visitors_to_sign_in(client, home):
    sync.sync_all()
    document = document_in(library())
    response = client.get(document.url)
    assert response.status_code == 302
    assert "login" in response["Location"] and "next=" in response["Location"]

    client.force_login(f.SchoolAdminFactory().user)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_a_document_outside_the_library_stays_public(client, home):
    sync.sync_all()
    document = document_in(Collection.get_first_root_node(), name="notice.pdf")
    response = client.get(document.url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "factory, readable",
    [
        (f.SchoolAdminFactory, True),
        (f.TeacherFactory, True),
        (f.BureauOfficerFactory, True),
        (f.ParentFactory, False),
        (f.VendorMemberFactory, False),
        (f.UserFactory, False),
    ],
)
def test_library_documents_follow_the_librarys_audience(client, home, factory, readable):
    """The library is for the bureau and its schools; signing in is not enough."""
    sync.sync_all()
    document = document_in(library())
    member = factory()
    client.force_login(getattr(member, "user", member))
    response = client.get(document.url)
    assert response.status_code == (200 if readable else 404)


def test_a_document_in_a_collection_inside_the_library_is_the_librarys_too(client, home):
    sync.sync_all()
    document = document_in(library().add_child(name="三年级"))
    client.force_login(f.ParentFactory().user)
    assert client.get(document.url).status_code == 404
