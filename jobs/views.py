from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Job
from .services import job_visible_to


def _get_job_for_user(request: HttpRequest, pk: UUID) -> Job:
    job = Job.objects.filter(pk=pk).first()
    if job is None or not job_visible_to(job, request.user):
        raise Http404
    return job.live()


@login_required
def job_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The job's page; under htmx only its progress partial (which polls until the job ends)."""
    job = _get_job_for_user(request, pk)
    template = "jobs/job_detail.html#progress" if request.htmx else "jobs/job_detail.html"
    response = render(request, template, {"job": job})
    response["Cache-Control"] = "no-store"
    return response
