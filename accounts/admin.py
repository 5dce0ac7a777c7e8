from django.contrib import admin

from .models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent and used through the app (the audit log records both)."""

    list_display = ["user", "email", "created_at", "sent_at", "used_at", "revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "email"]
    exclude = ["nonce"]
    raw_id_fields = ["user", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
