"""Expert review of vendors' courses (课程专家评审).

A district's review committee is its course reviewers (``course_reviewer`` memberships of
that district; the city committee, ``district`` empty, reviews where a district has none).
The bureau sets each committee's decision rule, quorum, pass mark, chair and rubric — data,
not code. Each submission of a course opens a review round; each reviewer not linked to the
vendor scores it once on the rubric and recommends approval or rejection; the rule decides
the round as soon as it can.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly, BilingualName, TimeStamped


class DecisionRule(models.TextChoices):
    MAJORITY = "majority", _("Majority of recommendations, the chair breaking ties")
    UNANIMOUS = "unanimous", _("Unanimous approval")
    MEAN_SCORE = "mean_score", _("Mean score at or above the pass mark")


class ReviewCommittee(TimeStamped):
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_committees",
        verbose_name=_("district"),
        help_text=_("Empty: the city committee, which reviews where a district has none."),
    )
    rule = models.CharField(
        _("decision rule"), max_length=12, choices=DecisionRule.choices, default=DecisionRule.MAJORITY
    )
    quorum = models.PositiveSmallIntegerField(
        _("scores needed"), default=3, help_text=_("How many reviewers must score before a decision.")
    )
    reduced_quorum = models.PositiveSmallIntegerField(
        _("lowest scores needed after a conflict"),
        null=True,
        blank=True,
        help_text=_(
            "When reviewers declare a link to the vendor during a round and too few remain, the "
            "round may be decided with this many scores. Empty: the round goes to the next "
            "committee that can reach its quorum instead."
        ),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        default=60,
        help_text=_("A reviewer's total below this counts as a recommendation to reject."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_committees",
        verbose_name=_("chair"),
    )

    class Meta:
        ordering = ["district"]
        verbose_name = _("review committee")
        verbose_name_plural = _("review committees")
        constraints = [
            models.UniqueConstraint(Coalesce("district", 0), name="committee_one_per_district"),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="committee_quorum_positive"),
            models.CheckConstraint(
                condition=Q(reduced_quorum__isnull=True)
                | Q(reduced_quorum__gte=1, reduced_quorum__lte=F("quorum")),
                name="committee_reduced_quorum_valid",
            ),
            models.CheckConstraint(
                condition=Q(rule__in=["majority", "unanimous", "mean_score"]), name="committee_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        if self.district_id is None:
            return str(_("City review committee"))
        return str(_("%(district)s review committee") % {"district": self.district})


class RubricCriterion(BilingualName):
    """One line of a committee's scoring rubric, scored from 0 to ``max_score``."""

    committee = models.ForeignKey(
        ReviewCommittee, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("committee")
    )
    code = models.SlugField(_("code"), max_length=40)
    max_score = models.PositiveSmallIntegerField(_("highest score"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["committee", "position", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_positive"),
        ]


class ConflictDeclaration(models.Model):
    """A reviewer declares a link to a vendor; they never review its courses."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("reviewer"),
    )
    vendor = models.ForeignKey(
        "vendors.Vendor", on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("vendor")
    )
    note = models.CharField(_("nature of the link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["reviewer", "vendor"], name="conflict_unique")]


class CourseReview(models.Model):
    """One review round of a course: opened on submission, decided by the committee's rule.

    The rule, quorum, pass mark, rubric and chair in force when the round opened are copied
    onto it, so a later change of the committee's settings never re-decides an open or a past
    round. Once decided, ``summary`` (text in the default language) and ``tally`` (the same
    facts as data, rendered in the reader's language) tell the vendor the outcome without
    naming any reviewer.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("course")
    )
    committee = models.ForeignKey(
        ReviewCommittee, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("committee")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    rule = models.CharField(_("decision rule"), max_length=12, choices=DecisionRule.choices)
    quorum = models.PositiveSmallIntegerField(_("scores needed"))
    reduced_quorum = models.PositiveSmallIntegerField(
        _("lowest scores needed after a conflict"),
        null=True,
        blank=True,
        help_text=_("The committee's setting when the round opened (empty: never lowered)."),
    )
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    max_total = models.PositiveSmallIntegerField(_("highest total"))
    rubric = models.JSONField(
        _("rubric"),
        default=list,
        help_text=_("The criteria in force when the round opened: code, names and highest score."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
        help_text=_("The committee's chair when the round opened, unless linked to the vendor."),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    summary = models.TextField(_("summary"), blank=True)
    tally = models.JSONField(
        _("tally"),
        default=dict,
        blank=True,
        help_text=_("The decided round's counts, mean total and anonymous comments."),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["course", "round"]
        verbose_name = _("course review")
        verbose_name_plural = _("course reviews")
        constraints = [
            models.UniqueConstraint(fields=["course", "round"], name="review_unique_round"),
            models.UniqueConstraint(
                fields=["course"], condition=Q(outcome="pending"), name="review_one_open_round"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["pending", "approved", "rejected"]), name="review_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending", decided_at__isnull=True)
                | (~Q(outcome="pending") & Q(decided_at__isnull=False)),
                name="review_decided_has_time",
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="review_quorum_positive"),
            models.CheckConstraint(
                condition=Q(max_total__gte=1, pass_mark__lte=F("max_total")),
                name="review_pass_mark_reachable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} #{self.round}"


class ReviewScore(AppendOnly):
    """One reviewer's scores for one round (append-only; one per reviewer per round)."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    review = models.ForeignKey(
        CourseReview, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_scores",
        verbose_name=_("reviewer"),
    )
    scores = models.JSONField(_("scores by criterion"))
    total = models.PositiveSmallIntegerField(_("total"))
    recommendation = models.CharField(_("recommendation"), max_length=8, choices=Recommendation.choices)
    is_chair = models.BooleanField(_("as chair"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at"]
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "reviewer"], name="score_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(recommendation__in=["approve", "reject"]), name="score_recommendation_valid"
            ),
        ]


class ReviewHandover(AppendOnly):
    """A change of an open round's committee or quorum (append-only: who, when, why).

    Written when a declared conflict leaves the round's committee short of its quorum (the
    round goes to the next committee that can reach it, or its quorum is lowered where the
    committee allows), and when a bureau officer hands a round over or lowers its quorum.
    Scores already given stay with the round and count under its new committee.
    """

    class Kind(models.TextChoices):
        CONFLICT = "conflict", _("Handed over after a declared conflict")
        QUORUM_LOWERED = "quorum_lowered", _("Quorum lowered after a declared conflict")
        OFFICER = "officer", _("Changed by a bureau officer")

    review = models.ForeignKey(
        CourseReview, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("review")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_committee = models.ForeignKey(
        ReviewCommittee, on_delete=models.PROTECT, related_name="+", verbose_name=_("from committee")
    )
    to_committee = models.ForeignKey(
        ReviewCommittee, on_delete=models.PROTECT, related_name="+", verbose_name=_("to committee")
    )
    from_quorum = models.PositiveSmallIntegerField(_("scores needed before"))
    to_quorum = models.PositiveSmallIntegerField(_("scores needed after"))
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("The officer; empty when the platform handed the round over by itself."),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]
        verbose_name = _("review handover")
        verbose_name_plural = _("review handovers")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["conflict", "quorum_lowered", "officer"]), name="handover_kind_valid"
            ),
            models.CheckConstraint(condition=Q(to_quorum__gte=1), name="handover_quorum_positive"),
            models.CheckConstraint(
                condition=~Q(kind="officer") | (Q(actor__isnull=False) & ~Q(reason="")),
                name="handover_officer_says_why",
            ),
        ]
