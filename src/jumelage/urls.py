from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from jumelage.api import api, api_not_found
from jumelage.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
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
]

if not settings.PRODUCTION:
    # In embedded mode the app serves uploads itself; in production the reverse proxy does.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
