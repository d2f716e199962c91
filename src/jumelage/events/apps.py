from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "jumelage.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from jumelage.events import agenda

        agenda.connect_signals()  # the cached agenda of an event page follows every write it shows
