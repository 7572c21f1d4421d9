"""/api/v1/organisations/: the directory to anyone signed in, admins' writes through the same
service as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from partners.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api:organisation-list")


def detail(organisation):
    return reverse("api:organisation-detail", args=[organisation.pk])


def client_of(user):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_anonymous_gets_401():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_signed_in_lists_and_reads(officer, council):
    response = client_of(officer).get(LIST)
    assert response.status_code == 200
    assert council.pk in [row["id"] for row in response.json()["results"]]
    response = client_of(officer).get(detail(council))
    assert response.status_code == 200
    assert response.json()["version"] == council.version
    assert response.json()["name"] == council.name


def test_unknown_organisation_is_404(officer):
    assert client_of(officer).get("/api/v1/organisations/999999/").status_code == 404


def test_list_filters_as_the_directory(officer, council):
    charity = OrganisationFactory(name="Harrogate Homes Trust", sector="social", kind="charity")
    rows = client_of(officer).get(LIST, {"sector": "social"}).json()["results"]
    assert [row["id"] for row in rows] == [charity.pk]


def test_officer_may_not_create_or_change(officer, council):
    client = client_of(officer)
    response = client.post(LIST, {"name": "New", "sector": "social", "kind": "charity"})
    assert response.status_code == 403
    response = client.patch(detail(council), {"name": "Renamed", "version": council.version})
    assert response.status_code == 403
    council.refresh_from_db()
    assert council.name != "Renamed"
    assert not Organisation.objects.filter(name="New").exists()


def test_admin_creates(admin_user):
    response = client_of(admin_user).post(
        LIST, {"name": "Harrogate Homes", "sector": "social", "kind": "charity"}
    )
    assert response.status_code == 201, response.json()
    created = Organisation.objects.get(pk=response.json()["id"])
    assert created.name == "Harrogate Homes"
    assert created.slug == "harrogate-homes"


def test_bad_input_is_400_and_nothing_written(admin_user):
    before = Organisation.objects.count()
    response = client_of(admin_user).post(LIST, {"name": "", "sector": "nope", "kind": "charity"})
    assert response.status_code == 400
    assert "name" in response.json() and "sector" in response.json()
    assert Organisation.objects.count() == before


def test_admin_patches_with_the_version(admin_user, council):
    response = client_of(admin_user).patch(
        detail(council), {"short_name": "Leeds CC", "version": council.version}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["short_name"] == "Leeds CC"
    assert response.json()["version"] == council.version + 1


def test_patch_without_version_is_400(admin_user, council):
    response = client_of(admin_user).patch(detail(council), {"short_name": "Leeds CC"})
    assert response.status_code == 400
    assert "version" in response.json()


def test_stale_version_is_409_with_the_stored_organisation(admin_user, council):
    client = client_of(admin_user)
    version = council.version
    assert client.patch(detail(council), {"short_name": "A", "version": version}).status_code == 200
    response = client.patch(detail(council), {"short_name": "B", "version": version})
    assert response.status_code == 409
    assert response.json()["current"]["short_name"] == "A"
    assert response.json()["current"]["version"] == version + 1
    council.refresh_from_db()
    assert council.short_name == "A"


@pytest.mark.parametrize("view", ["list", "detail"])
def test_query_count_is_constant(officer, council, view):
    client = client_of(officer)
    url = LIST if view == "list" else detail(council)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    OrganisationFactory.create_batch(3)
    few = count()
    OrganisationFactory.create_batch(30)
    assert count() == few
