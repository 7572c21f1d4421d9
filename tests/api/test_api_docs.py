"""/api/schema/ (OpenAPI 3, YAML by default, JSON when asked) and /api/docs/: anyone may read
them, the schema lists the API's paths, and it validates with no warning (which also fails for
any part of the API whose schema warns: that is intended)."""

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

SCHEMA = reverse("api_schema")


def test_schema_is_openapi_3_yaml_by_default_to_anyone():
    response = APIClient().get(SCHEMA)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi;")  # YAML
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/progress/", "/api/v1/register/", "/api/v1/register/{reference}/"):
        assert path in schema["paths"]
    assert "/api/v1/initiatives/{id}/progress/" in schema["paths"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [({"format": "json"}, None), ({}, "application/vnd.oai.openapi+json")],
)
def test_schema_as_json_when_asked(query, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = APIClient().get(SCHEMA, query, **headers)
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    assert response.json()["openapi"].startswith("3.")


def test_docs_page_to_anyone():
    response = APIClient().get(reverse("api_docs"))
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_schema_validates_with_no_warning(tmp_path, settings):
    settings.DEBUG = True
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
