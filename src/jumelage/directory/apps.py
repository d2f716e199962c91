from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "jumelage.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from jumelage.directory import search

        search.connect_signals()  # cached directory results follow every write they depend on
