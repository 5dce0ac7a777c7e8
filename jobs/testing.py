"""Run background jobs deterministically in tests (see jobs.services, "Tests").

The test settings run every Django task at once when it is enqueued (Django's immediate
backend): a job started by a view has finished when the view returns. A test that wants the
production path (the job waits in the database queue until a worker claims it) uses the
`task_queue` fixture and then `run_jobs()`::

    from jobs.testing import run_jobs, task_queue  # noqa: F401 - fixture

    def test_import_waits_for_the_worker(client, task_queue):
        ...post the form...                       # the job is queued, nothing imported yet
        assert run_jobs() == 1                    # the worker's claim/run code, in-process
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


@pytest.fixture
def task_queue():
    """Enqueued tasks wait in the database queue (as in production) until run_jobs()."""
    alias = DEFAULT_TASK_BACKEND_ALIAS
    previous = getattr(task_backends._connections, alias, None)
    backend = DatabaseBackend(alias, {"BACKEND": "django_tasks_db.DatabaseBackend"})
    setattr(task_backends._connections, alias, backend)
    try:
        yield backend
    finally:
        if previous is None:
            delattr(task_backends._connections, alias)
        else:
            setattr(task_backends._connections, alias, previous)


def run_jobs(*, backend: str = DEFAULT_TASK_BACKEND_ALIAS) -> int:
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
