from django.urls import path

from jumelage.relay import views

app_name = "relay"
urlpatterns = [
    path("relays/new/", views.relay_start, name="start"),
    path("nodes/<slug:slug>/relays/", views.inbox, name="inbox"),
    path("nodes/<slug:slug>/relays/new/", views.relay_new, name="new"),
    path("nodes/<slug:slug>/relays/<int:pk>/decide/", views.decide, name="decide"),
]
