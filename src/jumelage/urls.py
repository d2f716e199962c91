from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, reverse_lazy
from django.views.static import serve

from jumelage.api import api, api_not_found
from jumelage.core import views as core_views
from jumelage.core.forms import ResetForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetForm,
            template_name="core/password_reset.html",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="core/password_changed.html"),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        core_views.ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password/change/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_changed.html"),
        name="password_change_done",
    ),
    path("accounts/data/", core_views.my_data, name="my-data"),
    path("accounts/data/export.json", core_views.my_data_export, name="my-data-export"),
    path("accounts/erase/", core_views.erase_account, name="erase-account"),
    # The header's language switch also saves a logged-in user's preferred language (for e-mails).
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),  # any other address under api/: a problem+json 404
    path("", include("jumelage.ecosystems.urls")),
    path("", include("jumelage.directory.urls")),
    path("", include("jumelage.events.urls")),
    path("", include("jumelage.brokerage.urls")),
    path("", include("jumelage.opportunities.urls")),
    path("", include("jumelage.matchmaking.urls")),
    path("", include("jumelage.relay.urls")),
    path("", include("jumelage.partnerships.urls")),
]

if not settings.PRODUCTION:
    # In embedded mode the app serves uploads itself; in production the reverse proxy does.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
