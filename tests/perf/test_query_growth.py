"""Growth guard (issue 15): no page a superuser can reach, the admin included, runs more queries
when the data grows. Pages are built from the URL resolver (see tests/perf/growth.py), measured
after building a province of size 8 and again after adding one of size 20."""

import logging
import re

import pytest
from django.contrib import admin

from tests.security.test_csrf import _all_routes

from . import growth

SMALL, LARGE = 8, 20

# Measured but allowed to grow, with the reason.
MAY_GROW = {
    re.compile(r"^admin:.*_delete$"): "the delete confirmation lists every object the delete "
    "would remove, by design (Django's collector walks each relation)",
}


# Building both sizes and crawling every page twice takes ~35 s: done once per test process,
# the figures (and which models had rows) kept for both tests of this module.
_CRAWL: dict = {}


@pytest.fixture
def crawled(client, world, settings, tmp_path, monkeypatch):
    if not _CRAWL:
        settings.MEDIA_ROOT = tmp_path
        # 403/404/405 answers are expected for a few GETs (see the printed list): no log noise.
        monkeypatch.setattr(logging.getLogger("django.request"), "disabled", True)
        client.force_login(world.superuser)
        small = growth.build(SMALL, world.superuser)
        first = growth.crawl_all(client, small)
        large = growth.build(LARGE, world.superuser)
        second = growth.crawl_all(client, large)
        with_rows = {m for m in admin.site._registry if m._default_manager.exists()}
        _CRAWL.update(first=first, second=second, with_rows=with_rows)
    return _CRAWL["first"], _CRAWL["second"]


def _may_grow(name: str) -> bool:
    return any(p.search(name) for p in MAY_GROW)


@pytest.mark.postgres
def test_no_page_runs_more_queries_when_the_data_grows(crawled):
    first, second = crawled
    a, b = growth.worst(first), growth.worst(second)
    covered = sorted(set(a) & set(b))
    print(f"\n{len(covered)} URL patterns measured at both sizes (queries small -> large):")
    for name in covered:
        print(f"  {name}: {a[name]} -> {b[name]}  {sorted(second[name])[0]}")
    print("not a page for a superuser's GET (HTTP status at each size):")
    s1, s2 = growth.statuses(first), growth.statuses(second)
    for name in sorted(set(first) | set(second)):
        if name not in covered:
            print(f"  {name}: {sorted(s1.get(name, []))} {sorted(s2.get(name, []))}")
    built = set(first) | set(second)
    print("no URL built (needs an object the scenario does not make):")
    for name, _ in _all_routes():
        if name not in built and not name.startswith("admin:"):
            print(f"  {name}")
    grown = {
        name: (a[name], b[name]) for name in covered if b[name] > a[name] and not _may_grow(name)
    }
    assert grown == {}
    app = [n for n in covered if not n.startswith("admin:")]
    assert len(app) >= 90, app
    # Every 200 at one size is a 200 at the other (a page that breaks with more data shows).
    assert {n for n in a if n not in b} == set() and {n for n in b if n not in a} == set()


@pytest.mark.postgres
def test_every_admin_list_add_and_change_page_is_measured(crawled):
    first, second = crawled
    measured = set(growth.worst(first)) & set(growth.worst(second))
    expected = set()
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        expected.add(f"{info}_changelist")
        if model_admin.has_add_permission(_Request()):
            expected.add(f"{info}_add")
        if model in _CRAWL["with_rows"]:  # rows when the pages were crawled
            expected.add(f"{info}_change")
    assert expected - measured == set()


class _Request:
    """Enough of a request for has_add_permission: a superuser."""

    class user:  # noqa: N801
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(*args, **kwargs):
            return True
