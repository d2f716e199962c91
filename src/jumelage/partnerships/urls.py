from django.urls import path

from jumelage.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("partnerships/", views.partnership_list, name="list"),
    path("partnerships/new/", views.partnership_create, name="create"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="detail"),
    path("partnerships/<slug:slug>/edit/", views.partnership_edit, name="edit"),
    path("partnerships/<slug:slug>/actions/", views.action_add, name="action-add"),
    path("partnerships/<slug:slug>/actions/<int:pk>/status/", views.action_status, name="action-status"),
    path("partnerships/<slug:slug>/meetings/", views.meeting_add, name="meeting-add"),
]
