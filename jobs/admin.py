from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["owner"]
    search_fields = ["title", "func"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
