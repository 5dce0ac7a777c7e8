from django.contrib import admin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "bloc_year"]
    list_filter = ["kind"]
    raw_id_fields = ["bloc_year", "host_unit"]
    list_select_related = ["bloc_year__bloc"]  # the list ran one bloc lookup per row
