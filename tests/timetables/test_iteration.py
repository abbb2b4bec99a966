"""Iterating on a timetable safely: pins carry over, one solve per school at a time, one live
published run per term with a comparison before replacing it, and a run page that says how
good the solve is and why each pupil or activity was left out."""

import copy

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from scheduling.timetables import imports, presentation, publishing, selectors, services
from scheduling.timetables.assembly import activity_key, class_key, problem_assemble, staff_key
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.publishing import run_publish
from tests import factories as f
from tests.timetables import D, build_school, solution

pytestmark = pytest.mark.django_db

BEFORE_TERM = D(2026, 9, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return build_school()


def solved_run(world, sol=None, problem=None) -> TimetableRun:
    return TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        status=TimetableRun.Status.DONE,
        problem=problem or problem_assemble(school=world.school, term=world.term),
        solution=solution(world) if sol is None else sol,
    )


def url(name, world, *args):
    return reverse(f"timetables:{name}", args=[world.school.pk, *args])


def login_admin(client, world):
    client.force_login(f.SchoolAdminFactory(school=world.school).user)
    client.cookies["django_language"] = "en"
    return client


# --- pins carry over ------------------------------------------------------------------------


def test_pins_carry_over_to_every_resolve_and_the_card_tells_the_truth(
    world, django_capture_on_commit_callbacks
):
    first = solved_run(world)
    pinned = {"class": class_key(world.school_class), "slot": "mon-1", "staff": staff_key(world.chen.pk)}
    services.run_pin(run=first, kind="supervisions", entry=pinned)

    with django_capture_on_commit_callbacks(execute=False):
        second = services.run_resolve(run=first)
    assert second.problem["pinned"] == {"supervisions": [pinned]}
    assert second.pins == {"supervisions": [pinned]}  # carried over, not lost
    page = presentation.run_page(run=second, school=world.school)
    assert page.pins_held == page.pins_count == 1  # "pinned from the previous solve" = "keeping"

    # The second solve ends; solving again from it still keeps the pin.
    TimetableRun.objects.filter(pk=second.pk).update(
        status=TimetableRun.Status.DONE, solution=solution(world, supervisor=world.chen)
    )
    second.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        third = services.run_resolve(run=second)
    assert third.problem["pinned"] == {"supervisions": [pinned]}
    assert third.pins == {"supervisions": [pinned]}


def test_a_pin_the_new_records_no_longer_accept_is_dropped_not_blocking(
    world, django_capture_on_commit_callbacks
):
    first = solved_run(world)
    pinned = {"class": class_key(world.school_class), "slot": "mon-1", "staff": staff_key(world.chen.pk)}
    services.run_pin(run=first, kind="supervisions", entry=pinned)
    first.pins["supervisions"].append({"class": "9-9", "slot": "mon-1", "staff": staff_key(world.chen.pk)})
    first.save()
    with django_capture_on_commit_callbacks(execute=False):
        second = services.run_resolve(run=first)
    assert second.pins == {"supervisions": [pinned]}


# --- one solve per school at a time ---------------------------------------------------------


def test_a_second_solve_of_the_school_is_refused_with_the_reason(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.run_create(school=world.school, term=world.term)
    with pytest.raises(services.TimetableError) as caught:
        services.run_create(school=world.school, term=world.term)
    assert caught.value.code == "solve_running"
    assert "already queued or running" in str(caught.value)
    problem = problem_assemble(school=world.school, term=world.term)
    with pytest.raises(services.TimetableError) as caught:
        imports.run_import(school=world.school, term=world.term, problem=problem)
    assert caught.value.code == "solve_running"
    assert TimetableRun.objects.filter(school=world.school).count() == 1

    # The database refuses it too, whatever the path.
    with pytest.raises(IntegrityError), transaction.atomic():
        TimetableRun.objects.create(
            school=world.school, term=world.term, problem={}, status=TimetableRun.Status.RUNNING
        )

    # Another school solves meanwhile.
    other = build_school(school_name="另一所小学")
    with django_capture_on_commit_callbacks(execute=False):
        services.run_create(school=other.school, term=other.term)


def test_the_solve_page_says_why_a_second_solve_is_refused(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.run_create(school=world.school, term=world.term)
    login_admin(client, world)
    from schools import selectors as school_selectors

    assert school_selectors.term_current() is not None
    response = client.post(url("solve", world), {"time_limit": 10}, follow=True)
    assert any("already queued or running" in str(m) for m in response.context["messages"])
    assert TimetableRun.objects.filter(school=world.school).count() == 1


# --- one live run per term ------------------------------------------------------------------


def test_publishing_another_run_supersedes_the_live_one(world):
    first = solved_run(world)
    run_publish(run=first, today=BEFORE_TERM)
    second = solved_run(world, solution(world, supervisor=world.chen))
    run_publish(run=second, today=BEFORE_TERM)
    third = solved_run(world, solution(world, teacher=world.chen))
    run_publish(run=third, today=BEFORE_TERM)
    runs = {run.pk: run for run in TimetableRun.objects.filter(school=world.school)}
    assert [pk for pk, run in runs.items() if run.live] == [third.pk]
    assert runs[first.pk].superseded and runs[second.pk].superseded and not runs[third.pk].superseded
    assert runs[first.pk].superseded_at is not None and runs[second.pk].superseded_at is not None
    assert selectors.live_run(school=world.school, term=world.term) == runs[third.pk]

    # The database keeps one live run per school and term.
    with pytest.raises(IntegrityError), transaction.atomic():
        TimetableRun.objects.filter(pk=first.pk).update(live=True, superseded_at=None)


def _with_pupils(world):
    """The problem with two pupils who both want 书法, and a run placing both."""
    a = activity_key(world.activity.pk)
    pupils = [f.ChildFactory(school_class=world.school_class, name=name) for name in ("李华", "张敏")]
    problem = problem_assemble(school=world.school, term=world.term)
    problem["students"] = [
        {"id": f"s{child.pk}", "class": "3-2", "choices": [a], "wants": 1} for child in pupils
    ]
    good = solution(world)
    good["enrollments"] = [{"student": f"s{child.pk}", "activity": a} for child in pupils]
    return problem, good, pupils


def test_publishing_over_the_live_run_shows_the_comparison_and_asks_to_confirm(client, world, monkeypatch):
    monkeypatch.setattr(publishing.timezone, "localdate", lambda *args, **kwargs: BEFORE_TERM)
    monkeypatch.setattr("scheduling.timetables.views.timezone.localdate", lambda *a, **k: BEFORE_TERM)
    problem, good, _pupils = _with_pupils(world)
    live = solved_run(world, good, problem=copy.deepcopy(problem))
    run_publish(run=live, today=BEFORE_TERM)
    worse_solution = solution(world, supervisor=world.chen)
    worse_solution["meetings"] = []
    worse_solution["cancelled"] = [activity_key(world.activity.pk)]
    worse = solved_run(world, worse_solution, problem=copy.deepcopy(problem))
    before = set(DatedSession.objects.values_list("pk", flat=True))

    response = login_admin(client, world).post(url("publish", world, worse.pk))
    assert response.status_code == 200
    html = response.content.decode()
    comparison = response.context["comparison"]
    assert comparison.live == live
    assert (comparison.live_quality.placed, comparison.quality.placed) == (2, 0)
    assert (comparison.live_quality.first_choice_percent, comparison.quality.first_choice_percent) == (100, 0)
    assert comparison.newly_cancelled == ["书法（三四年级）"]
    assert comparison.sessions_moved == 8  # every supervision changes teacher, the meetings go
    assert comparison.worse and 'data-testid="worse"' in html
    assert 'name="confirm"' in html and 'data-testid="confirm-publish"' in html
    # Nothing changed yet.
    assert set(DatedSession.objects.values_list("pk", flat=True)) == before
    live.refresh_from_db()
    worse.refresh_from_db()
    assert live.live and worse.published_at is None

    client.post(url("publish", world, worse.pk), {"confirm": "1"})
    live.refresh_from_db()
    worse.refresh_from_db()
    assert worse.live and not live.live and live.superseded_at is not None
    home = client.get(url("home", world)).content.decode()
    assert home.count('data-live="true"') == 1 and 'data-testid="superseded"' in home
    run_page = client.get(url("run", world, live.pk)).content.decode()
    assert 'data-testid="superseded"' in run_page and 'data-testid="live-run"' in run_page


def test_the_comparison_counts_the_rest_days_and_covers_affected(world):
    from scheduling.rest.models import RestPolicy
    from scheduling.rest.services import rest_claim
    from tests.rest import give_duties

    live = solved_run(world)
    run_publish(run=live, today=BEFORE_TERM)
    RestPolicy.objects.create(school=world.school, duties_per_credit=1)
    give_duties(world.wang, world.term, 1, first=D(2026, 8, 31))  # before the replaced days
    user = f.TeacherFactory(school=world.school, staff=world.wang).user
    monday = D(2026, 9, 14)
    claim = rest_claim(staff=world.wang, date=monday, user=user, today=BEFORE_TERM)
    assert claim.status == "approved"  # 陈刚 covers
    comparison = presentation.publish_comparison(run=solved_run(world), today=BEFORE_TERM)
    assert comparison.covers_affected == 1
    assert [(item.name, item.date, item.covers) for item in comparison.rest_affected] == [("王丽", monday, 1)]
    assert comparison.sessions_moved == 0  # the same weekly plan: the covered session counts as 王丽's


# --- the run page: quality and reasons -------------------------------------------------------


def test_the_run_page_shows_quality_and_the_facts_behind_each_left_out_pupil_and_activity(client, world):
    chess = f.SchoolActivityFactory(course__school=world.school, term=world.term, name="围棋")
    ball = f.SchoolActivityFactory(course__school=world.school, term=world.term, name="篮球")
    a1, a2, a3 = (activity_key(a.pk) for a in (world.activity, ball, chess))
    p1, p2, p3, p4 = (
        f.ChildFactory(school_class=world.school_class, name=name)
        for name in ("李华", "张敏", "赵雷", "王芳")
    )
    problem = problem_assemble(school=world.school, term=world.term)
    for row in problem["staff"]:
        if row["id"] == staff_key(world.wang.pk):
            row["subjects"] = ["calligraphy-like"]
    rooms = {row["id"]: row for row in problem["rooms"]}
    rooms["art"]["kinds"] = ["studio"]
    for row in problem["activities"]:
        if row["id"] in (a1, a3):
            row.update(subject="calligraphy-like", room_kind="studio")
        if row["id"] == a1:
            row["min_size"] = 3
        if row["id"] == a2:
            row["min_size"] = 1
        if row["id"] == a3:
            row["max_size"] = 1
    problem["students"] = [
        {"id": f"s{p1.pk}", "class": "3-2", "choices": [a3], "wants": 1},
        {"id": f"s{p2.pk}", "class": "3-2", "choices": [a3, a1, a2], "wants": 1},
        {"id": f"s{p3.pk}", "class": "3-2", "choices": [a1, a2], "wants": 1},
        {"id": f"s{p4.pk}", "class": "3-2", "choices": [], "wants": 1},
    ]
    sol = solution(world)
    sol["meetings"] = [{"activity": a3, "slot": "wed-1", "room": "art", "teacher": staff_key(world.wang.pk)}]
    sol["cancelled"] = [a1, a2]
    sol["enrollments"] = [{"student": f"s{p1.pk}", "activity": a3}]
    run = solved_run(world, sol, problem=problem)

    response = login_admin(client, world).get(url("run", world, run.pk))
    page = response.context["page"]
    assert (page.quality.wanting, page.quality.placed, page.quality.first_choice_percent) == (3, 1, 33)
    reasons = {item.name: (item.code, item.reason) for item in page.cancelled}
    assert reasons["书法（三四年级）"][0] == "below_minimum"
    assert "2 pupils of its grades chose it, 3 needed" in reasons["书法（三四年级）"][1]
    assert reasons["篮球"][0] == "no_eligible_leader"

    unplaced = {pupil.name: pupil for pupil in page.unplaced}
    assert set(unplaced) == {"张敏", "赵雷", "王芳"}
    zhang = unplaced["张敏"]
    assert zhang.class_label == page.unplaced[0].class_label and "3" in zhang.class_label
    assert [(c.name, c.code) for c in zhang.choices] == [
        ("围棋", "full"),
        ("书法（三四年级）", "cancelled"),
        ("篮球", "cancelled"),
    ]
    assert unplaced["王芳"].reason == "Ranked no activity." and unplaced["王芳"].choices == []

    html = response.content.decode()
    assert 'data-testid="pupils-placed">1 / 3<' in html and 'data-testid="first-choice-rate">33%<' in html
    assert 'data-code="full"' in html and 'data-code="below_minimum"' in html
    assert 'data-code="no_eligible_leader"' in html
