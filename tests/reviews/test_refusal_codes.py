"""Every refusal of scoring carries a stable code."""

import pytest

from marketplace.reviews import services
from marketplace.reviews.services import ReviewError
from tests import factories as f
from tests.reviews.factories import full_scores, reviewers, submitted, vendor_member

pytestmark = pytest.mark.django_db


def code_of(call) -> str:
    with pytest.raises(ReviewError) as excinfo:
        call()
    return excinfo.value.code


def test_score_refusal_codes():
    district = f.DistrictFactory()
    vendor, clerk = vendor_member(district=district)
    local = reviewers(district, 4)
    course, review = submitted(vendor, clerk)

    def score(user):
        return lambda: services.score_record(
            review=review, reviewer=user, scores=full_scores(review), recommendation="approve"
        )

    assert code_of(score(f.CourseReviewerFactory(district=f.DistrictFactory()).user)) == "not_on_committee"
    services.conflict_declare(reviewer=local[0], vendor=vendor)  # three remain: the quorum
    assert code_of(score(local[0])) == "linked_to_vendor"
    score(local[1])()
    assert code_of(score(local[1])) == "already_scored"
    course.refresh_from_db()
    assert code_of(lambda: services.review_open(course=course)) == "already_in_review"
    score(local[2])()
    score(local[3])()
    assert code_of(score(local[1])) == "review_decided"
