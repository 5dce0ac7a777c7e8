from django.urls import path

from . import views

app_name = "signing"

urlpatterns = [
    path("documents/v/<int:pk>/original.pdf", views.original_pdf, name="original_pdf"),
    path("documents/v/<int:pk>/signed/<int:seq>.pdf", views.signed_pdf, name="signed_pdf"),
    path("documents/v/<int:pk>/signed/upload/", views.upload_signed, name="upload"),
    path("documents/v/<int:pk>/signed/sign/", views.sign_on_server, name="sign"),
    path("documents/v/<int:pk>/signed/reverify/", views.reverify, name="reverify"),
    path("signing/", views.home, name="home"),
    path("signing/me/", views.my_signature, name="my_signature"),
    path("signing/images/<int:pk>.png", views.image_file, name="image"),
    path("signing/organizers/<int:pk>/", views.organizer_settings, name="organizer"),
    path("signing/organizers/<int:pk>/profile/", views.organizer_profile, name="profile"),
    path("signing/organizers/<int:pk>/seal/", views.organizer_seal, name="seal"),
    path("signing/trust/add/", views.trust_root_add, name="trust_add"),
    path("signing/trust/<int:pk>/remove/", views.trust_root_remove, name="trust_remove"),
]
