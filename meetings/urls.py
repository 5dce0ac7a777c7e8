from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    # First: 500 voters post here at once, and URL resolution tries patterns in order.
    path("vote/", views.vote, name="vote"),
    path("vote/<int:poll_pk>/", views.vote, name="vote_poll"),
    path("years/<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("years/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/guests/add/", views.guest_add, name="guest_add"),
    path(
        "meetings/<int:pk>/guests/<int:guest_pk>/remove/", views.guest_remove, name="guest_remove"
    ),
    path("meetings/<int:pk>/agenda/add/", views.agenda_edit, name="agenda_add"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/remove/", views.agenda_remove, name="agenda_remove"
    ),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path(
        "meetings/<int:pk>/attendance/all-present/",
        views.attendance_all_present,
        name="attendance_all_present",
    ),
    path("meetings/<int:pk>/attendance/codes/", views.checkin_codes, name="checkin_codes"),
    path("checkin/", views.checkin, name="checkin"),
    path("meetings/<int:pk>/polls/new/", views.poll_create, name="poll_create"),
    path("polls/<int:pk>/", views.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/edit/", views.poll_edit, name="poll_edit"),
    path("polls/<int:pk>/open/", views.poll_open, name="poll_open"),
    path("polls/<int:pk>/close/", views.poll_close, name="poll_close"),
    path("polls/<int:pk>/publish/", views.poll_publish, name="poll_publish"),
    path("polls/<int:pk>/progress/", views.poll_progress, name="poll_progress"),
    path("polls/<int:pk>/slips/", views.poll_slips, name="poll_slips"),
    path("polls/<int:pk>/paper/", views.poll_paper, name="poll_paper"),
    path("polls/<int:pk>/paper/ballot/", views.poll_paper_ballot, name="poll_paper_ballot"),
    path("polls/<int:pk>/runoff/", views.poll_runoff, name="poll_runoff"),
    path("polls/<int:pk>/tie-break/", views.poll_tie_break, name="poll_tie_break"),
    path("polls/<int:pk>/record/", views.poll_record, name="poll_record"),
    path("polls/<int:pk>/export.csv", views.poll_export_csv, name="poll_export_csv"),
    path("polls/<int:pk>/export.xlsx", views.poll_export_xlsx, name="poll_export_xlsx"),
    path("polls/<int:pk>/ballot/", views.poll_ballot, name="poll_ballot"),
    path("polls/<int:pk>/bulletin/", views.poll_bulletin, name="poll_bulletin"),
    path("polls/<int:pk>/bulletin.json", views.poll_bulletin_json, name="poll_bulletin_json"),
    path("bulletin/kiem_tra_ket_qua.py", views.verifier_download, name="verifier_download"),
]
