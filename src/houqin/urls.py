from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from houqin.assets.views.ledger import asset_scan
from houqin.core.views import auth

urlpatterns = [
    path("", auth.root, name="home"),
    path("healthz/", auth.health, name="health"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/change/", auth.password_change_view, name="password_change"),
    path("orgs/", auth.org_switcher, name="org_switcher"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("o/<slug:org_code>/", include("houqin.core.urls")),
    path("o/<slug:org_code>/maintenance/", include("houqin.maintenance.urls")),
    path("o/<slug:org_code>/assets/", include("houqin.assets.urls")),
    # An asset's QR label: short, because it is printed (HOUQIN_BASE_URL/o/<org>/a/<token>/).
    path("o/<slug:org_code>/a/<str:token>/", asset_scan, name="asset_scan"),
    path("api/v1/o/<slug:org_code>/maintenance/", include("houqin.maintenance.api.urls")),
    path("api/v1/o/<slug:org_code>/assets/", include("houqin.assets.api.urls")),
    path("api/v1/o/<slug:org_code>/", include("houqin.core.api.urls")),
    path("api/v1/auth/token/", auth.api_token, name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.views import defaults

    urlpatterns += [
        path("errors/403/", defaults.permission_denied, {"exception": Exception()}),
        path("errors/404/", defaults.page_not_found, {"exception": Exception()}),
        path("errors/500/", defaults.server_error),
    ]
