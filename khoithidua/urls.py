from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "khoithidua – Quản trị"
admin.site.site_title = "khoithidua"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # The voting pages first (patterns are tried in order; every ballot resolves /vote/). No
    # route of another app starts with a meetings route: tests/core/test_urls_order.py.
    path("", include("meetings.urls")),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", views.healthz, name="healthz"),
    # Pages without the site's <head> (document previews) make browsers ask for /favicon.ico.
    # (Resolved per request: with the production manifest storage, static() at import time
    # breaks `migrate` before `collectstatic` has written the manifest.)
    path("favicon.ico", views.favicon, name="favicon"),
    path("ping/", views.ping, name="ping"),
    path("bench/ping-post/", views.bench_ping_post, name="bench_ping_post"),
    path("admin/", admin.site.urls),
    path("", include("blocs.urls")),
    path("", include("awards.urls")),
    path("", include("documents.urls")),
    path("", include("legal.urls")),
    path("", include("jobs.urls")),
    path("", include("accounts.urls")),
    path("", include("notices.urls")),
    path("", include("hall.urls")),
    path("", include("signing.urls")),
    path("charts/", include("charts.urls")),
]
