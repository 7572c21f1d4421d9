"""seed_demo: demo partners and one demo user per role, added once however often it runs."""

from io import StringIO

import pytest
from django.core.management import call_command

from initiatives.models import Initiative, InitiativeProgress, SavingsClaim
from partners import demo
from partners.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_people_and_partners_once_and_prints_how_to_sign_in():
    out = StringIO()
    call_command("seed_demo", "--allow-known-passwords", stdout=out)
    call_command("seed_demo", "--allow-known-passwords", stdout=StringIO())
    printed = out.getvalue()
    assert demo.DEMO_PASSWORD in printed and demo.DEMO_ADMIN_EMAIL in printed
    assert User.objects.filter(email__endswith=demo.DEMO_DOMAIN).count() == 4
    assert Membership.objects.get(user__email=f"manager@{demo.DEMO_DOMAIN}").role == "manager"
    leeds = Organisation.objects.get(source_ref=demo.LEAD_COUNCIL)
    assert Membership.objects.filter(organisation=leeds).count() == 2
    assert Organisation.objects.filter(sector="social").count() == 4
    assert Organisation.objects.filter(sector="business").count() == 1
    assert User.objects.get(email=demo.DEMO_ADMIN_EMAIL).is_staff


def test_seed_demo_adds_initiatives_and_claims_in_every_status_once():
    call_command("seed_demo", "--allow-known-passwords", stdout=StringIO())
    call_command("seed_demo", "--allow-known-passwords", stdout=StringIO())
    assert Initiative.objects.count() == 3
    assert set(SavingsClaim.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "verified",
        "rejected",
    }
    assert Initiative.objects.filter(visibility="public").count() == 1
    assert InitiativeProgress.objects.count() == 3  # the dashboards have figures at once
