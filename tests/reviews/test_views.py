"""The pages: the vendor's courses, the reviewer's queue and scoring page, the bureau's
committee settings, and the fragments on the vendor and bureau homes."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from marketplace.courses.models import Course, CourseDocument
from marketplace.courses.services import course_document_add
from marketplace.reviews.models import ConflictDeclaration, ReviewCommittee, ReviewScore, RubricCriterion
from marketplace.reviews.selectors import DEFAULT_RUBRIC
from marketplace.reviews.services import committee_for, score_record
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.reviews.factories import full_scores, pdf, ready_course, reviewers, submitted, vendor_member

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def course_post(vendor, sessions=2, **overrides) -> dict:
    instructor = f.InstructorFactory(vendor=vendor)
    data = {
        "title": "创意美术",
        "title_en": "Creative art",
        "category": f.CategoryFactory().pk,
        "subject": f.SubjectFactory().pk,
        "grade_min": 1,
        "grade_max": 3,
        "sessions": sessions,
        "price_per_session": "45.00",
        "materials_fee": "30.00",
        "objectives": "色彩",
        "description": "",
        "instructors": [instructor.pk],
        "plans-TOTAL_FORMS": sessions,
        "plans-INITIAL_FORMS": 0,
        "plans-MIN_NUM_FORMS": 0,
        "plans-MAX_NUM_FORMS": 60,
    }
    for i in range(sessions):
        data[f"plans-{i}-title"] = f"第{i + 1}课"
        data[f"plans-{i}-content"] = "内容"
    data.update(overrides)
    return data


def course_url(name, course, *extra):
    return reverse(f"courses:{name}", args=[course.vendor_id, course.pk, *extra])


# --- the vendor's course pages ---------------------------------------------------------------


def test_the_vendor_home_lists_its_courses_with_status_and_link(client):
    vendor, user = vendor_member()
    mine = ready_course(vendor, user, title="我的课程")
    other = f.CourseFactory(title="别人的课程")
    client.force_login(user)
    body = client.get(reverse("vendors:vendor_home", args=[vendor.pk])).content.decode()
    assert "我的课程" in body
    assert course_url("vendor_course", mine) in body
    assert 'data-status="draft"' in body
    assert other.title not in body
    assert reverse("courses:vendor_course_new", args=[vendor.pk]) in body


def test_a_vendor_member_creates_a_course_with_its_plans(client):
    vendor, user = vendor_member()
    client.force_login(user)
    response = client.post(reverse("courses:vendor_course_new", args=[vendor.pk]), course_post(vendor))
    course = Course.objects.get()
    assert response.status_code == 302
    assert response.url == course_url("vendor_course", course)
    assert course.vendor == vendor
    assert course.price_per_session == Decimal("45.00")
    assert course.instructors.count() == 1
    assert list(course.session_plans.values_list("number", flat=True)) == [1, 2]
    page = client.get(response.url).content.decode()
    assert 'data-testid="ready-to-submit"' in page


def test_the_new_course_form_offers_no_academic_category_and_refuses_one(client):
    vendor, user = vendor_member()
    academic = f.CategoryFactory(is_academic=True, name="学科辅导")
    client.force_login(user)
    page = client.get(reverse("courses:vendor_course_new", args=[vendor.pk])).content.decode()
    assert "学科辅导" not in page
    response = client.post(
        reverse("courses:vendor_course_new", args=[vendor.pk]), course_post(vendor, category=academic.pk)
    )
    assert response.status_code == 200
    assert 'data-testid="errors-category"' in response.content.decode()
    assert not Course.objects.exists()


def test_bad_input_is_shown_on_its_field_and_nothing_is_written(client):
    vendor, user = vendor_member()
    client.force_login(user)
    response = client.post(
        reverse("courses:vendor_course_new", args=[vendor.pk]), course_post(vendor, grade_min=5, grade_max=2)
    )
    assert response.status_code == 200
    assert 'data-testid="errors-grade_max"' in response.content.decode()
    assert not Course.objects.exists()


def test_another_vendors_instructor_cannot_be_chosen(client):
    vendor, user = vendor_member()
    stranger = f.InstructorFactory()
    client.force_login(user)
    response = client.post(
        reverse("courses:vendor_course_new", args=[vendor.pk]), course_post(vendor, instructors=[stranger.pk])
    )
    assert 'data-testid="errors-instructors"' in response.content.decode()
    assert not Course.objects.exists()


def test_an_unapproved_vendor_cannot_create_a_course(client):
    vendor, user = vendor_member(status=Vendor.Status.SUBMITTED)
    client.force_login(user)
    url = reverse("courses:vendor_course_new", args=[vendor.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, course_post(vendor))
    assert response.status_code == 302
    assert not Course.objects.exists()
    home = client.get(reverse("vendors:vendor_home", args=[vendor.pk])).content.decode()
    assert 'data-testid="courses-need-approval"' in home


@pytest.mark.parametrize("name", ["vendor_course", "vendor_course_edit"])
def test_another_vendors_course_is_a_404(client, name):
    vendor, user = vendor_member()
    theirs = f.CourseFactory(review_status="draft")
    client.force_login(user)
    # Through the other vendor's URL, and through one's own vendor URL with their course id.
    assert client.get(course_url(name, theirs)).status_code == 404
    assert client.get(reverse(f"courses:{name}", args=[vendor.pk, theirs.pk])).status_code == 404


def test_another_vendors_course_cannot_be_submitted_or_given_documents(client):
    vendor, user = vendor_member()
    other_vendor, other_user = vendor_member()
    theirs = ready_course(other_vendor, other_user)
    client.force_login(user)
    assert (
        client.post(reverse("courses:vendor_course_submit", args=[vendor.pk, theirs.pk])).status_code == 404
    )
    assert client.post(course_url("vendor_course_submit", theirs)).status_code == 404
    response = client.post(course_url("vendor_course_document_add", theirs), {"title": "x", "file": pdf()})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.review_status == "draft"
    assert not CourseDocument.objects.exists()


@pytest.mark.parametrize("factory", [f.SchoolAdminFactory, f.BureauOfficerFactory, f.CourseReviewerFactory])
def test_other_roles_do_not_see_the_vendors_course_pages(client, factory):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    client.force_login(factory().user)
    assert client.get(reverse("courses:vendor_course_new", args=[vendor.pk])).status_code == 404
    assert client.get(course_url("vendor_course", course)).status_code == 404
    assert client.get(course_url("vendor_course_edit", course)).status_code == 404


def test_editing_saves_changes_and_resizes_the_plans(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user, sessions=3)
    client.force_login(user)
    page = client.get(course_url("vendor_course_edit", course)).content.decode()
    assert page.count('data-testid="plan-row"') == 3
    data = course_post(vendor, sessions=4, title="改名")
    data["plans-TOTAL_FORMS"] = 3  # the form had three rows; the fourth session is new
    del data["plans-3-title"], data["plans-3-content"]
    response = client.post(course_url("vendor_course_edit", course), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "改名"
    assert course.sessions == 4
    page = client.get(course_url("vendor_course", course)).content.decode()
    assert 'data-code="plans"' in page  # session 4 has no plan yet
    assert (
        client.get(course_url("vendor_course_edit", course)).content.decode().count('data-testid="plan-row"')
        == 4
    )


def test_a_course_under_review_cannot_be_edited(client):
    vendor, user = vendor_member()
    course, review = submitted(vendor, user)
    client.force_login(user)
    assert client.get(course_url("vendor_course_edit", course)).status_code == 302
    response = client.post(course_url("vendor_course_edit", course), course_post(vendor, title="改名"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title != "改名"
    page = client.get(course_url("vendor_course", course)).content.decode()
    assert 'data-testid="under-review"' in page
    assert 'data-testid="edit-course"' not in page


def test_submitting_a_complete_course_opens_a_round(client, sent):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    client.force_login(user)
    response = client.post(course_url("vendor_course_submit", course))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.review_status == "submitted"
    assert course.reviews.get().round == 1
    assert sent[-1] == (course.pk, "submitted")


def test_submitting_an_incomplete_course_is_refused_with_the_reason(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user, sessions=3)
    course.session_plans.filter(number=3).delete()
    client.force_login(user)
    response = client.post(course_url("vendor_course_submit", course))
    assert response.status_code == 302
    assert any("3" in m for m in messages_of(response))
    course.refresh_from_db()
    assert course.review_status == "draft"
    assert not course.reviews.exists()


def test_submitting_needs_a_post(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    client.force_login(user)
    assert client.get(course_url("vendor_course_submit", course)).status_code == 405


# --- documents -------------------------------------------------------------------------------


def test_a_document_is_uploaded_and_downloaded(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    client.force_login(user)
    response = client.post(
        course_url("vendor_course_document_add", course), {"title": "教学大纲", "file": pdf()}
    )
    assert response.status_code == 302
    document = CourseDocument.objects.get()
    assert document.content_type == "application/pdf"
    download = client.get(reverse("reviews:course_document", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_bad_file_is_refused_with_an_error(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    client.force_login(user)
    response = client.post(
        course_url("vendor_course_document_add", course),
        {"title": "大纲", "file": pdf("virus.pdf", b"MZ\x90\x00 definitely not a pdf")},
    )
    assert response.status_code == 400
    assert 'data-testid="errors-file"' in response.content.decode()
    assert not CourseDocument.objects.exists()


def test_a_document_is_removed(client):
    vendor, user = vendor_member()
    course = ready_course(vendor, user)
    document = course_document_add(course=course, user=user, title="大纲", upload=pdf())
    client.force_login(user)
    response = client.post(course_url("vendor_course_document_remove", course, document.pk))
    assert response.status_code == 302
    assert not CourseDocument.objects.exists()


def test_who_may_download_a_course_document(client):
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    f.VendorMemberFactory(user=members[3], vendor=vendor)  # linked: excluded
    course = ready_course(vendor, user)
    document = course_document_add(course=course, user=user, title="大纲", upload=pdf())
    url = reverse("reviews:course_document", args=[document.pk])

    def status(person):
        client.force_login(person)
        return client.get(url).status_code

    assert status(user) == 200
    # Reviewers see it once the course is before their committee.
    assert status(members[0]) == 404
    from marketplace.courses.services import course_submit

    course_submit(course=course, user=user)
    assert status(members[0]) == 200
    assert status(f.BureauOfficerFactory(district=vendor.district).user) == 200
    assert status(f.BureauOfficerFactory().user) == 200  # a city officer
    assert status(members[3]) == 200  # as the vendor's member, not as a reviewer
    conflicted = members[1]
    ConflictDeclaration.objects.create(reviewer=conflicted, vendor=vendor)
    assert status(conflicted) == 404
    assert status(reviewers(f.DistrictFactory(), 1)[0]) == 404
    assert status(f.BureauOfficerFactory(district=f.DistrictFactory()).user) == 404
    assert status(f.VendorMemberFactory().user) == 404
    assert status(f.SchoolAdminFactory().user) == 404


# --- the reviewer ----------------------------------------------------------------------------


def score_post(review, fraction=1.0, recommendation="approve", **overrides):
    data = {f"score_{code}": value for code, value in full_scores(review, fraction).items()}
    data.update({"recommendation": recommendation, "comment": "很好"})
    data.update(overrides)
    return data


def test_the_reviewer_queue_lists_open_rounds_to_score(client):
    vendor, user = vendor_member()
    a, b, c = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user, title="机器人编程")
    elsewhere, _ = submitted(*vendor_member(), title="别区的课程")
    client.force_login(a)
    body = client.get(reverse("reviews:home")).content.decode()
    assert reverse("reviews:round", args=[review.pk]) in body
    assert "别区的课程" not in body


def test_a_reviewer_scores_a_course_once(client):
    vendor, user = vendor_member()
    a, b, c = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    client.force_login(a)
    page = client.get(reverse("reviews:round", args=[review.pk]))
    assert page.status_code == 200
    assert 'data-testid="score-form"' in page.content.decode()
    response = client.post(reverse("reviews:round", args=[review.pk]), score_post(review))
    assert response.status_code == 302
    row = ReviewScore.objects.get()
    assert (row.reviewer, row.total, row.recommendation, row.comment) == (a, 100, "approve", "很好")
    # Gone from the queue; the page now shows the score, read-only.
    queue = client.get(reverse("reviews:home")).content.decode()
    assert reverse("reviews:round", args=[review.pk]) + '" data-testid="score-link"' not in queue
    page = client.get(reverse("reviews:round", args=[review.pk])).content.decode()
    assert 'data-testid="my-score"' in page
    assert 'data-testid="score-form"' not in page
    # A second score is refused.
    response = client.post(
        reverse("reviews:round", args=[review.pk]), score_post(review, recommendation="reject")
    )
    assert response.status_code == 302
    assert ReviewScore.objects.count() == 1
    assert ReviewScore.objects.get().recommendation == "approve"


def test_a_score_above_the_criterions_maximum_is_refused(client):
    vendor, user = vendor_member()
    a, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    client.force_login(a)
    response = client.post(reverse("reviews:round", args=[review.pk]), score_post(review, score_safety=21))
    assert response.status_code == 400
    assert 'data-testid="errors-score_safety"' in response.content.decode()
    assert not ReviewScore.objects.exists()


def test_the_third_score_decides_and_the_vendor_sees_the_outcome(client):
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    for reviewer in members:
        client.force_login(reviewer)
        client.post(
            reverse("reviews:round", args=[review.pk]), score_post(review, comment=f"意见{reviewer.pk}")
        )
    course.refresh_from_db()
    assert course.review_status == "approved"
    client.force_login(user)
    page = client.get(course_url("vendor_course", course)).content.decode()
    assert 'data-outcome="approved"' in page
    assert 'data-testid="round-summary"' in page
    assert f"意见{members[0].pk}" in page
    for reviewer in members:
        assert reviewer.email not in page


def test_a_rejected_course_is_shown_editable_and_can_be_resubmitted(client):
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    for reviewer in members:
        score_record(
            review=review, reviewer=reviewer, scores=full_scores(review, 0.5), recommendation="reject"
        )
    client.force_login(user)
    page = client.get(course_url("vendor_course", course)).content.decode()
    assert 'data-testid="edit-course"' in page
    assert 'data-outcome="rejected"' in page
    assert client.post(course_url("vendor_course_submit", course)).status_code == 302
    assert list(course.reviews.values_list("round", "outcome")) == [(1, "rejected"), (2, "pending")]


def test_a_reviewer_who_works_for_the_vendor_neither_sees_nor_scores_it(client):
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    f.VendorMemberFactory(user=members[3], vendor=vendor)
    course, review = submitted(vendor, user, title="利益相关课程")
    client.force_login(members[3])
    assert "利益相关课程" not in client.get(reverse("reviews:home")).content.decode()
    assert client.get(reverse("reviews:round", args=[review.pk])).status_code == 404
    assert client.post(reverse("reviews:round", args=[review.pk]), score_post(review)).status_code == 404
    assert not ReviewScore.objects.exists()


def test_i_have_a_link_to_this_vendor(client):
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    course, review = submitted(vendor, user)
    client.force_login(members[0])
    page = client.get(reverse("reviews:round", args=[review.pk])).content.decode()
    assert 'data-testid="declare-conflict"' in page
    response = client.post(reverse("reviews:conflict_declare", args=[review.pk]), {"note": "亲属任职"})
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.reviewer, declaration.vendor, declaration.note) == (members[0], vendor, "亲属任职")
    queue = client.get(reverse("reviews:home")).content.decode()
    assert reverse("reviews:round", args=[review.pk]) not in queue
    assert client.get(reverse("reviews:round", args=[review.pk])).status_code == 404


def test_reviewer_pages_need_the_committee(client):
    vendor, user = vendor_member()
    reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    url = reverse("reviews:round", args=[review.pk])
    for person in (
        reviewers(f.DistrictFactory(), 1)[0],  # another district's reviewer
        reviewers(None, 1)[0],  # the city committee does not review this one
        user,  # the vendor itself
        f.BureauOfficerFactory().user,
    ):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(reverse("reviews:conflict_declare", args=[review.pk])).status_code == 404
    assert not ConflictDeclaration.objects.exists()


def test_reviewer_home_still_lists_the_districts_submitted_courses(client):
    district = f.DistrictFactory()
    reviewer = f.CourseReviewerFactory(district=district)
    mine = f.CourseFactory(vendor=f.VendorFactory(district=district), review_status="submitted")
    client.force_login(reviewer.user)
    assert mine.title in client.get(reverse("reviews:home")).content.decode()


# --- the bureau ------------------------------------------------------------------------------


def settings_post(committee, **overrides):
    criteria = list(committee.criteria.all())
    data = {
        "rule": committee.rule,
        "quorum": committee.quorum,
        "pass_mark": committee.pass_mark,
        "chair": committee.chair_id or "",
        "criteria-TOTAL_FORMS": len(criteria) + 1,
        "criteria-INITIAL_FORMS": len(criteria),
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 30,
    }
    for i, c in enumerate(criteria):
        data.update(
            {
                f"criteria-{i}-code": c.code,
                f"criteria-{i}-name": c.name,
                f"criteria-{i}-name_en": c.name_en,
                f"criteria-{i}-max_score": c.max_score,
                f"criteria-{i}-position": c.position,
            }
        )
    data.update(overrides)
    return data


def test_a_district_officer_sets_their_districts_committee_only(client):
    district = f.DistrictFactory()
    officer = f.BureauOfficerFactory(district=district)
    client.force_login(officer.user)
    assert client.get(reverse("reviews:committee_district", args=[district.pk])).status_code == 200
    assert client.get(reverse("reviews:committee_district", args=[f.DistrictFactory().pk])).status_code == 404
    assert client.get(reverse("reviews:committee_city")).status_code == 404
    body = client.get(reverse("reviews:committees")).content.decode()
    assert district.display_name in body


def test_a_city_officer_sets_any_committee(client):
    officer = f.BureauOfficerFactory()
    district = f.DistrictFactory()
    client.force_login(officer.user)
    assert client.get(reverse("reviews:committee_city")).status_code == 200
    assert client.get(reverse("reviews:committee_district", args=[district.pk])).status_code == 200


def test_visiting_the_settings_shows_the_defaults_and_writes_nothing(client):
    district = f.DistrictFactory()
    client.force_login(f.BureauOfficerFactory().user)  # a city officer: every committee
    url = reverse("reviews:committee_district", args=[district.pk])
    before = (ReviewCommittee.objects.count(), RubricCriterion.objects.count())
    body = client.get(url).content.decode()
    assert body.count('data-testid="criterion-row"') == len(DEFAULT_RUBRIC) + 1  # and an empty row
    assert 'value="educational-value"' in body
    assert client.get(reverse("reviews:committee_city")).status_code == 200
    assert (ReviewCommittee.objects.count(), RubricCriterion.objects.count()) == before
    # Saving stores the committee, with the rubric as sent.
    data = {
        "rule": "majority",
        "quorum": 2,
        "pass_mark": 60,
        "chair": "",
        "criteria-TOTAL_FORMS": len(DEFAULT_RUBRIC),
        "criteria-INITIAL_FORMS": len(DEFAULT_RUBRIC),
        "criteria-MIN_NUM_FORMS": 0,
        "criteria-MAX_NUM_FORMS": 30,
    }
    for i, (code, name, name_en, top) in enumerate(DEFAULT_RUBRIC):
        data.update(
            {
                f"criteria-{i}-code": code,
                f"criteria-{i}-name": name,
                f"criteria-{i}-name_en": name_en,
                f"criteria-{i}-max_score": top,
                f"criteria-{i}-position": i + 1,
            }
        )
    data["criteria-4-DELETE"] = "on"
    data["criteria-0-max_score"] = 45
    assert client.post(url, data).status_code == 302
    committee = ReviewCommittee.objects.get(district=district)
    assert committee.quorum == 2
    assert sorted(committee.criteria.values_list("code", "max_score")) == [
        ("educational-value", 45),
        ("instructors", 15),
        ("safety", 20),
        ("teaching-plan", 20),
    ]


@pytest.mark.parametrize("factory", [f.SchoolAdminFactory, f.CourseReviewerFactory, f.VendorMemberFactory])
def test_committee_pages_need_a_bureau_officer(client, factory):
    client.force_login(factory().user)
    assert client.get(reverse("reviews:committees")).status_code == 404
    assert client.get(reverse("reviews:committee_city")).status_code == 404


def test_saving_the_settings_leaves_open_rounds_alone(client):
    vendor, user = vendor_member()
    chair, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    officer = f.BureauOfficerFactory(district=vendor.district)
    client.force_login(officer.user)
    committee = committee_for(vendor.district)
    url = reverse("reviews:committee_district", args=[vendor.district_id])
    data = settings_post(
        committee,
        rule="mean_score",
        quorum=2,
        pass_mark=70,
        chair=chair.pk,
        **{"criteria-0-max_score": 40, "criteria-1-DELETE": "on"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    committee.refresh_from_db()
    assert (committee.rule, committee.quorum, committee.pass_mark, committee.chair) == (
        "mean_score",
        2,
        70,
        chair,
    )
    assert committee.criteria.count() == 4
    assert sum(committee.criteria.values_list("max_score", flat=True)) == 100 - 30 + 40 - 20
    review.refresh_from_db()
    assert (review.rule, review.quorum, review.pass_mark, review.max_total) == ("majority", 3, 60, 100)


def test_bad_settings_are_shown_and_not_saved(client):
    district = f.DistrictFactory()
    officer = f.BureauOfficerFactory(district=district)
    stranger = reviewers(f.DistrictFactory(), 1)[0]
    client.force_login(officer.user)
    committee = committee_for(district)
    url = reverse("reviews:committee_district", args=[district.pk])
    response = client.post(url, settings_post(committee, pass_mark=150))
    assert response.status_code == 400
    assert 'data-testid="errors-pass_mark"' in response.content.decode()
    response = client.post(url, settings_post(committee, chair=stranger.pk))
    assert response.status_code == 400
    committee.refresh_from_db()
    assert committee.pass_mark == 60
    assert committee.chair is None


def test_the_settings_page_warns_when_the_committee_is_short_of_its_quorum(client):
    district = f.DistrictFactory()
    reviewers(district, 2)
    client.force_login(f.BureauOfficerFactory(district=district).user)
    url = reverse("reviews:committee_district", args=[district.pk])
    assert 'data-testid="quorum-warning"' in client.get(url).content.decode()
    reviewers(district, 1)
    assert 'data-testid="quorum-warning"' not in client.get(url).content.decode()


def test_the_bureau_home_shows_open_rounds_and_the_settings_link(client):
    vendor, user = vendor_member()
    reviewers(vendor.district, 3)
    submitted(vendor, user)
    submitted(*vendor_member())  # another district
    client.force_login(f.BureauOfficerFactory(district=vendor.district).user)
    body = client.get(reverse("portal:bureau_district", args=[vendor.district_id])).content.decode()
    assert '<b data-testid="open-review-rounds">1</b>' in body
    assert reverse("reviews:committee_district", args=[vendor.district_id]) in body
    client.force_login(f.BureauOfficerFactory().user)
    body = client.get(reverse("portal:bureau_city")).content.decode()
    assert '<b data-testid="open-review-rounds">2</b>' in body
    assert reverse("reviews:committees") in body
