"""The school administrator's timetable pages (``scheduling.timetables.views``) and the
problem import (``scheduling.timetables.imports``)."""

import copy
import io
import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from scheduling.timetables import imports, publishing
from scheduling.timetables.assembly import activity_key, problem_assemble, staff_key
from scheduling.timetables.models import DatedSession, TimetableRun
from scheduling.timetables.services import TimetableError
from tests import factories as f
from tests.timetables import D, build_school, solution


@pytest.fixture
def world():
    return build_school()


def teachable(world):
    """Let 王丽 teach 书法 and the art room host it, so a solve places it."""
    world.wang.subjects.add(world.activity.course.subject)
    world.art.kinds.add(world.activity.room_kind)
    return world


def url(name, world, *args):
    return reverse(f"timetables:{name}", args=[world.school.pk, *args])


def login_admin(client, world):
    client.force_login(f.SchoolAdminFactory(school=world.school).user)
    return client


def solved_run(world, sol=None, **fields) -> TimetableRun:
    """A finished run holding the school's assembled problem and ``sol`` (default: ``solution(world)``)."""
    return TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        status=TimetableRun.Status.DONE,
        problem=problem_assemble(school=world.school, term=world.term),
        solution=solution(world) if sol is None else sol,
        **fields,
    )


def upload(document, name="problem.json"):
    data = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the home page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_the_term_checklist_with_fix_links_and_the_solve_form(client, world):
    response = login_admin(client, world).get(url("home", world))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.term.display_name in html
    items = response.context["readiness"].items
    assert {item.code for item in items} == {"room_kind_missing", "activity_without_teacher"}
    for item in items:
        assert escape(item.message) in html
        assert f'href="{item.fix_url}"' in html
    assert html.count('data-testid="fix-link"') == 2
    assert 'data-testid="blocking"' not in html
    assert 'data-testid="solve-blocked"' not in html
    assert 'name="time_limit"' in html and 'value="30"' in html
    assert 'data-testid="solve-button">' in html  # enabled
    # Both forms have labelled fields with ids of their own.
    assert '<label for="id_time_limit">' in html and 'id="id_time_limit"' in html
    assert '<label for="import_file">' in html and '<label for="import_time_limit">' in html


@pytest.mark.django_db
def test_a_blocking_item_disables_and_refuses_solving(client, world):
    f.SchoolClassFactory(school=world.school, grade=4, number=1, home_room=None)
    login_admin(client, world)
    html = client.get(url("home", world)).content.decode()
    assert 'data-testid="blocking"' in html
    assert 'data-testid="solve-blocked"' in html
    assert 'disabled aria-disabled="true" data-testid="solve-button"' in html
    response = client.post(url("solve", world), {"time_limit": 30}, follow=True)
    assert TimetableRun.objects.count() == 0
    assert any("checklist" in m or "清单" in m for m in messages_of(response))


@pytest.mark.django_db
def test_starting_a_solve_creates_a_queued_run_and_redirects_to_it(client, world):
    response = login_admin(client, world).post(url("solve", world), {"time_limit": 12})
    run = TimetableRun.objects.get()
    assert response.status_code == 302
    assert response.url == url("run", world, run.pk)
    assert run.status == TimetableRun.Status.QUEUED  # the transaction never commits in this test
    assert run.time_limit == 12 and run.school == world.school and run.term == world.term


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [4, 301, "abc"])
def test_a_time_limit_out_of_range_is_refused(client, world, limit):
    response = login_admin(client, world).post(url("solve", world), {"time_limit": limit})
    assert response.status_code == 400
    assert response.context["solve_form"].errors["time_limit"]
    assert TimetableRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_solve_runs_and_its_page_shows_the_timetable_with_names(client):
    world = teachable(build_school())
    login_admin(client, world)
    response = client.post(url("solve", world), {"time_limit": 10}, follow=True)
    run = TimetableRun.objects.get()
    assert response.redirect_chain == [(url("run", world, run.pk), 302)]
    assert run.status == TimetableRun.Status.DONE and run.solution["status"] in ("optimal", "feasible")
    html = response.content.decode()
    assert 'data-testid="weekly-grid" data-view="class"' in html
    assert "3年级2班" in html
    assert "王丽" in html or "陈刚" in html
    assert staff_key(world.wang.pk) not in html.replace(f'value="{staff_key(world.wang.pk)}"', "")
    assert response.context["page"].run.finished
    # The home page lists it.
    html = client.get(url("home", world)).content.decode()
    assert f'href="{url("run", world, run.pk)}"' in html


# --- the run page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_class_view_shows_the_supervisors_by_period_and_day(client, world):
    run = solved_run(world, solution(world, supervisor=world.chen))
    response = login_admin(client, world).get(url("run", world, run.pk))
    assert response.status_code == 200
    weekly = response.context["page"].weekly
    assert weekly.view == "class" and weekly.key == "3-2" and weekly.key_label == "3年级2班"
    assert weekly.days == ["星期一", "星期三", "星期五"]
    (row,) = weekly.rows
    monday, wednesday, friday = row.cells
    assert [d.person_label for d in monday.decisions] == ["陈刚"]
    assert wednesday.decisions == []
    assert [d.person_label for d in friday.decisions] == ["陈刚"]
    html = response.content.decode()
    assert "陈刚" in html and "15:30–16:30" in html
    assert 'class="table-wrap"' in html
    assert '<select id="weekly-key" name="key">' in html and '<label for="weekly-key">' in html


@pytest.mark.django_db
def test_the_teacher_room_and_day_views(client, world):
    run = solved_run(world, solution(world, supervisor=world.chen, teacher=world.wang))
    login_admin(client, world)
    page = url("run", world, run.pk)

    teacher = client.get(page, {"view": "teacher", "key": staff_key(world.wang.pk)}).context["page"].weekly
    assert teacher.key_label == "王丽"
    assert [[d.subject_label for d in c.decisions] for c in teacher.rows[0].cells] == [
        [],
        ["书法（三四年级）"],
        [],
    ]
    assert teacher.rows[0].cells[1].decisions[0].room_label == "美术室, 二楼; 东侧"
    chen = client.get(page, {"view": "teacher", "key": staff_key(world.chen.pk)})
    assert "3年级2班" in chen.content.decode()

    room = client.get(page, {"view": "room", "key": "r302"}).context["page"].weekly
    assert room.key_label == "三年级二班教室"
    assert [[d.subject_label for d in c.decisions] for c in room.rows[0].cells] == [
        ["3年级2班"],
        [],
        ["3年级2班"],
    ]
    art = client.get(page, {"view": "room", "key": "art"})
    assert "书法（三四年级）" in art.content.decode() and "王丽" in art.content.decode()

    day = client.get(page, {"view": "day", "key": "wed"})
    weekly = day.context["page"].weekly
    assert [(d.kind, d.subject_label, d.person_label, d.room_label) for d in weekly.day_decisions] == [
        ("meeting", "书法（三四年级）", "王丽", "美术室, 二楼; 东侧")
    ]
    assert 'data-testid="weekly-day"' in day.content.decode()
    assert [key for key, _label in weekly.choices] == ["mon", "wed", "fri"]

    # An unknown view or key falls back to the first.
    fallback = client.get(page, {"view": "nonsense", "key": "9-9"}).context["page"].weekly
    assert (fallback.view, fallback.key) == ("class", "3-2")


@pytest.mark.django_db
def test_progress_json_returns_the_live_fields(client, world):
    run = TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        status=TimetableRun.Status.RUNNING,
        problem={},
        best_objective=-40,
        seconds=3.14159,
    )
    response = login_admin(client, world).get(url("progress", world, run.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "running",
        "status_label": str(TimetableRun.Status.RUNNING.label),
        "best_objective": -40,
        "seconds": 3.1,
        "finished": False,
    }
    assert "no-cache" in response["Cache-Control"]
    html = client.get(url("run", world, run.pk)).content.decode()
    assert f'data-progress-url="{url("progress", world, run.pk)}"' in html
    assert 'data-finished="false"' in html
    assert "js/timetable.js" in html
    assert 'data-testid="cancel-button"' in html


@pytest.mark.django_db
def test_cancelling_a_queued_run(client, world):
    run = TimetableRun.objects.create(school=world.school, term=world.term, problem={})
    login_admin(client, world)
    response = client.post(url("cancel", world, run.pk), follow=True)
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.CANCELLED
    assert response.redirect_chain[-1][0] == url("run", world, run.pk)
    assert 'data-testid="cancel-button"' not in response.content.decode()
    assert client.get(url("progress", world, run.pk)).json()["finished"] is True
    # Cancelling again is refused with a message, not an error page.
    again = client.post(url("cancel", world, run.pk), follow=True)
    assert again.status_code == 200
    assert len(messages_of(again)) == 1


@pytest.mark.django_db
def test_changes_need_a_post(client, world):
    run = solved_run(world)
    login_admin(client, world)
    for name in ("cancel", "pin", "unpin", "resolve", "publish"):
        assert client.get(url(name, world, run.pk)).status_code == 405
    assert client.get(url("solve", world)).status_code == 405
    assert client.get(url("import", world)).status_code == 405


# --- pins, re-solve, what moved -------------------------------------------------------------


@pytest.mark.django_db
def test_pin_and_unpin_a_supervision(client, world):
    run = solved_run(world)
    login_admin(client, world)
    entry = {"class": "3-2", "slot": "mon-1", "staff": staff_key(world.wang.pk)}
    html = client.get(url("run", world, run.pk)).content.decode()
    assert 'data-testid="pinned"' not in html
    assert html.count('data-testid="pin-supervisor"') == 2

    response = client.post(
        url("pin", world, run.pk),
        {"kind": "supervisions", **entry, "view": "class", "key": "3-2"},
        follow=True,
    )
    run.refresh_from_db()
    assert run.pins == {"supervisions": [dict(sorted(entry.items()))]}
    assert response.redirect_chain[-1][0] == url("run", world, run.pk) + "?view=class&key=3-2"
    html = response.content.decode()
    assert html.count('data-testid="pinned"') == 1
    assert html.count('data-testid="unpin-supervisor"') == 1

    response = client.post(url("unpin", world, run.pk), {"kind": "supervisions", **entry}, follow=True)
    run.refresh_from_db()
    assert run.pins == {}
    assert 'data-testid="pinned"' not in response.content.decode()


@pytest.mark.django_db
def test_pin_a_meetings_slot_and_room(client, world):
    run = solved_run(world)
    login_admin(client, world)
    activity = activity_key(world.activity.pk)
    client.post(url("pin", world, run.pk), {"kind": "meetings", "activity": activity, "slot": "wed-1"})
    client.post(url("pin", world, run.pk), {"kind": "meetings", "activity": activity, "room": "art"})
    run.refresh_from_db()
    assert run.pins == {
        "meetings": [{"activity": activity, "slot": "wed-1"}, {"activity": activity, "room": "art"}]
    }
    html = client.get(url("run", world, run.pk), {"view": "day", "key": "wed"}).content.decode()
    assert html.count('data-testid="pinned"') == 2
    assert 'data-testid="unpin-slot"' in html and 'data-testid="unpin-room"' in html


@pytest.mark.django_db
def test_a_pin_that_cannot_be_taken_is_a_message_not_an_error(client, world):
    run = solved_run(world)
    login_admin(client, world)
    incomplete = client.post(url("pin", world, run.pk), {"kind": "supervisions", "class": "3-2"}, follow=True)
    assert incomplete.status_code == 200 and len(messages_of(incomplete)) == 1
    unknown = client.post(
        url("pin", world, run.pk),
        {"kind": "supervisions", "class": "3-2", "slot": "tue-9", "staff": staff_key(world.wang.pk)},
        follow=True,
    )
    assert unknown.status_code == 200
    assert any("tue-9" in m for m in messages_of(unknown))
    run.refresh_from_db()
    assert run.pins == {}


@pytest.mark.django_db(transaction=True)
def test_resolve_keeps_the_pins_and_shows_what_moved(client):
    world = teachable(build_school())
    login_admin(client, world)
    client.post(url("solve", world), {"time_limit": 10})
    first = TimetableRun.objects.get()
    supervision = first.solution["supervisions"][0]
    other = (
        staff_key(world.chen.pk)
        if supervision["staff"] == staff_key(world.wang.pk)
        else staff_key(world.wang.pk)
    )
    pinned = {"class": supervision["class"], "slot": supervision["slot"], "staff": other}
    client.post(url("pin", world, first.pk), {"kind": "supervisions", **pinned})

    response = client.post(url("resolve", world, first.pk), follow=True)
    second = TimetableRun.objects.exclude(pk=first.pk).get()
    assert response.redirect_chain[0] == (url("run", world, second.pk), 302)
    assert second.previous_run == first
    assert second.problem["pinned"] == {"supervisions": [dict(sorted(pinned.items()))]}
    assert second.problem["previous"] == first.solution
    assert second.status == TimetableRun.Status.DONE
    assert pinned in second.solution["supervisions"]

    html = response.content.decode()
    assert 'data-testid="what-moved"' in html
    assert 'data-testid="moved-added"' in html and 'data-testid="moved-removed"' in html
    assert 'data-testid="pins-held"' in html
    (supervisions, _meetings, _enrolments) = response.context["page"].changes
    moved_to = world.chen.name if other == staff_key(world.chen.pk) else world.wang.name
    assert any(moved_to in text for text in supervisions.added)


@pytest.mark.django_db
def test_resolving_an_unfinished_run_is_refused_with_a_message(client, world):
    run = TimetableRun.objects.create(school=world.school, term=world.term, problem={})
    response = login_admin(client, world).post(url("resolve", world, run.pk), follow=True)
    assert response.status_code == 200 and len(messages_of(response)) == 1
    assert TimetableRun.objects.count() == 1


@pytest.mark.django_db
def test_what_moved_lists_the_differences_from_the_previous_run(client, world):
    first = solved_run(world)
    second = solved_run(world, solution(world, supervisor=world.chen), previous_run=first)
    html = login_admin(client, world).get(url("run", world, second.pk)).content.decode()
    assert 'data-testid="what-moved"' in html
    supervisions = next(m for m in html.split('data-testid="moved-added"')[1:])
    assert "陈刚" in supervisions
    page = client.get(url("run", world, second.pk)).context["page"]
    supervisions, meetings, enrolments = page.changes
    assert supervisions.added == sorted(
        ["3年级2班 · 星期一 15:30–16:30 · 陈刚", "3年级2班 · 星期五 15:30–16:30 · 陈刚"]
    )
    assert supervisions.removed == sorted(
        ["3年级2班 · 星期一 15:30–16:30 · 王丽", "3年级2班 · 星期五 15:30–16:30 · 王丽"]
    )
    assert meetings.added == meetings.removed == enrolments.added == []
    same = solved_run(world, solution(world, supervisor=world.chen), previous_run=second)
    assert 'data-testid="nothing-moved"' in client.get(url("run", world, same.pk)).content.decode()


# --- publish and downloads ------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_writes_the_dated_sessions_and_says_how_many(client, world, monkeypatch):
    monkeypatch.setattr(publishing.timezone, "localdate", lambda *args, **kwargs: D(2026, 9, 1))
    run = solved_run(world)
    response = login_admin(client, world).post(url("publish", world, run.pk), follow=True)
    assert DatedSession.objects.filter(run=run).count() == 8
    run.refresh_from_db()
    assert run.published_at is not None
    assert any("8" in m for m in messages_of(response))
    assert 'data-testid="published"' in response.content.decode()
    assert 'data-testid="published"' in client.get(url("home", world)).content.decode()


@pytest.mark.django_db
def test_a_run_that_cannot_be_published_gives_a_message(client, world):
    run = solved_run(world, solution(world, supervisions=[{"class": "9-9", "slot": "mon-1", "staff": "t1"}]))
    response = login_admin(client, world).post(url("publish", world, run.pk), follow=True)
    assert response.status_code == 200
    assert any("9-9" in m for m in messages_of(response))
    assert DatedSession.objects.count() == 0


@pytest.mark.django_db
def test_problem_and_solution_download_as_json_attachments(client, world):
    run = solved_run(world)
    login_admin(client, world)
    for name, document in (("problem", run.problem), ("solution", run.solution)):
        response = client.get(url(name, world, run.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        assert f"timetable-{name}-{world.school.pk}-{run.pk}.json" in response["Content-Disposition"]
        assert json.loads(response.content) == document
    assert "海曙实验小学" in client.get(url("problem", world, run.pk)).content.decode()  # not \u-escaped
    queued = TimetableRun.objects.create(school=world.school, term=world.term, problem={})
    assert client.get(url("solution", world, queued.pk)).status_code == 404


# --- import ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_an_invalid_problem_lists_every_fault_and_writes_nothing(client, world):
    problem = problem_assemble(school=world.school, term=world.term)
    problem["classes"][0]["home_room"] = "nowhere"
    del problem["slots"][0]["start"]
    response = login_admin(client, world).post(
        url("import", world), {"file": upload(problem), "time_limit": 30}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "slots[0].start: required field missing" in html
    assert TimetableRun.objects.count() == 0

    problem = problem_assemble(school=world.school, term=world.term)
    problem["classes"][0]["home_room"] = "nowhere"
    problem["activities"][0]["min_size"] = 99
    response = client.post(url("import", world), {"file": upload(problem), "time_limit": 30})
    errors = response.context["import_form"].errors["file"]
    assert len(errors) == 2
    assert any(e.startswith("classes[0].home_room:") for e in errors)
    assert any(e.startswith("activities[0]") for e in errors)
    assert "classes[0].home_room:" in response.content.decode()

    not_json = client.post(url("import", world), {"file": upload(b"{nope"), "time_limit": 30})
    assert "$: not valid JSON" in not_json.content.decode()
    assert TimetableRun.objects.count() == 0


@pytest.mark.django_db
def test_importing_a_file_over_5_mb_is_refused(client, world):
    big = b'{"format": "afterschool-timetable/1", "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    response = login_admin(client, world).post(url("import", world), {"file": upload(big), "time_limit": 30})
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]
    assert TimetableRun.objects.count() == 0


@pytest.mark.django_db
def test_importing_a_valid_problem_creates_a_queued_run(client, world):
    problem = problem_assemble(school=world.school, term=world.term)
    problem["school"] = "Imported"
    response = login_admin(client, world).post(
        url("import", world), {"file": upload(problem), "time_limit": 20}
    )
    run = TimetableRun.objects.get()
    assert response.status_code == 302 and response.url == url("run", world, run.pk)
    assert run.problem == problem
    assert (run.school, run.term, run.status, run.time_limit) == (
        world.school,
        world.term,
        TimetableRun.Status.QUEUED,
        20,
    )


@pytest.mark.django_db
def test_run_import_enqueues_once_committed(world, django_capture_on_commit_callbacks):
    problem = problem_assemble(school=world.school, term=world.term)
    user = f.UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = imports.run_import(
            school=world.school, term=world.term, user=user, problem=problem, time_limit=7
        )
    assert len(callbacks) == 1
    assert (run.status, run.created_by, run.time_limit, run.previous_run) == (
        TimetableRun.Status.QUEUED,
        user,
        7,
        None,
    )
    assert run.problem == problem and run.problem is not problem


@pytest.mark.django_db
def test_run_import_refuses_an_invalid_problem(world):
    problem = problem_assemble(school=world.school, term=world.term)
    problem["rooms"] = "none"
    with pytest.raises(TimetableError, match="rooms") as caught:
        imports.run_import(school=world.school, term=world.term, problem=problem)
    assert caught.value.code == "invalid_problem"
    assert TimetableRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_imported_problem_is_solved():
    world = build_school()
    problem = problem_assemble(school=world.school, term=world.term)
    run = imports.run_import(school=world.school, term=world.term, problem=problem, time_limit=5)
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.DONE and run.task_id
    assert run.solution["status"] in ("optimal", "feasible")


# --- infeasible, cancelled, unplaced --------------------------------------------------------


def infeasible(world):
    sol = solution(world, status="infeasible")
    sol.update(supervisions=[], meetings=[], objective=None, bound=None)
    sol["explanation"] = [
        {
            "code": "class_unsupervisable",
            "params": {"class": "3-2", "slot": "mon-1"},
            "text": "class 3-2 needs a supervisor in slot mon-1 but every staff member is unavailable",
        },
        {
            "code": "min_duties_unreachable",
            "params": {"staff": staff_key(world.wang.pk), "min_duties": 5, "possible": 2},
            "text": f"staff member {staff_key(world.wang.pk)} must take 5 duties but can take at most 2",
        },
        {"code": "a_future_code", "params": {}, "text": "something the interface does not know yet"},
    ]
    return sol


@pytest.mark.django_db
def test_an_infeasible_run_explains_itself_in_chinese_by_default(client, world):
    run = solved_run(world, infeasible(world))
    response = login_admin(client, world).get(url("run", world, run.pk))
    html = response.content.decode()
    assert response.context["page"].explanation == [
        "3年级2班：星期一 15:30–16:30 找不到看护老师——所有教职工在该时段都不可用、休息或已达最多值班次数。",
        "王丽每周至少要值班 5 次，但最多只能值班 2 次。",
        "something the interface does not know yet",
    ]
    assert 'data-testid="explanation"' in html
    assert "找不到看护老师" in html and "王丽" in html
    assert staff_key(world.wang.pk) not in response.context["page"].explanation[1]
    assert response.context["page"].weekly is None
    assert 'data-testid="publish-button"' not in html


@pytest.mark.django_db
def test_an_infeasible_run_explains_itself_in_english_after_switching(client, world):
    run = solved_run(world, infeasible(world))
    login_admin(client, world)
    client.cookies["django_language"] = "en"
    response = client.get(url("run", world, run.pk))
    assert response.context["page"].explanation == [
        "Grade 3 class 2: no supervisor can be found in Monday 15:30–16:30 — every staff member is "
        "unavailable, resting or at their maximum duties then.",
        "王丽 must take at least 5 duties a week but can take at most 2.",
        "something the interface does not know yet",
    ]
    assert "no supervisor can be found" in response.content.decode()


@pytest.mark.django_db
def test_every_explanation_code_has_a_sentence(client, world):
    wang, a = staff_key(world.wang.pk), activity_key(world.activity.pk)
    sol = infeasible(world)
    sol["explanation"] = [
        {"code": code, "params": params, "text": "ENGLISH FALLBACK"}
        for code, params in [
            ("class_unsupervisable", {"class": "3-2", "slot": "mon-1", "classes": ["3-2", "3-3"]}),
            ("home_room_shared", {"room": "r302", "slot": "fri-1", "classes": ["3-2", "3-3"]}),
            ("min_duties_unreachable", {"staff": wang, "min_duties": 3, "possible": 1}),
            ("supervision_capacity_short", {"needed": 10, "available": 6}),
            ("duty_cap", {"staff": wang, "max_duties": 2}),
            ("min_duties", {"staff": wang, "min_duties": 4}),
            ("pinned_impossible", {"class": "3-2", "slot": "mon-1", "staff": wang}),
            ("pinned_conflict", {"activity": a, "slot": "wed-1", "room": "art"}),
            ("pinned_conflict", {"cancelled": a}),
            ("unexplained", {}),
            ("duty_cap", {"max_duties": 2}),  # a parameter missing: the English text
        ]
    ]
    run = solved_run(world, sol)
    login_admin(client, world)
    client.cookies["django_language"] = "en"
    sentences = client.get(url("run", world, run.pk)).context["page"].explanation
    assert sentences[:-1] == [s for s in sentences[:-1] if "ENGLISH FALLBACK" not in s]
    assert sentences[-1] == "ENGLISH FALLBACK"
    assert "Grade 3 class 2 and Grade 3 class 3" in sentences[0]
    assert "三年级二班教室" in sentences[1] and "Friday 15:30–16:30" in sentences[1]
    assert "王丽" in sentences[4] and "2" in sentences[4]
    assert "Grade 3 class 2 · Monday 15:30–16:30 · 王丽" in sentences[6]
    assert "书法（三四年级） · Wednesday 16:40–17:40 · 美术室, 二楼; 东侧" in sentences[7]
    assert "书法（三四年级）" in sentences[8]


@pytest.mark.django_db
def test_cancelled_activities_show_a_reason(client, world):
    other = f.SchoolActivityFactory(course__school=world.school, term=world.term, name="篮球")
    problem = problem_assemble(school=world.school, term=world.term)
    sol = solution(world)
    sol["meetings"] = []
    sol["cancelled"] = [activity_key(world.activity.pk), activity_key(other.pk)]
    run = solved_run(world, sol)
    login_admin(client, world)
    client.cookies["django_language"] = "en"

    def reasons():
        page = client.get(url("run", world, run.pk)).context["page"]
        return {item.name: item.code for item in page.cancelled}

    assert reasons() == {"书法（三四年级）": "no_eligible_leader", "篮球": "no_eligible_leader"}
    for row in problem["staff"]:
        row["subjects"] = [a["subject"] for a in problem["activities"]]
    run.problem = copy.deepcopy(problem)
    run.save()
    assert reasons() == {"书法（三四年级）": "no_room_kind", "篮球": "no_room_kind"}
    problem["rooms"][0]["kinds"] = [a["room_kind"] for a in problem["activities"]]
    run.problem = problem
    run.save()
    assert set(reasons().values()) == {"outweighed"}  # nobody chose them, no minimum: it could run
    assert "篮球" in client.get(url("run", world, run.pk)).content.decode()


@pytest.mark.django_db
def test_pupils_who_want_an_activity_but_got_none_are_listed(client, world):
    placed = f.ChildFactory(school_class=world.school_class, name="李华")
    unplaced = f.ChildFactory(school_class=world.school_class, name="张敏")
    content = f.ChildFactory(school_class=world.school_class, name="赵雷")
    run = solved_run(world)
    a = activity_key(world.activity.pk)
    run.problem["students"] = [
        {"id": f"s{placed.pk}", "class": "3-2", "choices": [a], "wants": 1},
        {"id": f"s{unplaced.pk}", "class": "3-2", "choices": [a], "wants": 1},
        {"id": f"s{content.pk}", "class": "3-2", "choices": [], "wants": 0},
    ]
    run.solution["enrollments"] = [{"student": f"s{placed.pk}", "activity": a}]
    run.save()
    response = login_admin(client, world).get(url("run", world, run.pk))
    assert [str(pupil) for pupil in response.context["page"].unplaced] == ["张敏"]
    html = response.content.decode()
    assert 'data-testid="unplaced-count"' in html and "张敏" in html
    run.problem["students"] = []
    run.save()
    assert 'data-testid="none-unplaced"' in client.get(url("run", world, run.pk)).content.decode()


# --- who may see these pages ----------------------------------------------------------------


def every_url(world, run):
    """(method, url) of every page and action of the timetable."""
    return [
        ("get", url("home", world)),
        ("post", url("solve", world)),
        ("post", url("import", world)),
        ("get", url("run", world, run.pk)),
        ("get", url("progress", world, run.pk)),
        ("post", url("cancel", world, run.pk)),
        ("post", url("pin", world, run.pk)),
        ("post", url("unpin", world, run.pk)),
        ("post", url("resolve", world, run.pk)),
        ("post", url("publish", world, run.pk)),
        ("get", url("problem", world, run.pk)),
        ("get", url("solution", world, run.pk)),
    ]


@pytest.mark.django_db
def test_another_schools_administrator_gets_404_everywhere(client, world):
    run = solved_run(world)
    client.force_login(f.SchoolAdminFactory(school=world.other_school).user)
    for method, address in every_url(world, run):
        assert getattr(client, method)(address).status_code == 404, address
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.DONE and run.pins == {} and run.published_at is None
    assert TimetableRun.objects.count() == 1


@pytest.mark.django_db
def test_a_run_of_another_school_is_404_under_ones_own_school(client, world):
    other = build_school(school_name="另一所学校")
    foreign = solved_run(other)
    login_admin(client, world)
    for method, address in every_url(world, foreign):
        if "/runs/" in address:
            assert getattr(client, method)(address).status_code == 404, address
    foreign.refresh_from_db()
    assert foreign.status == TimetableRun.Status.DONE and foreign.published_at is None


@pytest.mark.django_db
def test_a_teacher_of_the_school_gets_404(client, world):
    run = solved_run(world)
    client.force_login(f.TeacherFactory(school=world.school, staff=world.wang).user)
    for method, address in every_url(world, run):
        assert getattr(client, method)(address).status_code == 404, address


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    run = solved_run(world)
    login = reverse("account_login")
    for method, address in every_url(world, run):
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response.url.startswith(login), address


@pytest.mark.django_db
def test_import_of_a_problem_with_its_solution_stores_a_finished_run(client, world):
    """A problem and its solution imported together: checked and stored, not solved."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.timetables import solution

    login_admin(client, world)
    problem = problem_assemble(school=world.school, term=world.term)
    problem["activities"] = []  # the hand-made solution below runs no activity
    good = dict(solution(world), meetings=[])

    def post(sol):
        return client.post(
            url("import", world),
            {
                "file": SimpleUploadedFile("p.json", json.dumps(problem).encode()),
                "solution_file": SimpleUploadedFile("s.json", json.dumps(sol).encode()),
                "time_limit": 10,
            },
            follow=True,
        )

    post(good)
    run = TimetableRun.objects.get(school=world.school)
    assert run.status == TimetableRun.Status.DONE
    assert run.solution["supervisions"] == good["supervisions"]

    broken = dict(good, supervisions=good["supervisions"][:1])  # Friday left unsupervised
    response = post(broken)
    assert TimetableRun.objects.filter(school=world.school).count() == 1  # nothing written
    assert "rule 1" in response.content.decode()
