from django.contrib import admin

from .models import DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "bloc_year", "issued_on", "created_at", "created_by")
    list_filter = ("kind",)
    exclude = ("pdf",)
    # One bloc-year per row and per dropdown option each looked its bloc up (3,419 queries on
    # the add page with national data, issue 15).
    list_select_related = ("bloc_year__bloc", "created_by")
    raw_id_fields = ("bloc_year", "replaces", "created_by", "scan_uploaded_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
