"""The REST API's URLs: each app's endpoints under /api/v1/ (namespace "api"), the OpenAPI 3
schema at /api/schema/ and its documentation at /api/docs/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from collaborate.kit.api import public
from initiatives.api import urls as initiative_urls
from partners.api import urls as partner_urls

version_1 = [*partner_urls.urlpatterns, *initiative_urls.urlpatterns]

urlpatterns = public(
    [
        path("v1/", include((version_1, "api"))),
        path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
        path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    ]
)
