"""CSRF on every POST: plain forms and htmx requests (token in hx-headers on <body>)."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from blocs.models import BlocYear


def _all_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _all_routes(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def _fill(pattern: URLPattern) -> dict:
    kwargs = {}
    for name, conv in pattern.pattern.converters.items():
        kwargs[name] = "csv" if conv.__class__.__name__ == "StringConverter" else 1
    return kwargs


def _app_routes():
    for name, pattern in _all_routes():
        if name.startswith("admin:"):
            continue
        try:
            url = reverse(name, kwargs=_fill(pattern))
        except Exception:  # noqa: BLE001 - a route that needs a regex argument
            continue
        yield name, url


@pytest.fixture
def csrf_client(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.office)
    return c


# CSRF-exempt on purpose, each with its reason. Nothing else may be.
EXEMPT = {
    "bench_ping_post": "benchmark floor, answers 404 unless BENCH_ENDPOINTS is on",
}


def test_only_the_listed_views_are_csrf_exempt():
    exempt = {
        name
        for name, p in _all_routes()
        if not name.startswith("admin:") and getattr(p.callback, "csrf_exempt", False)
    }
    assert exempt == set(EXEMPT)


def test_the_benchmark_post_endpoint_is_off_unless_enabled(csrf_client, settings):
    settings.BENCH_ENDPOINTS = False
    assert csrf_client.post(reverse("bench_ping_post")).status_code == 404


def test_every_app_route_refuses_a_post_without_csrf_token(csrf_client):
    routes = [(name, url) for name, url in _app_routes() if name not in EXEMPT]
    assert len(routes) >= 20
    for name, url in routes:
        response = csrf_client.post(url, {"x": "1"})
        assert response.status_code == 403, (name, url, response.status_code)
        # Refused by the CSRF check (its own page), not by a permission check further on.
        assert "403_csrf.html" in [t.name for t in response.templates], (name, url)


def test_htmx_post_without_token_is_refused_and_creates_nothing(csrf_client, world):
    before = BlocYear.objects.count()
    response = csrf_client.post(
        reverse("blocs:bloc_year_create", args=[world.bloc.pk]),
        {"year": 2030, "plan_reference": "", "notes": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert BlocYear.objects.count() == before


def test_htmx_post_with_the_token_from_body_hx_headers_is_accepted(csrf_client, world):
    page = csrf_client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]))
    match = re.search(
        r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page.content.decode()
    )
    assert match, "the CSRF token must be in hx-headers on <body>"
    response = csrf_client.post(
        reverse("blocs:bloc_year_create", args=[world.bloc.pk]),
        {"year": 2030, "plan_reference": "", "notes": ""},
        headers={"HX-Request": "true", "X-CSRFToken": match.group(1)},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/years/")
    assert BlocYear.objects.filter(bloc=world.bloc, year=2030).exists()


def test_plain_form_post_with_the_hidden_token_is_accepted(csrf_client, world):
    page = csrf_client.get(reverse("blocs:unit_create"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = csrf_client.post(
        reverse("blocs:unit_create"),
        {
            "csrfmiddlewaretoken": token,
            "organizer": world.organizer.pk,
            "code": "so-tu-phap",
            "name": "Sở Tư pháp",
            "short_name": "",
            "head_title": "",
        },
    )
    assert response.status_code == 302


def test_a_token_from_another_session_is_refused(world):
    attacker = Client(enforce_csrf_checks=True)
    attacker.force_login(world.other_office)
    attacker.get(reverse("dashboard"))
    stolen = attacker.cookies["csrftoken"].value
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(world.office)
    victim.get(reverse("dashboard"))
    response = victim.post(
        reverse("blocs:bloc_year_create", args=[world.bloc.pk]),
        {"year": 2031},
        headers={"X-CSRFToken": stolen},
    )
    assert response.status_code == 403
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2031).exists()


def test_login_form_itself_is_csrf_protected(world):
    c = Client(enforce_csrf_checks=True)
    response = c.post(reverse("login"), {"username": "canbo", "password": "mat-khau-thu-nghiem"})
    assert response.status_code == 403
    assert "_auth_user_id" not in c.session
