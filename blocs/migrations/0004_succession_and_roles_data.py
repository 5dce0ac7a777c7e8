"""Data for 0003: Bloc.predecessor rows become BlocSuccession rows; a unit recorded as both
leader and deputy of a year loses the deputy term (audited) before 0005 forbids it.

Kept apart from the schema changes so that PostgreSQL applies each in its own transaction."""

import datetime

from django.db import migrations


def copy_predecessors(apps, schema_editor):
    """Bloc.predecessor (one per bloc) becomes a dated BlocSuccession row."""
    Bloc = apps.get_model("blocs", "Bloc")
    BlocSuccession = apps.get_model("blocs", "BlocSuccession")
    for bloc in Bloc.objects.filter(predecessor__isnull=False):
        first_year = bloc.years.order_by("year").values_list("year", flat=True).first()
        start = datetime.date(first_year, 1, 1) if first_year else bloc.created_at.date()
        BlocSuccession.objects.get_or_create(
            predecessor_id=bloc.predecessor_id, successor=bloc, defaults={"effective_date": start}
        )


def one_role_per_unit(apps, schema_editor):
    """A unit recorded as both Khối trưởng and Khối phó of a year (the old import allowed it)
    keeps the Khối trưởng term; the deputy term is removed and the removal is audited."""
    LeadershipTerm = apps.get_model("blocs", "LeadershipTerm")
    AuditEvent = apps.get_model("blocs", "AuditEvent")
    leaders = {
        (t.bloc_year_id, t.unit_id)
        for t in LeadershipTerm.objects.filter(role="leader").only("bloc_year_id", "unit_id")
    }
    for term in LeadershipTerm.objects.filter(role="deputy"):
        if (term.bloc_year_id, term.unit_id) in leaders:
            AuditEvent.objects.create(
                action="leadership.deputy.removed_duplicate",
                object_type="blocs.blocyear",
                object_id=str(term.bloc_year_id),
                summary="Bỏ Khối phó trùng với Khối trưởng (đơn vị %s) khi thêm ràng buộc một vai trò"
                % term.unit_id,
                data={"unit_id": term.unit_id, "method": term.method, "reason": term.reason},
            )
            term.delete()


class Migration(migrations.Migration):
    dependencies = [("blocs", "0003_dated_names_and_succession")]

    operations = [
        migrations.RunPython(copy_predecessors, migrations.RunPython.noop),
        migrations.RunPython(one_role_per_unit, migrations.RunPython.noop),
    ]
