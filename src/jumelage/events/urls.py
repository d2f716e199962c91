"""Each area of the events app keeps its routes beside its views; this joins them under one namespace."""

from jumelage.events.views import (
    calls,
    checkin,
    events,
    programme,
    registrants,
    registration,
    reports,
    schedule,
)

app_name = "events"
urlpatterns = [
    *events.urlpatterns,
    *schedule.urlpatterns,
    *programme.urlpatterns,
    *calls.urlpatterns,
    *registration.urlpatterns,
    *checkin.urlpatterns,
    *registrants.urlpatterns,
    *reports.urlpatterns,
]
