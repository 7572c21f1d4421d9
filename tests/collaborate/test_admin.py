"""The Django admin lets staff look and nobody write: every write goes through the services."""

import pytest
from django.urls import reverse

from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


def test_staff_read_the_changelists_but_cannot_add_change_or_delete(client, admin_user, initiative):
    client.force_login(admin_user)
    changelist = client.get(
        reverse("admin:initiatives_initiative_changelist"), {"status__exact": "proposed"}
    )
    assert changelist.status_code == 200
    assert initiative.reference in changelist.content.decode()
    assert client.get(reverse("admin:initiatives_initiative_add")).status_code == 403
    change = client.get(reverse("admin:initiatives_initiative_change", args=[initiative.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    deleted = client.post(
        reverse("admin:initiatives_initiative_delete", args=[initiative.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert type(initiative).objects.filter(pk=initiative.pk).exists()


def test_the_admin_holds_to_the_same_strict_csp(client, admin_user, initiative):
    client.force_login(admin_user)
    response = client.get(reverse("admin:initiatives_initiative_changelist"))
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_officers_cannot_open_the_admin(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url
    assert_strict_page(client.get(reverse("home")))
