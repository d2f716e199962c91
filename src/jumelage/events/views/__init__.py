"""Pages of the events app, one module per area; each module ends with its `urlpatterns`."""
