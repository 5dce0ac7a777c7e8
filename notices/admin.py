from django.contrib import admin

from .models import InvitationMailing, Notification, ReminderRule, ReminderSent


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["bloc", "days_before", "enabled"]
    list_select_related = ["bloc"]
    raw_id_fields = ["bloc"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["unit", "deadline_kind", "due_on", "sent_at", "error"]
    list_select_related = ["unit"]
    raw_id_fields = ["bloc_year", "unit"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InvitationMailing)
class InvitationMailingAdmin(admin.ModelAdmin):
    list_display = ["meeting", "document", "created_at", "sent_by"]
    list_select_related = ["meeting__bloc_year__bloc", "document", "sent_by"]
    raw_id_fields = ["meeting", "document", "sent_by", "job"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
