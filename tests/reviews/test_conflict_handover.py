"""A conflict declared during an open round never leaves it stuck: the round goes to the next
committee that can still reach its quorum, or its quorum is lowered where the committee's
rule allows (data: ``reduced_quorum``); a bureau officer sees every round of their district
and can hand one over or lower its quorum, with a reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.courses.models import Course
from marketplace.reviews import services
from marketplace.reviews.models import CourseReview, ReviewCommittee, ReviewHandover
from marketplace.reviews.services import ReviewError
from tests import factories as f
from tests.reviews.factories import full_scores, reviewers, submitted, vendor_member

pytestmark = pytest.mark.django_db


def score(review, reviewer, recommendation="approve"):
    return services.score_record(
        review=review, reviewer=reviewer, scores=full_scores(review), recommendation=recommendation
    )


@pytest.fixture
def stuck_world():
    district = f.DistrictFactory()
    vendor, clerk = vendor_member(district=district)
    local = reviewers(district, 3)
    city = reviewers(None, 3)
    course, review = submitted(vendor, clerk)
    assert review.committee.district_id == district.pk
    score(review, local[0])
    score(review, local[1])
    return district, vendor, course, review, local, city


def test_a_conflict_hands_the_round_to_the_city_committee(stuck_world):
    district, vendor, course, review, local, city = stuck_world
    services.conflict_declare(reviewer=local[2], vendor=vendor, note="亲属")
    review.refresh_from_db()
    assert review.committee.district_id is None  # the city committee
    assert review.outcome == CourseReview.Outcome.PENDING
    handover = ReviewHandover.objects.get(review=review)
    assert (handover.from_committee.district_id, handover.to_committee_id) == (
        district.pk,
        review.committee_id,
    )
    assert handover.kind == ReviewHandover.Kind.CONFLICT
    # One city reviewer completes the quorum of three: the round is decided.
    assert review in services_rounds_for(city[0])
    score(review, city[0])
    review.refresh_from_db()
    course.refresh_from_db()
    assert review.outcome == CourseReview.Outcome.APPROVED
    assert course.review_status == Course.ReviewStatus.APPROVED


def services_rounds_for(user):
    from marketplace.reviews.selectors import rounds_to_score

    return list(rounds_to_score(user=user))


def test_a_committee_that_allows_it_lowers_the_quorum_instead(stuck_world):
    district, vendor, course, review, local, city = stuck_world
    CourseReview.objects.filter(pk=review.pk).update(reduced_quorum=2)
    services.conflict_declare(reviewer=local[2], vendor=vendor)
    review.refresh_from_db()
    assert review.committee.district_id == district.pk
    assert review.quorum == 2
    assert review.outcome == CourseReview.Outcome.APPROVED  # the two scores decide it
    assert ReviewHandover.objects.get(review=review).kind == ReviewHandover.Kind.QUORUM_LOWERED


def test_the_reduced_quorum_is_copied_from_the_committee_when_the_round_opens():
    district = f.DistrictFactory()
    vendor, clerk = vendor_member(district=district)
    reviewers(district, 3)
    committee = services.committee_for(district)
    ReviewCommittee.objects.filter(pk=committee.pk).update(reduced_quorum=2)
    _course, review = submitted(vendor, clerk)
    assert review.reduced_quorum == 2


def test_a_reduced_quorum_above_the_quorum_is_refused():
    committee = services.committee_for(f.DistrictFactory())
    with pytest.raises(ReviewError) as excinfo:
        services.committee_update(
            committee=committee,
            rule="majority",
            quorum=3,
            reduced_quorum=4,
            pass_mark=60,
            criteria=[{"code": "x", "name": "甲", "max_score": 100}],
        )
    assert excinfo.value.code == "reduced_quorum_invalid"
    assert excinfo.value.error_dict["reduced_quorum"][0].code == "reduced_quorum_invalid"


def test_when_no_committee_can_reach_its_quorum_the_officer_sees_and_resolves_it(client, stuck_world):
    district, vendor, course, review, local, city = stuck_world
    for reviewer in city:
        services.conflict_declare(reviewer=reviewer, vendor=vendor)
    services.conflict_declare(reviewer=local[2], vendor=vendor)
    review.refresh_from_db()
    assert review.outcome == CourseReview.Outcome.PENDING

    officer = f.BureauOfficerFactory(district=district).user
    client.force_login(officer)
    listing = client.get(reverse("reviews:officer_rounds"))
    assert listing.status_code == 200
    assert f'data-review-id="{review.pk}"' in listing.text
    assert 'data-testid="round-stuck"' in listing.text
    detail = client.get(reverse("reviews:officer_round", args=[review.pk]))
    assert detail.status_code == 200

    with pytest.raises(ReviewError) as excinfo:
        services.review_reassign(
            review=review, officer=officer, committee=review.committee, quorum=3, reason="x"
        )
    assert excinfo.value.code == "quorum_unreachable"
    response = client.post(
        reverse("reviews:officer_round", args=[review.pk]),
        {"committee": review.committee_id, "quorum": 2, "reason": "本区评审员回避，两票定案"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.quorum, review.outcome) == (2, CourseReview.Outcome.APPROVED)
    handover = ReviewHandover.objects.filter(review=review).latest("pk")
    assert (handover.kind, handover.actor, handover.reason) == (
        ReviewHandover.Kind.OFFICER,
        officer,
        "本区评审员回避，两票定案",
    )


def test_an_officer_of_another_district_gets_404(client, stuck_world):
    _district, _vendor, _course, review, _local, _city = stuck_world
    client.force_login(f.BureauOfficerFactory(district=f.DistrictFactory()).user)
    assert client.get(reverse("reviews:officer_round", args=[review.pk])).status_code == 404
    assert f'data-review-id="{review.pk}"' not in client.get(reverse("reviews:officer_rounds")).text
    with pytest.raises(ReviewError) as excinfo:
        services.review_reassign(
            review=review,
            officer=f.BureauOfficerFactory(district=f.DistrictFactory()).user,
            committee=review.committee,
            quorum=2,
            reason="x",
        )
    assert excinfo.value.code == "not_officer"


def test_a_city_officer_sees_every_round(client, stuck_world):
    _district, _vendor, _course, review, _local, _city = stuck_world
    client.force_login(f.BureauOfficerFactory().user)
    assert client.get(reverse("reviews:officer_round", args=[review.pk])).status_code == 200


def test_a_decided_round_cannot_be_reassigned(stuck_world):
    district, vendor, course, review, local, city = stuck_world
    score(review, local[2])
    review.refresh_from_db()
    with pytest.raises(ReviewError) as excinfo:
        services.review_reassign(
            review=review,
            officer=f.BureauOfficerFactory(district=district).user,
            committee=review.committee,
            quorum=1,
            reason="x",
        )
    assert excinfo.value.code == "review_decided"


def test_a_conflict_that_leaves_the_quorum_reachable_changes_nothing():
    district = f.DistrictFactory()
    vendor, clerk = vendor_member(district=district)
    local = reviewers(district, 4)
    _course, review = submitted(vendor, clerk)
    services.conflict_declare(reviewer=local[3], vendor=vendor)
    review.refresh_from_db()
    assert review.committee.district_id == district.pk and review.quorum == 3
    assert not ReviewHandover.objects.exists()


def test_the_officers_round_page_writes_nothing_and_stores_a_new_committee_only_on_handover(client):
    # The city committee has never been used: reading the page must not create it (nor
    # its rubric); handing the round to it stores it then.
    district = f.DistrictFactory()
    vendor, clerk = vendor_member(district=district)
    reviewers(district, 3)
    reviewers(None, 3)
    _course, review = submitted(vendor, clerk)
    assert not ReviewCommittee.objects.filter(district=None).exists()
    client.force_login(f.BureauOfficerFactory(district=district).user)
    url = reverse("reviews:officer_round", args=[review.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert not ReviewCommittee.objects.filter(district=None).exists()
    assert 'value="new-city"' in response.text  # still offered, stored on first use

    response = client.post(url, {"committee": "new-city", "quorum": 3, "reason": "交市级评审"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.committee.district_id is None
    assert review.committee.criteria.exists()  # stored with the default rubric
