"""State changes of course review: committees and their settings, rounds, scores, conflicts.

Flow: a vendor submits a course (``marketplace.courses.services.course_submit``), whose
``course_submitted`` signal opens a round here (``review_open``, called by
``marketplace.reviews.receivers``) with the committee's settings copied onto it; each eligible
reviewer scores it once (``score_record``); after every score the committee's rule is asked
(``marketplace.reviews.rules.decide``) and the round is decided as soon as it can be
(``review_decide``), which sets the course's review status and sends ``course_changed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from marketplace.courses.models import Course
from marketplace.courses.signals import course_changed
from marketplace.reviews import rules, selectors
from marketplace.reviews.models import (
    ConflictDeclaration,
    CourseReview,
    DecisionRule,
    ReviewCommittee,
    ReviewHandover,
    ReviewScore,
    RubricCriterion,
)
from marketplace.reviews.selectors import DEFAULT_RUBRIC
from people.roles.access import bureau_covers_district


class ReviewError(DomainError):
    """A review step that cannot be carried out; the message says why."""


MAX_CRITERION_SCORE = 100


def committee_for(district) -> ReviewCommittee:
    """The committee of a district (``None``: the city committee), created with the default
    settings and rubric on first use."""
    district_id = getattr(district, "pk", district)
    with transaction.atomic():
        committee, created = ReviewCommittee.objects.get_or_create(district_id=district_id)
        if created:
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    committee=committee, code=code, name=name, name_en=name_en, max_score=top, position=i
                )
                for i, (code, name, name_en, top) in enumerate(DEFAULT_RUBRIC, start=1)
            )
    return committee


def committee_for_vendor(vendor) -> ReviewCommittee:
    """Who reviews the vendor's courses: its district's committee when that committee has
    enough reviewers not linked to the vendor to reach its quorum, else the city committee.

    Enough to reach the quorum, not merely one: a round sent to a committee that cannot
    reach its quorum would never be decided.
    """
    district_committee = committee_for(vendor.district_id)
    eligible = selectors.eligible_reviewers(district_id=vendor.district_id, vendor_id=vendor.pk).count()
    if eligible >= district_committee.quorum:
        return district_committee
    return committee_for(None)


def _rubric_copy(committee: ReviewCommittee) -> list[dict]:
    return [
        {"code": c.code, "name": c.name, "name_en": c.name_en, "max_score": c.max_score}
        for c in committee.criteria.order_by("position", "pk")
    ]


@transaction.atomic
def review_open(*, course: Course) -> CourseReview:
    """Open the next review round of a submitted course, copying the committee's settings.

    Called on ``course_submitted``, inside ``course_submit``'s transaction; the course must
    be ``submitted``.
    """
    if course.vendor_id is None:
        raise ReviewError(_("Only a vendor's course is reviewed."), code="not_vendor_course")
    if course.review_status != Course.ReviewStatus.SUBMITTED:
        raise ReviewError(_("Only a submitted course can be reviewed."), code="not_submitted")
    if course.reviews.filter(outcome=CourseReview.Outcome.PENDING).exists():
        raise ReviewError(_("This course is already under review."), code="already_in_review")
    committee = committee_for_vendor(course.vendor)
    rubric = _rubric_copy(committee)
    if not rubric:
        raise ReviewError(
            _("The review committee has no rubric; ask the bureau to set one."), code="no_rubric"
        )
    max_total = sum(item["max_score"] for item in rubric)
    if committee.pass_mark > max_total:
        raise ReviewError(
            _("The review committee's pass mark is above its rubric's total; ask the bureau to correct it."),
            code="pass_mark_unreachable",
        )
    chair_id = committee.chair_id
    if chair_id is not None and not (
        selectors.eligible_reviewers(district_id=committee.district_id, vendor_id=course.vendor_id)
        .filter(pk=chair_id)
        .exists()
    ):
        chair_id = None  # a chair who left the committee or is linked to the vendor cannot break ties
    last = course.reviews.order_by("-round").values_list("round", flat=True).first() or 0
    return CourseReview.objects.create(
        course=course,
        committee=committee,
        round=last + 1,
        rule=committee.rule,
        quorum=committee.quorum,
        reduced_quorum=committee.reduced_quorum,
        pass_mark=committee.pass_mark,
        max_total=max_total,
        rubric=rubric,
        chair_id=chair_id,
    )


def _clean_scores(rubric: list[dict], scores: dict) -> dict[str, int]:
    errors = {}
    cleaned = {}
    for item in rubric:
        code = item["code"]
        value = scores.get(code)
        try:
            number = int(value)
            if isinstance(value, bool) or str(value).strip() != str(number):
                raise ValueError
        except (TypeError, ValueError):
            errors[code] = ValidationError(_("Give a whole-number score."), code="score_missing")
            continue
        if not 0 <= number <= item["max_score"]:
            errors[code] = ValidationError(
                _("The score must be between 0 and %(max)s."),
                code="score_range",
                params={"max": item["max_score"]},
            )
            continue
        cleaned[code] = number
    unknown = sorted(set(scores) - {item["code"] for item in rubric})
    if unknown:
        errors["__all__"] = ValidationError(
            _("These are not criteria of this round's rubric: %(codes)s."),
            code="score_unknown",
            params={"codes": ", ".join(unknown)},
        )
    if errors:
        # The error as a whole carries the code of its first refusal.
        raise ReviewError.about_fields(errors)
    return cleaned


@transaction.atomic
def score_record(
    *, review: CourseReview, reviewer, scores: dict, recommendation: str, comment: str = ""
) -> ReviewScore:
    """Record one reviewer's scores for an open round, then decide the round if its rule can.

    Refused when the round is decided, the reviewer is not on its committee or is linked to
    the vendor, has already scored (scores are written once), or a score is out of range.
    """
    # The lock serialises the scores of one round, so exactly one of them decides it.
    review = (
        CourseReview.objects.select_for_update(of=("self",))
        .select_related("course__vendor", "committee")
        .get(pk=review.pk)
    )
    if review.outcome != CourseReview.Outcome.PENDING:
        raise ReviewError(_("This review round has already been decided."), code="review_decided")
    if not selectors.is_committee_member(user=reviewer, district_id=review.committee.district_id):
        raise ReviewError(_("You are not on the committee reviewing this course."), code="not_on_committee")
    if selectors.is_linked(user=reviewer, vendor_id=review.course.vendor_id):
        raise ReviewError(
            _("You are linked to this vendor and may not review its courses."), code="linked_to_vendor"
        )
    if review.scores.filter(reviewer=reviewer).exists():
        raise ReviewError(
            _("You have already scored this course in this round; a score cannot be changed."),
            code="already_scored",
        )
    if recommendation not in ReviewScore.Recommendation.values:
        raise ReviewError(
            {
                "recommendation": ValidationError(
                    _("Recommend approval or rejection."), code="recommendation_unknown"
                )
            },
            code="recommendation_unknown",
        )
    cleaned = _clean_scores(review.rubric, scores)
    score = ReviewScore.objects.create(
        review=review,
        reviewer=reviewer,
        scores=cleaned,
        total=sum(cleaned.values()),
        recommendation=recommendation,
        is_chair=review.chair_id is not None and review.chair_id == reviewer.pk,
        comment=comment.strip(),
    )
    review_decide(review=review)
    return score


def _tally(review: CourseReview, scores: Sequence[ReviewScore]) -> dict:
    counted = [rules.counted_recommendation(score, review.pass_mark) for score in scores]
    mean = (Decimal(sum(s.total for s in scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return {
        "scores": len(scores),
        "approve": counted.count("approve"),
        "reject": counted.count("reject"),
        "mean_total": str(mean),
        "max_total": review.max_total,
        "pass_mark": review.pass_mark,
        # Sorted, not in scoring order, so the order says nothing about who wrote what.
        "comments": sorted(s.comment for s in scores if s.comment),
    }


def _summary_text(review: CourseReview, tally: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            gettext("Outcome: %(outcome)s.") % {"outcome": review.get_outcome_display()},
            gettext(
                "%(scores)s reviewers scored: %(approve)s for approval, %(reject)s for rejection; "
                "mean total %(mean)s of %(max)s (pass mark %(pass_mark)s)."
            )
            % {
                "scores": tally["scores"],
                "approve": tally["approve"],
                "reject": tally["reject"],
                "mean": tally["mean_total"],
                "max": tally["max_total"],
                "pass_mark": tally["pass_mark"],
            },
        ]
        if tally["comments"]:
            lines.append(gettext("Reviewers' comments:"))
            lines.extend(f"- {comment}" for comment in tally["comments"])
    return "\n".join(lines)


@transaction.atomic
def review_decide(*, review: CourseReview) -> str | None:
    """Apply the round's rule to its scores; when it decides, close the round, set the
    course's review status, store the anonymous summary and send ``course_changed``.

    Returns the outcome, or ``None`` while the round must wait for more scores.
    """
    review = CourseReview.objects.select_for_update(of=("self",)).select_related("course").get(pk=review.pk)
    if review.outcome != CourseReview.Outcome.PENDING:
        return review.outcome
    scores = list(review.scores.order_by("created_at", "pk"))
    outcome = rules.decide(review.rule, review.quorum, review.pass_mark, scores, review.chair_id)
    if outcome is None:
        return None
    review.outcome = outcome
    review.decided_at = timezone.now()
    review.tally = _tally(review, scores)
    review.summary = _summary_text(review, review.tally)
    review.save(update_fields=["outcome", "decided_at", "tally", "summary"])
    course = review.course
    course.review_status = outcome
    course.save(update_fields=["review_status", "updated_at"])
    course_changed.send(sender=Course, course=course)
    return outcome


@transaction.atomic
def conflict_declare(*, reviewer, vendor, note: str = "") -> ConflictDeclaration:
    """Record that a reviewer is linked to a vendor: they never review its courses again.

    Declaring twice keeps the first declaration. Scores already given stay (they are written
    once); the declaration takes the vendor's courses out of the reviewer's queue from now on,
    and every open round of the vendor's courses that can no longer reach its quorum is
    handed on (``review_rebalance``), so no round is left waiting for a score that cannot come.
    """
    declaration, _created = ConflictDeclaration.objects.get_or_create(
        reviewer=reviewer, vendor=vendor, defaults={"note": note.strip()[:200]}
    )
    open_rounds = CourseReview.objects.filter(course__vendor=vendor, outcome=CourseReview.Outcome.PENDING)
    for review in open_rounds.order_by("pk"):
        review_rebalance(review=review)
    return declaration


def reachable_scores(*, review: CourseReview, committee: ReviewCommittee) -> int:
    """How many scores the round can have under ``committee``: those given, plus one for each
    of the committee's reviewers not linked to the vendor who has not scored yet."""
    scored = review.scores.values("reviewer_id")
    remaining = (
        selectors.eligible_reviewers(district_id=committee.district_id, vendor_id=review.course.vendor_id)
        .exclude(pk__in=scored)
        .count()
    )
    return review.scores.count() + remaining


def _eligible_chair(committee: ReviewCommittee, vendor_id: int):
    if committee.chair_id is None:
        return None
    eligible = selectors.eligible_reviewers(district_id=committee.district_id, vendor_id=vendor_id)
    return committee.chair_id if eligible.filter(pk=committee.chair_id).exists() else None


def _hand_over(*, review, kind, committee, quorum, reduced_quorum, reason="", actor=None) -> ReviewHandover:
    handover = ReviewHandover.objects.create(
        review=review,
        kind=kind,
        from_committee_id=review.committee_id,
        to_committee=committee,
        from_quorum=review.quorum,
        to_quorum=quorum,
        reason=reason,
        actor=actor,
    )
    if committee.pk != review.committee_id:
        review.committee = committee
        review.chair_id = _eligible_chair(committee, review.course.vendor_id)
    review.quorum = quorum
    review.reduced_quorum = reduced_quorum
    review.save(update_fields=["committee", "chair", "quorum", "reduced_quorum"])
    return handover


@transaction.atomic
def review_rebalance(*, review: CourseReview) -> ReviewHandover | None:
    """Keep an open round decidable after its committee lost reviewers to a conflict.

    While the round's committee can still reach the round's quorum, nothing changes.
    Otherwise, in this order:

    1. where the round allows it (``reduced_quorum``, the committee's setting copied when the
       round opened) and that many scores are still reachable, the quorum is lowered to the
       most scores still reachable;
    2. else the round goes to the next committee that can reach its own quorum — the vendor's
       district committee, then the city committee — with that committee's quorum; the
       scores given stay and count;
    3. else the round waits for a bureau officer, who sees it as stuck on their list of
       rounds (``selectors.rounds_for_officer``) and hands it over or lowers its quorum
       (``review_reassign``).

    Every change writes a ``ReviewHandover`` and the round is then decided if its rule can.
    """
    review = (
        CourseReview.objects.select_for_update(of=("self",))
        .select_related("course__vendor", "committee")
        .get(pk=review.pk)
    )
    if review.outcome != CourseReview.Outcome.PENDING:
        return None
    reachable = reachable_scores(review=review, committee=review.committee)
    if reachable >= review.quorum:
        return None
    if review.reduced_quorum is not None and reachable >= review.reduced_quorum:
        handover = _hand_over(
            review=review,
            kind=ReviewHandover.Kind.QUORUM_LOWERED,
            committee=review.committee,
            quorum=reachable,
            reduced_quorum=review.reduced_quorum,
        )
        review_decide(review=review)
        return handover
    vendor = review.course.vendor
    for district_id in dict.fromkeys([vendor.district_id, None]):
        committee = committee_for(district_id)
        if committee.pk == review.committee_id:
            continue
        if reachable_scores(review=review, committee=committee) >= committee.quorum:
            handover = _hand_over(
                review=review,
                kind=ReviewHandover.Kind.CONFLICT,
                committee=committee,
                quorum=committee.quorum,
                reduced_quorum=committee.reduced_quorum,
            )
            review_decide(review=review)
            return handover
    return None


@transaction.atomic
def review_reassign(*, review: CourseReview, officer, committee: ReviewCommittee, quorum: int, reason: str):
    """A bureau officer of the vendor's district (or the city) hands an open round to
    ``committee`` (the vendor's district committee or the city committee) and/or sets its
    quorum, saying why; then the round is decided if its rule can. ``committee`` may be the
    unsaved one ``selectors.committee_of`` reads before first use: it is stored then.

    Refused (``ReviewError`` with ``code``): ``not_officer``, ``review_decided``,
    ``reason_required``, ``committee_invalid``, ``quorum_invalid``, ``quorum_unreachable``
    (the committee's unlinked reviewers and the scores given cannot reach ``quorum``).
    """
    review = (
        CourseReview.objects.select_for_update(of=("self",))
        .select_related("course__vendor", "committee")
        .get(pk=review.pk)
    )
    vendor = review.course.vendor
    if not bureau_covers_district(officer, vendor.district_id):
        raise ReviewError(
            _("Only a bureau officer of the vendor's district may change its review."), code="not_officer"
        )
    if review.outcome != CourseReview.Outcome.PENDING:
        raise ReviewError(_("This review round has already been decided."), code="review_decided")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give a reason: it is kept with the round."), code="reason_required")
    if committee.district_id not in (vendor.district_id, None):
        raise ReviewError(
            _("A round can go only to the vendor's district committee or the city committee."),
            code="committee_invalid",
        )
    if not isinstance(quorum, int) or quorum < 1:
        raise ReviewError(_("At least one score must be needed."), code="quorum_invalid")
    reachable = reachable_scores(review=review, committee=committee)
    if reachable < quorum:
        raise ReviewError(
            _("%(committee)s can give this round at most %(n)s scores; it cannot need %(quorum)s."),
            code="quorum_unreachable",
            params={"committee": str(committee), "n": reachable, "quorum": quorum},
        )
    if committee.pk is None:
        committee = committee_for(committee.district_id)
    handover = _hand_over(
        review=review,
        kind=ReviewHandover.Kind.OFFICER,
        committee=committee,
        quorum=quorum,
        reduced_quorum=review.reduced_quorum
        if committee.pk == review.committee_id
        else committee.reduced_quorum,
        reason=reason,
        actor=officer,
    )
    review_decide(review=review)
    return handover


@transaction.atomic
def committee_update(
    *,
    committee: ReviewCommittee,
    rule: str,
    quorum: int,
    pass_mark: int,
    chair=None,
    criteria: Sequence[dict],
    reduced_quorum: int | None = None,
) -> ReviewCommittee:
    """Change a committee's decision rule, quorum, pass mark, chair and rubric.

    ``committee`` may be the unsaved one ``selectors.committee_of`` reads before first use:
    it is stored then.

    ``criteria`` replaces the rubric: dicts with ``code``, ``name``, ``name_en``,
    ``max_score`` and ``position``. ``reduced_quorum`` (empty or 1…quorum) is how few scores
    may decide a round after conflicts leave too few reviewers. Open rounds keep the copies
    they were opened with.
    """
    errors: dict[str, list] = {}

    def error(field, message, reason, **params):
        errors.setdefault(field, []).append(ValidationError(message, code=reason, params=params or None))

    if rule not in DecisionRule.values:
        error("rule", _("Choose a decision rule."), "rule_unknown")
    if not isinstance(quorum, int) or quorum < 1:
        error("quorum", _("At least one score must be needed."), "quorum_invalid")
    if reduced_quorum is not None and not (
        isinstance(reduced_quorum, int) and isinstance(quorum, int) and 1 <= reduced_quorum <= quorum
    ):
        errors.setdefault("reduced_quorum", []).append(
            ValidationError(
                _("The lowest number of scores after a conflict must be between 1 and the quorum."),
                code="reduced_quorum_invalid",
            )
        )
    if not isinstance(pass_mark, int) or pass_mark < 0:
        error("pass_mark", _("The pass mark cannot be negative."), "pass_mark_negative")
    if chair is not None and not (
        selectors.committee_reviewers(district_id=committee.district_id).filter(pk=chair.pk).exists()
    ):
        error("chair", _("The chair must be one of the committee's reviewers."), "chair_not_reviewer")

    cleaned = []
    codes = set()
    for index, item in enumerate(criteria, start=1):
        code = slugify(str(item.get("code", "")).strip())
        name = str(item.get("name", "")).strip()
        max_score = item.get("max_score")
        if not code or not name:
            error(
                "criteria",
                _("Criterion %(n)s needs a code and a Chinese name."),
                "criterion_incomplete",
                n=index,
            )
            continue
        if code in codes:
            error("criteria", _("The code “%(code)s” is used twice."), "criterion_code_twice", code=code)
            continue
        if not isinstance(max_score, int) or not 1 <= max_score <= MAX_CRITERION_SCORE:
            error(
                "criteria",
                _("The highest score of “%(code)s” must be between 1 and %(max)s."),
                "criterion_score_range",
                code=code,
                max=MAX_CRITERION_SCORE,
            )
            continue
        codes.add(code)
        cleaned.append(
            {
                "code": code,
                "name": name,
                "name_en": str(item.get("name_en", "")).strip(),
                "max_score": max_score,
                "position": int(item.get("position") or index),
            }
        )
    if not criteria:
        error("criteria", _("The rubric needs at least one criterion."), "criteria_empty")
    total = sum(item["max_score"] for item in cleaned)
    if cleaned and isinstance(pass_mark, int) and pass_mark > total and "criteria" not in errors:
        error(
            "pass_mark",
            _("The pass mark cannot exceed the rubric's total of %(total)s."),
            "pass_mark_above_total",
            total=total,
        )
    if errors:
        # The error as a whole carries the code of its first refusal.
        raise ReviewError.about_fields(errors)

    if committee.pk is None:
        # The settings page shows an unsaved committee until its first save stores it.
        committee = committee_for(committee.district_id)
    committee = ReviewCommittee.objects.select_for_update(of=("self",)).get(pk=committee.pk)
    committee.rule = rule
    committee.quorum = quorum
    committee.reduced_quorum = reduced_quorum
    committee.pass_mark = pass_mark
    committee.chair = chair
    committee.full_clean()
    committee.save()
    committee.criteria.exclude(code__in=codes).delete()
    for item in cleaned:
        RubricCriterion.objects.update_or_create(
            committee=committee,
            code=item["code"],
            defaults={k: item[k] for k in ("name", "name_en", "max_score", "position")},
        )
    return committee
