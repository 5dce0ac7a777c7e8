from django.contrib import admin

from .models import InvitationMailing, Notification, ReminderRule, ReminderSent


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["bloc", "days_before", "enabled"]
    list_select_related = ["bloc"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["unit", "deadline_kind", "due_on", "sent_at", "error"]
    list_select_related = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InvitationMailing)
class InvitationMailingAdmin(admin.ModelAdmin):
    list_display = ["meeting", "document", "created_at", "sent_by"]
    list_select_related = ["meeting", "document", "sent_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_select_related = ["user"]
