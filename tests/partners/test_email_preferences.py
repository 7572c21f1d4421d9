"""Choosing one's emails on /accounts/, and the emails honouring the choice."""

import html
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from initiatives.claims import notifications, services
from partners import history
from partners.models import User
from partners.services import users as user_services
from tests import factories
from tests.factories import make_claim
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

EVERY_EMAIL = [
    "email_claims_submitted",
    "email_awaiting_decision",
    "email_quiet_initiatives",
    "email_health_checks",
]


def ticked(response):
    """The values of the email checkboxes that are ticked on the page."""
    page = response.content.decode()
    boxes = re.findall(r'<input type="checkbox" name="emails"[^>]*>', page)
    assert len(boxes) == len(EVERY_EMAIL), boxes
    return [re.search(r'value="([^"]+)"', box)[1] for box in boxes if " checked" in box]


def choices_of(user):
    user.refresh_from_db()
    return [name for name in EVERY_EMAIL if getattr(user, name)]


def test_the_account_page_shows_every_email_ticked_until_one_is_turned_off(as_user, manager):
    client = as_user(manager)
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 200
    assert ticked(response) == EVERY_EMAIL
    page = text_of(response)
    assert "always emails you the decision on each claim you submitted" in page
    assert "A claim is submitted for my decision" in page
    assert "Weekly: claims waiting more than 5 working days for my decision" in page
    assert "Monthly: our initiatives with a target this year and no claim in 90 days" in page
    assert "Weekly: health checks our organisation has not answered yet" in page
    assert 'action="/accounts/emails/"' in response.content.decode()
    assert_strict_page(response)

    manager.email_awaiting_decision = False
    manager.save()
    assert ticked(client.get(reverse("accounts:account"))) == [
        "email_claims_submitted",
        "email_quiet_initiatives",
        "email_health_checks",
    ]


def test_the_account_page_costs_the_same_queries_with_its_email_choices(
    as_user, manager, django_assert_num_queries
):
    client = as_user(manager)
    client.get(reverse("accounts:account"))
    # The session, the user, their roles and their memberships: the choices are on the user.
    with django_assert_num_queries(4):
        client.get(reverse("accounts:account"))


def test_turning_an_email_off_saves_it_and_keeps_a_history_entry(as_user, manager):
    response = as_user(manager).post(
        reverse("accounts:emails"),
        {"emails": ["email_claims_submitted", "email_quiet_initiatives", "email_health_checks"]},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("accounts:account"), 302)]
    assert "Your email choices are saved." in text_of(response)
    kept = ["email_claims_submitted", "email_quiet_initiatives", "email_health_checks"]
    assert choices_of(manager) == kept
    assert ticked(response) == kept
    entry = history.history_of(manager).get()
    assert (entry.actor, entry.action) == (manager, "Email choices changed")
    assert entry.changes == [
        {
            "field": "Weekly: claims waiting more than 5 working days for my decision",
            "before": "Yes",
            "after": "No",
        }
    ]


def test_unticking_every_box_turns_every_optional_email_off_and_on_again(as_user, officer):
    client = as_user(officer)
    assert client.post(reverse("accounts:emails"), {}).status_code == 302
    assert choices_of(officer) == []
    client.post(reverse("accounts:emails"), {"emails": EVERY_EMAIL})
    assert choices_of(officer) == EVERY_EMAIL
    assert history.history_of(officer).count() == 2


def test_saving_the_same_choices_again_records_nothing(as_user, officer):
    response = as_user(officer).post(reverse("accounts:emails"), {"emails": EVERY_EMAIL})
    assert response.status_code == 302
    assert not history.history_of(officer).exists()


def test_a_choice_that_is_not_on_the_page_is_refused_at_the_field(as_user, officer):
    response = as_user(officer).post(
        reverse("accounts:emails"), {"emails": ["email_claims_submitted", "is_staff"]}
    )
    assert_error_at_field(response, "emails", "Choose from the emails listed")
    assert 'href="#id_emails_0"' in html.unescape(response.content.decode())
    officer.refresh_from_db()
    assert choices_of(officer) == EVERY_EMAIL and not officer.is_staff
    assert not history.history_of(officer).exists()


def test_the_emails_form_takes_posts_only_and_needs_signing_in(client, as_user, officer):
    response = client.post(reverse("accounts:emails"), {})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert as_user(officer).get(reverse("accounts:emails")).status_code == 405
    assert choices_of(officer) == EVERY_EMAIL


def test_nobody_chooses_another_persons_emails_not_even_an_admin(admin_user, manager):
    with pytest.raises(PermissionDenied):
        user_services.user_email_preferences_set(actor=admin_user, user=manager, chosen=[])
    assert choices_of(manager) == EVERY_EMAIL


# --- the emails honour the choice -------------------------------------------------------------


def test_the_submitted_claim_email_goes_only_to_managers_who_chose_it(
    settings, initiative, officer, manager, council
):
    settings.SITE_URL = "https://collaborate.example"
    quiet = factories.UserFactory(member_of=[(council, "manager")])
    user_services.user_email_preferences_set(actor=quiet, user=quiet, chosen=[])
    claim = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=claim)  # its email is queued on commit

    assert notifications.claim_submitted_notify(claim_id=claim.pk) == 1

    assert [m.to for m in mail.outbox] == [[manager.email]]
    body = mail.outbox[0].body
    assert "You get this email because you are a manager of Leeds City Council" in body
    assert "https://collaborate.example/accounts/#emails" in body


def test_the_decision_on_ones_claim_is_emailed_whatever_one_chose(
    initiative, officer, manager, council
):
    user_services.user_email_preferences_set(actor=officer, user=officer, chosen=[])
    claim = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=claim)
    services.claim_decide(actor=manager, claim=claim, decision="verify", note="Checked.")

    assert notifications.claim_decided_notify(claim_id=claim.pk) == 1
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert User.objects.get(pk=officer.pk).email_claims_submitted is False
