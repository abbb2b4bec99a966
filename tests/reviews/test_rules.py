"""The decision rules as a pure function (``marketplace.reviews.rules.decide``): no database."""

import pytest

from marketplace.reviews.rules import Opinion, counted_recommendation, decide


def op(reviewer_id, recommendation="approve", total=80):
    return Opinion(reviewer_id=reviewer_id, total=total, recommendation=recommendation)


PASS = 60


class TestMajority:
    def test_nothing_is_decided_before_the_quorum(self):
        assert decide("majority", 3, PASS, [op(1), op(2)], chair_id=None) is None

    def test_more_approvals_approve(self):
        assert decide("majority", 3, PASS, [op(1), op(2), op(3, "reject")], chair_id=None) == "approved"

    def test_more_rejections_reject(self):
        assert decide("majority", 3, PASS, [op(1, "reject"), op(2), op(3, "reject")], None) == "rejected"

    def test_a_tie_follows_the_chair_who_approved(self):
        scores = [op(1, "approve"), op(2, "reject")]
        assert decide("majority", 2, PASS, scores, chair_id=1) == "approved"

    def test_a_tie_follows_the_chair_who_rejected(self):
        scores = [op(1, "approve"), op(2, "reject")]
        assert decide("majority", 2, PASS, scores, chair_id=2) == "rejected"

    def test_a_tie_waits_for_the_chair_who_has_not_scored(self):
        scores = [op(1, "approve"), op(2, "reject")]
        assert decide("majority", 2, PASS, scores, chair_id=9) is None
        assert decide("majority", 2, PASS, [*scores, op(9, "approve")], chair_id=9) == "approved"

    def test_a_tie_without_a_chair_waits_for_another_score(self):
        scores = [op(1, "approve"), op(2, "reject")]
        assert decide("majority", 2, PASS, scores, chair_id=None) is None
        assert decide("majority", 2, PASS, [*scores, op(3, "reject")], chair_id=None) == "rejected"

    def test_an_approval_below_the_pass_mark_counts_as_a_rejection(self):
        scores = [op(1, "approve", total=59), op(2, "approve", total=59), op(3, "approve", total=90)]
        assert decide("majority", 3, PASS, scores, chair_id=None) == "rejected"
        assert decide("majority", 3, 50, scores, chair_id=None) == "approved"

    def test_the_chairs_tie_break_is_also_subject_to_the_pass_mark(self):
        scores = [op(1, "approve", total=40), op(2, "approve", total=90), op(3, "reject"), op(4, "reject")]
        # 1 counts as a rejection: 1 approval against 3.
        assert decide("majority", 4, PASS, scores, chair_id=2) == "rejected"
        tie = [op(1, "approve", total=40), op(2, "approve", total=90)]
        assert decide("majority", 2, PASS, tie, chair_id=1) == "rejected"

    def test_a_rejection_with_a_high_total_stays_a_rejection(self):
        assert counted_recommendation(op(1, "reject", total=100), PASS) == "reject"
        assert counted_recommendation(op(1, "approve", total=PASS), PASS) == "approve"


class TestUnanimous:
    def test_waits_for_the_quorum_even_after_a_rejection(self):
        assert decide("unanimous", 3, PASS, [op(1, "reject")], None) is None

    def test_all_approving_approves(self):
        assert decide("unanimous", 3, PASS, [op(1), op(2), op(3)], None) == "approved"

    def test_one_rejection_rejects_at_the_quorum(self):
        assert decide("unanimous", 3, PASS, [op(1), op(2, "reject"), op(3)], None) == "rejected"

    def test_the_pass_mark_overrides_an_approval(self):
        assert decide("unanimous", 2, PASS, [op(1), op(2, total=10)], None) == "rejected"


class TestMeanScore:
    def test_mean_at_the_pass_mark_approves(self):
        scores = [op(1, "reject", total=50), op(2, "reject", total=70)]
        assert decide("mean_score", 2, PASS, scores, None) == "approved"

    def test_mean_below_the_pass_mark_rejects_whatever_the_recommendations(self):
        scores = [op(1, "approve", total=59), op(2, "approve", total=60)]
        assert decide("mean_score", 2, PASS, scores, None) == "rejected"

    def test_waits_for_the_quorum(self):
        assert decide("mean_score", 3, PASS, [op(1, total=100), op(2, total=100)], None) is None


def test_an_unknown_rule_is_an_error():
    with pytest.raises(ValueError):
        decide("dictator", 1, PASS, [op(1)], None)
