from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blocs", "0004_succession_and_roles_data")]

    operations = [
        migrations.AddConstraint(
            model_name='leadershipterm',
            constraint=models.UniqueConstraint(fields=('bloc_year', 'unit'), name='term_one_role_per_unit'),
        ),
        migrations.RemoveField(
            model_name='bloc',
            name='predecessor',
        ),
    ]
