"""One account per email address (case-insensitive): invitations and imports match by email.

auth.User cannot carry a constraint from this app, so a partial expression index does it (the
same SQL on PostgreSQL and SQLite). Empty emails are left out.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE UNIQUE INDEX accounts_user_email_ci ON auth_user (lower(email)) "
            "WHERE email <> ''",
            reverse_sql="DROP INDEX accounts_user_email_ci",
        )
    ]
