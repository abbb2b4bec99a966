"""The catalogue's selectors and filter set, below the view."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from marketplace.catalogue.filters import CourseFilter
from marketplace.catalogue.selectors import buyer_schools, catalogue_courses, catalogue_page, course_weekdays
from marketplace.courses.models import Course
from marketplace.fees.models import ChargingStandard
from marketplace.vendors.models import Vendor
from people.roles.access import memberships_of
from tests import factories as f
from tests.catalogue.test_views import many_courses, teach

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 1)


def test_catalogue_courses_is_the_usable_by_schools_rule():
    approved = f.VendorFactory()
    courses = [
        f.CourseFactory(vendor=approved, review_status=status) for status in Course.ReviewStatus.values
    ]
    for status in Vendor.Status.values:
        vendor = f.VendorFactory(status=status)
        courses += [f.CourseFactory(vendor=vendor, review_status=s) for s in Course.ReviewStatus.values]
    courses.append(f.SchoolCourseFactory())
    listed = set(catalogue_courses().values_list("pk", flat=True))
    expected = {course.pk for course in Course.objects.all() if course.usable_by_schools}
    assert listed == expected
    assert len(expected) == 1 + 1  # the approved course of each approved vendor
    assert len(courses) == 4 + 4 * len(Vendor.Status.values) + 1


def test_course_weekdays_are_distinct_and_sorted():
    course = f.CourseFactory()
    teach(course, 4, 0)
    teach(course, 0, 2)
    bare = f.CourseFactory()
    assert course_weekdays([course.pk, bare.pk]) == {course.pk: [0, 2, 4]}


def test_course_weekdays_of_nothing_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert course_weekdays([]) == {}


@pytest.mark.parametrize("per_page", [5, 20, 100])
def test_catalogue_page_costs_four_queries_whatever_its_size(per_page, django_assert_num_queries):
    many_courses(f.VendorFactory(), 60)
    with django_assert_num_queries(4):  # count, ids, rows, weekdays
        page = catalogue_page(catalogue_courses(), number="1", per_page=per_page)
        titles = [course.title for course in page.object_list]
        weekdays = {tuple(course.weekdays) for course in page.object_list}
        vendors = {course.vendor.district.name + course.category.name for course in page.object_list}
    assert titles == [f"C{i:03d}" for i in range(min(per_page, 60))]
    assert weekdays == {(0, 2)}
    assert len(vendors) == 1


@pytest.mark.parametrize(("number", "expected"), [("last", 3), ("3", 3), ("4", 3), ("x", 1), (None, 1)])
def test_catalogue_page_number(number, expected):
    many_courses(f.VendorFactory(), 25)
    page = catalogue_page(catalogue_courses(), number=number, per_page=10)
    assert page.number == expected
    assert len(page.object_list) == (5 if expected == 3 else 10)


def test_catalogue_page_keeps_the_order_of_the_queryset():
    many_courses(f.VendorFactory(), 30)
    courses = catalogue_courses().order_by("-price_per_session", "-pk")
    page = catalogue_page(courses, number=2, per_page=7)
    assert [c.pk for c in page.object_list] == list(courses.values_list("pk", flat=True)[7:14])


def test_weekday_filter_never_duplicates_rows():
    course = f.CourseFactory()
    for _ in range(3):
        teach(course, 1, 2, 3)
    filterset = CourseFilter(QueryDict("weekday=1&weekday=2&weekday=3"), queryset=catalogue_courses())
    assert list(filterset.qs) == [course]
    assert filterset.qs.count() == 1


def test_buyer_schools_pairs_each_school_with_its_districts_cap(django_assert_num_queries):
    school = f.SchoolFactory()
    sister = f.SchoolFactory(district=school.district)
    elsewhere = f.SchoolFactory()
    admin = f.SchoolAdminFactory(school=school).user
    f.SchoolAdminFactory(user=admin, school=sister)
    f.SchoolAdminFactory(user=admin, school=elsewhere)
    f.TeacherFactory(user=admin)  # another role: no buying
    standard = f.ChargingStandardFactory(
        district=school.district,
        service_kind=ChargingStandard.ServiceKind.ENRICHMENT,
        unit=ChargingStandard.Unit.PER_SESSION,
        cap_amount=Decimal("40.00"),
    )
    memberships_of(admin)  # loaded once per request anyway (the base template lists them)
    with django_assert_num_queries(2):  # one per district
        buyers = buyer_schools(admin, on=TODAY)
    assert {(b.school.pk, b.standard) for b in buyers} == {
        (school.pk, standard),
        (sister.pk, standard),
        (elsewhere.pk, None),
    }
    mine = next(b for b in buyers if b.school.pk == school.pk)
    assert mine.price_within_cap(Decimal("40.00")) is True
    assert mine.price_within_cap(Decimal("40.01")) is False
    assert next(b for b in buyers if b.school.pk == elsewhere.pk).price_within_cap(Decimal("1")) is None


@pytest.mark.parametrize(
    "user",
    [
        lambda: AnonymousUser(),
        lambda: f.UserFactory(),
        lambda: f.ParentFactory().user,
        lambda: f.VendorMemberFactory().user,
    ],
)
def test_buyer_schools_is_empty_for_others(user):
    assert buyer_schools(user(), on=TODAY) == []
