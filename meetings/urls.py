from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("years/<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
