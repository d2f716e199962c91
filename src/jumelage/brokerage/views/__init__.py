"""Pages of the B2B brokerage of an event, under /events/<slug>/b2b/: one module per area, each ending
with its `urlpatterns` (joined in jumelage.brokerage.urls)."""
