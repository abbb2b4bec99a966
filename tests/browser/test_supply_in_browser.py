"""The supply side end to end, in the demo city, in the default language (Chinese):

a new vendor's clerk registers the institution and applies; the Haishu officer approves it;
the clerk submits a course; the Haishu review committee's three reviewers score it and it
is approved; the Yuehu school's administrator finds it in the catalogue and requests it; the
clerk accepts, naming an instructor; the activity then appears in the school's timetable
checklist (and so in the problem the solver gets).
"""

import random
import re

from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from fixtures.demo import make_credit_code
from marketplace.course_requests.models import CourseRequest
from marketplace.courses.models import Activity, Category, Course
from marketplace.reviews.models import CourseReview
from marketplace.vendors.models import Vendor, VendorDecision
from people.accounts.models import User
from scheduling.rooms.models import RoomKind
from scheduling.slots.models import Slot
from scheduling.staff.models import Subject
from schools.models import District, School
from tests.browser.conftest import login

CLERK = "clerk@newvendor.example.cn"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def clerk_account():
    user = User.objects.create_user(email=CLERK, password="demo12345", name="贺云帆")
    EmailAddress.objects.create(user=user, email=CLERK, verified=True, primary=True)
    return user


def test_vendor_applies_course_is_reviewed_school_buys_it_and_it_reaches_the_timetable(
    demo_city, live_server, new_page
):
    clerk_account()
    haishu = District.objects.get(code="haishu")
    sports = Category.objects.get(code="sports")
    basketball = Subject.objects.get(code="basketball")
    credit_code = make_credit_code(random.Random(51), "330203", set())  # Haishu's division code
    url = live_server.url

    # 1. The clerk registers the institution and fills in the application.
    clerk = new_page()
    login(clerk, live_server, CLERK)
    clerk.get_by_test_id("register-vendor").click()
    form = clerk.get_by_test_id("register-form")
    form.locator("[name=name]").fill("宁波海曙飞跃篮球俱乐部有限公司")
    form.locator("[name=name_en]").fill("Feiyue Basketball Club")
    form.locator("[name=credit_code]").fill(credit_code)
    form.locator("[name=licence_number]").fill("教民1302036000123号")
    form.locator("[name=category]").select_option(str(sports.pk))
    form.locator("[name=district]").select_option(str(haishu.pk))
    form.locator("[name=address]").fill("宁波市海曙区柳汀街8号")
    form.locator("[name=contact_name]").fill("贺云帆")
    form.locator("[name=contact_phone]").fill("0574-87001234")
    clerk.get_by_test_id("register-button").click()
    expect(clerk.get_by_test_id("vendor-status")).to_have_text("草稿")
    vendor = Vendor.objects.get(credit_code=credit_code)
    assert vendor.status == Vendor.Status.DRAFT

    # Submitting an incomplete application is not offered: the checklist says what is missing.
    expect(clerk.get_by_test_id("checklist-item").first).to_be_visible()

    clerk.get_by_test_id("manage-instructors").click()
    clerk.get_by_test_id("instructor-add").click()
    form = clerk.get_by_test_id("instructor-form")
    form.locator("[name=name]").fill("韩磊")
    form.locator(f"[name=subjects][value='{basketball.pk}']").check()
    form.locator("[name=qualifications]").fill("国家二级篮球运动员\n篮球教练员证书")
    form.locator("[name='windows-0-weekday']").select_option("0")
    form.locator("[name='windows-0-start']").fill("15:30")
    form.locator("[name='windows-0-end']").fill("18:00")
    form.locator("[name='windows-1-weekday']").select_option("2")
    form.locator("[name='windows-1-start']").fill("15:30")
    form.locator("[name='windows-1-end']").fill("18:00")
    clerk.get_by_test_id("save-button").click()
    expect(clerk.get_by_test_id("instructor-row")).to_have_count(1)

    clerk.goto(f"{url}/vendors/{vendor.pk}/documents/")
    form = clerk.get_by_test_id("document-form")
    form.locator("[name=kind]").select_option("licence")
    form.locator("[name=title]").fill("办学许可证")
    form.locator("[name=file]").set_input_files(
        {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    clerk.get_by_test_id("upload-button").click()
    expect(clerk.get_by_test_id("document-row")).to_have_count(1)

    clerk.goto(f"{url}/vendors/{vendor.pk}/")
    expect(clerk.get_by_test_id("checklist-ok")).to_be_visible()
    clerk.get_by_test_id("submit-button").click()
    expect(clerk.get_by_test_id("vendor-status")).to_have_attribute("data-status", "submitted")

    # 2. The Haishu officer finds it on the bureau home and approves it.
    officer = new_page()
    login(officer, live_server, "district@demo.afterschool.cn")
    officer.get_by_test_id("vendor-queue-link").click()
    officer.get_by_test_id("queue-row").filter(has_text="飞跃篮球").get_by_role("link").first.click()
    officer.get_by_test_id("decide-approved").click()
    expect(officer.get_by_test_id("vendor-status")).to_have_attribute("data-status", "approved")
    vendor.refresh_from_db()
    assert vendor.status == Vendor.Status.APPROVED
    assert list(vendor.decisions.values_list("action", flat=True)) == [
        VendorDecision.Action.SUBMITTED,
        VendorDecision.Action.APPROVED,
    ]

    # The catalogue page of the vendor is live at once (the CMS follows the vendor).
    clerk.goto(f"{url}{vendor.catalogue_page.url}")
    expect(clerk.get_by_role("heading", name="宁波海曙飞跃篮球俱乐部有限公司")).to_be_visible()

    # 3. The clerk writes a course with a plan per session and submits it.
    clerk.goto(f"{url}/vendors/{vendor.pk}/")
    clerk.get_by_test_id("new-course").click()
    form = clerk.get_by_test_id("course-form")
    form.locator("[name=title]").fill("飞跃篮球小球员")
    form.locator("[name=title_en]").fill("Feiyue young players")
    form.locator("[name=category]").select_option(str(sports.pk))
    form.locator("[name=subject]").select_option(str(basketball.pk))
    form.locator("[name=grade_min]").fill("3")
    form.locator("[name=grade_max]").fill("4")
    form.locator("[name=sessions]").fill("8")
    form.locator("[name=price_per_session]").fill("35.00")
    form.locator("[name=materials_fee]").fill("20.00")
    form.locator("[name=objectives]").fill("掌握运球、传球与上篮，学会在比赛中合作。")
    form.locator("[name=instructors]").first.check()
    for number in range(8):
        form.locator(f"[name='plans-{number}-title']").fill(f"第{number + 1}课 运球与传球")
    clerk.get_by_test_id("save-course").click()
    expect(clerk.get_by_test_id("ready-to-submit")).to_be_visible()
    clerk.get_by_test_id("submit-course").click()
    expect(clerk.get_by_test_id("course-status")).to_have_attribute("data-status", "submitted")
    course = Course.objects.get(vendor=vendor)
    review = CourseReview.objects.get(course=course, outcome="pending")
    assert review.committee.district_id == haishu.pk

    # 4. The Haishu committee's three reviewers score it; the majority approves it.
    for email in (
        "reviewer@demo.afterschool.cn",
        "reviewer2@demo.afterschool.cn",
        "reviewer3@demo.afterschool.cn",
    ):
        reviewer = new_page()
        login(reviewer, live_server, email)
        reviewer.get_by_test_id("queue-row").filter(has_text="飞跃篮球小球员").get_by_test_id(
            "score-link"
        ).click()
        form = reviewer.get_by_test_id("score-form")
        for field, mark in zip(form.locator("input[name^=score_]").all(), (26, 17, 17, 13, 12), strict=True):
            field.fill(str(mark))
        form.locator("[name=recommendation][value=approve]").check()
        form.locator("[name=comment]").fill("教学计划完整。")
        reviewer.get_by_test_id("submit-score").click()
        expect(reviewer.locator(".message").first).to_be_visible()
        assert review.scores.filter(reviewer__email=email).exists()
        reviewer.context.close()
    course.refresh_from_db()
    assert course.review_status == Course.ReviewStatus.APPROVED
    clerk.goto(f"{url}/courses/vendor/{vendor.pk}/{course.pk}/")
    expect(clerk.get_by_test_id("course-status")).to_have_attribute("data-status", "approved")
    expect(clerk.get_by_test_id("round-summary")).to_contain_text("3")

    # 5. The Yuehu administrator finds the course in the catalogue and requests it.
    school = School.objects.get(code="yuehu-primary")
    monday, wednesday = (
        Slot.objects.filter(school=school, kind="enrichment", weekday=day).get() for day in (0, 2)
    )
    admin = new_page()
    login(admin, live_server, "admin@demo.afterschool.cn")
    admin.goto(f"{url}/catalogue/courses/?q=飞跃篮球")
    card = admin.get_by_test_id("course-card").filter(has_text="飞跃篮球小球员")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("cap-within")).to_be_visible()
    card.get_by_test_id("request-course").click()
    form = admin.get_by_test_id("request-form")
    form.locator("[name=grade_min]").select_option("3")
    form.locator("[name=grade_max]").select_option("4")
    form.locator("[name=groups]").fill("2")
    form.locator("[name=meetings_per_week]").fill("1")
    form.locator("[name=max_size]").fill("20")
    form.locator("[name=room_kind]").select_option(str(RoomKind.objects.get(code="gym").pk))
    form.locator(f"[name=slots][value='{monday.pk}']").check()
    form.locator(f"[name=slots][value='{wednesday.pk}']").check()
    admin.get_by_test_id("request-submit").click()
    expect(admin.get_by_test_id("request-status").first).to_have_attribute("data-status", "requested")
    course_request = CourseRequest.objects.get(course=course, school=school)
    assert course_request.price_per_session == course.price_per_session
    assert course_request.standard.district_id == haishu.pk

    # 6. The clerk accepts it, naming the instructor.
    clerk.goto(f"{url}/vendors/{vendor.pk}/")
    clerk.get_by_test_id("vendor-requests").get_by_role(
        "link", name=re.compile("飞跃篮球小球员")
    ).first.click()
    accept = clerk.get_by_test_id("accept-form")
    accept.locator("[name=accept-instructors]").first.check()
    clerk.get_by_test_id("accept-button").click()
    expect(clerk.get_by_test_id("request-status")).to_have_attribute("data-status", "accepted")
    activities = Activity.objects.filter(course_request=course_request).order_by("name")
    assert activities.count() == 2
    assert all(set(a.allowed_slots.all()) == {monday, wednesday} for a in activities)

    # 7. The activities appear in the school's timetable checklist.
    admin.goto(f"{url}/schools/{school.pk}/timetable/")
    for activity in activities:
        row = admin.locator(f"[data-testid=checklist-activity][data-activity='a{activity.pk}']")
        expect(row).to_be_visible()
        expect(row).to_contain_text("飞跃篮球小球员")
