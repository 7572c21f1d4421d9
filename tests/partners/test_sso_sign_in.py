"""Signing in through a real OpenID Provider (tests/oidc/provider.mjs) without a browser: who
the person becomes, and every answer that must be refused."""

import pytest

from partners.models import AuditEvent
from tests import factories
from tests.fixtures_oidc import sign_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def identity_provider(oidc_provider, council):
    provider = oidc_provider.identity_provider()
    sign_on(council, provider, "leeds.gov.uk")
    return provider


def test_sso_sign_in_links_an_existing_user_by_a_vouched_for_domain(
    person, oidc_provider, identity_provider, council
):
    user = factories.UserFactory(email="olive@leeds.gov.uk", member_of=[(council, "officer")])
    oidc_provider.account("olive-sub", email="Olive@Leeds.gov.uk")

    page = person.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert page.status_code == 200, page.text
    assert person.signed_in_user_id == user.pk
    linked = AuditEvent.objects.get(action=AuditEvent.Action.SSO_LINKED)
    assert linked.detail["subject"] == "olive-sub"
