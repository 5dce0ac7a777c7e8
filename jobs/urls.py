from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
]
