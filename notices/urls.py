from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("meetings/<int:pk>/invitations/", views.meeting_invitations, name="meeting_invitations"),
    path("blocs/<int:pk>/reminders/", views.bloc_reminders, name="bloc_reminders"),
]
