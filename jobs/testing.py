"""Run background jobs deterministically in tests (see jobs.services, "Tests")."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_jobs(*, backend: str = "default") -> int:
    """Run every queued task now, in this process, as the database worker does. Returns how many.

    Unlike `Worker.run()`, this does not close "old" database connections, so it works inside
    a test's transaction.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    count = 0
    while True:
        with transaction.atomic():
            task_result = DBTaskResult.objects.ready().filter(backend_name=backend).get_locked()
            if task_result is None:
                return count
            task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        count += 1
