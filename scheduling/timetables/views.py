"""The school administrator's timetable pages: checklist and solve, runs, pins, publish.

Every view admits only an administrator of the school (``school_for_user_or_404``) and reads
runs only of that school; anything else is a 404. Reads come from ``selectors`` and
``presentation``; every change is a POST that goes through ``services``, ``publishing`` or
``imports``, and a refusal (``TimetableError``, ``PublishError``) becomes an error message.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.downloads import set_download_name
from scheduling.timetables import presentation, selectors, services
from scheduling.timetables.forms import PinForm, ProblemImportForm, SolveForm
from scheduling.timetables.imports import run_import
from scheduling.timetables.models import TimetableRun
from scheduling.timetables.publishing import PublishError
from scheduling.timetables.publishing import publish as publish_run
from schools.access import school_for_user_or_404
from schools.selectors import term_current


def _run_or_404(school, run_id: int) -> TimetableRun:
    try:
        return TimetableRun.objects.select_related("term", "previous_run").get(pk=run_id, school=school)
    except TimetableRun.DoesNotExist:
        raise Http404("No such run for this school") from None


def _run_url(run: TimetableRun, **query) -> str:
    url = reverse("timetables:run", args=[run.school_id, run.pk])
    query = {k: v for k, v in query.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


def _home(request, school, *, solve_form=None, import_form=None, status=200):
    term = term_current()
    readiness = selectors.solve_readiness(school=school, term=term)
    context = {
        "school": school,
        "term": term,
        "readiness": readiness,
        "solve_form": solve_form or SolveForm(),
        "import_form": import_form or ProblemImportForm(),
        "runs": selectors.runs_of_school(school=school),
    }
    return render(request, "timetables/home.html", context, status=status)


@login_required
@require_GET
def home(request, school_id: int):
    return _home(request, school_for_user_or_404(request.user, school_id))


@login_required
@require_POST
def solve(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    form = SolveForm(request.POST)
    if not form.is_valid():
        return _home(request, school, solve_form=form, status=400)
    term = term_current()
    if term is None:
        messages.error(request, _("There is no term to solve a timetable for."))
        return redirect("timetables:home", school.pk)
    if selectors.solve_readiness(school=school, term=term).blocked:
        messages.error(request, _("Fix the blocking items of the checklist before solving."))
        return redirect("timetables:home", school.pk)
    try:
        run = services.run_create(
            school=school, term=term, user=request.user, time_limit=form.cleaned_data["time_limit"]
        )
    except services.TimetableError as error:
        messages.error(request, str(error))
        return redirect("timetables:home", school.pk)
    messages.success(request, _("The solve has started."))
    return redirect(_run_url(run))


@login_required
@require_POST
def import_problem(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id)
    term = term_current()
    form = ProblemImportForm(request.POST, request.FILES)
    if term is None:
        messages.error(request, _("There is no term to solve a timetable for."))
        return redirect("timetables:home", school.pk)
    if not form.is_valid():
        return _home(request, school, import_form=form, status=400)
    try:
        run = run_import(
            school=school,
            term=term,
            user=request.user,
            problem=form.problem,
            solution=form.solution,
            time_limit=form.cleaned_data["time_limit"],
        )
    except services.TimetableError as error:
        messages.error(request, str(error))
        return redirect("timetables:home", school.pk)
    if form.solution is not None:
        messages.success(request, _("The imported timetable keeps every hard rule and is stored."))
    else:
        messages.success(request, _("The imported problem is being solved."))
    return redirect(_run_url(run))


@login_required
@require_GET
def run_detail(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    page = presentation.run_page(
        run=run, school=school, view=request.GET.get("view"), key=request.GET.get("key")
    )
    return render(request, "timetables/run.html", {"school": school, "page": page, "run": run})


@never_cache
@login_required
@require_GET
def progress(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    return JsonResponse(presentation.run_progress(run=run))


@login_required
@require_POST
def cancel(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    try:
        services.run_cancel(run=run)
    except services.TimetableError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The solve is being cancelled."))
    return redirect(_run_url(run))


def _pin_change(request, school_id: int, run_id: int, *, pin: bool):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This decision cannot be pinned: it is incomplete."))
        return redirect(_run_url(run))
    change = services.run_pin if pin else services.run_unpin
    try:
        change(run=run, kind=form.cleaned_data["kind"], entry=form.entry)
    except services.TimetableError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Pinned for the next re-solve.") if pin else _("Unpinned."))
    return redirect(_run_url(run, view=form.cleaned_data.get("view"), key=form.cleaned_data.get("key")))


@login_required
@require_POST
def pin(request, school_id: int, run_id: int):
    return _pin_change(request, school_id, run_id, pin=True)


@login_required
@require_POST
def unpin(request, school_id: int, run_id: int):
    return _pin_change(request, school_id, run_id, pin=False)


@login_required
@require_POST
def resolve(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    try:
        new_run = services.run_resolve(run=run, user=request.user)
    except services.TimetableError as error:
        messages.error(request, str(error))
        return redirect(_run_url(run))
    pinned = sum(len(entries) for entries in (new_run.problem.get("pinned") or {}).values())
    messages.success(
        request,
        ngettext(
            "The re-solve has started, keeping the %(count)d pinned decision.",
            "The re-solve has started, keeping the %(count)d pinned decisions.",
            pinned,
        )
        % {"count": pinned},
    )
    return redirect(_run_url(new_run))


@login_required
@require_POST
def publish(request, school_id: int, run_id: int):
    """Publish a run. While another run (or this one) is live for the term, the first POST
    shows what changes against it and asks to confirm; a POST with ``confirm`` publishes."""
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    live = selectors.live_run(school=school, term=run.term)
    if live is not None and not request.POST.get("confirm"):
        comparison = presentation.publish_comparison(run=run, today=timezone.localdate())
        return render(
            request,
            "timetables/publish_confirm.html",
            {"school": school, "run": run, "comparison": comparison},
        )
    try:
        result = publish_run(run=run)
    except PublishError as error:
        messages.error(request, error.message)
        return redirect(_run_url(run))
    messages.success(
        request,
        ngettext(
            "Published: %(count)d dated session was written.",
            "Published: %(count)d dated sessions were written.",
            result.sessions,
        )
        % {"count": result.sessions},
    )
    if result.recovered:
        messages.info(
            request,
            ngettext(
                "%(count)d approved rest day was covered again on the new timetable.",
                "%(count)d approved rest days were covered again on the new timetable.",
                len(result.recovered),
            )
            % {"count": len(result.recovered)},
        )
    if result.reopened:
        messages.warning(
            request,
            ngettext(
                "%(count)d approved rest day cannot be covered on the new timetable: it is back on the "
                "rest page for your decision, and the teacher has been told.",
                "%(count)d approved rest days cannot be covered on the new timetable: they are back on the "
                "rest page for your decision, and the teachers have been told.",
                len(result.reopened),
            )
            % {"count": len(result.reopened)},
        )
    return redirect(_run_url(run))


def _json_download(document, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    return set_download_name(response, filename)


@login_required
@require_GET
def problem_download(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    return _json_download(run.problem, f"timetable-problem-{school.pk}-{run.pk}.json")


@login_required
@require_GET
def solution_download(request, school_id: int, run_id: int):
    school = school_for_user_or_404(request.user, school_id)
    run = _run_or_404(school, run_id)
    if not run.solution:
        raise Http404("This run has no solution")
    return _json_download(run.solution, f"timetable-solution-{school.pk}-{run.pk}.json")
