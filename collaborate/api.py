"""The REST API's URLs: each app's endpoints under /api/v1/ (namespace "api"), the OpenAPI 3
schema at /api/schema/ and its documentation page, rendered from that schema, at /api/docs/."""

from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView

from collaborate import api_docs
from collaborate.kit.api import public
from initiatives.api import urls as initiative_urls
from partners.api import urls as partner_urls

version_1 = [*partner_urls.urlpatterns, *initiative_urls.urlpatterns]


@require_GET
def docs(request):
    """Every operation of the schema, with its parameters, bodies, responses and examples."""
    return render(request, "api/docs.html", api_docs.documentation())


urlpatterns = public(
    [
        path("v1/", include((version_1, "api"))),
        path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
        path("docs/", docs, name="api_docs"),
    ]
)
