"""The public course catalogue (``catalogue:courses``): filters, sorting, pages, the cap
flags of a school administrator, languages, and a page cost that does not grow with its size."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from marketplace.courses.models import Course
from marketplace.fees.models import ChargingStandard
from marketplace.vendors.models import Instructor, InstructorAvailability, Vendor
from tests import factories as f

URL = reverse("catalogue:courses")
ENRICHMENT, PER_SESSION = ChargingStandard.ServiceKind.ENRICHMENT, ChargingStandard.Unit.PER_SESSION


def teach(course, *weekdays, instructor=None):
    """Name an instructor of the course's vendor on it, available on ``weekdays``."""
    instructor = instructor or f.InstructorFactory(vendor=course.vendor)
    course.instructors.add(instructor)
    for day in weekdays:
        f.InstructorAvailabilityFactory(instructor=instructor, weekday=day)
    return instructor


@pytest.fixture
def world(db):
    """Two districts, two approved vendors with three usable courses, and courses that
    must never be listed (not approved, or of a vendor off the approved list)."""
    haishu = f.DistrictFactory(name="海曙区", name_en="Haishu")
    jiangbei = f.DistrictFactory(name="江北区", name_en="Jiangbei")
    sports = f.CategoryFactory(name="体育", name_en="Sports")
    arts = f.CategoryFactory(name="艺术", name_en="Arts")
    academic = f.CategoryFactory(name="学科", name_en="Academic", is_academic=True)
    spark = f.VendorFactory(
        name="星火体育", name_en="Spark Sports", district=haishu, category=sports, risk_grade="B"
    )
    colour = f.VendorFactory(name="彩虹美术", name_en="Rainbow Art", district=jiangbei, category=arts)
    basketball = f.CourseFactory(
        vendor=spark,
        category=sports,
        title="少儿篮球",
        title_en="Junior basketball",
        grade_min=1,
        grade_max=3,
        sessions=12,
        price_per_session=Decimal("30.00"),
        materials_fee=Decimal("50.00"),
    )
    chess = f.CourseFactory(
        vendor=spark,
        category=sports,
        title="国际象棋",
        title_en="Chess",
        grade_min=2,
        grade_max=5,
        price_per_session=Decimal("45.00"),
    )
    painting = f.CourseFactory(
        vendor=colour,
        category=arts,
        title="水彩画",
        title_en="Watercolour painting",
        grade_min=4,
        grade_max=6,
        price_per_session=Decimal("60.00"),
    )
    teach(basketball, 0)  # Monday
    wednesday_painter = teach(painting, 2, 4)  # Wednesday and Friday
    teach(painting, 2)  # a second instructor on Wednesday: still one row
    hidden = [
        f.CourseFactory(
            vendor=spark, category=sports, title="待审课程", review_status=Course.ReviewStatus.SUBMITTED
        ),
        f.CourseFactory(
            vendor=spark, category=sports, title="草稿课程", review_status=Course.ReviewStatus.DRAFT
        ),
        f.CourseFactory(
            vendor=spark, category=sports, title="驳回课程", review_status=Course.ReviewStatus.REJECTED
        ),
        f.SchoolCourseFactory(title="校本课程", category=sports),
    ]
    for status in (
        Vendor.Status.SUSPENDED,
        Vendor.Status.REVOKED,
        Vendor.Status.SUBMITTED,
        Vendor.Status.REJECTED,
    ):
        vendor = f.VendorFactory(district=haishu, category=sports, status=status)
        course = f.CourseFactory(vendor=vendor, category=sports, title=f"{status}机构课程")
        teach(course, 0)
        hidden.append(course)
    return SimpleNamespace(
        haishu=haishu,
        jiangbei=jiangbei,
        sports=sports,
        arts=arts,
        academic=academic,
        spark=spark,
        colour=colour,
        basketball=basketball,
        chess=chess,
        painting=painting,
        wednesday_painter=wednesday_painter,
        hidden=hidden,
    )


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [course.title for course in response.context["courses"]]


def errors(response) -> dict:
    return response.context["form"].errors


# --- what is listed ------------------------------------------------------------------------


def test_public_page_lists_only_courses_schools_may_buy(client, world):
    response = client.get(URL)
    assert sorted(listed(response)) == sorted(["少儿篮球", "国际象棋", "水彩画"])
    content = response.content.decode()
    for course in world.hidden:
        assert course.title not in content
    assert response.context["page"].paginator.count == 3


def test_a_course_disappears_when_its_vendor_is_suspended(client, world):
    Vendor.objects.filter(pk=world.spark.pk).update(status=Vendor.Status.SUSPENDED)
    assert listed(client.get(URL)) == ["水彩画"]


def test_card_shows_the_course_facts(client, world):
    response = client.get(URL, {"q": "篮球"})
    content = response.content.decode()
    assert listed(response) == ["少儿篮球"]
    for text in ("少儿篮球", "星火体育", "体育", "海曙区", "¥30.00", "¥50.00", 'data-testid="risk-grade"'):
        assert text in content
    (card,) = response.context["courses"]
    assert card.weekdays == [0]
    with translation.override("zh-hans"):
        assert card.weekday_labels == [str(translation.gettext("Mon"))]


def test_weekdays_of_a_course_are_each_shown_once(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    (card,) = client.get(URL, {"q": "水彩"}).context["courses"]
    assert card.weekdays == [2, 4]
    assert card.weekday_labels == ["Wed", "Fri"]


def test_risk_grade_shown_only_when_set(client, world):
    content = client.get(URL, {"district": world.jiangbei.pk}).content.decode()
    assert "水彩画" in content
    assert 'data-testid="risk-grade"' not in content


# --- each filter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("篮球", ["少儿篮球"]),
        ("PAINT", ["水彩画"]),  # the English title, any case
        ("星火", ["国际象棋", "少儿篮球"]),  # the vendor's name
        ("rainbow", ["水彩画"]),  # the vendor's English name
        ("星火 象棋", ["国际象棋"]),  # every word must match
        ("足球", []),
    ],
)
def test_text_search(client, world, query, expected):
    assert sorted(listed(client.get(URL, {"q": query}))) == sorted(expected)


def test_category_filter(client, world):
    assert sorted(listed(client.get(URL, {"category": world.sports.pk}))) == ["国际象棋", "少儿篮球"]
    assert listed(client.get(URL, {"category": world.arts.pk})) == ["水彩画"]


@pytest.mark.parametrize(
    ("grade", "expected"),
    [(1, ["少儿篮球"]), (2, ["国际象棋", "少儿篮球"]), (5, ["国际象棋", "水彩画"]), (6, ["水彩画"]), (9, [])],
)
def test_grade_filter_keeps_courses_whose_band_contains_the_grade(client, world, grade, expected):
    assert sorted(listed(client.get(URL, {"grade": grade}))) == sorted(expected)


def test_district_filter_is_the_vendors_district(client, world):
    assert sorted(listed(client.get(URL, {"district": world.haishu.pk}))) == ["国际象棋", "少儿篮球"]
    assert listed(client.get(URL, {"district": world.jiangbei.pk})) == ["水彩画"]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (["0"], ["少儿篮球"]),
        (["2"], ["水彩画"]),  # two instructors on Wednesday: listed once
        (["0", "4"], ["少儿篮球", "水彩画"]),  # any of the chosen days
        (["1"], []),
        (["5", "6"], []),
    ],
)
def test_weekday_filter(client, world, days, expected):
    response = client.get(URL, {"weekday": days})
    assert sorted(listed(response)) == sorted(expected)
    assert response.context["page"].paginator.count == len(expected)


def test_weekday_filter_looks_only_at_the_courses_own_instructors(client, world):
    # An instructor of the vendor who is not named on the course does not count.
    idle = f.InstructorFactory(vendor=world.spark)
    f.InstructorAvailabilityFactory(instructor=idle, weekday=3)
    assert listed(client.get(URL, {"weekday": "3"})) == []
    world.chess.instructors.add(idle)
    assert listed(client.get(URL, {"weekday": "3"})) == ["国际象棋"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_price": "45"}, ["国际象棋", "水彩画"]),
        ({"max_price": "45.00"}, ["国际象棋", "少儿篮球"]),
        ({"min_price": "30.01", "max_price": "59.99"}, ["国际象棋"]),
        ({"min_price": "61"}, []),
        ({"min_price": "0", "max_price": "30"}, ["少儿篮球"]),
    ],
)
def test_price_range_filter(client, world, params, expected):
    assert sorted(listed(client.get(URL, params))) == sorted(expected)


def test_filters_combine(client, world):
    params = {
        "district": world.haishu.pk,
        "grade": 3,
        "weekday": "0",
        "max_price": "40",
        "category": world.sports.pk,
    }
    assert listed(client.get(URL, params)) == ["少儿篮球"]
    params["grade"] = 4
    assert listed(client.get(URL, params)) == []


# --- invalid input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"grade": "10"}, "grade"),
        ({"grade": "abc"}, "grade"),
        ({"weekday": "9"}, "weekday"),
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-5"}, "min_price"),
        ({"max_price": "NaN"}, "max_price"),
        ({"max_price": "Infinity"}, "max_price"),
        ({"max_price": "1e400"}, "max_price"),
        ({"max_price": "1.234"}, "max_price"),
        ({"sort": "bogus"}, "sort"),
        ({"page_size": "7"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"district": "999999"}, "district"),
        ({"district": "x"}, "district"),
        ({"q": "x" * 101}, "q"),
        ({"q": "bad\x00byte"}, "q"),
    ],
)
def test_invalid_value_is_shown_and_ignored(client, world, params, field):
    response = client.get(URL, params)
    assert field in errors(response)
    assert f'data-testid="field-error-{field}"' in response.content.decode()
    assert len(listed(response)) == 3  # not filtered by the bad value
    assert response.context["page"].paginator.per_page == 20


def test_academic_category_is_not_a_choice(client, world):
    response = client.get(URL, {"category": world.academic.pk})
    assert "category" in errors(response)
    assert len(listed(response)) == 3


def test_an_invalid_value_leaves_the_valid_ones_in_force(client, world):
    response = client.get(URL, {"grade": "99", "district": world.jiangbei.pk})
    assert "grade" in errors(response)
    assert listed(response) == ["水彩画"]


def test_lowest_price_above_highest_is_refused_and_only_the_lowest_applies(client, world):
    response = client.get(URL, {"min_price": "40", "max_price": "35"})
    assert "max_price" in errors(response)
    assert sorted(listed(response)) == ["国际象棋", "水彩画"]


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=1e9",
        "page=last",
        "page=%00",
        "weekday=&weekday=1&weekday=1",
        "category=&district=&grade=&min_price=&max_price=&q=&sort=&page_size=",
        "q=%25%5F%27%22%3C",
        "min_price=99999999999",
        "grade=1&grade=2",
    ],
)
def test_odd_query_strings_never_fail(client, world, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200


def test_search_characters_are_taken_literally(client, world):
    assert listed(client.get(URL, {"q": "%"})) == []
    assert listed(client.get(URL, {"q": "_"})) == []
    assert "&lt;script&gt;" in client.get(URL, {"q": "<script>"}).content.decode()


def test_only_get(client, world):
    assert client.post(URL).status_code == 405


# --- sorting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["少儿篮球", "国际象棋", "水彩画"]),
        ("-price", ["水彩画", "国际象棋", "少儿篮球"]),
        ("title", sorted(["少儿篮球", "国际象棋", "水彩画"])),
        ("vendor", ["水彩画", "国际象棋", "少儿篮球"]),  # 彩虹美术 before 星火体育, then by title
    ],
)
def test_sorting(client, world, sort, expected):
    assert listed(client.get(URL, {"sort": sort})) == expected


def test_default_order_is_by_title(client, world):
    assert listed(client.get(URL)) == sorted(["少儿篮球", "国际象棋", "水彩画"])


def test_newest_first(client, world):
    now = timezone.now()
    for days, course in enumerate([world.painting, world.basketball, world.chess]):
        Course.objects.filter(pk=course.pk).update(created_at=now - datetime.timedelta(days=days))
    assert listed(client.get(URL, {"sort": "newest"})) == ["水彩画", "少儿篮球", "国际象棋"]


def test_title_order_follows_the_language(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, {"sort": "title"})
    assert listed(response) == ["国际象棋", "少儿篮球", "水彩画"]  # Chess, Junior…, Watercolour…


# --- pages ---------------------------------------------------------------------------------


def many_courses(vendor, count, *, weekdays=(0, 2)):
    """``count`` approved courses of ``vendor`` titled C000…, each taught by an instructor
    available on ``weekdays`` (bulk-created, as a big catalogue would be)."""
    subject = f.SubjectFactory()
    instructors = Instructor.objects.bulk_create(
        Instructor(vendor=vendor, name=f"讲师{i}") for i in range(count)
    )
    InstructorAvailability.objects.bulk_create(
        InstructorAvailability(
            instructor=instructor, weekday=day, start=datetime.time(15, 30), end=datetime.time(17, 30)
        )
        for instructor in instructors
        for day in weekdays
    )
    courses = Course.objects.bulk_create(
        Course(
            vendor=vendor,
            category=vendor.category,
            subject=subject,
            title=f"C{i:03d}",
            grade_min=1,
            grade_max=6,
            sessions=10,
            price_per_session=Decimal(20 + i % 30),
            review_status=Course.ReviewStatus.APPROVED,
        )
        for i in range(count)
    )
    Course.instructors.through.objects.bulk_create(
        Course.instructors.through(course_id=course.pk, instructor_id=instructor.pk)
        for course, instructor in zip(courses, instructors, strict=True)
    )
    return courses


@pytest.fixture
def big(db):
    vendor = f.VendorFactory(name="大机构", name_en="Big Vendor")
    many_courses(vendor, 45)
    return vendor


def test_pages_of_twenty_by_default(client, big):
    response = client.get(URL)
    page = response.context["page"]
    assert listed(response) == [f"C{i:03d}" for i in range(20)]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (1, 3, 45)
    assert listed(client.get(URL, {"page": 3})) == [f"C{i:03d}" for i in range(40, 45)]


def test_pages_do_not_overlap_when_sorted_by_price(client, big):
    seen = []
    for number in (1, 2, 3):
        seen += listed(client.get(URL, {"sort": "price", "page": number}))
    assert sorted(seen) == [f"C{i:03d}" for i in range(45)]


def test_page_links_keep_the_filters(client, big):
    content = client.get(URL, {"sort": "-price", "weekday": "0", "page": 2}).content.decode()
    assert 'href="?sort=-price&amp;weekday=0&amp;page=3"' in content
    assert 'href="?sort=-price&amp;weekday=0&amp;page=1"' in content


@pytest.mark.parametrize(("size", "shown"), [("20", 20), ("50", 45), ("100", 45)])
def test_page_size_choice(client, big, size, shown):
    response = client.get(URL, {"page_size": size})
    assert len(listed(response)) == shown
    assert response.context["page"].paginator.per_page == int(size)


@pytest.mark.parametrize(("number", "expected"), [("99", 3), ("abc", 1), ("-1", 3), ("", 1), ("last", 3)])
def test_page_out_of_range_shows_the_nearest_page(client, big, number, expected):
    # Paginator.get_page: not a number -> page 1; past the end (or negative) -> the last.
    assert client.get(URL, {"page": number}).context["page"].number == expected


def test_empty_result_is_one_empty_page(client, big):
    response = client.get(URL, {"q": "nothing-like-this", "page": 5})
    assert listed(response) == []
    assert 'data-testid="no-courses"' in response.content.decode()


# --- the cost of a page --------------------------------------------------------------------


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def crowd(db):
    """150 courses over two vendors in two districts, each with instructors and windows."""
    first = f.VendorFactory(risk_grade="A")
    second = f.VendorFactory(risk_grade="C")
    many_courses(first, 75, weekdays=(0, 1, 2))
    many_courses(second, 75, weekdays=(3, 4))
    return SimpleNamespace(first=first, second=second)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"weekday": ["0", "3"], "sort": "-price"},
        {"q": "C", "grade": 3, "min_price": "20", "max_price": "60", "sort": "vendor"},
    ],
)
def test_queries_do_not_grow_with_the_page_size_for_visitors(
    client, crowd, params, django_assert_max_num_queries
):
    small = count_queries(client, {**params, "page_size": 20})
    large = count_queries(client, {**params, "page_size": 100})
    assert small == large
    with django_assert_max_num_queries(6):  # 2 choice lists, count, ids, rows, weekdays
        response = client.get(URL, {**params, "page_size": 100})
    assert len(response.context["courses"]) == 100


def test_queries_do_not_grow_with_the_page_size_for_a_school_admin(
    client, crowd, django_assert_max_num_queries
):
    school = f.SchoolFactory(district=crowd.first.district)
    other = f.SchoolFactory(district=crowd.second.district)
    admin = f.SchoolAdminFactory(school=school).user
    f.SchoolAdminFactory(user=admin, school=other)
    f.ChargingStandardFactory(
        district=school.district, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="35"
    )
    client.force_login(admin)
    small = count_queries(client, {"page_size": 20})
    large = count_queries(client, {"page_size": 100})
    assert small == large
    # session, user, two-factor check, memberships, 2 districts' caps, 2 choice lists, count,
    # ids, rows, weekdays
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page_size": 100, "weekday": "0"})
    assert len(response.context["courses"]) == 75
    assert response.content.decode().count('data-testid="request-course"') > 75


# --- a school administrator's view ---------------------------------------------------------


@pytest.fixture
def admin_of_haishu(client, world):
    school = f.SchoolFactory(district=world.haishu, name="海曙小学")
    client.force_login(f.SchoolAdminFactory(school=school).user)
    return school


def offers_by_title(response) -> dict:
    return {course.title: course.offers for course in response.context["courses"]}


def test_cap_flag_within_and_above_the_districts_cap(client, world, admin_of_haishu):
    f.ChargingStandardFactory(
        district=world.haishu, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="45.00"
    )
    response = client.get(URL)
    offers = offers_by_title(response)
    assert [o.within_cap for o in offers["少儿篮球"]] == [True]  # 30 <= 45
    assert [o.within_cap for o in offers["国际象棋"]] == [True]  # 45 <= 45: the cap itself is allowed
    assert [o.within_cap for o in offers["水彩画"]] == [False]  # 60 > 45
    content = response.content.decode()
    assert content.count('data-testid="cap-within"') == 2
    assert content.count('data-testid="cap-above"') == 1
    for course in (world.basketball, world.chess):
        link = reverse("purchases:request_create", args=[admin_of_haishu.pk, course.pk])
        assert f'href="{link}"' in content
    # A price above the cap cannot be accepted for the school: no request link for it.
    assert reverse("purchases:request_create", args=[admin_of_haishu.pk, world.painting.pk]) not in content
    assert content.count('data-testid="request-course"') == 2


def test_cap_of_another_district_or_kind_is_ignored(client, world, admin_of_haishu):
    f.ChargingStandardFactory(
        district=world.jiangbei, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="100"
    )
    f.ChargingStandardFactory(
        district=world.haishu, service_kind=ENRICHMENT, unit="per_term", cap_amount="10"
    )
    f.ChargingStandardFactory(
        district=world.haishu, service_kind="supervised_study", unit=PER_SESSION, cap_amount="10"
    )
    response = client.get(URL)
    assert all(o.within_cap is None for offers in offers_by_title(response).values() for o in offers)
    content = response.content.decode()
    assert content.count('data-testid="cap-none"') == 3
    assert content.count('data-testid="request-course"') == 3


def test_cap_in_force_today_is_used(client, world, admin_of_haishu):
    today = timezone.localdate()
    f.ChargingStandardFactory(
        district=world.haishu,
        service_kind=ENRICHMENT,
        unit=PER_SESSION,
        cap_amount="100",
        effective_from=today - datetime.timedelta(days=400),
        effective_to=today - datetime.timedelta(days=1),
    )
    f.ChargingStandardFactory(
        district=world.haishu,
        service_kind=ENRICHMENT,
        unit=PER_SESSION,
        cap_amount="35",
        effective_from=today,
    )
    f.ChargingStandardFactory(
        district=world.haishu,
        service_kind=ENRICHMENT,
        unit=PER_SESSION,
        cap_amount="5",
        effective_from=today + datetime.timedelta(days=1),
    )
    offers = offers_by_title(client.get(URL))
    assert [o.within_cap for o in offers["少儿篮球"]] == [True]
    assert [o.within_cap for o in offers["国际象棋"]] == [False]
    assert offers["国际象棋"][0].standard.cap_amount == Decimal("35.00")


def test_admin_of_two_schools_sees_each_schools_cap(client, world):
    in_haishu = f.SchoolFactory(district=world.haishu)
    in_jiangbei = f.SchoolFactory(district=world.jiangbei)
    admin = f.SchoolAdminFactory(school=in_haishu).user
    f.SchoolAdminFactory(user=admin, school=in_jiangbei)
    f.ChargingStandardFactory(
        district=world.haishu, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="40"
    )
    f.ChargingStandardFactory(
        district=world.jiangbei, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="70"
    )
    client.force_login(admin)
    offers = offers_by_title(client.get(URL))
    assert {o.school.pk: o.within_cap for o in offers["水彩画"]} == {
        in_haishu.pk: False,
        in_jiangbei.pk: True,
    }
    assert {o.school.pk: o.within_cap for o in offers["少儿篮球"]} == {
        in_haishu.pk: True,
        in_jiangbei.pk: True,
    }


@pytest.mark.parametrize(
    "membership",
    [
        lambda w: f.ParentFactory(),
        lambda w: f.VendorMemberFactory(vendor=w.spark),
        lambda w: f.TeacherFactory(school=f.SchoolFactory(district=w.haishu)),
        lambda w: f.BureauOfficerFactory(district=w.haishu),
    ],
)
def test_others_see_no_cap_flags_or_request_links(client, world, membership):
    f.ChargingStandardFactory(
        district=world.haishu, service_kind=ENRICHMENT, unit=PER_SESSION, cap_amount="45"
    )
    client.force_login(membership(world).user)
    response = client.get(URL)
    assert len(listed(response)) == 3
    assert all(course.offers == [] for course in response.context["courses"])
    content = response.content.decode()
    assert 'data-testid="request-course"' not in content
    assert 'data-testid="cap-' not in content


def test_visitors_see_no_request_links(client, world):
    content = client.get(URL).content.decode()
    assert 'data-testid="request-course"' not in content
    assert 'data-testid="offer"' not in content


# --- languages -----------------------------------------------------------------------------


def test_renders_in_chinese_by_default(client, world):
    response = client.get(URL)
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    with translation.override("zh-hans"):
        assert str(translation.gettext("Course catalogue")) in content
    assert "少儿篮球" in content and "星火体育" in content and "海曙区" in content
    assert "Junior basketball" not in content and "Spark Sports" not in content


def test_renders_in_english(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(URL).content.decode()
    assert '<html lang="en">' in content
    for text in (
        "Course catalogue",
        "Junior basketball",
        "Spark Sports",
        "Haishu",
        "Sports",
        "Mon",
        "Grades 1–3",
    ):
        assert text in content
    assert "少儿篮球" not in content


def test_vendor_order_follows_the_language(client, world):
    zeta = f.VendorFactory(name="阿米机构", name_en="Zeta Club", district=world.haishu, category=world.sports)
    f.CourseFactory(vendor=zeta, category=world.sports, title="跳绳", title_en="Rope skipping")
    # By pinyin 阿 (a) comes first, although by code point it comes after 彩 and 星.
    assert listed(client.get(URL, {"sort": "vendor"}))[0] == "跳绳"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert listed(client.get(URL, {"sort": "vendor"}))[-1] == "跳绳"  # Zeta comes last


def test_folded_filter_panel_counts_the_active_filters(client, world):
    response = client.get(
        URL, {"grade": 3, "weekday": ["0", "2"], "sort": "price", "page_size": 50, "q": " "}
    )
    assert response.context["active_filters"] == 2
    assert 'data-testid="active-filters"' in response.content.decode()
    response = client.get(URL, {"grade": "x", "sort": "price"})
    assert response.context["active_filters"] == 0
    assert 'data-testid="filters" open>' in response.content.decode()  # an error unfolds the panel
    content = client.get(URL).content.decode()
    assert 'data-testid="active-filters"' not in content
    assert 'data-testid="filters">' in content
