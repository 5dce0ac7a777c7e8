from django.urls import path

from . import views

app_name = "charts"

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("overview/panel/", views.overview_panel, name="overview_panel"),
    path("overview/<slug:name>/", views.overview_export, name="overview_export"),
    path("years/<int:pk>/<slug:name>/", views.ranking_export, name="ranking_export"),
    path("units/<int:pk>/", views.unit_export, name="unit_export"),
    path("polls/<int:pk>/", views.poll_export, name="poll_export"),
]
