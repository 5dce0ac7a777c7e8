from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.user_list, name="user_list"),
    path("accounts/new/", views.user_create, name="user_create"),
    path("accounts/import/", views.account_import, name="account_import"),
    path("accounts/<int:pk>/", views.user_detail, name="user_detail"),
    path("accounts/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("accounts/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("accounts/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("accounts/<int:pk>/invite/", views.user_invite, name="user_invite"),
    path("accounts/<int:pk>/roles/add/", views.role_grant, name="role_grant"),
    path("accounts/<int:pk>/roles/<int:role_pk>/remove/", views.role_revoke, name="role_revoke"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitation/<int:pk>/password/", views.invitation_password, name="invitation_password"),
    path("invitation/<int:pk>/<str:token>/", views.invitation, name="invitation"),
]
