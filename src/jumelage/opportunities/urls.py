from django.urls import path

from jumelage.opportunities import views

app_name = "opportunities"
urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity-list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity-create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity-edit"),
    path("opportunities/<int:pk>/status/", views.opportunity_status, name="opportunity-status"),
    path("opportunities/<int:pk>/interest/", views.opportunity_interest, name="opportunity-interest"),
    path("interests/<int:pk>/decision/", views.interest_decide, name="interest-decide"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction-detail"),
    path("introductions/<int:pk>/steps/", views.introduction_step, name="introduction-step"),
    path("market-needs/", views.market_needs, name="market-needs"),
    path("market-needs/new/", views.market_need_create, name="market-need-create"),
]
