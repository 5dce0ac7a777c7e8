from django.contrib import admin

from .models import (
    AuditEvent,
    Bloc,
    BlocName,
    BlocSuccession,
    BlocYear,
    LeadershipTerm,
    Membership,
    Organizer,
    OrganizerName,
    RoleAssignment,
    RotationSlot,
    Unit,
    UnitEvent,
    UnitName,
)


class OrganizerNameInline(admin.TabularInline):
    model = OrganizerName
    extra = 0


@admin.register(Organizer)
class OrganizerAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "official_code", "legacy_code", "merged_into", "merged_on"]
    list_filter = ["level"]
    search_fields = ["name", "code", "province"]
    list_select_related = ["merged_into"]
    raw_id_fields = ["merged_into"]
    inlines = [OrganizerNameInline]


class UnitNameInline(admin.TabularInline):
    model = UnitName
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organizer", "merged_into", "archived_at"]
    list_filter = ["organizer"]
    search_fields = ["name", "code", "short_name"]
    list_select_related = ["organizer", "merged_into"]
    raw_id_fields = ["merged_into", "split_from"]
    inlines = [UnitNameInline]


@admin.register(UnitEvent)
class UnitEventAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "effective_date", "other_unit"]
    list_filter = ["kind"]
    raw_id_fields = ["unit", "other_unit", "recorded_by"]
    list_select_related = ["unit", "other_unit"]


class RotationSlotInline(admin.TabularInline):
    model = RotationSlot
    extra = 0
    raw_id_fields = ["unit"]


class BlocNameInline(admin.TabularInline):
    model = BlocName
    extra = 0


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organizer", "kind", "level", "archived_at"]
    list_filter = ["level", "kind", "organizer"]
    search_fields = ["name", "code"]
    list_select_related = ["organizer"]
    inlines = [BlocNameInline, RotationSlotInline]


@admin.register(BlocSuccession)
class BlocSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_date"]
    raw_id_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]


class ReadOnlyRowsInline(admin.TabularInline):
    """Rows shown, not edited, on the parent's page: an editable raw-id row looks its unit up
    once per row (a 400-member bloc-year ran 400 queries, issue 15). Each row links to its own
    change page; members and leaders are changed through the app (audited) or those pages."""

    extra = 0
    can_delete = False
    show_change_link = True
    related = ["unit"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # The formset sets only the parent's id on each row: the row title (str) would fetch
        # the bloc-year and its bloc once per row.
        return super().get_queryset(request).select_related("bloc_year__bloc", *self.related)


class MembershipInline(ReadOnlyRowsInline):
    model = Membership
    fields = ["unit", "joined_on", "left_on", "note"]


class LeadershipTermInline(ReadOnlyRowsInline):
    model = LeadershipTerm
    fields = ["role", "unit", "method", "status", "proposed_unit", "starts_on", "ends_on"]
    related = ["unit", "proposed_unit"]


@admin.register(BlocYear)
class BlocYearAdmin(admin.ModelAdmin):
    list_display = ["bloc", "year", "plan_reference", "archived_at"]
    list_filter = ["year"]
    search_fields = ["bloc__name"]
    list_select_related = ["bloc"]
    raw_id_fields = ["bloc"]
    inlines = [LeadershipTermInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["unit", "bloc_year", "joined_on", "left_on"]
    raw_id_fields = ["unit", "bloc_year"]
    list_select_related = ["unit", "bloc_year__bloc"]


@admin.register(LeadershipTerm)
class LeadershipTermAdmin(admin.ModelAdmin):
    list_display = ["bloc_year", "role", "unit", "method", "status"]
    list_filter = ["role", "method", "status"]
    raw_id_fields = ["unit", "proposed_unit", "bloc_year", "decided_by"]
    list_select_related = ["unit", "bloc_year__bloc"]


@admin.register(RotationSlot)
class RotationSlotAdmin(admin.ModelAdmin):
    list_display = ["bloc", "position", "unit"]
    raw_id_fields = ["bloc", "unit"]
    list_select_related = ["bloc", "unit"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organizer", "bloc", "unit"]
    list_filter = ["role"]
    raw_id_fields = ["user", "bloc", "unit"]
    list_select_related = ["user", "organizer", "bloc", "unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "object_id"]
    list_select_related = ["actor"]
    raw_id_fields = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
