from django.contrib import admin

from .models import ScreenState


@admin.register(ScreenState)
class ScreenStateAdmin(admin.ModelAdmin):
    list_display = ["meeting", "active", "view", "updated_at", "updated_by"]
    list_select_related = ["meeting", "updated_by"]
    raw_id_fields = ["meeting", "agenda_item", "poll", "updated_by"]
