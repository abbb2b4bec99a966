"""A CMS page can stand only for a record in a publishable state: the page form offers
nothing else, and publishing (from the admin or in code) refuses it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cms.models import CourseLibraryPage, CoursePage, VendorCataloguePage, VendorPage
from cms.sync import sync_all
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(home):
    f.VendorFactory(name="启航体育")
    f.SchoolCourseFactory(title="校园足球队")
    sync_all()
    return home


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=["cms", model._meta.model_name, parent.pk])


def page_data(field, record):
    return {
        field: record.pk,
        "body-count": 0,
        "body_en-count": 0,
        "seo_title": "",
        "search_description": "",
        "action-publish": "publish",
    }


def test_the_vendor_page_form_offers_only_approved_vendors_without_a_page(editor, site):
    approved = f.VendorFactory(name="琴韵艺术")
    refused = [f.VendorFactory(status=status) for status in Vendor.Status.values if status != "approved"]
    response = editor.get(add_url(VendorPage, VendorCataloguePage.objects.get()))
    offered = set(response.context["form"].fields["vendor"].queryset.values_list("pk", flat=True))
    assert approved.pk in offered
    assert not offered & {vendor.pk for vendor in refused}
    assert not offered & set(VendorPage.objects.values_list("vendor_id", flat=True))


def test_the_course_page_form_offers_only_courses_in_the_library(editor, site):
    approved = f.CourseFactory(title="小篮板")
    rejected = f.CourseFactory(review_status=Course.ReviewStatus.REJECTED)
    off_list = f.CourseFactory(vendor=f.VendorFactory(status=Vendor.Status.REJECTED))
    school_made = f.SchoolCourseFactory()
    response = editor.get(add_url(CoursePage, CourseLibraryPage.objects.get()))
    offered = set(response.context["form"].fields["course"].queryset.values_list("pk", flat=True))
    assert {approved.pk, school_made.pk} <= offered
    assert rejected.pk not in offered and off_list.pk not in offered


def test_an_editor_cannot_publish_a_page_for_a_rejected_vendor(editor, site):
    rejected = f.VendorFactory(status=Vendor.Status.REJECTED)
    response = editor.post(
        add_url(VendorPage, VendorCataloguePage.objects.get()), page_data("vendor", rejected)
    )
    assert response.status_code == 200  # the form again, with its error
    assert not VendorPage.objects.filter(vendor=rejected).exists()


def test_an_editor_cannot_publish_a_page_for_a_rejected_course(editor, site):
    rejected = f.CourseFactory(review_status=Course.ReviewStatus.REJECTED)
    response = editor.post(
        add_url(CoursePage, CourseLibraryPage.objects.get()), page_data("course", rejected)
    )
    assert response.status_code == 200
    assert not CoursePage.objects.filter(course=rejected).exists()


def test_publishing_checks_the_record_whatever_the_path(site):
    vendor = Vendor.objects.get(name="启航体育")
    page = VendorPage.objects.get(vendor=vendor)
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.REVOKED)
    page.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        page.save_revision(clean=False).publish()
    assert excinfo.value.error_dict["vendor"][0].code == "record_not_publishable"


def test_the_admin_refuses_to_publish_the_page_of_a_suspended_vendor(editor, site):
    vendor = Vendor.objects.get(name="启航体育")
    page = VendorPage.objects.get(vendor=vendor)
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.SUSPENDED)
    VendorPage.objects.filter(pk=page.pk).update(live=False)
    data = page_data("vendor", vendor)
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert not page.live


def test_an_approved_records_page_still_publishes(editor, site):
    vendor = f.VendorFactory(name="琴韵艺术")
    response = editor.post(
        add_url(VendorPage, VendorCataloguePage.objects.get()), page_data("vendor", vendor)
    )
    assert response.status_code == 302
    assert VendorPage.objects.get(vendor=vendor).live
