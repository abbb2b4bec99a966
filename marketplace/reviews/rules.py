"""The committee's decision rules, as one pure function (no database, no Django).

``decide(rule, quorum, pass_mark, scores, chair_id)`` looks at the scores a review round has
so far and answers ``"approved"``, ``"rejected"`` or ``None`` (not yet: wait for more scores).
The round's service calls it after every score, so a round is decided as soon as its rule can.

Common to every rule:

* **Quorum first.** Nothing is decided before ``quorum`` reviewers have scored: the quorum
  is the committee's minimum number of opinions, whatever those opinions are.
* **The pass mark overrides an approval.** A reviewer who recommends approval but whose
  total is below ``pass_mark`` counts as recommending rejection (a rejection with a high
  total stays a rejection: the reviewer may have seen a disqualifying problem).

The rules:

``majority``
    More (counted) approvals than rejections approves; fewer rejects. A tie follows the
    chair's counted recommendation when the chair has scored; otherwise the round waits for
    the chair's score (or, with no chair, for one more score to break the tie).
``unanimous``
    At quorum, approved only if every counted recommendation is an approval; a single
    rejection among the scores then rejects. Before quorum even a rejection waits, so every
    round hears at least ``quorum`` opinions (documented choice: the quorum is the same
    minimum under every rule).
``mean_score``
    At quorum, approved when the mean total is at least ``pass_mark``; recommendations play
    no part. The comparison is exact (``sum ≥ pass_mark × count``), never a rounded mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

APPROVED = "approved"
REJECTED = "rejected"

MAJORITY = "majority"
UNANIMOUS = "unanimous"
MEAN_SCORE = "mean_score"
RULES = (MAJORITY, UNANIMOUS, MEAN_SCORE)


class ScoreLike(Protocol):
    reviewer_id: int
    total: int
    recommendation: str  # "approve" or "reject"


@dataclass(frozen=True)
class Opinion:
    """A score as the rules see it (``ReviewScore`` rows fit the same shape)."""

    reviewer_id: int
    total: int
    recommendation: str


def counted_recommendation(score: ScoreLike, pass_mark: int) -> str:
    """``"approve"`` or ``"reject"``, after the pass-mark override."""
    if score.recommendation == "approve" and score.total >= pass_mark:
        return "approve"
    return "reject"


def decide(rule: str, quorum: int, pass_mark: int, scores: Iterable[ScoreLike], chair_id: int | None):
    """The round's outcome from its scores so far: ``"approved"``, ``"rejected"`` or ``None``."""
    if rule not in RULES:
        raise ValueError(f"unknown decision rule {rule!r}")
    scores = list(scores)
    if len(scores) < max(quorum, 1):
        return None
    counted = [counted_recommendation(score, pass_mark) for score in scores]
    approvals = counted.count("approve")
    rejections = counted.count("reject")

    if rule == MEAN_SCORE:
        return APPROVED if sum(score.total for score in scores) >= pass_mark * len(scores) else REJECTED
    if rule == UNANIMOUS:
        return APPROVED if rejections == 0 else REJECTED
    # MAJORITY
    if approvals > rejections:
        return APPROVED
    if approvals < rejections:
        return REJECTED
    for score, recommendation in zip(scores, counted, strict=True):
        if chair_id is not None and score.reviewer_id == chair_id:
            return APPROVED if recommendation == "approve" else REJECTED
    return None
