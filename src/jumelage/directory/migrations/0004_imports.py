# The import jobs (jumelage.directory.importing / tasks). Owned by the import work.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_search"),
        ("ecosystems", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("organisations", "organisations"), ("people", "people")], max_length=20, verbose_name="what the file holds")),
                ("status", models.CharField(choices=[("queued", "waiting for a worker"), ("validating", "checking the file"), ("preview", "preview ready"), ("committing", "importing"), ("done", "imported"), ("failed", "failed")], default="queued", max_length=20, verbose_name="status")),
                ("file", models.FileField(blank=True, max_length=300, upload_to="imports/%Y/%m/", verbose_name="file")),
                ("original_name", models.CharField(max_length=255, verbose_name="file name")),
                ("size", models.PositiveBigIntegerField(default=0, verbose_name="size in bytes")),
                ("update_existing", models.BooleanField(default=False, verbose_name="update organisations already in the directory")),
                ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)")),
                ("report", models.JSONField(blank=True, default=dict, verbose_name="report")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                ("ecosystem", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="ecosystems.ecosystem")),
                ("node", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="ecosystems.networknode")),
                ("owner", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "import",
                "verbose_name_plural": "imports",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
