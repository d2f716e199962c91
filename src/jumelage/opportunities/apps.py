from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpportunitiesConfig(AppConfig):
    name = "jumelage.opportunities"
    label = "opportunities"
    verbose_name = _("Opportunities and partnerships")
    default_auto_field = "django.db.models.BigAutoField"
