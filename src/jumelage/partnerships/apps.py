from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "jumelage.partnerships"
    label = "partnerships"
    verbose_name = _("partnership agreements")
