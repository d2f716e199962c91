"""The two organisations of every introduction are known now (0002 filled them in): required. Its own
migration, so that PostgreSQL does not alter the table in the transaction that wrote the rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0002_introductions_from_meetings")]

    operations = [
        migrations.AlterField(
            model_name="introduction",
            name="first_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="directory.organisation",
                verbose_name="organisation that reached out",
            ),
        ),
        migrations.AlterField(
            model_name="introduction",
            name="second_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="directory.organisation",
                verbose_name="organisation approached",
            ),
        ),
    ]
