"""The wrong-code throttle's counters move from the cache to the database, next to the roll they
protect: the voter lookup reads them in the same statement (one round trip fewer per ballot,
and voting no longer fails when the cache is down). On PostgreSQL the table is UNLOGGED: not in
the WAL, not in a base backup, emptied after a crash (what a throttle may forget)."""

from django.db import migrations, models


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE meetings_wrongcodes SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_cast_ballot_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="WrongCodes",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("until", models.DateTimeField()),
            ],
            options={
                "verbose_name": "lần nhập sai mã phiếu",
                "verbose_name_plural": "lần nhập sai mã phiếu",
            },
        ),
        migrations.RunPython(unlogged, migrations.RunPython.noop),
    ]
