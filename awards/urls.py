from django.urls import path

from . import views, views_cycle, views_scoring

app_name = "awards"

urlpatterns = [
    # catalog and the province-wide report
    path("catalog/", views.title_list, name="title_list"),
    path("catalog/load/", views.catalog_load, name="catalog_load"),
    path("awards/", views.award_report, name="award_report"),
    path("awards/export.xlsx", views.award_report_export, name="award_report_export"),
    # a bloc-year's awards
    path("years/<int:pk>/awards/", views.year_awards, name="year_awards"),
    path("years/<int:pk>/awards/quota/", views.quota_set, name="quota_set"),
    path(
        "years/<int:pk>/awards/nominations/generate/",
        views.nominations_generate,
        name="nominations_generate",
    ),
    path("years/<int:pk>/awards/nominations/add/", views.nomination_add, name="nomination_add"),
    path(
        "years/<int:pk>/awards/nominations/<int:nomination_pk>/withdraw/",
        views.nomination_change,
        {"action": "withdraw"},
        name="nomination_withdraw",
    ),
    path(
        "years/<int:pk>/awards/nominations/<int:nomination_pk>/restore/",
        views.nomination_change,
        {"action": "restore"},
        name="nomination_restore",
    ),
    path("years/<int:pk>/awards/propose/", views.award_create, name="award_create"),
    path("years/<int:pk>/awards/decision/", views.award_decision, name="award_decision"),
    path("years/<int:pk>/awards/<int:award_pk>/reject/", views.award_reject, name="award_reject"),
    path("years/<int:pk>/results/", views.results, name="results"),
    path("years/<int:pk>/results.xlsx", views.results_export, name="results_export"),
    path("years/<int:pk>/deadlines/", views.deadlines, name="deadlines"),
    # covenant and registration
    path("years/<int:pk>/covenant/", views_cycle.covenant, name="covenant"),
    path("years/<int:pk>/covenant/new/", views_cycle.covenant_create, name="covenant_create"),
    path("covenants/<int:covenant_pk>/edit/", views_cycle.covenant_edit, name="covenant_edit"),
    path(
        "covenants/<int:covenant_pk>/targets/add/",
        views_cycle.covenant_target_add,
        name="covenant_target_add",
    ),
    path(
        "covenants/<int:covenant_pk>/targets/<int:target_pk>/remove/",
        views_cycle.covenant_target_remove,
        name="covenant_target_remove",
    ),
    path("covenants/<int:covenant_pk>/sign/", views_cycle.covenant_sign, name="covenant_sign"),
    path(
        "covenants/<int:covenant_pk>/revise/", views_cycle.covenant_revise, name="covenant_revise"
    ),
    path("years/<int:pk>/registrations/", views_cycle.registrations, name="registrations"),
    # scoring
    path("years/<int:pk>/scoring/", views_scoring.scoring, name="scoring"),
    path(
        "years/<int:pk>/scoring/<str:action>/", views_scoring.scoring_action, name="scoring_action"
    ),
    path("years/<int:pk>/criteria/new/", views_scoring.criterion_edit, name="criterion_add"),
    path(
        "years/<int:pk>/criteria/<int:criterion_pk>/",
        views_scoring.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "years/<int:pk>/criteria/<int:criterion_pk>/delete/",
        views_scoring.criterion_delete,
        name="criterion_delete",
    ),
    path("sheets/<int:sheet_pk>/", views_scoring.sheet_detail, name="sheet_detail"),
    path("sheets/<int:sheet_pk>/<str:action>/", views_scoring.sheet_action, name="sheet_action"),
    path("years/<int:pk>/ranking/", views_scoring.ranking, name="ranking"),
]
