"""Reads about course review: who sits on which committee, who is excluded, what is waiting,
and who may read a course's documents.

A committee's members are the users holding a ``course_reviewer`` membership of its district
(the city committee: of no district). A reviewer is *linked* to a vendor, and so excluded from
its courses, when they hold a ``vendor_member`` membership of it or declared a conflict.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from marketplace.courses.models import CourseDocument
from marketplace.reviews.models import ConflictDeclaration, CourseReview, ReviewCommittee
from people.roles.access import bureau_district_ids, roles_of
from people.roles.models import Membership, Role
from schools.models import District


def reviewer_district_ids(*, user) -> set[int | None]:
    """The committees the user sits on, by district (``None``: the city committee)."""
    return {m.district_id for m in roles_of(user, Role.COURSE_REVIEWER)}


def linked_vendor_ids(*, user) -> set[int]:
    """Vendors the user may not review: those they work for and those they declared a link to."""
    own = {m.vendor_id for m in roles_of(user, Role.VENDOR_MEMBER)}
    declared = set(ConflictDeclaration.objects.filter(reviewer=user).values_list("vendor_id", flat=True))
    return own | declared


def is_linked(*, user, vendor_id: int) -> bool:
    return vendor_id in linked_vendor_ids(user=user)


def committee_reviewers(*, district_id: int | None):
    """The users on the committee of a district (``None``: the city committee)."""
    memberships = Membership.objects.filter(role=Role.COURSE_REVIEWER)
    if district_id is None:
        memberships = memberships.filter(district__isnull=True)
    else:
        memberships = memberships.filter(district_id=district_id)
    return get_user_model().objects.filter(pk__in=memberships.values("user_id")).order_by("name", "pk")


def eligible_reviewers(*, district_id: int | None, vendor_id: int):
    """The committee's reviewers not linked to the vendor."""
    members = Membership.objects.filter(role=Role.VENDOR_MEMBER, vendor_id=vendor_id).values("user_id")
    declared = ConflictDeclaration.objects.filter(vendor_id=vendor_id).values("reviewer_id")
    return committee_reviewers(district_id=district_id).exclude(pk__in=members).exclude(pk__in=declared)


def is_committee_member(*, user, district_id: int | None) -> bool:
    return district_id in reviewer_district_ids(user=user)


def may_review(*, user, review: CourseReview) -> bool:
    """On the round's committee and not linked to the course's vendor."""
    return is_committee_member(user=user, district_id=review.committee.district_id) and not is_linked(
        user=user, vendor_id=review.course.vendor_id
    )


def _committee_filter(district_ids: set[int | None]) -> Q:
    condition = Q(committee__district_id__in=[d for d in district_ids if d is not None])
    if None in district_ids:
        condition |= Q(committee__district__isnull=True)
    return condition


def rounds_to_score(*, user):
    """Open rounds of the user's committees that they may score and have not scored yet."""
    district_ids = reviewer_district_ids(user=user)
    if not district_ids:
        return CourseReview.objects.none()
    return (
        CourseReview.objects.filter(_committee_filter(district_ids), outcome=CourseReview.Outcome.PENDING)
        .exclude(course__vendor_id__in=linked_vendor_ids(user=user))
        .exclude(scores__reviewer=user)
        .select_related("course", "course__vendor", "course__category", "committee__district")
        .annotate(score_count=Count("scores"))
        .order_by("opened_at", "pk")
    )


def rounds_scored_by(*, user):
    """Rounds the user has scored, latest first."""
    return (
        CourseReview.objects.filter(scores__reviewer=user)
        .select_related("course", "course__vendor", "committee__district")
        .order_by("-opened_at", "-pk")
    )


def round_for_reviewer_or_404(*, user, review_id: int) -> CourseReview:
    """A round the user may see as a reviewer: on its committee and not linked to its vendor."""
    district_ids = reviewer_district_ids(user=user)
    review = (
        CourseReview.objects.filter(_committee_filter(district_ids), pk=review_id)
        .exclude(course__vendor_id__in=linked_vendor_ids(user=user))
        .select_related(
            "course", "course__vendor", "course__category", "course__subject", "committee__district"
        )
        .first()
    )
    if review is None:
        raise Http404("No such review round for this account")
    return review


def reviewer_may_see_course(*, user, course) -> bool:
    """A reviewer on the committee of one of the course's rounds, not linked to its vendor."""
    district_ids = reviewer_district_ids(user=user)
    if not district_ids or is_linked(user=user, vendor_id=course.vendor_id):
        return False
    return course.reviews.filter(_committee_filter(district_ids)).exists()


def document_for_user_or_404(*, user, document_id: int):
    """A course document the user may download: the vendor's members, bureau officers of the
    city or the vendor's district, and reviewers on a committee that reviewed or reviews the
    course (not linked to the vendor). Anyone else: 404."""
    document = get_object_or_404(
        CourseDocument.objects.select_related("course", "course__vendor"), pk=document_id
    )
    vendor = document.course.vendor
    if vendor is not None:
        if any(m.vendor_id == vendor.pk for m in roles_of(user, Role.VENDOR_MEMBER)):
            return document
        if any(
            m.district_id is None or m.district_id == vendor.district_id
            for m in roles_of(user, Role.BUREAU_OFFICER)
        ):
            return document
        if reviewer_may_see_course(user=user, course=document.course):
            return document
    raise Http404("No such document for this account")


def open_round_count(*, district_id: int | None = None) -> int:
    """Open rounds of courses of vendors in a district (``None``: the whole city)."""
    rounds = CourseReview.objects.filter(outcome=CourseReview.Outcome.PENDING)
    if district_id is not None:
        rounds = rounds.filter(course__vendor__district_id=district_id)
    return rounds.count()


# The rubric a committee starts with (code, Chinese name, English name, highest score):
# shown until the committee is first stored, written as its data then (``services.committee_for``)
# and editable by the bureau afterwards.
DEFAULT_RUBRIC = (
    ("educational-value", "教育价值", "Educational value", 30),
    ("safety", "安全保障", "Safety", 20),
    ("teaching-plan", "教学计划", "Teaching plan", 20),
    ("instructors", "师资资质", "Instructor qualifications", 15),
    ("price", "收费合理", "Reasonable price", 15),
)


def committee_of(district) -> ReviewCommittee:
    """The committee of a district (a district, its id, or ``None``: the city committee) as
    stored; before its first use, an unsaved committee with the default settings. Reading
    writes nothing: ``services.committee_for`` or ``committee_update`` store it."""
    district_id = getattr(district, "pk", district)
    return ReviewCommittee.objects.filter(district_id=district_id).first() or ReviewCommittee(
        district_id=district_id
    )


def committee_rubric(*, committee: ReviewCommittee) -> list[dict]:
    """The committee's rubric in order, as rows (``code``, ``name``, ``name_en``,
    ``max_score``, ``position``); the default rubric for a committee not stored yet."""
    if committee.pk is None:
        return [
            {"code": code, "name": name, "name_en": name_en, "max_score": top, "position": i}
            for i, (code, name, name_en, top) in enumerate(DEFAULT_RUBRIC, start=1)
        ]
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "max_score": c.max_score,
            "position": c.position,
        }
        for c in committee.criteria.order_by("position", "pk")
    ]


def open_rounds_of_committee(*, committee: ReviewCommittee):
    if committee.pk is None:  # not stored yet: no round was ever opened with it
        return CourseReview.objects.none()
    return (
        committee.reviews.filter(outcome=CourseReview.Outcome.PENDING)
        .select_related("course", "course__vendor")
        .annotate(score_count=Count("scores"))
        .order_by("opened_at", "pk")
    )


def officer_committee_districts(*, user):
    """The committees a bureau officer may set, as districts: ``None`` first for the city
    committee (city officers only), then each district they oversee."""
    officer = roles_of(user, Role.BUREAU_OFFICER)
    if any(m.district_id is None for m in officer):
        return [None, *District.objects.order_by("code")]
    ids = {m.district_id for m in officer}
    return list(District.objects.filter(pk__in=ids).order_by("code"))


def officer_may_set_committee(*, user, district_id: int | None) -> bool:
    """City officers set every committee; a district officer their district's."""
    officer = roles_of(user, Role.BUREAU_OFFICER)
    if any(m.district_id is None for m in officer):
        return True
    return district_id is not None and any(m.district_id == district_id for m in officer)


def committee_overview(*, user) -> list[dict]:
    """One row per committee the officer may set: its settings (``None`` before first use),
    reviewer count, open rounds, and whether it has fewer reviewers than its quorum."""
    districts = officer_committee_districts(user=user)
    committees = {c.district_id: c for c in ReviewCommittee.objects.select_related("chair")}
    reviewer_counts = dict(
        Membership.objects.filter(role=Role.COURSE_REVIEWER)
        .order_by()
        .values_list("district_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    open_counts = dict(
        CourseReview.objects.filter(outcome=CourseReview.Outcome.PENDING)
        .order_by()
        .values_list("committee__district_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for district in districts:
        district_id = district.pk if district is not None else None
        committee = committees.get(district_id)
        reviewers = reviewer_counts.get(district_id, 0)
        quorum = committee.quorum if committee else ReviewCommittee._meta.get_field("quorum").default
        rows.append(
            {
                "district": district,
                "committee": committee,
                "reviewers": reviewers,
                "open_rounds": open_counts.get(district_id, 0),
                "short_of_quorum": reviewers < quorum,
            }
        )
    return rows


def rounds_for_officer(*, user, open_only: bool = True):
    """Review rounds of courses of vendors in the districts the bureau officer oversees
    (a city officer: every district), open ones only unless told, the longest-waiting first."""
    if not roles_of(user, Role.BUREAU_OFFICER):
        return CourseReview.objects.none()
    rounds = CourseReview.objects.select_related(
        "course", "course__vendor", "course__vendor__district", "committee__district"
    ).annotate(score_count=Count("scores"))
    districts = bureau_district_ids(user)
    if districts is not None:
        rounds = rounds.filter(course__vendor__district_id__in=districts)
    if open_only:
        rounds = rounds.filter(outcome=CourseReview.Outcome.PENDING)
    return rounds.order_by("opened_at", "pk")


def round_for_officer_or_404(*, user, review_id: int) -> CourseReview:
    """A round of a course whose vendor is in the officer's districts; anyone else: 404."""
    review = rounds_for_officer(user=user, open_only=False).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review round for this officer")
    return review


def round_reach(*, review: CourseReview) -> dict:
    """What an officer needs to unblock a round: the scores it can still reach under its
    committee and whether that falls short of its quorum (``stuck``)."""
    # Imported here: services imports this module (circular).
    from marketplace.reviews.services import reachable_scores

    reachable = reachable_scores(review=review, committee=review.committee)
    return {
        "reachable": reachable,
        "stuck": review.outcome == CourseReview.Outcome.PENDING and reachable < review.quorum,
    }
