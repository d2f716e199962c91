from jumelage.matchmaking.views import urlpatterns  # noqa: F401 (the routes live beside their views)

app_name = "matchmaking"
