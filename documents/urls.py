from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("years/<int:pk>/documents/", views.bloc_year_documents, name="bloc_year_documents"),
    path("meetings/<int:pk>/documents/", views.meeting_documents, name="meeting_documents"),
    path("documents/draft/<str:kind>/<int:pk>/preview/", views.draft_preview, name="draft_preview"),
    path("documents/draft/<str:kind>/<int:pk>/draft.pdf", views.draft_pdf, name="draft_pdf"),
    path("documents/draft/<str:kind>/<int:pk>/draft.docx", views.draft_docx, name="draft_docx"),
    path("documents/draft/<str:kind>/<int:pk>/finalize/", views.finalize, name="finalize"),
    path(
        "documents/draft/<str:kind>/<int:pk>/finalize/confirm/",
        views.finalize_confirm,
        name="finalize_confirm",
    ),
    path("documents/v/<int:pk>/", views.version_detail, name="version_detail"),
    path("documents/v/<int:pk>/preview/", views.version_preview, name="version_preview"),
    path("documents/v/<int:pk>/document.pdf", views.version_pdf, name="version_pdf"),
    path("documents/v/<int:pk>/document.docx", views.version_docx, name="version_docx"),
    path("documents/v/<int:pk>/scan/", views.version_scan_upload, name="version_scan_upload"),
    path("documents/v/<int:pk>/scan/download/", views.version_scan, name="version_scan"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_hash, name="verify_hash"),
]
