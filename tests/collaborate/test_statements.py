"""The accessibility statement and the privacy notice say who runs the service, how to reach
them and when the statement was prepared, reviewed and audited, all from settings; they claim
full compliance only once a manual audit is recorded, and promise only what the jobs keep."""

import re
from datetime import date

import pytest
from django.urls import reverse

from collaborate import checks
from initiatives.retention import services as initiative_retention
from partners.services import retention
from tests.pages import text_of
from tests.subprocesses import run_python

pytestmark = pytest.mark.django_db

PAGES = ["accessibility", "privacy"]
PRODUCTION = {"SECRET_KEY": "a-production-secret-" + "q7Z" * 20, "ALLOWED_HOSTS": "x.gov.uk"}


@pytest.fixture
def configured(settings):
    settings.SERVICE_OWNER = "Leeds City Council"
    settings.SERVICE_CONTACT_EMAIL = "collaborate@leeds.gov.uk"
    settings.ACCESSIBILITY_STATEMENT_PREPARED = date(2026, 3, 2)
    settings.ACCESSIBILITY_STATEMENT_REVIEWED = date(2026, 9, 14)
    settings.ACCESSIBILITY_AUDIT_DATE = None
    return settings


@pytest.fixture
def unconfigured(settings):
    settings.SERVICE_OWNER = ""
    settings.SERVICE_CONTACT_EMAIL = ""
    return settings


@pytest.mark.parametrize("page", PAGES)
def test_both_pages_name_the_owner_and_link_the_contact_address(client, configured, page):
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert 'href="mailto:collaborate@leeds.gov.uk"' in response.content.decode()
    assert "Leeds City Council" in text_of(response)


def test_the_privacy_notice_names_the_data_controller(client, configured):
    text = text_of(client.get(reverse("privacy")))
    assert "Collaborate is run by Leeds City Council, which is the data controller" in text


def test_the_statement_gives_its_dates_from_settings(client, configured):
    text = text_of(client.get(reverse("accessibility")))
    assert "This statement was prepared on 2 March 2026." in text
    assert "It was last reviewed on 14 September 2026." in text


def test_the_statement_is_partially_compliant_until_a_manual_audit_is_recorded(client, configured):
    text = text_of(client.get(reverse("accessibility")))
    assert (
        "This website is partially compliant with the Web Content Accessibility Guidelines "
        "version 2.2 AA standard, due to the non-compliances listed below." in text
    )
    assert "Non-accessible content" in text and "Not yet checked by a person" in text
    assert "has not yet been tested by a manual accessibility audit" in text
    assert "fully compliant" not in text

    configured.ACCESSIBILITY_AUDIT_DATE = date(2027, 6, 3)
    text = text_of(client.get(reverse("accessibility")))
    assert (
        "This website is fully compliant with the Web Content Accessibility Guidelines "
        "version 2.2 AA standard." in text
    )
    assert "last tested by a manual accessibility audit on 3 June 2027" in text
    assert "partially compliant" not in text and "Non-accessible content" not in text


def test_the_statement_lists_how_the_service_is_tested(client, configured):
    text = text_of(client.get(reverse("accessibility")))
    assert "run the axe-core accessibility engine" in text
    assert "on every page they visit" in text
    assert "walk each journey again with JavaScript turned off" in text
    assert "with a keyboard alone" in text
    # No promise the tests or the product do not keep.
    assert "by hand with a keyboard and a screen reader" not in text
    assert "reviewed with every release" not in text


@pytest.mark.parametrize("page", PAGES)
def test_without_a_contact_address_the_pages_say_so_and_give_no_placeholder(
    client, unconfigured, page
):
    response = client.get(reverse(page))
    html = response.content.decode()
    assert "mailto:" not in html and ".local" not in html
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text_of(response))
    assert "No contact address has been published for this service yet" in text_of(response)


def test_the_privacy_notice_promises_the_periods_the_retention_jobs_keep(client, configured):
    text = text_of(client.get(reverse("privacy")))
    assert f"deleted {retention.SIGN_IN_RECORDS_DAYS} days after the attempt" in text
    assert f"within {retention.UNACCEPTED_INVITATION_DAYS} days of the invitation" in text
    assert f"for {retention.ACCOUNT_YEARS} years nobody has signed in to it" in text
    assert f"in the audit log is kept for {retention.audit_log_period()}, then deleted" in text
    assert f"deleted {initiative_retention.REMINDERS_SENT_DAYS} days after it was sent" in text
    assert f"on the reserved {retention.ANONYMISED_DOMAIN} domain" in text
    assert "Anonymised rather than deleted" in text


def test_the_deploy_check_warns_of_a_missing_or_placeholder_contact(settings):
    settings.SERVICE_OWNER = ""
    settings.SERVICE_CONTACT_EMAIL = ""
    assert [w.id for w in checks.statements_check()] == ["collaborate.W001", "collaborate.W002"]
    settings.SERVICE_OWNER = "Leeds City Council"
    for placeholder in ("accessibility@collaborate.local", "a11y@example.com", "someone"):
        settings.SERVICE_CONTACT_EMAIL = placeholder
        assert [w.id for w in checks.statements_check()] == ["collaborate.W001"], placeholder
    settings.SERVICE_CONTACT_EMAIL = "collaborate@leeds.gov.uk"
    assert checks.statements_check() == []


def test_check_deploy_reports_an_unconfigured_contact():
    result = run_python(
        ["manage.py", "check", "--deploy"], SERVICE_OWNER="", SERVICE_CONTACT_EMAIL="", **PRODUCTION
    )
    assert "collaborate.W001" in result.stderr + result.stdout
    assert "collaborate.W002" in result.stderr + result.stdout
