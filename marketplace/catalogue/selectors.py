"""Reads of the public course catalogue, which schools and parents browse.

The view (``marketplace.catalogue.views.course_list``) and the benchmark
(``benchmarks/catalogue.py``) share these functions, so what is measured is what is served.
A page of the catalogue costs a fixed number of queries, whatever its size: the count, the
page's ids, its rows with their vendor, district and category (``catalogue_page`` over
``catalogue_courses``), the weekdays of the whole page (``course_weekdays``), and the caps
of a school administrator's districts once per district (``buyer_schools``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from core.i18n import prefers_english
from marketplace.courses.models import Course, SessionPlan
from marketplace.fees.models import ChargingStandard
from marketplace.fees.selectors import standard_in_force
from marketplace.vendors.models import Instructor, InstructorAvailability, VendorStatus
from people.roles.access import roles_of
from people.roles.models import Role
from schools.models import School


def shown_name(field: str, english_field: str):
    """The name shown in the active language, as a database expression (or a field name):
    in English the English name when there is one, else the Chinese one."""
    if prefers_english():
        return Coalesce(NullIf(english_field, Value("")), field)
    return F(field)


def title_ordering() -> list:
    """Order by the title shown in the active language, then id: in Chinese by the title's
    pinyin (``Course.title_sort``), in English by the English title (else the Chinese one).

    The id makes the order total, so a page boundary never shows a row twice or skips one.
    """
    if prefers_english():
        return [shown_name("title", "title_en").asc(), "pk"]
    return ["title_sort", "title", "pk"]


def vendor_name_ordering() -> list:
    """The vendor's name as shown: by pinyin in Chinese (``Vendor.name_sort``)."""
    if prefers_english():
        return [shown_name("vendor__name", "vendor__name_en").asc()]
    return ["vendor__name_sort", "vendor__name"]


def catalogue_courses() -> QuerySet[Course]:
    """The courses schools may buy: approved courses of vendors on the approved list.

    The same rule as ``Course.usable_by_schools``, as a query. Rows come with their vendor,
    the vendor's district and the category (one query for a page), in title order;
    ``marketplace.catalogue.filters.CourseFilter`` narrows and re-sorts it.
    """
    return (
        Course.objects.filter(
            vendor__isnull=False,
            review_status=Course.ReviewStatus.APPROVED,
            vendor__status=VendorStatus.APPROVED,
        )
        .select_related("vendor", "vendor__district", "category")
        .order_by(*title_ordering())
    )


def catalogue_course_or_404(*, course_id: int) -> Course:
    """One course of the catalogue, for its public page: only an approved course of an
    approved vendor (the catalogue's own rule); anything else is a 404, as if absent.

    Comes with its subject, session plans (in order) and instructors (with their subjects
    and availability) — what a school or a parent decides by.
    """
    course = (
        catalogue_courses()
        .select_related("subject")
        .prefetch_related(
            Prefetch("session_plans", queryset=SessionPlan.objects.order_by("number")),
            Prefetch(
                "instructors",
                queryset=Instructor.objects.order_by("name", "pk").prefetch_related(
                    "subjects",
                    Prefetch(
                        "availability", queryset=InstructorAvailability.objects.order_by("weekday", "start")
                    ),
                ),
            ),
        )
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404("No such course in the catalogue")
    return course


def catalogue_page(courses: QuerySet[Course], *, number, per_page: int) -> Page:
    """One page of a (filtered, sorted) catalogue queryset, its rows with their weekdays.

    ``number`` is taken as given in a URL: ``"last"`` is the last page, anything that is not
    a page number page 1, a number past the end the last page (``Paginator.get_page``).

    Four queries whatever ``per_page`` is: the count; the ids of the page, in order; the
    rows of those ids with their vendor, district and category; the weekdays of those rows
    (``course_weekdays``), set on each as ``weekdays`` (0 = Monday). Sorting and skipping
    only (sort key, id) pairs before fetching whole rows (a deferred join) keeps deep pages
    as fast as the first: the database need not carry every column of every row it skips.
    """
    paginator = Paginator(courses.values_list("pk", flat=True), per_page)
    if number == "last":  # as Django's ListView allows
        number = paginator.num_pages
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = courses.order_by().in_bulk(ids)
    days = course_weekdays(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    for course in page.object_list:
        course.weekdays = days.get(course.pk, [])
    return page


def course_weekdays(course_ids) -> dict[int, list[int]]:
    """For each course, the weekdays (0 = Monday) on which one of its instructors is available.

    One query for any number of courses. Courses without an available instructor are absent.
    """
    ids = list(course_ids)
    if not ids:
        return {}
    pairs = (
        InstructorAvailability.objects.filter(instructor__courses__in=ids)
        .values_list("instructor__courses", "weekday")
        .order_by()  # the model's ordering would add columns and spoil DISTINCT
        .distinct()
    )
    days: dict[int, set[int]] = defaultdict(set)
    for course_id, weekday in pairs:
        days[course_id].add(weekday)
    return {course_id: sorted(found) for course_id, found in days.items()}


@dataclass(frozen=True)
class BuyerSchool:
    """A school the user may buy for, with the enrichment cap per session in its district."""

    school: School
    standard: ChargingStandard | None

    def price_within_cap(self, price: Decimal) -> bool | None:
        """Whether a price per session is within the cap; ``None`` when no standard is in force."""
        if self.standard is None:
            return None
        return price <= self.standard.cap_amount


def buyer_schools(user, *, on: date) -> list[BuyerSchool]:
    """The schools ``user`` administers, each with the charging standard its district applies
    on ``on`` to enrichment activities per session (the cap a course's price must respect).

    Empty for anyone who is not a school administrator (parents, vendors, visitors). One
    query per district, since the memberships come with their schools.
    """
    standards: dict[int, ChargingStandard | None] = {}
    found = []
    for membership in roles_of(user, Role.SCHOOL_ADMIN):
        school = membership.school
        if school.district_id not in standards:
            standards[school.district_id] = standard_in_force(
                district_id=school.district_id,
                service_kind=ChargingStandard.ServiceKind.ENRICHMENT,
                unit=ChargingStandard.Unit.PER_SESSION,
                on=on,
            )
        found.append(BuyerSchool(school=school, standard=standards[school.district_id]))
    return found
