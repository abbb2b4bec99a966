"""Committees, rounds, scores, the reviewer exclusion and decisions (``marketplace.reviews.services``)."""

import pytest

from core.models import AppendOnlyError
from marketplace.courses.models import Course
from marketplace.courses.services import course_submit, course_update
from marketplace.reviews import selectors
from marketplace.reviews.models import ConflictDeclaration, ReviewCommittee, ReviewScore
from marketplace.reviews.services import (
    ReviewError,
    committee_for,
    committee_for_vendor,
    committee_update,
    conflict_declare,
    score_record,
)
from tests import factories as f
from tests.reviews.factories import full_scores, ready_course, reviewers, submitted, vendor_member

pytestmark = pytest.mark.django_db


def score(review, reviewer, recommendation="approve", fraction=1.0, comment=""):
    return score_record(
        review=review,
        reviewer=reviewer,
        scores=full_scores(review, fraction),
        recommendation=recommendation,
        comment=comment,
    )


def set_committee(district, **changes):
    committee = committee_for(district)
    settings = {
        "rule": committee.rule,
        "quorum": committee.quorum,
        "pass_mark": committee.pass_mark,
        "chair": committee.chair,
        "criteria": [
            {
                "code": c.code,
                "name": c.name,
                "name_en": c.name_en,
                "max_score": c.max_score,
                "position": c.position,
            }
            for c in committee.criteria.all()
        ],
    }
    settings.update(changes)
    return committee_update(committee=committee, **settings)


# --- committees ------------------------------------------------------------------------------


def test_a_committee_is_created_on_first_use_with_the_default_rubric():
    district = f.DistrictFactory()
    committee = committee_for(district)
    assert committee.district == district
    assert (committee.rule, committee.quorum, committee.pass_mark) == ("majority", 3, 60)
    criteria = list(committee.criteria.values_list("code", "name", "max_score"))
    assert criteria[0] == ("educational-value", "教育价值", 30)
    assert sum(c[2] for c in criteria) == 100
    assert committee_for(district) == committee
    assert committee_for(None) != committee
    assert committee_for(None).district is None
    assert ReviewCommittee.objects.count() == 2


def test_the_vendors_district_committee_reviews_when_it_can_reach_its_quorum():
    vendor, _user = vendor_member()
    reviewers(vendor.district, 3)
    assert committee_for_vendor(vendor).district == vendor.district


def test_the_city_committee_reviews_when_the_district_has_too_few_eligible_reviewers():
    vendor, _user = vendor_member()
    members = reviewers(vendor.district, 3)
    # One of the three is linked to the vendor: two eligible, quorum three.
    f.VendorMemberFactory(user=members[0], vendor=vendor)
    assert committee_for_vendor(vendor).district is None


def test_a_district_without_reviewers_sends_its_courses_to_the_city_committee():
    vendor, user = vendor_member()
    city = reviewers(None, 3)
    course, review = submitted(vendor, user)
    assert review.committee.district is None
    assert review.pk in {r.pk for r in selectors.rounds_to_score(user=city[0])}


# --- a whole round ---------------------------------------------------------------------------


def test_a_majority_approves_and_the_course_is_approved_with_an_anonymous_summary(sent):
    vendor, user = vendor_member()
    a, b, c = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    sent.clear()
    score(review, a, "approve", comment="安全预案完整")
    score(review, b, "reject", fraction=0.5, comment="课时安排偏紧")
    review.refresh_from_db()
    assert review.outcome == "pending"  # two of three scores
    assert sent == []
    score(review, c, "approve", fraction=0.7)
    review.refresh_from_db()
    course.refresh_from_db()
    assert review.outcome == "approved"
    assert review.decided_at is not None
    assert course.review_status == Course.ReviewStatus.APPROVED
    assert sent == [(course.pk, "approved")]
    assert review.tally == {
        "scores": 3,
        "approve": 2,
        "reject": 1,
        "mean_total": "72.7",  # (100 + 49 + 69) / 3
        "max_total": 100,
        "pass_mark": 60,
        "comments": sorted(["安全预案完整", "课时安排偏紧"]),
    }
    assert "安全预案完整" in review.summary
    for reviewer in (a, b, c):
        assert reviewer.email not in review.summary
        assert (reviewer.name or "@@") not in review.summary


def test_a_rejected_course_is_edited_and_resubmitted_as_round_two():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    for reviewer in members:
        score(review, reviewer, "reject", comment="需要改进")
    course.refresh_from_db()
    assert course.review_status == "rejected"
    course_update(course=course, user=user, description="改进后的说明")
    second = course_submit(course=course, user=user)
    assert second.round == 2
    assert second.outcome == "pending"
    course.refresh_from_db()
    assert course.review_status == "submitted"
    # The first round's decision stands.
    review.refresh_from_db()
    assert review.outcome == "rejected"


# --- refusals --------------------------------------------------------------------------------


def test_a_reviewer_who_works_for_the_vendor_is_excluded():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    f.VendorMemberFactory(user=members[3], vendor=vendor)
    course, review = submitted(vendor, user)
    assert review.committee.district == vendor.district  # three eligible reach the quorum
    assert review.pk not in {r.pk for r in selectors.rounds_to_score(user=members[3])}
    with pytest.raises(ReviewError) as caught:
        score(review, members[3])
    assert caught.value.code == "linked_to_vendor"
    assert not ReviewScore.objects.exists()


def test_a_reviewer_who_declared_a_link_is_excluded():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    course, review = submitted(vendor, user)
    assert review.pk in {r.pk for r in selectors.rounds_to_score(user=members[0])}
    conflict_declare(reviewer=members[0], vendor=vendor, note="曾在该机构任教")
    assert review.pk not in {r.pk for r in selectors.rounds_to_score(user=members[0])}
    with pytest.raises(ReviewError) as caught:
        score(review, members[0])
    assert caught.value.code == "linked_to_vendor"
    assert not ReviewScore.objects.exists()
    # Declaring twice keeps one record.
    conflict_declare(reviewer=members[0], vendor=vendor)
    assert ConflictDeclaration.objects.get().note == "曾在该机构任教"


def test_a_reviewer_of_another_committee_is_refused():
    vendor, user = vendor_member()
    reviewers(vendor.district, 3)
    outsider = reviewers(f.DistrictFactory(), 1)[0]
    course, review = submitted(vendor, user)
    with pytest.raises(ReviewError) as caught:
        score(review, outsider)
    assert caught.value.code == "not_on_committee"
    city = reviewers(None, 1)[0]
    with pytest.raises(ReviewError) as caught:
        score(review, city)
    assert caught.value.code == "not_on_committee"
    assert not ReviewScore.objects.exists()


def test_a_second_score_by_the_same_reviewer_is_refused():
    vendor, user = vendor_member()
    a, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    score(review, a, "approve")
    with pytest.raises(ReviewError) as caught:
        score(review, a, "reject")
    assert caught.value.code == "already_scored"
    assert ReviewScore.objects.filter(reviewer=a).get().recommendation == "approve"


def test_scores_are_append_only():
    vendor, user = vendor_member()
    a, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    row = score(review, a)
    row.comment = "changed"
    with pytest.raises(AppendOnlyError) as caught:
        row.save()
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        row.delete()
    assert caught.value.code == "append_only"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"safety": 21}, "score_range"),  # above the criterion's 20
        ({"safety": -1}, "score_range"),
        ({"safety": None}, "score_missing"),
        ({"safety": "7.5"}, "score_missing"),
        ({"made-up": 3}, "score_unknown"),
    ],
)
def test_a_bad_score_is_refused_and_nothing_is_written(change, code):
    vendor, user = vendor_member()
    a, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    scores = full_scores(review)
    scores.update(change)
    with pytest.raises(ReviewError) as caught:
        score_record(review=review, reviewer=a, scores=scores, recommendation="approve")
    assert caught.value.code == code
    assert not ReviewScore.objects.exists()


def test_a_recommendation_must_be_approve_or_reject():
    vendor, user = vendor_member()
    a, *_rest = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    with pytest.raises(ReviewError) as caught:
        score_record(review=review, reviewer=a, scores=full_scores(review), recommendation="maybe")
    assert caught.value.code == "recommendation_unknown"
    assert not ReviewScore.objects.exists()


def test_a_decided_round_takes_no_more_scores():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 4)
    course, review = submitted(vendor, user)
    for reviewer in members[:3]:
        score(review, reviewer)
    with pytest.raises(ReviewError) as caught:
        score(review, members[3])
    assert caught.value.code == "review_decided"
    assert ReviewScore.objects.count() == 3


# --- the chair -------------------------------------------------------------------------------


def test_a_tie_is_broken_by_the_chair():
    vendor, user = vendor_member()
    chair, other = reviewers(vendor.district, 2)
    set_committee(vendor.district, quorum=2, chair=chair)
    course, review = submitted(vendor, user)
    score(review, other, "approve")
    score(review, chair, "reject")
    review.refresh_from_db()
    assert review.outcome == "rejected"
    assert ReviewScore.objects.get(reviewer=chair).is_chair


def test_a_tie_waits_for_the_chair():
    vendor, user = vendor_member()
    chair, a, b = reviewers(vendor.district, 3)
    set_committee(vendor.district, quorum=2, chair=chair)
    course, review = submitted(vendor, user)
    score(review, a, "approve")
    score(review, b, "reject")
    review.refresh_from_db()
    assert review.outcome == "pending"
    score(review, chair, "approve")
    review.refresh_from_db()
    course.refresh_from_db()
    assert review.outcome == "approved"
    assert course.review_status == "approved"


def test_an_approval_below_the_pass_mark_counts_as_a_rejection():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 3)
    course, review = submitted(vendor, user)
    for reviewer in members:
        score(review, reviewer, "approve", fraction=0.5)  # 49 < 60
    review.refresh_from_db()
    assert review.outcome == "rejected"
    assert review.tally["reject"] == 3


def test_a_chair_linked_to_the_vendor_does_not_chair_its_round():
    vendor, user = vendor_member()
    chair, *_rest = reviewers(vendor.district, 4)
    set_committee(vendor.district, chair=chair)
    conflict_declare(reviewer=chair, vendor=vendor)
    course, review = submitted(vendor, user)
    assert review.chair is None


def test_unanimous_and_mean_score_rules_decide_rounds():
    vendor, user = vendor_member()
    members = reviewers(vendor.district, 3)
    set_committee(vendor.district, rule="unanimous")
    course, review = submitted(vendor, user)
    score(review, members[0], "approve")
    score(review, members[1], "approve")
    score(review, members[2], "reject")
    review.refresh_from_db()
    assert review.outcome == "rejected"

    set_committee(vendor.district, rule="mean_score", pass_mark=70)
    other = ready_course(vendor, user)
    second = course_submit(course=other, user=user)
    score(second, members[0], "reject", fraction=1.0)  # 100
    score(second, members[1], "reject", fraction=0.5)  # 49
    score(second, members[2], "reject", fraction=0.6)  # 60 → mean 69.7 < 70
    second.refresh_from_db()
    assert second.outcome == "rejected"


# --- settings --------------------------------------------------------------------------------


def test_changing_the_settings_never_changes_an_open_round():
    vendor, user = vendor_member()
    chair, a, b, c = reviewers(vendor.district, 4)
    course, review = submitted(vendor, user)
    set_committee(
        vendor.district,
        rule="unanimous",
        quorum=1,
        pass_mark=10,
        chair=chair,
        criteria=[{"code": "overall", "name": "总体", "name_en": "Overall", "max_score": 10, "position": 1}],
    )
    review.refresh_from_db()
    assert (review.rule, review.quorum, review.pass_mark, review.max_total) == ("majority", 3, 60, 100)
    assert len(review.rubric) == 5
    assert review.chair is None
    # Scored on the round's own rubric, decided by its own rule: one score is not a decision.
    score(review, a, "approve")
    review.refresh_from_db()
    assert review.outcome == "pending"
    score(review, b, "reject")
    score(review, c, "approve")
    review.refresh_from_db()
    assert review.outcome == "approved"
    # The next round uses the new settings.
    course2 = ready_course(vendor, user)
    new_round = course_submit(course=course2, user=user)
    assert (new_round.rule, new_round.quorum, new_round.max_total) == ("unanimous", 1, 10)
    assert new_round.chair == chair


def test_the_pass_mark_cannot_exceed_the_rubrics_total():
    district = f.DistrictFactory()
    with pytest.raises(ReviewError) as excinfo:
        set_committee(district, pass_mark=101)
    assert excinfo.value.code == "pass_mark_above_total"
    assert "pass_mark" in excinfo.value.message_dict
    assert committee_for(district).pass_mark == 60


def test_the_chair_must_be_on_the_committee():
    district = f.DistrictFactory()
    stranger = reviewers(f.DistrictFactory(), 1)[0]
    with pytest.raises(ReviewError) as excinfo:
        set_committee(district, chair=stranger)
    assert excinfo.value.code == "chair_not_reviewer"
    assert "chair" in excinfo.value.message_dict


@pytest.mark.parametrize(
    "criteria, code",
    [
        ([], "criteria_empty"),
        (
            [{"code": "a", "name": "甲", "max_score": 50}, {"code": "a", "name": "乙", "max_score": 50}],
            "criterion_code_twice",
        ),
        ([{"code": "a", "name": "", "max_score": 50}], "criterion_incomplete"),
        ([{"code": "a", "name": "甲", "max_score": 0}], "criterion_score_range"),
    ],
)
def test_a_bad_rubric_is_refused_and_the_old_one_kept(criteria, code):
    district = f.DistrictFactory()
    with pytest.raises(ReviewError) as caught:
        set_committee(district, pass_mark=0, criteria=criteria)
    assert caught.value.code == code
    assert committee_for(district).criteria.count() == 5


def test_the_rubric_is_replaced():
    district = f.DistrictFactory()
    set_committee(
        district,
        pass_mark=30,
        criteria=[
            {"code": "safety", "name": "安全", "name_en": "Safety", "max_score": 40, "position": 2},
            {"code": "fun", "name": "趣味", "name_en": "Fun", "max_score": 10, "position": 1},
        ],
    )
    committee = committee_for(district)
    assert list(committee.criteria.values_list("code", "max_score")) == [("fun", 10), ("safety", 40)]


def test_the_database_refuses_a_round_whose_pass_mark_cannot_be_reached():
    from django.db import IntegrityError, transaction

    from marketplace.reviews.models import CourseReview

    course = f.CourseFactory(review_status="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseReview.objects.create(
            course=course,
            committee=committee_for(None),
            round=1,
            rule="majority",
            quorum=1,
            pass_mark=11,
            max_total=10,
        )


def test_a_committee_without_a_rubric_cannot_open_a_round():
    from marketplace.reviews.models import CourseReview

    vendor, user = vendor_member()
    committee_for(None).criteria.all().delete()
    course = ready_course(vendor, user)
    with pytest.raises(ReviewError) as caught:
        course_submit(course=course, user=user)
    assert caught.value.code == "no_rubric"
    course.refresh_from_db()
    assert course.review_status == "draft"  # the whole submission rolled back
    assert not CourseReview.objects.exists()
