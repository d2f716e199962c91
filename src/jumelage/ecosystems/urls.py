from django.urls import path

from jumelage.ecosystems import views

app_name = "ecosystems"
urlpatterns = [
    path("brands.css", views.brands_css, name="brands-css"),
    path("ecosystems/", views.overview, name="overview"),
    path("ecosystems/<slug:slug>/", views.ecosystem_detail, name="ecosystem-detail"),
    path("nodes/<slug:slug>/", views.node_detail, name="node-detail"),
    path("nodes/<slug:slug>/edit/", views.node_edit, name="node-edit"),
    path("nodes/<slug:slug>/label/", views.node_label, name="node-label"),
]
