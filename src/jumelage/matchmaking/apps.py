from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "jumelage.matchmaking"
    label = "matchmaking"
    verbose_name = _("Matchmaking")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from jumelage.matchmaking import tasks

        tasks.connect_signals()  # suggestions follow every saved organisation and opportunity
