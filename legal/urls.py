from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("legal/", views.text_list, name="text_list"),
    path("legal/add/", views.text_add, name="text_add"),
    path("legal/<int:pk>/edit/", views.text_edit, name="text_edit"),
    path("years/<int:pk>/signers/", views.bloc_year_signers, name="bloc_year_signers"),
    path("years/<int:pk>/signers/head/", views.unit_head_add, name="unit_head_add"),
    path("years/<int:pk>/signers/signer/", views.bloc_signer_add, name="bloc_signer_add"),
    path(
        "years/<int:pk>/signers/<str:kind>/<int:record>/remove/",
        views.record_remove,
        name="record_remove",
    ),
]
