"""Each demo role logs in, lands on its own home page with real data, in Chinese then English,
and cannot open another school's, vendor's, teacher's or household's page."""

import re

from people.roles.models import Membership, Role
from tests.browser.conftest import login


def _membership(email, role):
    return Membership.objects.select_related("school", "district", "vendor", "household", "staff").get(
        user__email=email, role=role
    )


def _expectations():
    """(email, path, Chinese text on the page, English text on the page, a data check)."""
    admin = _membership("admin@demo.afterschool.cn", Role.SCHOOL_ADMIN)
    teacher = _membership("teacher@demo.afterschool.cn", Role.TEACHER)
    vendor = _membership("vendor@demo.afterschool.cn", Role.VENDOR_MEMBER)
    parent = _membership("parent@demo.afterschool.cn", Role.PARENT)
    district = _membership("district@demo.afterschool.cn", Role.BUREAU_OFFICER)
    return [
        ("bureau@demo.afterschool.cn", "/bureau/", "市教育局", "City education bureau", "school-table"),
        (
            "district@demo.afterschool.cn",
            f"/bureau/districts/{district.district_id}/",
            f"{district.district.name}教育局",
            f"{district.district.name_en} education bureau",
            "school-table",
        ),
        (
            "admin@demo.afterschool.cn",
            f"/schools/{admin.school_id}/",
            admin.school.name,
            admin.school.name_en,
            "class-table",
        ),
        (
            "teacher@demo.afterschool.cn",
            f"/teachers/{teacher.staff_id}/",
            "的课后服务职责",
            "after-school duties",
            "slot-grid",
        ),
        (
            "vendor@demo.afterschool.cn",
            f"/vendors/{vendor.vendor_id}/",
            "讲师",
            "Instructors",
            "instructor-table",
        ),
        ("reviewer@demo.afterschool.cn", "/courses/", "课程审查", "Course review", "pending-table"),
        (
            "parent@demo.afterschool.cn",
            f"/households/{parent.household_id}/",
            "适合该年级的活动",
            "Activities open to this grade",
            "child-activities",
        ),
    ]


def test_every_role_lands_on_its_home_in_chinese_then_english(demo_city, live_server, new_page):
    for email, path, chinese, english, testid in _expectations():
        page = new_page()
        login(page, live_server, email)
        assert page.url == f"{live_server.url}{path}", email
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert chinese in page.content(), email
        rows = page.locator(f"[data-testid={testid}] tbody tr, [data-testid={testid}]:not(table)")
        assert rows.count() >= 1, email
        # Real data of the demo city: no "nothing here" rows in the main table.
        assert page.locator(f"[data-testid={testid}] .muted").count() == 0, email

        page.get_by_test_id("switch-language").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "en"
        assert english in page.content(), email
        assert page.url == f"{live_server.url}{path}"


def test_a_role_cannot_open_another_tenants_page(demo_city, live_server, new_page):
    from marketplace.households.models import Household
    from marketplace.vendors.models import Vendor
    from scheduling.staff.models import StaffMember
    from schools.models import District, School

    admin = _membership("admin@demo.afterschool.cn", Role.SCHOOL_ADMIN)
    admin2 = _membership("admin2@demo.afterschool.cn", Role.SCHOOL_ADMIN)
    teacher = _membership("teacher@demo.afterschool.cn", Role.TEACHER)
    vendor = _membership("vendor@demo.afterschool.cn", Role.VENDOR_MEMBER)
    parent = _membership("parent@demo.afterschool.cn", Role.PARENT)
    district = _membership("district@demo.afterschool.cn", Role.BUREAU_OFFICER)

    other_school = School.objects.exclude(pk=admin.school_id).first()
    other_staff = StaffMember.objects.filter(school=teacher.school).exclude(pk=teacher.staff_id).first()
    other_vendor = Vendor.objects.exclude(pk=vendor.vendor_id).first()
    other_household = Household.objects.exclude(pk=parent.household_id).first()
    other_district = District.objects.exclude(pk=district.district_id).first()

    forbidden = {
        "admin@demo.afterschool.cn": [
            f"/schools/{other_school.pk}/",
            f"/households/{other_household.pk}/",
            "/bureau/",
        ],
        "admin2@demo.afterschool.cn": [f"/schools/{admin.school_id}/"],
        "teacher@demo.afterschool.cn": [f"/teachers/{other_staff.pk}/", f"/schools/{teacher.school_id}/"],
        "vendor@demo.afterschool.cn": [f"/vendors/{other_vendor.pk}/", "/courses/"],
        "parent@demo.afterschool.cn": [f"/households/{other_household.pk}/", f"/schools/{admin.school_id}/"],
        "district@demo.afterschool.cn": [f"/bureau/districts/{other_district.pk}/", "/bureau/"],
    }
    for email, paths in forbidden.items():
        page = new_page()
        login(page, live_server, email)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 404, (email, path)
    # …while the second administrator does open their own school.
    page = new_page()
    login(page, live_server, "admin2@demo.afterschool.cn")
    assert re.search(rf"/schools/{admin2.school_id}/$", page.url)
