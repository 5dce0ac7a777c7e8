from django.contrib import admin

from .models import SignatureImage, SignedFile, SigningProfile, TrustRoot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Everything here changes through the app's pages (audited); the admin only shows it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrustRoot)
class TrustRootAdmin(ReadOnlyAdmin):
    list_display = ("subject", "organizer", "not_after", "active", "added_at")
    list_filter = ("active",)
    exclude = ("der",)
    list_select_related = ("organizer",)
    raw_id_fields = ("added_by",)


@admin.register(SigningProfile)
class SigningProfileAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "organizer", "backend", "enabled", "cert_not_after")
    list_select_related = ("organizer",)
    raw_id_fields = ("updated_by",)


@admin.register(SignatureImage)
class SignatureImageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "user", "organizer", "uploaded_at")
    list_select_related = ("user", "organizer")
    raw_id_fields = ("user", "uploaded_by")


@admin.register(SignedFile)
class SignedFileAdmin(ReadOnlyAdmin):
    list_display = ("version", "seq", "signature_count", "verdict", "source", "created_at")
    list_filter = ("verdict", "source")
    exclude = ("report",)
    list_select_related = ("version",)
    raw_id_fields = ("version", "created_by")
