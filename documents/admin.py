from django.contrib import admin

from .models import DocumentVersion


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "bloc_year", "issued_on", "created_at", "created_by")
    list_filter = ("kind",)
    exclude = ("pdf",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
