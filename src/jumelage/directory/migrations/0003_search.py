# Placeholder so parallel work on the directory app keeps one migration chain; filled in by its owner.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_initial")]
    operations = []
