"""The catalogue's search reads subjects, categories and descriptions; titles sort by pinyin
in Chinese; every card links to a public course page (objectives, session plans,
instructors' qualifications) shown only for approved courses of approved vendors."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace.courses.models import Course, SessionPlan
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.catalogue.test_views import listed

URL = reverse("catalogue:courses")
pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    sports = f.CategoryFactory(code="sports", name="体育", name_en="Sports")
    tech = f.CategoryFactory(code="tech", name="科技", name_en="Science and technology")
    basketball = f.SubjectFactory(code="basketball", name="篮球", name_en="Basketball")
    robotics = f.SubjectFactory(code="robotics", name="机器人", name_en="Robotics")
    spark = f.VendorFactory(name="星火", category=sports, description_en="Swimming and diving.")
    lab = f.VendorFactory(name="创客", category=tech)
    hoops = f.CourseFactory(vendor=spark, category=sports, subject=basketball, title="小篮板")
    lego = f.CourseFactory(
        vendor=lab,
        category=tech,
        subject=robotics,
        title="乐高搭建",
        description="积木搭建与简单机械原理。",
        objectives="学会使用传感器",
    )
    return hoops, lego


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("basketball", ["小篮板"]),  # the subject's English name
        ("robot", ["乐高搭建"]),  # part of the subject's English name
        ("篮球", ["小篮板"]),  # the subject's Chinese name
        ("technology", ["乐高搭建"]),  # the category
        ("机械原理", ["乐高搭建"]),  # the description
        ("传感器", ["乐高搭建"]),  # the learning objectives
        ("swimming", ["小篮板"]),  # the vendor's introduction
        ("robot 积木", ["乐高搭建"]),  # every word, each anywhere
        ("robot swimming", []),
    ],
)
def test_search_reads_subjects_categories_and_descriptions(client, shelf, query, expected):
    assert listed(client.get(URL, {"q": query})) == expected


def test_pinyin_sort_key():
    from core.pinyin import pinyin_sort_key

    assert pinyin_sort_key("篮球") < pinyin_sort_key("足球")
    assert pinyin_sort_key("编程") < pinyin_sort_key("篮球")
    assert pinyin_sort_key("Robot") == "robot"


def test_titles_sort_by_pinyin_in_chinese(client):
    titles = ["足球", "篮球", "安全教育", "编程"]  # by code point: 安 篮 编 足
    for title in titles:
        f.CourseFactory(title=title)
    assert listed(client.get(URL)) == ["安全教育", "编程", "篮球", "足球"]
    assert listed(client.get(URL, {"sort": "title"})) == ["安全教育", "编程", "篮球", "足球"]


def test_bulk_created_courses_get_their_sort_key():
    from core.pinyin import pinyin_sort_key

    vendor = f.VendorFactory()
    subject = f.SubjectFactory()
    (course,) = Course.objects.bulk_create(
        [
            Course(
                vendor=vendor,
                category=vendor.category,
                subject=subject,
                title="篮球",
                grade_min=1,
                grade_max=3,
                sessions=4,
                price_per_session=Decimal("20"),
                review_status=Course.ReviewStatus.APPROVED,
            )
        ]
    )
    assert Course.objects.get(pk=course.pk).title_sort == pinyin_sort_key("篮球")


def test_vendor_sort_is_by_pinyin_too(client):
    for vendor_name, title in (("足迹体育", "甲"), ("编程猫", "乙"), ("安心美术", "丙")):
        f.CourseFactory(vendor=f.VendorFactory(name=vendor_name), title=title)
    assert listed(client.get(URL, {"sort": "vendor"})) == ["丙", "乙", "甲"]


# --- the course page --------------------------------------------------------------------------


def detail_url(course):
    return reverse("catalogue:course_detail", args=[course.pk])


def test_every_card_links_to_its_course_page(client, shelf):
    text = client.get(URL).content.decode()
    for course in shelf:
        assert f'href="{detail_url(course)}"' in text


def test_the_course_page_shows_objectives_plans_and_qualifications(client, shelf):
    _hoops, lego = shelf
    instructor = f.InstructorFactory(vendor=lego.vendor, name="李工", qualifications="机器人竞赛教练证书")
    lego.instructors.add(instructor)
    SessionPlan.objects.create(course=lego, number=1, title="认识传感器", content="红外与超声波")
    response = client.get(detail_url(lego))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (
        "乐高搭建",
        "学会使用传感器",
        "认识传感器",
        "红外与超声波",
        "李工",
        "机器人竞赛教练证书",
    ):
        assert expected in text
    assert lego.vendor.credit_code not in text  # the page is public: no private facts


@pytest.mark.parametrize("review_status", ["draft", "submitted", "rejected"])
def test_a_course_not_approved_has_no_page(client, review_status):
    course = f.CourseFactory(review_status=review_status)
    assert client.get(detail_url(course)).status_code == 404


@pytest.mark.parametrize("vendor_status", ["suspended", "revoked", "rejected", "submitted"])
def test_a_course_of_a_vendor_off_the_list_has_no_page(client, vendor_status):
    course = f.CourseFactory(vendor=f.VendorFactory(status=vendor_status))
    assert client.get(detail_url(course)).status_code == 404


def test_a_school_made_course_has_no_public_page(client):
    assert client.get(detail_url(f.SchoolCourseFactory())).status_code == 404


def test_the_course_page_follows_the_language(client, shelf):
    hoops, _lego = shelf
    Course.objects.filter(pk=hoops.pk).update(title_en="Mini hoops")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Mini hoops" in client.get(detail_url(hoops)).content.decode()
    assert Vendor.objects.filter(pk=hoops.vendor_id, status="approved").exists()
