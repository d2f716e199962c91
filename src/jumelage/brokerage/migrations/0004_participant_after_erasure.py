import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """A participation in a past event outlives the account (anonymised) when its owner erases it."""

    dependencies = [
        ("brokerage", "0003_answer_reminders"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="brokerage_roles",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
