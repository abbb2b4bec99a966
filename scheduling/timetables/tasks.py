"""Background tasks of the timetable (Django's tasks framework).

The embedded default runs them with django-tasks-db's database worker
(``manage.py db_worker``, started by ``make run``); with ``TASKS_BACKEND=rq`` they go to
Redis through django-tasks-rq and run on RQ workers (see the README).
"""

from django.conf import settings
from django.tasks import task

from scheduling.timetables.services import run_execute


@task(queue_name=settings.TASKS_QUEUE)
def timetable_solve(run_id: int) -> str:
    return run_execute(run_id=run_id).status
