from django.contrib import admin

from .models import BlocSigner, LegalText, UnitHead


@admin.register(LegalText)
class LegalTextAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "issuer", "signed_on", "effective_from", "effective_until")
    list_filter = ("kind", "verified")
    list_select_related = ("organizer",)
    raw_id_fields = ("organizer", "replaces", "created_by")
    search_fields = ("number", "title")


@admin.register(UnitHead)
class UnitHeadAdmin(admin.ModelAdmin):
    list_display = ("unit", "title", "full_name", "valid_from", "valid_until")
    list_select_related = ("unit",)
    raw_id_fields = ("unit", "created_by")


@admin.register(BlocSigner)
class BlocSignerAdmin(admin.ModelAdmin):
    list_display = ("bloc_year", "role", "full_name", "title", "valid_from", "valid_until")
    list_select_related = ("bloc_year__bloc", "unit")
    raw_id_fields = ("bloc_year", "unit", "created_by")
