import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.downloads import set_download_name
from core.forms import add_service_error
from marketplace.courses.selectors import course_facts, courses_for_review, courses_reviewed
from marketplace.reviews import selectors, services
from marketplace.reviews.forms import (
    CommitteeForm,
    ConflictForm,
    CriterionFormSet,
    ReassignForm,
    ScoreForm,
    criteria_from,
    criterion_label,
)
from marketplace.reviews.models import CourseReview
from people.roles.access import require_role
from people.roles.models import Role
from schools.models import District


def _rubric_rows(review, score=None):
    return [
        {
            "label": criterion_label(item),
            "max_score": item["max_score"],
            "score": (score.scores or {}).get(item["code"]) if score else None,
        }
        for item in review.rubric
    ]


@login_required
def review_home(request):
    """The course reviewer's home: their scoring queue, then their committees' courses."""
    memberships = require_role(request.user, Role.COURSE_REVIEWER)
    district_ids = {m.district_id for m in memberships}
    linked = selectors.linked_vendor_ids(user=request.user)
    context = {
        "memberships": memberships,
        "queue": selectors.rounds_to_score(user=request.user),
        "scored": selectors.rounds_scored_by(user=request.user)[:20],
        "pending": courses_for_review(district_ids=district_ids, exclude_vendor_ids=linked),
        "reviewed": courses_reviewed(district_ids=district_ids, exclude_vendor_ids=linked)[:20],
    }
    return render(request, "reviews/review_home.html", context)


@login_required
def course_document_file(request, document_id: int):
    """A course document, for the vendor's members, bureau officers and the course's reviewers."""
    document = selectors.document_for_user_or_404(user=request.user, document_id=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The document's file is missing") from None
    response = FileResponse(handle, content_type=document.content_type)
    set_download_name(response, document.title, os.path.splitext(document.file.name)[1], as_attachment=False)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def round_detail(request, review_id: int):
    """A course under review, for a reviewer on its committee who is not linked to the vendor:
    the course, and the scoring form until they have scored (once)."""
    require_role(request.user, Role.COURSE_REVIEWER)
    review = selectors.round_for_reviewer_or_404(user=request.user, review_id=review_id)
    mine = review.scores.filter(reviewer=request.user).first()
    may_score = review.outcome == CourseReview.Outcome.PENDING and mine is None
    form = None
    if request.method == "POST":
        if not may_score:
            messages.error(
                request,
                _("You have already scored this course in this round; a score cannot be changed.")
                if mine
                else _("This review round has already been decided."),
            )
            return redirect("reviews:round", review.pk)
        form = ScoreForm(request.POST, rubric=review.rubric)
        if form.is_valid():
            try:
                services.score_record(
                    review=review,
                    reviewer=request.user,
                    scores=form.scores(),
                    recommendation=form.cleaned_data["recommendation"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Your score was recorded."))
                return redirect("reviews:home")
    elif may_score:
        form = ScoreForm(rubric=review.rubric)
    context = {
        "review": review,
        "course": review.course,
        **course_facts(course=review.course),
        "form": form,
        "mine": mine,
        "mine_rows": _rubric_rows(review, mine) if mine else [],
        "conflict_form": ConflictForm(),
        "score_count": review.scores.count(),
    }
    return render(request, "reviews/round_detail.html", context, status=400 if form and form.errors else 200)


@login_required
@require_POST
def conflict_declare(request, review_id: int):
    """ "I have a link to this vendor": recorded, and the vendor's courses leave the queue."""
    require_role(request.user, Role.COURSE_REVIEWER)
    review = selectors.round_for_reviewer_or_404(user=request.user, review_id=review_id)
    form = ConflictForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.conflict_declare(reviewer=request.user, vendor=review.course.vendor, note=note)
    messages.success(
        request,
        _("Your link to %(vendor)s was recorded; you will not review its courses.")
        % {"vendor": review.course.vendor.display_name},
    )
    return redirect("reviews:home")


# --- bureau: committee settings ------------------------------------------------------------


@login_required
def committee_list(request):
    require_role(request.user, Role.BUREAU_OFFICER)
    rows = selectors.committee_overview(user=request.user)
    return render(request, "reviews/committee_list.html", {"rows": rows})


def _district_or_404(request, district_id):
    require_role(request.user, Role.BUREAU_OFFICER)
    if not selectors.officer_may_set_committee(user=request.user, district_id=district_id):
        raise Http404("Not a bureau officer for this committee")
    return None if district_id is None else get_object_or_404(District, pk=district_id)


@login_required
def committee_settings(request, district_id: int | None = None):
    """A committee's rule, quorum, pass mark, chair and rubric (city officers: any committee;
    district officers: their district's)."""
    district = _district_or_404(request, district_id)
    # Before its first save the committee is unsaved, with the defaults: a visit writes nothing.
    committee = selectors.committee_of(district)
    initial = selectors.committee_rubric(committee=committee)
    if request.method == "POST":
        form = CommitteeForm(request.POST, instance=committee)
        formset = CriterionFormSet(request.POST, initial=initial, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            try:
                services.committee_update(
                    committee=committee,
                    rule=form.cleaned_data["rule"],
                    quorum=form.cleaned_data["quorum"],
                    pass_mark=form.cleaned_data["pass_mark"],
                    chair=form.cleaned_data["chair"],
                    criteria=criteria_from(formset),
                    reduced_quorum=form.cleaned_data["reduced_quorum"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The committee's settings were saved; open rounds keep theirs."))
                return redirect(request.path)
        committee = selectors.committee_of(district)  # the stored settings, not the refused ones
    else:
        form = CommitteeForm(instance=committee)
        formset = CriterionFormSet(initial=initial, prefix="criteria")
    reviewers = list(selectors.committee_reviewers(district_id=committee.district_id))
    context = {
        "district": district,
        "committee": committee,
        "form": form,
        "formset": formset,
        "reviewers": reviewers,
        "short_of_quorum": len(reviewers) < committee.quorum,
        "open_rounds": selectors.open_rounds_of_committee(committee=committee),
        "rubric_total": sum(row["max_score"] for row in initial),
    }
    return render(
        request, "reviews/committee_settings.html", context, status=400 if request.method == "POST" else 200
    )


# --- bureau: the rounds of the officer's districts -------------------------------------------


@login_required
def officer_rounds(request):
    """Every open round of the officer's districts (a city officer: all), stuck ones marked."""
    require_role(request.user, Role.BUREAU_OFFICER)
    rounds = list(selectors.rounds_for_officer(user=request.user))
    for review in rounds:
        review.reach = selectors.round_reach(review=review)
    return render(request, "reviews/officer_rounds.html", {"rounds": rounds})


@login_required
def officer_round(request, review_id: int):
    """One round for a bureau officer of its vendor's district: its committee, scores given
    and reachable, its history of handovers; while open, a form to hand it to another
    committee or set its quorum (with a reason)."""
    require_role(request.user, Role.BUREAU_OFFICER)
    review = selectors.round_for_officer_or_404(user=request.user, review_id=review_id)
    vendor = review.course.vendor
    # Read, never stored here: a committee not used yet is stored when a round is handed to it.
    # One per district (a vendor without a district has only the city's); an unsaved
    # committee is unhashable, so they are told apart by district.
    committees = list(
        {
            c.district_id: c
            for c in (selectors.committee_of(vendor.district_id), selectors.committee_of(None))
        }.values()
    )
    form = None
    if review.outcome == CourseReview.Outcome.PENDING:
        form = ReassignForm(
            request.POST or None,
            committees=committees,
            initial={"committee": review.committee_id, "quorum": review.quorum},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.review_reassign(
                    review=review,
                    officer=request.user,
                    committee=form.cleaned_data["committee"],
                    quorum=form.cleaned_data["quorum"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The review round was changed."))
                return redirect("reviews:officer_round", review.pk)
    elif request.method == "POST":
        messages.error(request, _("This review round has already been decided."))
        return redirect("reviews:officer_round", review.pk)
    options = [
        {"committee": committee, "reachable": services.reachable_scores(review=review, committee=committee)}
        for committee in committees
    ]
    context = {
        "review": review,
        "course": review.course,
        "reach": selectors.round_reach(review=review),
        "options": options,
        "handovers": review.handovers.select_related(
            "from_committee__district", "to_committee__district", "actor"
        ),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/officer_round.html", context, status=status)
