"""Query-count growth: every page a superuser can reach, at two data sizes (issue 15).

`build(n)` makes one province with everything the pages show, sized by n: n member units, n
blocs, n meetings, polls with n voters, n covenant targets, n score sheets, n users, n legal
texts, n notifications, n jobs. `pages(scenario)` lists GET URLs built from the URL resolver
(`_all_routes`, as tests/security/test_csrf.py): each URL keyword is filled from the scenario by
the route's first path segment, and patterns it cannot fill take links found on the scenario's
pages. The admin: each registered model's list, add, change and history pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from blocs.models import BlocYear, LeadershipTerm, Membership, Organizer
from tests.security.test_csrf import _all_routes

PER_PATTERN = 3


@dataclass
class Scenario:
    n: int
    objects: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.objects.get(key)


def build(n: int, superuser) -> Scenario:
    """One province sized by n (n >= 8: the sample meeting's polls need 8 candidates)."""
    from awards.models import Criterion, ScoreSheet
    from awards.services import covenant_create, covenant_target_add
    from blocs.merger import merger_record
    from blocs.models import BlocSuccession, RotationSlot, UnitEvent
    from documents.services import document_finalize
    from jobs.models import Job
    from legal.models import BlocSigner, LegalText, UnitHead
    from meetings.models import Meeting
    from notices.models import ReminderRule, ReminderSent
    from notices.services import notify
    from tests.awards.conftest import make_scheme
    from tests.factories import grant, make_bloc_year
    from tests.sample_meeting import make_meeting

    s = Scenario(n)
    org = Organizer.objects.create(
        code=f"growth-{n}", name=f"UBND tỉnh Tăng Trưởng {n}", place_name=f"Tăng Trưởng {n}"
    )
    by = make_bloc_year(n, year=2024, organizer=org)
    units = [m.unit for m in by.memberships.select_related("unit").order_by("unit__name")]
    LeadershipTerm.objects.create(
        bloc_year=by, role="leader", unit=units[0], method="appointed", status="confirmed"
    )
    LeadershipTerm.objects.create(
        bloc_year=by, role="deputy", unit=units[1], method="appointed", status="confirmed"
    )
    for year in range(2024 - n // 2, 2024):  # past years of the same bloc
        past = BlocYear.objects.create(bloc=by.bloc, year=year)
        Membership.objects.bulk_create(Membership(bloc_year=past, unit=u) for u in units)
    for i in range(n):  # other blocs of the province, each with a year
        other = make_bloc_year(2, year=2024, organizer=org)
        other.bloc.name = f"Khối thi đua phụ {i:02d} – {n}"
        other.bloc.save(update_fields=["name"])
    RotationSlot.objects.bulk_create(
        RotationSlot(bloc=by.bloc, position=i + 1, unit=u) for i, u in enumerate(units)
    )
    BlocSuccession.objects.create(
        predecessor=make_bloc_year(2, year=2022, organizer=org).bloc,
        successor=by.bloc,
        effective_date=dt.date(2023, 1, 1),
    )
    UnitEvent.objects.bulk_create(
        UnitEvent(unit=u, kind="created", effective_date=dt.date(2020, 1, 1)) for u in units
    )
    UnitHead.objects.bulk_create(
        UnitHead(unit=u, title="Giám đốc", full_name=f"Nguyễn Văn {i}") for i, u in enumerate(units)
    )
    BlocSigner.objects.create(
        bloc_year=by, role="leader", unit=units[0], full_name="Trần Văn An", title="Giám đốc"
    )
    ReminderRule.objects.create(bloc=by.bloc, days_before=7)
    ReminderSent.objects.bulk_create(
        ReminderSent(bloc_year=by, deadline_kind="registration", due_on=dt.date(2024, 3, 1), unit=u)
        for u in units
    )
    source = Organizer.objects.create(
        code=f"growth-src-{n}", name=f"UBND tỉnh Sáp Nhập {n}", place_name=f"Sáp Nhập {n}"
    )
    make_bloc_year(n, year=2024, organizer=source)
    merger = merger_record(
        source=source,
        target=org,
        effective_date=dt.date(2025, 7, 1),
        basis="Nghị quyết số 202/2025/QH15 ngày 12/6/2025",
    )
    meeting = make_meeting(by, agenda_items=10, polls=5, absent=1)
    for i in range(n):
        Meeting.objects.create(
            bloc_year=by,
            kind="midyear",
            title=f"Hội nghị sơ kết lần {i + 1}",
            starts_at=timezone.now() + dt.timedelta(days=i + 1),
        )
    covenant = covenant_create(bloc_year=by, title=f"Giao ước thi đua năm 2024 ({n})")
    for i in range(n):
        target = covenant_target_add(covenant=covenant, text=f"Chỉ tiêu số {i + 1}")
    scheme = make_scheme(by, groups=2, per_group=max(2, n // 4), open_=True)
    version = document_finalize(kind="minutes", subject=meeting, actor=superuser)
    users = []
    for i in range(n):
        user = get_user_model().objects.create_user(f"growth-{n}-{i}", password=None)
        grant(user, "office", org)
        users.append(user)
    grant(users[0], "delegate", units[0])
    legal = [
        LegalText.objects.create(
            kind="decision",
            number=f"{i + 1}/2024/QĐ-UBND-{n}",
            title=f"Quy chế thi đua số {i + 1}",
            issuer=org.name,
            effective_from=dt.date(2024, 1, 1),
            organizer=org,
        )
        for i in range(n)
    ]
    for i in range(n):
        notify(users=[superuser], kind="reminder", title=f"Nhắc hạn {n}.{i}")
    jobs = [
        Job.objects.create(title=f"Xuất danh mục {n}.{i}", func="x", owner=superuser)
        for i in range(n)
    ]
    poll = meeting.polls.order_by("pk").first()
    s.objects.update(
        organizer=org,
        bloc=by.bloc,
        bloc_year=by,
        unit=units[0],
        membership=by.memberships.order_by("pk").first(),
        term=by.terms.order_by("pk").first(),
        meeting=meeting,
        poll=poll,
        guest=meeting.guests.order_by("pk").first(),
        item=meeting.agenda_items.order_by("pk").first(),
        covenant=covenant,
        target=target,
        criterion=Criterion.objects.filter(scheme=scheme).exclude(kind="group").first(),
        sheet=ScoreSheet.objects.filter(scheme=scheme).order_by("pk").first(),
        version=version,
        user=users[0],
        role=users[0].role_assignments.order_by("pk").first(),
        legal=legal[0],
        notification=superuser.notifications.order_by("-pk").first(),
        job=jobs[0],
        merger=merger,
    )
    return s


# The scenario object each route's `pk` means, by the route's first path segments.
PK_BY_PREFIX = [
    ("blocs/", "bloc"),
    ("years/", "bloc_year"),
    ("units/", "unit"),
    ("organizers/", "organizer"),
    ("mergers/", "merger"),
    ("meetings/", "meeting"),
    ("polls/", "poll"),
    ("documents/v/", "version"),
    ("documents/draft/", "meeting"),
    ("legal/", "legal"),
    ("jobs/", "job"),
    ("accounts/", "user"),
    ("notifications/", "notification"),
    ("signing/organizers/", "organizer"),
    ("charts/years/", "bloc_year"),
    ("charts/units/", "unit"),
    ("charts/polls/", "poll"),
]
KWARG = {
    "membership_pk": "membership",
    "term_pk": "term",
    "covenant_pk": "covenant",
    "target_pk": "target",
    "criterion_pk": "criterion",
    "sheet_pk": "sheet",
    "guest_pk": "guest",
    "item_pk": "item",
    "role_pk": "role",
    "poll_pk": "poll",
}
STR_VALUES = {
    "kind": ["minutes"],
    "fmt": ["csv", "xlsx"],
    "seq": [1],
    "name": ["stages", "late", "awards"],  # the province overview's charts
}


def _route(pattern) -> str:
    return str(pattern.pattern)


def _fill(prefix: str, pattern, s: Scenario) -> list[dict]:
    route = prefix + _route(pattern)
    options: list[dict] = [{}]
    for name in pattern.pattern.converters:
        if name == "pk":
            key = next((k for p, k in PK_BY_PREFIX if route.startswith(p)), None)
            values = [s[key].pk] if key and s[key] is not None else []
        elif name in KWARG:
            obj = s[KWARG[name]]
            values = [obj.pk] if obj is not None else []
        elif name in STR_VALUES:
            values = STR_VALUES[name]
        else:
            values = []
        if not values:
            return []
        options = [{**o, name: v} for o in options for v in values]
    return options


def _routes_with_prefix():
    """(name, pattern, full route) for every named route outside the admin."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, prefix="", ns=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p, prefix + str(p.pattern), f"{ns}{p.namespace}:" if p.namespace else ns
                )
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name, p, prefix

    names = {name for name, _ in _all_routes()}
    for name, p, prefix in walk(get_resolver()):
        if name in names and not name.startswith("admin:"):
            yield name, p, prefix


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "hx-get") and v and v.startswith("/"):
                self.links.append(v.split("#")[0])


def route_of(url: str) -> str | None:
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def app_urls(s: Scenario) -> dict[str, list[str]]:
    urls: dict[str, list[str]] = defaultdict(list)
    for name, pattern, prefix in _routes_with_prefix():
        for kwargs in _fill(prefix.lstrip("^"), pattern, s):
            try:
                urls[name].append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return urls


def admin_urls(s: Scenario) -> dict[str, list[str]]:
    urls: dict[str, list[str]] = {}
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls[f"{info}_changelist"] = [reverse(f"{info}_changelist")]
        urls[f"{info}_add"] = [reverse(f"{info}_add")]
        obj = model._default_manager.order_by("-pk").first()
        if obj is not None:
            urls[f"{info}_change"] = [reverse(f"{info}_change", args=[obj.pk])]
            urls[f"{info}_history"] = [reverse(f"{info}_history", args=[obj.pk])]
    urls["admin:index"] = [reverse("admin:index")]
    return urls


@dataclass
class Measure:
    status: int
    queries: int


def measure(client, url: str) -> tuple[Measure, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    links: list[str] = []
    if (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
    ):
        parser = Links()
        parser.feed(response.content.decode())
        links = parser.links
    return Measure(response.status_code, len(ctx.captured_queries)), links


def crawl_all(client, s: Scenario) -> dict[str, dict[str, Measure]]:
    """pattern name -> {url: Measure}: resolver-built URLs, then links for unfilled patterns."""
    planned = {**app_urls(s), **admin_urls(s)}
    planned.setdefault("dashboard", []).append("/?page=2")
    results: dict[str, dict[str, Measure]] = defaultdict(dict)
    found: dict[str, list[str]] = defaultdict(list)
    for name, urls in planned.items():
        for url in urls[:PER_PATTERN]:
            m, links = measure(client, url)
            results[name][url] = m
            for link in links:
                if "/logout" in link or link.startswith(("/static/", "/media/", "/i18n/")):
                    continue
                found[route_of(link) or ""].append(link)
    # Patterns with no page yet: a few of the links that the pages above pointed to.
    for name, links in found.items():
        if not name or any(m.status == 200 for m in results.get(name, {}).values()):
            continue
        for link in list(dict.fromkeys(links))[:PER_PATTERN]:
            m, _ = measure(client, link)
            results[name][link] = m
    return results


def worst(results: dict[str, dict[str, Measure]]) -> dict[str, int]:
    """Highest query count per pattern among its pages that answered 200."""
    out = {}
    for name, pages in results.items():
        ok = [m.queries for m in pages.values() if m.status == 200]
        if ok:
            out[name] = max(ok)
    return out


def statuses(results) -> dict[str, set[int]]:
    return {name: {m.status for m in pages.values()} for name, pages in results.items()}
