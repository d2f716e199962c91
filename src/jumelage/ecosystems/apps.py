from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcosystemsConfig(AppConfig):
    name = "jumelage.ecosystems"
    label = "ecosystems"
    verbose_name = _("Ecosystems and network nodes")
