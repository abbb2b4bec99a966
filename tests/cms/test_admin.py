"""Editors in the Wagtail admin: every page type's editor, the page-type rules, and the
teacher profiles' snippet views."""

import pytest
from django.urls import reverse

from cms.models import (
    CourseLibraryPage,
    CoursePage,
    HomePage,
    TeacherPoolPage,
    TeacherProfile,
    VendorCataloguePage,
    VendorPage,
)
from cms.sync import sync_all
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(home):
    f.VendorFactory(name="启航体育")
    f.SchoolCourseFactory(title="校园足球队")
    f.StaffMemberFactory(name="王丽华")
    sync_all()
    return home


@pytest.mark.parametrize(
    "model", [HomePage, VendorCataloguePage, VendorPage, CourseLibraryPage, CoursePage, TeacherPoolPage]
)
def test_the_page_editor_loads_for_every_page_type(editor, site, model):
    page = model.objects.get()
    response = editor.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    assert page.title in response.text


@pytest.mark.parametrize(
    ("model", "parent"),
    [(VendorPage, VendorCataloguePage), (CoursePage, CourseLibraryPage)],
)
def test_the_create_form_loads_under_the_index_page(editor, site, model, parent):
    index = parent.objects.get()
    url = reverse("wagtailadmin_pages:add", args=["cms", model._meta.model_name, index.pk])
    assert editor.get(url).status_code == 200


def test_page_types_go_where_they_belong(site):
    home = HomePage.objects.get()
    catalogue, library = VendorCataloguePage.objects.get(), CourseLibraryPage.objects.get()
    assert VendorPage.can_create_at(catalogue) and not VendorPage.can_create_at(home)
    assert CoursePage.can_create_at(library) and not CoursePage.can_create_at(catalogue)
    # One of each index page: they exist already.
    for model in (VendorCataloguePage, CourseLibraryPage, TeacherPoolPage):
        assert not model.can_create_at(home)
    assert VendorPage.allowed_subpage_models() == []


def test_an_editor_creates_a_vendor_page_whose_title_follows_the_vendor(editor, site):
    vendor = f.VendorFactory(name="琴韵艺术")
    catalogue = VendorCataloguePage.objects.get()
    url = reverse("wagtailadmin_pages:add", args=["cms", "vendorpage", catalogue.pk])
    data = {
        "vendor": vendor.pk,
        "body-count": 0,
        "body_en-count": 0,
        "seo_title": "",
        "search_description": "",
        "action-publish": "publish",
    }
    response = editor.post(url, data)
    assert response.status_code == 302, response.text[-3000:]
    page = VendorPage.objects.get(vendor=vendor)
    assert page.live and page.title == "琴韵艺术" and page.slug == f"vendor-{vendor.pk}"


def test_the_teacher_profile_snippets_list_filters_and_searches(editor, site):
    url = reverse("wagtailsnippets_cms_teacherprofile:list")
    response = editor.get(url)
    assert response.status_code == 200 and "王丽华" in response.text
    subject = f.SubjectFactory()
    assert "王丽华" not in editor.get(url, {"subjects": subject.pk}).text
    assert "王丽华" in editor.get(url, {"q": "丽华"}).text
    assert "王丽华" not in editor.get(url, {"q": "张"}).text


def test_an_editor_edits_a_profile_and_the_record_kept_fields_stay(editor, site):
    profile = TeacherProfile.objects.get(name="王丽华")
    url = reverse("wagtailsnippets_cms_teacherprofile:edit", args=[profile.pk])
    assert editor.get(url).status_code == 200
    response = editor.post(
        url,
        {
            "staff": profile.staff_id,
            "instructor": "",
            "qualifications": "高级教师",
            "bio": "二十年教龄。",
            "bio_en": "Twenty years a teacher.",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.qualifications, profile.bio, profile.name) == ("高级教师", "二十年教龄。", "王丽华")
    assert list(profile.schools.all()) == [profile.staff.school]


def test_an_editor_cannot_make_a_profile_of_nobody(editor, site):
    url = reverse("wagtailsnippets_cms_teacherprofile:add")
    assert editor.get(url).status_code == 200
    response = editor.post(url, {"staff": "", "instructor": "", "qualifications": "x"})
    assert response.status_code == 200
    assert "每份档案仅属于一人" in response.text  # the admin speaks the default language
    assert not TeacherProfile.objects.filter(qualifications="x").exists()


def test_an_editor_adds_the_profile_of_a_new_instructor(editor, site):
    subject = f.SubjectFactory()
    instructor = f.InstructorFactory(name="徐丹丹", subjects=[subject], qualifications="古筝十级")
    url = reverse("wagtailsnippets_cms_teacherprofile:add")
    response = editor.post(url, {"staff": "", "instructor": instructor.pk, "bio": "擅长古筝。"})
    assert response.status_code == 302
    profile = TeacherProfile.objects.get(instructor=instructor)
    assert profile.name == "徐丹丹" and profile.qualifications == "古筝十级"
    assert list(profile.subjects.all()) == [subject]
