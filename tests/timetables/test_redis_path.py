"""The distributed path: the same solve task goes through Redis (django-tasks-rq) and runs on
a real RQ worker process. CI runs this against the local Redis (``.ci/run`` starts it)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from scheduling.timetables.assembly import problem_assemble
from scheduling.timetables.models import TimetableRun
from scheduling.timetables.tasks import timetable_solve
from tests.timetables import build_school, database_url

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_solve_runs_on_an_rq_worker_over_redis(settings):
    if not redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; CI must exercise the Redis path")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    queue = f"timetables-test-{uuid.uuid4().hex[:10]}"
    queues = ["default", queue]
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL} for name in queues}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": queues}}

    world = build_school()
    run = TimetableRun.objects.create(
        school=world.school,
        term=world.term,
        problem=problem_assemble(school=world.school, term=world.term),
        time_limit=5,
    )
    result = timetable_solve.using(queue_name=queue).enqueue(run.pk)
    assert result.backend == "default"
    assert TimetableRun.objects.get(pk=run.pk).status == TimetableRun.Status.QUEUED  # nothing ran here

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TASKS_BACKEND": "rq",
        "TASKS_QUEUE": queue,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url(),
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", queue],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    run.refresh_from_db()
    assert run.status == TimetableRun.Status.DONE, (run.error, worker.stderr[-2000:])
    assert run.solution["status"] in ("optimal", "feasible")
