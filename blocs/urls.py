from django.urls import path

from . import merger_views, registry_views, views

app_name = "blocs"

urlpatterns = [
    path("blocs/new/", views.bloc_create, name="bloc_create"),
    path("blocs/<int:pk>/", views.bloc_detail, name="bloc_detail"),
    path("blocs/<int:pk>/edit/", views.bloc_edit, name="bloc_edit"),
    path("blocs/<int:pk>/archive/", views.bloc_archive, name="bloc_archive"),
    path("blocs/<int:pk>/rotation/", views.bloc_rotation, name="bloc_rotation"),
    path("blocs/<int:pk>/years/new/", views.bloc_year_create, name="bloc_year_create"),
    path("years/<int:pk>/", views.bloc_year_detail, name="bloc_year_detail"),
    path("years/<int:pk>/edit/", views.bloc_year_edit, name="bloc_year_edit"),
    path("years/<int:pk>/archive/", views.bloc_year_archive, name="bloc_year_archive"),
    path("years/<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path(
        "years/<int:pk>/members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "years/<int:pk>/members/<int:membership_pk>/edit/",
        views.membership_edit,
        name="membership_edit",
    ),
    path("years/<int:pk>/leadership/", views.leadership_set, name="leadership_set"),
    path("years/<int:pk>/leadership/propose/", views.leadership_propose, name="leadership_propose"),
    path(
        "years/<int:pk>/leadership/<int:term_pk>/accept/",
        views.leadership_accept,
        name="leadership_accept",
    ),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<int:pk>/merge/", views.unit_merge, name="unit_merge"),
    path("units/<int:pk>/receive/", views.unit_receive, name="unit_receive"),
    path("units/<int:pk>/archive/", views.unit_archive, name="unit_archive"),
    path("organizers/", merger_views.organizer_list, name="organizer_list"),
    path("organizers/<int:pk>/merge/", merger_views.organizer_merge, name="organizer_merge"),
    path("mergers/<int:pk>/", merger_views.merger_review, name="merger_review"),
    path("mergers/<int:pk>/cancel/", merger_views.merger_cancel, name="merger_cancel"),
    path("registry/import/", registry_views.registry_import, name="registry_import"),
    path("registry/export.<str:fmt>", registry_views.registry_export, name="registry_export"),
    path(
        "registry/export/<uuid:pk>/",
        registry_views.registry_export_download,
        name="registry_export_download",
    ),
]
