from django.urls import path

from jumelage.brokerage import views

app_name = "brokerage"
urlpatterns = [
    path("events/<slug:slug>/b2b/", views.home, name="home"),
    path("events/<slug:slug>/b2b/join/", views.join, name="join"),
    path("events/<slug:slug>/b2b/ask/<int:pk>/", views.send, name="send"),
    path("events/<slug:slug>/b2b/requests/", views.requests, name="requests"),
    path("events/<slug:slug>/b2b/requests/<int:pk>/<str:action>/", views.act, name="act"),
    path("events/<slug:slug>/b2b/agenda/", views.my_agenda, name="agenda"),
    path("events/<slug:slug>/b2b/agenda.<str:fmt>", views.agenda_file, name="agenda-file"),
    path("events/<slug:slug>/b2b/meetings/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("events/<slug:slug>/b2b/setup/", views.setup, name="setup"),
    path("events/<slug:slug>/b2b/schedule/", views.schedule, name="schedule"),
    path("events/<slug:slug>/b2b/schedule/<int:pk>/", views.run_detail, name="run"),
    path("events/<slug:slug>/b2b/tables/", views.tables, name="tables"),
    path("events/<slug:slug>/b2b/meetings/", views.meetings, name="meetings"),
    path("events/<slug:slug>/b2b/dashboard/", views.dashboard_page, name="dashboard"),
    path("events/<slug:slug>/b2b/export.<str:fmt>", views.export, name="export"),
]
