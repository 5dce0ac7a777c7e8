"""Small view helpers shared by every app (one way to finish a POST, one way to show errors)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


def done(request: HttpRequest, url: str, message: str | None = None) -> HttpResponse:
    """After a successful POST: a flash message and a redirect (a client redirect under htmx)."""
    if message:
        messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def apply_validation_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_page(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    """The one page for simple forms (title, intro, action, cancel); htmx gets only the form."""
    template = "form_page.html#form" if request.htmx else "form_page.html"
    return render(request, template, context, status=status)
