"""Each area of the brokerage keeps its routes beside its views; this joins them under one namespace."""

from jumelage.brokerage.views import agendas, participants, reports, schedule, setup

app_name = "brokerage"
urlpatterns = [
    *participants.urlpatterns,
    *agendas.urlpatterns,
    *setup.urlpatterns,
    *schedule.urlpatterns,
    *reports.urlpatterns,
]
