"""The tools keep signing people in: the demo's admin and manager, and the generator's managers
and admin, have an authenticator app with a setup key that is printed."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse

from collaborate.scale import common
from collaborate.scale.people import second_factors_build
from partners import demo
from partners.models import Membership, User
from tests import factories

pytestmark = pytest.mark.usefixtures("postgres")


def test_seed_demo_enrols_the_admin_and_the_manager_and_prints_the_key(client):
    out = StringIO()
    call_command("seed_demo", "--allow-known-passwords", stdout=out)
    call_command("seed_demo", "--allow-known-passwords", stdout=StringIO())
    assert demo.DEMO_TOTP_SECRET in out.getvalue()
    enrolled = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
    assert enrolled == {demo.DEMO_ADMIN_EMAIL, f"manager@{demo.DEMO_DOMAIN}"}

    manager = User.objects.get(email=f"manager@{demo.DEMO_DOMAIN}")
    client.post(reverse("login"), {"login": manager.email, "password": demo.DEMO_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": factories.totp_code(demo.DEMO_TOTP_SECRET)})
    assert client.session.get("_auth_user_id") == str(manager.pk)


def test_the_generator_enrols_its_managers_and_admin_with_the_printed_key(council):
    officer = factories.UserFactory(second_factor=False)
    manager = factories.UserFactory(second_factor=False)
    admin = factories.UserFactory(is_staff=True, second_factor=False)
    memberships = [
        Membership(user=officer, organisation=council, role=common.OFFICER),
        Membership(user=manager, organisation=council, role=common.MANAGER),
    ]
    built = second_factors_build([officer, manager, admin], memberships)
    Authenticator.objects.bulk_create(built)
    enrolled = Authenticator.objects.filter(type="totp")
    assert {a.user_id for a in enrolled} == {manager.pk, admin.pk}
    assert {a.wrap().validate_code(factories.totp_code(common.TOTP_SECRET)) for a in enrolled} == {
        True
    }
