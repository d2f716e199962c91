from django.urls import path

from jumelage.directory import views

app_name = "directory"
urlpatterns = [
    path("directory/", views.organisation_list, name="organisation-list"),
    path("directory/export.<str:fmt>", views.organisation_export, name="organisation-export"),
    path("directory/import/", views.import_upload, name="import"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
]
