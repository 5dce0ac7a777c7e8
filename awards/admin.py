from django.contrib import admin

from .models import Award, AwardTally, AwardTitle, Nomination


@admin.register(AwardTitle)
class AwardTitleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "recipient", "voting_required", "legal_basis"]
    list_filter = ["level", "recipient"]
    search_fields = ["name", "code"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["award_title", "unit", "person_name", "bloc_year", "status", "rank"]
    list_filter = ["status", "award_title"]
    raw_id_fields = ["bloc_year", "unit", "person", "created_by"]
    list_select_related = ["award_title", "unit", "bloc_year__bloc"]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["award_title", "unit", "person_name", "bloc_year", "status", "decision_number"]
    list_filter = ["status", "award_title"]
    raw_id_fields = ["bloc_year", "unit", "person"]
    list_select_related = ["award_title", "unit", "bloc_year__bloc"]


@admin.register(AwardTally)
class AwardTallyAdmin(admin.ModelAdmin):
    """Counts of awards a report gives without every name (e.g. «31 tập thể, 60 cá nhân»); with
    `announced_on`, the minutes of the meeting of that day record them as conferred."""

    list_display = ["award_title", "bloc_year", "collectives", "individuals", "announced_on"]
    list_filter = ["award_title"]
    raw_id_fields = ["bloc_year"]
    list_select_related = ["award_title", "bloc_year__bloc"]
