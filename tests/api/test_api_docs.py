"""/api/schema/ (OpenAPI 3, YAML by default, JSON when asked) and /api/docs/: anyone may read
them, the schema lists the API's paths, and it validates with no warning (which also fails for
any part of the API whose schema warns: that is intended). The documentation page is ours,
rendered from the same schema: every operation, its parameters' allowed values and the
schema's examples, with no script."""

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


def schema_json():
    return APIClient().get(SCHEMA, {"format": "json"}).json()


def test_docs_page_to_anyone_lists_every_operation_of_the_schema(client):
    response = client.get(reverse("api_docs"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Collaborate API</h1>' in html
    assert f'href="{SCHEMA}?format=json"' in html
    assert 'href="/accounts/tokens/"' in html
    assert "<script>" not in html and "style=" not in html
    for path, item in schema_json()["paths"].items():
        assert f"<code>{path}</code>" in html
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in html
            assert f'href="#tag-{operation["tags"][0]}"' in html


def test_docs_page_shows_parameters_allowed_values_bodies_and_examples(client):
    html = client.get(reverse("api_docs")).content.decode()
    # The claims list's "status" parameter: its values, with the labels the schema gives them
    assert "<code>submitted</code> (Awaiting decision)" in html
    # A request body's fields (JSON and multipart), the evidence upload's file among them
    assert "<code>creation_token</code>" in html
    assert "<code>multipart/form-data</code>" in html
    assert '<code>file</code></td>\n      <td class="govuk-table__cell">file</td>' in html
    # Nested response fields, and an example pretty-printed (escaped) inside <pre><code>
    assert "<code>results[].initiative.reference</code>" in html
    assert '<pre class="app-code-block"><code>{\n  &quot;initiative&quot;: 12,' in html
    assert "Response 201: A claim" in html


def test_docs_page_makes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.get(reverse("api_docs"))  # the schema is read once per process
    with django_assert_max_num_queries(2):
        assert client.get(reverse("api_docs")).status_code == 200


def test_schema_validates_with_no_warning(tmp_path, settings):
    settings.DEBUG = True
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
