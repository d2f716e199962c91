"""An introduction names its two organisations itself and may start from a B2B meeting held at an event
(no expression of interest): the held meeting enters the partnership pipeline."""

import django.db.models.deletion
from django.db import migrations, models


def name_the_organisations(apps, schema_editor):
    Introduction = apps.get_model("opportunities", "Introduction")
    for introduction in Introduction.objects.select_related("interest__opportunity"):
        introduction.first_organisation_id = introduction.interest.organisation_id
        introduction.second_organisation_id = introduction.interest.opportunity.organisation_id
        introduction.save(update_fields=["first_organisation", "second_organisation"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_labels"),
        ("events", "0001_initial"),
        ("opportunities", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="introduction",
            name="interest",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="introduction",
                to="opportunities.interest",
            ),
        ),
        migrations.AddField(
            model_name="introduction",
            name="first_organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="directory.organisation",
                verbose_name="organisation that reached out",
            ),
        ),
        migrations.AddField(
            model_name="introduction",
            name="second_organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="directory.organisation",
                verbose_name="organisation approached",
            ),
        ),
        migrations.AddField(
            model_name="introduction",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="introductions",
                to="events.event",
                verbose_name="met at",
            ),
        ),
        migrations.RunPython(name_the_organisations, migrations.RunPython.noop),
    ]
