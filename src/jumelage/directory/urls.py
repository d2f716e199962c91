from django.urls import path

from jumelage.directory import views

app_name = "directory"
urlpatterns = [
    path("directory/", views.organisation_list, name="organisation-list"),
    path("directory/export.<str:fmt>", views.organisation_export, name="organisation-export"),
    path("directory/import/", views.import_upload, name="import"),
    path("directory/import/<int:pk>/", views.import_job, name="import-job"),
    path("directory/import/<int:pk>/status/", views.import_job_status, name="import-job-status"),
    path("directory/import/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation-edit"),
]
