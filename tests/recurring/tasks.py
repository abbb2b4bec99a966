"""A task for the recurring-job tests: it counts its runs (the ImmediateBackend runs it inline)."""

from django.tasks import task

CALLS: list[str] = []


@task
def recurring_probe() -> str:
    CALLS.append("ran")
    return "ok"


not_a_task = "just a string"
