"""Claim pages: who sees what, evidence downloads, the review queue's rows, bad input and
query counts."""

import html
from decimal import Decimal

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from initiatives.claims import services
from initiatives.models import ClaimEvidence, SavingsClaim
from tests import factories
from tests.factories import CLAIM_DEFAULTS, make_claim
from tests.pages import assert_error_at_field, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim_with_evidence(initiative, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 the invoice")],
    )


def test_evidence_downloads_for_partners_and_404_for_an_unrelated_officer(
    client, claim_with_evidence, officer, partner_officer, outsider
):
    services.claim_submit(actor=officer, claim=claim_with_evidence)
    item = claim_with_evidence.evidence_files.get()
    url = reverse("claims:evidence", args=[claim_with_evidence.pk, item.pk])
    for user in (officer, partner_officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
        assert b"".join(response.streaming_content) == b"%PDF-1.4 the invoice"
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("claims:detail", args=[claim_with_evidence.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_draft_and_its_evidence_are_the_claimants_alone_until_submitted(
    client, claim_with_evidence, officer, manager, partner_officer, admin_user
):
    claim = claim_with_evidence
    item = claim.evidence_files.get()
    pages = [
        reverse("claims:detail", args=[claim.pk]),
        reverse("claims:evidence", args=[claim.pk, item.pk]),
    ]

    def answers(user):
        client.force_login(user)
        section = text_of(client.get(reverse("initiatives:claims", args=[claim.initiative_id])))
        return [client.get(url).status_code for url in pages], claim.reference in section

    # A draft: the claimant organisation's people and admins only.
    assert answers(officer) == ([200, 200], True)
    assert answers(manager) == ([200, 200], True)
    assert answers(admin_user) == ([200, 200], True)
    assert answers(partner_officer) == ([404, 404], False)
    # Submitted, then returned: partners see it from submission on.
    services.claim_submit(actor=officer, claim=claim)
    assert answers(partner_officer) == ([200, 200], True)
    services.claim_decide(actor=manager, claim=claim, decision="return", note="More evidence")
    assert answers(partner_officer) == ([200, 200], True)
    # Submitted again and withdrawn: back to a draft, the claimant's alone.
    services.claim_submit(actor=officer, claim=claim)
    services.claim_withdraw(actor=officer, claim=claim)
    assert answers(partner_officer) == ([404, 404], False)


def test_an_edit_over_someone_elses_change_answers_409_with_the_current_values(
    client, initiative, officer, manager
):
    claim = make_claim(officer, initiative, initiative.lead, description="As drafted")
    client.force_login(officer)
    form = client.get(reverse("claims:edit", args=[claim.pk])).context["form"]
    loaded = form.initial["version"]
    services.claim_update(actor=manager, claim=claim, description="Saved by the manager first")
    data = {
        **CLAIM_DEFAULTS,
        "description": "Saved by the officer second",
        "version": loaded,
    }
    response = client.post(reverse("claims:edit", args=[claim.pk]), data)
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "changed by someone else while you were editing it" in page
    assert "Saved by the manager first" in page and "Saved by the officer second" not in page
    assert response.context["form"]["version"].value() == claim.version + 1
    claim.refresh_from_db()
    assert claim.description == "Saved by the manager first"


def test_a_correction_posted_twice_redirects_to_the_one_adjustment(
    client, initiative, officer, manager
):
    original = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=original)
    services.claim_decide(actor=manager, claim=original, decision="verify")
    client.force_login(officer)
    form = client.get(reverse("claims:correct", args=[original.pk])).context["form"]
    data = {
        "creation_token": form["creation_token"].value(),
        "change": "-100.00",
        "description": "Overstated",
    }
    first = client.post(reverse("claims:correct", args=[original.pk]), data)
    second = client.post(reverse("claims:correct", args=[original.pk]), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert SavingsClaim.objects.filter(corrects=original).count() == 1


def test_evidence_of_another_claim_is_not_served_through_this_one(
    client, initiative, officer, claim_with_evidence, outsider, other_council
):
    other = factories.make_initiative(outsider, other_council)
    foreign = make_claim(
        outsider,
        other,
        other_council,
        evidence_files=[SimpleUploadedFile("secret.pdf", b"%PDF-1.4 x")],
    )
    client.force_login(officer)
    url = reverse("claims:evidence", args=[claim_with_evidence.pk, foreign.evidence_files.get().pk])
    assert client.get(url).status_code == 404


def test_a_disguised_upload_is_refused_at_the_field_with_422(
    client, initiative, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer)
    url = reverse("initiatives:claim_create", args=[initiative.pk])
    data = {
        **CLAIM_DEFAULTS,
        "evidence": SimpleUploadedFile("report.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    }
    response = client.post(url, data)
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert (
        "report.pdf is named as a PDF but it is a PNG image" in page
        and 'href="#id_evidence' in page
    )
    assert not SavingsClaim.objects.exists() and not ClaimEvidence.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"gross_amount": "0"}, "gross_amount", "more than £0"),
        ({"gross_amount": "-10"}, "gross_amount", "£0 or more"),
        ({"gross_amount": "lots"}, "gross_amount", "as a number of pounds"),
        ({"gross_amount": "10.123"}, "gross_amount", "no more than 2 decimal places"),
        ({"gross_amount": "2000000000"}, "gross_amount", "£1bn or less"),
        (
            {"implementation_cost": "20000"},
            "implementation_cost",
            "cannot be more than the gross saving",
        ),
        ({"financial_year": "2010"}, "financial_year", "Choose one of the years offered"),
        ({"description": ""}, "description", "Describe what was saved"),
    ],
)
def test_bad_claims_get_a_message_at_the_field_and_write_nothing(
    client, initiative, officer, changes, field, message
):
    client.force_login(officer)
    response = client.post(
        reverse("initiatives:claim_create", args=[initiative.pk]), {**CLAIM_DEFAULTS, **changes}
    )
    assert_error_at_field(response, field, message)
    assert not SavingsClaim.objects.exists()


def test_a_locked_year_is_not_offered_and_refused_if_posted(
    client, initiative, officer, admin_user
):
    services.financial_year_set_locked(
        actor=admin_user, year=2025, locked=True, reason="Signed off"
    )
    client.force_login(officer)
    url = reverse("initiatives:claim_create", args=[initiative.pk])
    page = client.get(url).content.decode()
    year_select = page[
        page.index('name="financial_year"') : page.index(
            "</select>", page.index('name="financial_year"')
        )
    ]
    assert '<option value="2025"' not in year_select and '<option value="2026"' in year_select
    assert client.post(url, CLAIM_DEFAULTS).status_code == 422
    assert not SavingsClaim.objects.exists()


def test_the_review_queue_decides_a_row_in_place_through_htmx(client, initiative, officer, manager):
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=claim)
    client.force_login(manager)
    assert claim.reference in text_of(client.get(reverse("claims:review")))
    url = reverse("claims:decide", args=[claim.pk])
    htmx = {"HX-Request": "true", "HX-Target": f"claim-row-{claim.pk}"}
    refused = client.post(url, {"decision": "return", "note": "", "from": "review"}, headers=htmx)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert body.lstrip().startswith(f'<tr class="govuk-table__row" id="claim-row-{claim.pk}"')
    assert "Say why the claim is being returned" in html.unescape(body)
    decided = client.post(url, {"decision": "verify", "note": "", "from": "review"}, headers=htmx)
    assert decided.status_code == 200
    assert f"Claim {claim.reference}: verified." in decided.content.decode()
    assert "<html" not in decided.content.decode()


def test_without_javascript_a_decision_redirects_back_to_the_queue(
    client, initiative, officer, manager
):
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=claim)
    client.force_login(manager)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"decision": "reject", "note": "No evidence", "from": "review"},
    )
    assert response.status_code == 302 and response.url == reverse("claims:review")
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.review_note == "No evidence"


def test_a_decision_on_a_claim_no_longer_awaiting_one_is_explained(
    client, initiative, officer, manager, people_two_managers
):
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=claim)
    services.claim_decide(actor=people_two_managers, claim=claim, decision="verify")
    client.force_login(manager)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"decision": "reject", "note": "x"}
    )
    assert response.status_code == 422
    assert "no longer awaiting" in html.unescape(response.content.decode())


@pytest.fixture
def people_two_managers(council):
    return factories.UserFactory(full_name="Second Manager", member_of=[(council, "manager")])


def test_officers_and_outsiders_cannot_open_the_review_queue(client, officer, outsider):
    for user in (officer, outsider):
        client.force_login(user)
        assert client.get(reverse("claims:review")).status_code == 403


def test_only_admins_open_financial_years(client, admin_user, manager):
    lock = reverse("financial_year_lock", args=[2025])
    client.force_login(manager)
    assert client.get(reverse("financial_years")).status_code == 403
    assert client.post(lock, {"reason": "Signed off"}).status_code == 403
    client.force_login(admin_user)
    response = client.post(lock, {"reason": "Signed off"})
    assert response.status_code == 302
    assert "2025/26" in text_of(client.get(reverse("financial_years")))


def bulk_claims(count, initiative, officer, status):
    """`count` claims by the lead, every fourth a draft, spread over kinds and years."""
    return factories.SavingsClaimFactory.create_batch(
        count,
        initiative=initiative,
        created_by=officer,
        submitted_by=officer,
        submitted_at=factory.LazyFunction(timezone.now),
        status=factory.Iterator(["draft", status, status, status]),
        kind=factory.Iterator(["non_cash_releasing", "cash_releasing"]),
        financial_year=factory.Iterator([2025, 2026, 2027]),
        gross_amount=factory.Sequence(lambda n: Decimal(1000 + n)),
        implementation_cost=Decimal(0),
    )


# The same number of queries at 30 and at 300 claims: a page's cost must not grow with the data.
@pytest.mark.parametrize("count", [30, 300])
def test_my_claims_costs_the_same_queries_at_30_and_300(
    client, initiative, officer, django_assert_num_queries, count
):
    bulk_claims(count, initiative, officer, "returned")
    client.force_login(officer)
    client.get(reverse("claims:list"))
    with django_assert_num_queries(6):
        response = client.get(reverse("claims:list"), {"status": "returned", "page": 2})
    assert response.status_code == 200 and "CLM-2000-" in text_of(response)


@pytest.mark.parametrize("count", [30, 300])
def test_the_review_queue_costs_the_same_queries_at_30_and_300(
    client, initiative, officer, manager, django_assert_num_queries, count
):
    bulk_claims(count, initiative, officer, "submitted")
    client.force_login(manager)
    client.get(reverse("claims:review"))
    with django_assert_num_queries(6):
        response = client.get(
            reverse("claims:review"),
            {"kind": "cash_releasing", "fy": "2026", "sort": "-net", "page": 2},
        )
    assert response.status_code == 200 and "CLM-2000-" in text_of(response)


@pytest.mark.parametrize("count", [30, 300])
def test_a_claims_page_and_history_cost_the_same_queries_at_30_and_300(
    client, initiative, officer, manager, django_assert_num_queries, count
):
    claim = bulk_claims(count, initiative, officer, "submitted")[1]
    factories.HistoryEntryFactory.create_batch(count, owner=claim, actor=officer, action="Edited")
    client.force_login(manager)
    client.get(reverse("claims:detail", args=[claim.pk]))
    # 12: one more than before, for the people who edited the claim (separation of duties).
    with django_assert_num_queries(12):
        response = client.get(reverse("claims:detail", args=[claim.pk]), {"page": 2})
    assert response.status_code == 200


def test_the_initiative_claims_section_totals_by_year_and_status(
    client, initiative, officer, manager
):
    first = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=first)
    services.claim_decide(actor=manager, claim=first, decision="verify")
    make_claim(
        officer,
        initiative,
        initiative.lead,
        financial_year=2026,
        gross_amount=Decimal("500"),
        implementation_cost=0,
    )
    client.force_login(officer)
    page = text_of(client.get(reverse("initiatives:claims", args=[initiative.pk])))
    assert "2025/26 – – – £9,000.00 1 claim –" in page
    assert "2026/27 £500.00 1 claim" in page
    fragment = client.get(
        reverse("initiatives:claims", args=[initiative.pk]), headers={"HX-Request": "true"}
    )
    assert fragment.content.decode().lstrip().startswith('<div id="initiative-sections">')
