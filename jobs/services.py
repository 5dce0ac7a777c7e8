"""Background jobs: run slow work (imports, exports, reminders) off the request, with progress.

Built on Django's tasks framework (`django.tasks`) with the database backend of
`django-tasks-db`: the queue is a table in the same PostgreSQL, so enqueueing is part of the
caller's transaction (a rollback forgets the job too) and nothing else has to run besides the
worker (`python manage.py db_worker`, the `worker` service in docker-compose.yml).

API
---
Write the job as a plain function that takes the `Job` first and JSON-serialisable keyword
arguments, and mark it::

    from jobs.services import JobFailed, job_function

    @job_function
    def registry_import(job, *, upload_name: str, organizer_id: int) -> None:
        rows = ...
        for i, row in enumerate(rows, start=1):
            ...
            job.report(done=i, total=len(rows), message=_("Đang kiểm tra dữ liệu…"))
        if errors:
            # A refusal the user must read: status "failed", the message and result are shown.
            raise JobFailed(_("Tệp có %(n)s lỗi; chưa lưu gì.") % {"n": len(errors)},
                            result={"errors": [str(e) for e in errors]})
        job.message = _("Đã nhập %(n)s dòng.") % {"n": len(rows)}
        job.result_url = reverse("blocs:...")      # a local path, shown as "Xem kết quả"
        job.result = {"created": 12}               # anything JSON, kept on the row

Start it from a view or service (keyword-only, inside or outside a transaction)::

    job = job_start(func=registry_import, title=_("Nhập danh mục từ %(f)s") % {"f": name},
                    owner=request.user, kwargs={"upload_name": stored_name, "organizer_id": 3})
    return redirect(job)       # the job page: a live progress bar (htmx polling)

and show its progress anywhere with the partial (it polls itself every second until the job
finishes, and shows the message, the errors in `result["errors"]` and the result link)::

    {% include "jobs/job_detail.html#progress" with job=job %}

The job page `jobs:job_detail` is visible to the job's owner and to superusers, and to whoever
the function's `visible_to(job, user)` admits (``@job_function(visible_to=...)``; the registry
import admits the office staff of the import's organizer); 404 for anyone else.

Semantics
---------
- A job runs at most once (`queued` → `running` → `succeeded`/`failed`). Anything but JobFailed
  raised by the function is logged and shown as a generic failure message.
- The function decides its own transactions (an import validates everything, then writes in
  one `transaction.atomic`). `job.report()` writes to the shared cache, so progress is visible
  while that transaction is still open; the row gets the final figures at the end.
- Files a job reads or writes go through `default_storage` (shared by every server), never a
  local path: the worker may run on another machine than the web request that started it.
- Messages are stored as text in the language active in the worker (Vietnamese, LANGUAGE_CODE).

Tests
-----
The test settings run a task as soon as it is enqueued (Django's immediate backend): a job
started by a view has finished when the view returns. To test the queue as production runs it,
take the `task_queue` fixture of `jobs.testing` (tasks wait in the database) and call
`jobs.testing.run_jobs()`, which runs them in the test's process and transaction through the
worker's own claim/run code. With a live server, run `manage.py db_worker --batch` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import PROGRESS_KEY, Job

logger = logging.getLogger(__name__)

JobFunction = Callable[..., None]


class JobFailed(Exception):
    """Raised by a job function to stop with a message for the user (and optional details)."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


VisibleTo = Callable[[Job, Any], bool]


def job_function(func: JobFunction | None = None, *, visible_to: VisibleTo | None = None):
    """Mark a module-level function as runnable by `job_start`.

    `visible_to(job, user) -> bool` (optional) names who else may see the job's page besides
    its owner and superusers, e.g. the office staff of the organizer an import belongs to. The
    app that owns the job decides, from the job's own kwargs."""

    def mark(f: JobFunction) -> JobFunction:
        if "<locals>" in f.__qualname__:
            raise ValueError("A job function must be defined at module level.")
        f.is_job_function = True
        f.job_visible_to = visible_to
        return f

    return mark if func is None else mark(func)


def job_visible_to(job: Job, user) -> bool:
    """The job's owner, superusers, and whoever the job function's `visible_to` admits."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or (job.owner_id is not None and job.owner_id == user.pk):
        return True
    try:
        hook = getattr(_resolve(job.func), "job_visible_to", None)
    except (ImportError, ValueError):
        return False
    return bool(hook is not None and hook(job, user))


def path_of(func: JobFunction) -> str:
    """The dotted path stored in `Job.func` for a job function (to filter jobs by function)."""
    if not getattr(func, "is_job_function", False):
        raise ValueError(f"{func!r} is not marked with @job_function.")
    return f"{func.__module__}.{func.__qualname__}"


def _resolve(path: str) -> JobFunction:
    func = import_string(path)
    if not getattr(func, "is_job_function", False):
        raise ValueError(f"{path} is not marked with @job_function.")
    return func


def job_start(
    *,
    func: JobFunction,
    title: str,
    owner=None,
    kwargs: dict[str, Any] | None = None,
    total: int | None = None,
) -> Job:
    """Record a job and put it on the queue, in one transaction (the caller's, if any)."""
    from .tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            title=title[:200],
            func=path_of(func),
            kwargs=kwargs or {},
            owner=owner if getattr(owner, "pk", None) else None,
            total=total,
        )
        result = run_job.enqueue(str(job.pk))
        # The immediate backend (if configured) has already run it: keep what it wrote.
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
        job.refresh_from_db()
    return job


def job_run(*, job_id: str) -> str:
    """Run a queued job (called by the worker through `jobs.tasks.run_job`). Returns the status."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job.status
    with translation.override(settings.LANGUAGE_CODE):
        status = Job.Status.SUCCEEDED
        try:
            _resolve(job.func)(job, **job.kwargs)
        except JobFailed as exc:
            status = Job.Status.FAILED
            job.message, job.result = exc.message, exc.result
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.func)
            status = Job.Status.FAILED
            job.message = _(
                "Tác vụ gặp lỗi ngoài dự kiến và đã dừng; không có thay đổi nào dở dang được "
                "giữ lại. Vui lòng thử lại hoặc báo quản trị viên."
            )
            job.result_url = ""
        else:
            if not job.message:
                job.message = _("Đã hoàn thành.")
            if job.total is not None:
                job.done = job.total
        if job.total is not None:
            job.done = min(job.done, job.total)
        if job.result_url and not job.result_url.startswith("/"):
            job.result_url = ""
        Job.objects.filter(pk=job.pk).update(
            status=status,
            done=job.done,
            total=job.total,
            message=job.message,
            result=job.result,
            result_url=job.result_url,
            finished_at=timezone.now(),
        )
    from django.core.cache import cache

    cache.delete(PROGRESS_KEY.format(job.pk))
    return status
