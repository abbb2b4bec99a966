"""Vendor and course documents live outside MEDIA_ROOT, have no URL, and reach only the
people the download views admit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import PrivateFileSystemStorage, private_storage
from marketplace.courses.models import Course, CourseDocument
from marketplace.vendors.models import Vendor, VendorDocument
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def is_under(path, folder) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


@pytest.fixture
def world(db):
    district = f.DistrictFactory()
    vendor = f.VendorFactory(draft=True, district=district)
    return {
        "vendor": vendor,
        "clerk": f.VendorMemberFactory(vendor=vendor).user,
        "officer": f.BureauOfficerFactory(district=district).user,
        "city_officer": f.BureauOfficerFactory().user,
        "foreign_officer": f.BureauOfficerFactory(district=f.DistrictFactory()).user,
        "other_clerk": f.VendorMemberFactory(vendor=f.VendorFactory(district=district)).user,
        "school_admin": f.SchoolAdminFactory(school=f.SchoolFactory(district=district)).user,
        "parent": f.ParentFactory().user,
    }


def test_both_fields_use_the_private_storage_by_reference():
    for model in (VendorDocument, CourseDocument):
        field = model._meta.get_field("file")
        assert isinstance(field.storage, PrivateFileSystemStorage)
        # The migration names the function, not a folder: it stays the same whatever the setting.
        assert field.deconstruct()[3]["storage"] is private_storage


def test_the_private_storage_follows_its_setting_and_has_no_url(settings, private_media):
    storage = private_storage()
    assert storage.location == str(private_media)
    with pytest.raises(NotImplementedError, match="private file"):
        storage.url("vendor-documents/x.pdf")


def test_an_uploaded_vendor_document_is_private_and_only_its_vendor_and_officers_get_it(
    client, settings, world
):
    vendor = world["vendor"]
    client.force_login(world["clerk"])
    response = client.post(
        reverse("vendors:documents", args=[vendor.pk]),
        {"kind": "licence", "title": "办学许可证", "file": pdf()},
    )
    assert response.status_code == 302
    document = vendor.documents.get()
    assert is_under(document.file.path, settings.PRIVATE_MEDIA_ROOT)
    assert not is_under(document.file.path, settings.MEDIA_ROOT)
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018 - no public URL to leak

    listing = client.get(reverse("vendors:documents", args=[vendor.pk])).content.decode()
    download = reverse("vendors:document_download", args=[vendor.pk, document.pk])
    assert f'href="{download}"' in listing
    assert settings.MEDIA_URL not in listing

    for user in (world["clerk"], world["officer"], world["city_officer"]):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert body(response) == PDF
    for user in (world["foreign_officer"], world["other_clerk"], world["school_admin"], world["parent"]):
        client.force_login(user)
        assert client.get(download).status_code == 404, user
    client.logout()
    assert client.get(download).status_code == 302  # to sign in


def test_an_uploaded_course_document_is_private_and_only_its_vendor_and_officers_get_it(
    client, settings, world
):
    vendor = world["vendor"]
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.APPROVED)
    course = f.CourseFactory(vendor=vendor, review_status=Course.ReviewStatus.DRAFT)
    client.force_login(world["clerk"])
    response = client.post(
        reverse("courses:vendor_course_document_add", args=[vendor.pk, course.pk]),
        {"title": "教学大纲", "file": pdf("syllabus.pdf")},
    )
    assert response.status_code == 302
    document = course.documents.get()
    assert is_under(document.file.path, settings.PRIVATE_MEDIA_ROOT)
    assert not is_under(document.file.path, settings.MEDIA_ROOT)
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018

    download = reverse("reviews:course_document", args=[document.pk])
    page = client.get(reverse("courses:vendor_course", args=[vendor.pk, course.pk])).content.decode()
    assert f'href="{download}"' in page
    assert settings.MEDIA_URL not in page

    for user in (world["clerk"], world["officer"], world["city_officer"]):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert body(response) == PDF
    for user in (world["foreign_officer"], world["other_clerk"], world["school_admin"], world["parent"]):
        client.force_login(user)
        assert client.get(download).status_code == 404, user


def test_a_document_whose_file_is_gone_is_a_404_not_an_error(client, world):
    vendor = world["vendor"]
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.APPROVED)
    course = f.CourseFactory(vendor=vendor, review_status=Course.ReviewStatus.DRAFT)
    client.force_login(world["clerk"])
    client.post(
        reverse("courses:vendor_course_document_add", args=[vendor.pk, course.pk]),
        {"title": "教学大纲", "file": pdf("syllabus.pdf")},
    )
    document = course.documents.get()
    Path(document.file.path).unlink()
    assert client.get(reverse("reviews:course_document", args=[document.pk])).status_code == 404


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [({"content_type": "text/html"}, "type_valid"), ({"size": 0}, "not_empty")],
)
@pytest.mark.parametrize("model", [VendorDocument, CourseDocument])
def test_the_database_holds_documents_to_the_accepted_types_and_a_size(world, model, changes, constraint):
    from django.db import IntegrityError, transaction

    owner = (
        {"vendor": world["vendor"]}
        if model is VendorDocument
        else {"course": f.CourseFactory(vendor=world["vendor"], review_status=Course.ReviewStatus.DRAFT)}
    )
    extra = {"kind": "licence"} if model is VendorDocument else {}
    fields = {
        "title": "x",
        "file": "x.pdf",
        "content_type": "application/pdf",
        "size": 10,
        **extra,
        **changes,
    }
    name = f"{model._meta.app_label}_{model._meta.model_name}_{constraint}"
    with pytest.raises(IntegrityError, match=name), transaction.atomic():
        model.objects.create(uploaded_by=world["clerk"], **owner, **fields)
