"""The CMS pages as visitors see them: languages, search, filters, paging and who may look."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.rich_text import RichText

from cms.models import (
    CourseLibraryPage,
    CoursePage,
    TeacherPoolPage,
    TeacherProfile,
    VendorCataloguePage,
    VendorPage,
)
from cms.search import search_query, segment
from cms.sync import sync_all
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.cms.conftest import english, set_vendor

pytestmark = pytest.mark.django_db


def titles_in(html: str, testid: str) -> list[str]:
    """The link texts of the listing's rows or cards."""
    return re.findall(rf'data-testid="{testid}">.*?<a href="[^"]*">([^<]+)</a>', html, flags=re.S)


@pytest.fixture
def vendor(home):
    category = f.CategoryFactory(name="体育", name_en="Sports")
    district = f.DistrictFactory(name="海曙区", name_en="Haishu District")
    vendor = f.VendorFactory(
        status=Vendor.Status.SUBMITTED,
        name="宁波启航体育培训有限公司",
        name_en="Qihang Sports Training",
        description="专注青少年篮球训练十年。",
        description_en="Ten years of youth basketball training.",
        category=category,
        district=district,
        risk_grade="A",
    )
    f.CourseFactory(vendor=vendor, title="篮球启蒙班", title_en="Basketball for Beginners")
    return set_vendor(vendor, status=Vendor.Status.APPROVED)


# --- Vendor catalogue ---------------------------------------------------------------------------


def test_a_vendor_page_in_chinese(client, vendor):
    page = VendorPage.objects.get(vendor=vendor)
    response = client.get(page.url)
    html = response.text
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "宁波启航体育培训有限公司" in html and "专注青少年篮球训练十年。" in html
    assert "体育" in html and "海曙区" in html and "篮球启蒙班" in html
    assert "Qihang Sports Training" not in html and "Ten years" not in html
    assert 'data-testid="risk-grade"' in html


def test_a_vendor_page_in_english(client, vendor):
    page = VendorPage.objects.get(vendor=vendor)
    html = english(client).get(page.url).text
    assert '<html lang="en">' in html
    assert "Qihang Sports Training" in html and "Ten years of youth basketball training." in html
    assert "Sports" in html and "Haishu District" in html and "Basketball for Beginners" in html
    assert "Approved courses" in html and "Price per session" in html
    assert "专注青少年篮球训练十年。" not in html


def test_editor_content_follows_the_language(client, vendor):
    page = VendorPage.objects.get(vendor=vendor)
    page.body = [("text", RichText("<p>场馆位于月湖旁。</p>"))]
    page.body_en = [("text", RichText("<p>The gym is by the Moon Lake.</p>"))]
    page.save_revision().publish()

    chinese = client.get(page.url).text
    assert "场馆位于月湖旁。" in chinese and "Moon Lake" not in chinese
    in_english = english(client).get(page.url).text
    assert "The gym is by the Moon Lake." in in_english and "场馆位于月湖旁。" not in in_english


def test_without_english_text_the_chinese_is_shown(client, vendor):
    set_vendor(vendor, name_en="", description_en="")
    page = VendorPage.objects.get(vendor=vendor)
    html = english(client).get(page.url).text
    assert "宁波启航体育培训有限公司" in html and "专注青少年篮球训练十年。" in html


def test_the_catalogue_lists_approved_vendors_and_filters_by_category(client, vendor):
    other = set_vendor(
        f.VendorFactory(status=Vendor.Status.SUBMITTED, name="琴韵艺术"), status=Vendor.Status.APPROVED
    )
    gone = set_vendor(
        f.VendorFactory(status=Vendor.Status.SUBMITTED, name="已暂停机构"), status=Vendor.Status.APPROVED
    )
    set_vendor(gone, status=Vendor.Status.SUSPENDED)
    catalogue = VendorCataloguePage.objects.get()

    html = client.get(catalogue.url).text
    assert titles_in(html, "vendor-card") == ["宁波启航体育培训有限公司", "琴韵艺术"]
    assert "机构名录" in html

    html = client.get(catalogue.url, {"category": other.category_id}).text
    assert titles_in(html, "vendor-card") == ["琴韵艺术"]
    html = english(client).get(catalogue.url, {"q": "basketball"}).text
    assert titles_in(html, "vendor-card") == ["Qihang Sports Training"]
    assert "Vendor catalogue" in html


def test_a_bad_filter_value_is_reported_and_ignored(client, vendor):
    catalogue = VendorCataloguePage.objects.get()
    html = client.get(catalogue.url, {"category": "999999"}).text
    assert 'data-testid="filter-error"' in html
    assert titles_in(html, "vendor-card") == ["宁波启航体育培训有限公司"]


# --- Course library -----------------------------------------------------------------------------


@pytest.fixture
def library(home):
    stem = f.CategoryFactory(name="科技", name_en="STEM")
    arts = f.CategoryFactory(name="艺术", name_en="Arts")
    school_course = f.SchoolCourseFactory(
        title="乐高机器人社",
        title_en="LEGO Robotics Club",
        category=stem,
        grade_min=1,
        grade_max=3,
        objectives="学习乐高机器人搭建与编程。",
        description="每周一次。",
    )
    vendor_course = f.CourseFactory(
        title="毛笔书法",
        title_en="Brush Calligraphy",
        vendor=f.VendorFactory(category=arts),
        category=arts,
        grade_min=4,
        grade_max=6,
        objectives="Practise the basic strokes of brush writing.",
    )
    f.CourseFactory(title="未审核课程", review_status="submitted", objectives="学习乐高机器人")
    sync_all()
    return {
        "page": CourseLibraryPage.objects.get(),
        "stem": stem,
        "arts": arts,
        "school": school_course,
        "vendor": vendor_course,
    }


def library_titles(client, library, **params) -> list[str]:
    response = client.get(library["page"].url, params)
    assert response.status_code == 200
    return titles_in(response.text, "course-row")


def test_the_library_lists_library_courses(school_client, library):
    assert library_titles(school_client, library) == ["乐高机器人社", "毛笔书法"]


def test_library_search_finds_a_course_by_a_word_of_its_objectives(school_client, library):
    assert library_titles(school_client, library, q="搭建") == ["乐高机器人社"]
    assert library_titles(school_client, library, q="机器人 编程") == ["乐高机器人社"]
    assert library_titles(school_client, library, q="strokes") == ["毛笔书法"]
    assert library_titles(school_client, library, q="足球") == []
    assert library_titles(school_client, library, q="swimming") == []


def test_library_search_finds_session_plans_and_editor_lesson_plans(school_client, library):
    course = library["vendor"]
    course.session_plans.create(number=1, title="中锋用笔", content="悬腕练习")
    page = CoursePage.objects.get(course=course)
    page.body = [
        (
            "lesson",
            {
                "session": 2,
                "title": "Ink and paper",
                "body": RichText("<p>宣纸的选择</p>"),
                "documents": [],
                "images": [],
            },
        )
    ]
    page.save_revision().publish()

    assert library_titles(school_client, library, q="悬腕") == ["毛笔书法"]
    assert library_titles(school_client, library, q="宣纸") == ["毛笔书法"]


def test_library_filters_by_category_and_grade(school_client, library):
    assert library_titles(school_client, library, category=library["arts"].pk) == ["毛笔书法"]
    assert library_titles(school_client, library, grade=2) == ["乐高机器人社"]
    assert library_titles(school_client, library, grade=5, q="机器人") == []
    assert library_titles(school_client, library, category=library["stem"].pk, q="机器人") == ["乐高机器人社"]


def test_library_reports_a_bad_grade(school_client, library):
    response = school_client.get(library["page"].url, {"grade": "12"})
    assert 'data-testid="filter-error"' in response.text
    assert titles_in(response.text, "course-row") == ["乐高机器人社", "毛笔书法"]


def test_the_library_in_english(school_client, library):
    html = english(school_client).get(library["page"].url).text
    assert "Course resource library" in html
    # Ordered by the (Chinese) title: 乐 before 毛.
    assert titles_in(html, "course-row") == ["LEGO Robotics Club", "Brush Calligraphy"]
    assert "School-made" in html


def test_a_course_page_in_both_languages(school_client, library):
    course = library["school"]
    course.session_plans.create(number=1, title="认识零件", content="马达与传感器")
    page = CoursePage.objects.get(course=course)

    html = school_client.get(page.url).text
    assert "乐高机器人社" in html and "学习乐高机器人搭建与编程。" in html
    assert "认识零件" in html and "马达与传感器" in html and "科技" in html
    assert course.school.name in html

    html = english(school_client).get(page.url).text
    assert "LEGO Robotics Club" in html and "STEM" in html and "Session plans" in html
    assert course.school.name_en in html


def test_a_course_page_shows_lessons_and_documents(school_client, library):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document.objects.create(
        title="教案第一课", file=ContentFile(b"%PDF-1.4 lesson", name="lesson1.pdf")
    )
    page = CoursePage.objects.get(course=library["school"])
    page.body = [
        (
            "lesson",
            {
                "session": 1,
                "title": "搭建底盘",
                "body": RichText("<p>两人一组</p>"),
                "documents": [document],
                "images": [],
            },
        ),
        ("document", {"document": document, "note": "打印发给学生"}),
    ]
    page.save_revision().publish()

    html = school_client.get(page.url).text
    assert 'data-testid="lesson-block"' in html and "搭建底盘" in html and "两人一组" in html
    assert html.count("教案第一课") == 2 and document.url in html
    assert "打印发给学生" in html


def test_library_queries_do_not_grow_with_the_page_size(school_client, library):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert school_client.get(library["page"].url).status_code == 200
        return len(captured)

    queries()  # warm the per-process caches (content types, site)
    before = queries()
    for n in range(6):
        f.SchoolCourseFactory(title=f"兴趣小组{n}")
    sync_all()
    assert len(library_titles(school_client, library)) == 8
    assert queries() == before


# --- Teacher pool -------------------------------------------------------------------------------


@pytest.fixture
def pool(home):
    art = f.SubjectFactory(name="美术", name_en="Art")
    music = f.SubjectFactory(name="音乐", name_en="Music")
    school = f.SchoolFactory(name="月湖实验小学", name_en="Yuehu Primary")
    other_school = f.SchoolFactory()
    f.StaffMemberFactory(school=school, name="王丽华", subjects=[art])
    f.StaffMemberFactory(school=other_school, name="张海峰", subjects=[music])
    vendor = f.VendorFactory(name="琴韵艺术")
    f.InstructorFactory(vendor=vendor, name="徐丹丹", subjects=[music], qualifications="古筝演奏十级证书")
    f.ActivityFactory(course=f.CourseFactory(vendor=vendor), school=school)
    f.InstructorFactory(vendor=f.VendorFactory(status=Vendor.Status.SUBMITTED), name="未批准讲师")
    sync_all()
    return {
        "page": TeacherPoolPage.objects.get(),
        "art": art,
        "music": music,
        "school": school,
        "other": other_school,
    }


def pool_names(client, pool, **params) -> list[str]:
    response = client.get(pool["page"].url, params)
    assert response.status_code == 200
    return re.findall(r'data-testid="teacher-card">.*?<h3>([^<]+)</h3>', response.text, flags=re.S)


def test_the_teacher_pool_lists_listed_profiles(school_client, pool):
    assert pool_names(school_client, pool) == ["张海峰", "徐丹丹", "王丽华"]


def test_the_teacher_pool_filters_and_searches(school_client, pool):
    assert pool_names(school_client, pool, subject=pool["music"].pk) == ["张海峰", "徐丹丹"]
    assert pool_names(school_client, pool, school=pool["school"].pk) == ["徐丹丹", "王丽华"]
    assert pool_names(school_client, pool, school=pool["other"].pk, subject=pool["music"].pk) == ["张海峰"]
    assert pool_names(school_client, pool, kind="instructor") == ["徐丹丹"]
    assert pool_names(school_client, pool, q="古筝") == ["徐丹丹"]
    assert pool_names(school_client, pool, q="丽华") == ["王丽华"]
    assert pool_names(school_client, pool, q="Art") == ["王丽华"]
    assert pool_names(school_client, pool, q="舞蹈") == []
    assert pool_names(school_client, pool, q="音乐", subject=pool["art"].pk) == []


def test_the_teacher_pool_in_english(school_client, pool):
    html = english(school_client).get(pool["page"].url, {"school": pool["school"].pk}).text
    assert "Teacher pool" in html and "Vendor instructor" in html and "Yuehu Primary" in html
    assert "Music" in html


def test_the_teacher_pool_is_paginated(school_client, pool):
    school = f.SchoolFactory()
    for n in range(22):
        f.StaffMemberFactory(school=school, name=f"教师{n:02d}")
    sync_all()
    first = pool_names(school_client, pool)
    second = pool_names(school_client, pool, page=2)
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)
    html = school_client.get(pool["page"].url, {"school": school.pk, "page": 2}).text
    assert 'data-testid="pagination"' in html and f"school={school.pk}" in html


def test_teacher_pool_queries_do_not_grow_with_the_page_size(school_client, pool):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert school_client.get(pool["page"].url).status_code == 200
        return len(captured)

    queries()  # warm the per-process caches (content types, site)
    before = queries()
    vendor = f.VendorFactory()
    for n in range(6):
        f.StaffMemberFactory(name=f"教师{n}", subjects=[pool["art"], pool["music"]])
        f.InstructorFactory(vendor=vendor, name=f"讲师{n}", subjects=[pool["art"]])
    sync_all()
    assert len(pool_names(school_client, pool)) == 15
    assert queries() == before


def test_a_profile_shows_the_editors_bio_in_the_active_language(school_client, pool):
    profile = TeacherProfile.objects.get(name="王丽华")
    profile.bio, profile.bio_en = "二十年美术教学经验。", "Twenty years of teaching art."
    profile.save()
    assert "二十年美术教学经验。" in school_client.get(pool["page"].url).text
    html = english(school_client).get(pool["page"].url).text
    assert "Twenty years of teaching art." in html and "二十年美术教学经验。" not in html


# --- Who may look -------------------------------------------------------------------------------


@pytest.fixture
def shared_pages(home):
    sync_all()
    return [CourseLibraryPage.objects.get(), TeacherPoolPage.objects.get()]


def test_anonymous_visitors_are_sent_to_sign_in(client, shared_pages):
    for page in shared_pages:
        response = client.get(page.url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("membership", [f.ParentFactory, f.VendorMemberFactory])
def test_parents_and_vendors_cannot_open_the_schools_resources(client, shared_pages, membership):
    client.force_login(membership().user)
    for page in shared_pages:
        assert client.get(page.url).status_code == 404


@pytest.mark.parametrize(
    "membership", [f.SchoolAdminFactory, f.TeacherFactory, f.BureauOfficerFactory, f.CourseReviewerFactory]
)
def test_the_bureau_and_schools_open_the_schools_resources(client, shared_pages, membership):
    client.force_login(membership().user)
    for page in shared_pages:
        assert client.get(page.url).status_code == 200


def test_a_course_page_is_for_the_schools_too(client, home):
    course = f.SchoolCourseFactory()
    sync_all()
    page = CoursePage.objects.get(course=course)
    assert client.get(page.url).status_code == 302
    client.force_login(f.ParentFactory().user)
    assert client.get(page.url).status_code == 404


def test_the_vendor_catalogue_is_public(client, vendor):
    assert client.get(VendorCataloguePage.objects.get().url).status_code == 200
    assert client.get(VendorPage.objects.get().url).status_code == 200


# --- Search helpers -----------------------------------------------------------------------------


def test_segment_spaces_chinese_characters_and_keeps_words():
    assert segment("乐高Robot编程！", "", "Scratch 3") == "乐 高 Robot 编 程 Scratch 3"


def test_search_query_is_none_for_blank_input():
    assert search_query("  ，。 ") is None


def png_image(title: str):
    """A small Wagtail image (a real PNG, so that renditions can be made)."""
    from io import BytesIO

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    buffer = BytesIO()
    PILImage.new("RGB", (200, 160), "teal").save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.png"))


def test_photos_and_images_are_shown(school_client, pool, vendor):
    profile = TeacherProfile.objects.get(name="王丽华")
    profile.photo = png_image("wang")
    profile.save()
    html = school_client.get(pool["page"].url).text
    assert re.search(r'<img [^>]*alt="wang"', html)

    page = VendorPage.objects.get(vendor=vendor)
    page.body = [("image", {"image": png_image("gym"), "caption": "训练馆"})]
    page.save_revision().publish()
    html = school_client.get(page.url).text
    assert re.search(r'<img [^>]*alt="gym"', html) and "训练馆" in html


@pytest.mark.parametrize(
    "text", ["AND", "OR NOT", "NEAR(", 'a" OR "b', "机器人 AND", "编程*", "-", "^col:1", "'; --"]
)
def test_odd_search_input_is_just_text(school_client, library, text):
    response = school_client.get(library["page"].url, {"q": text})
    assert response.status_code == 200
    assert 'data-testid="result-count"' in response.text
