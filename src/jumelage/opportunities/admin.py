"""Django admin for opportunities and market needs: platform admins only (RulesModelAdmin's default).
Staff and representatives use the pages, which go through the services."""

from django.contrib import admin

from jumelage.core.admin import RulesModelAdmin
from jumelage.opportunities.models import MarketNeed, Opportunity


@admin.register(Opportunity)
class OpportunityAdmin(RulesModelAdmin):
    list_display = ("title", "organisation", "kind", "status", "visibility", "deadline")
    list_filter = ("kind", "status", "visibility")
    search_fields = ("title", "summary", "organisation__name")
    raw_id_fields = ("organisation", "created_by")
    filter_horizontal = ("themes",)


@admin.register(MarketNeed)
class MarketNeedAdmin(RulesModelAdmin):
    list_display = ("theme", "market", "sector", "observed_on", "organisation", "expressed_by")
    list_filter = ("market",)
    search_fields = ("sector", "evidence", "expressed_by")
    raw_id_fields = ("organisation", "recorded_by")
