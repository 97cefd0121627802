"""Top-level routes; the /api/v1/ routes are assembled here from each app's api/ package."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.urls import urlpatterns as accounts_api
from integrations.api.urls import urlpatterns as integrations_api
from invoices.api.urls import urlpatterns as invoices_api
from portal import metrics, views
from portal.admin import admin_login
from portal.api.errors import api_not_found

# Each app's api/ package contributes its routes; one namespace, "api", for all of them.
api_v1 = [*accounts_api, *invoices_api, *integrations_api]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("org/", include("accounts.urls")),
    path("verify/", include("signing.urls")),
    path("invoices/", include("invoices.urls")),
    path("staff/review/", include("review.urls")),
    # Before the admin's own routes: its login form would skip allauth's TOTP step.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    # Last under /api/v1/: what no route matches still answers in the API's format.
    re_path(r"^api/v1/", api_not_found),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
