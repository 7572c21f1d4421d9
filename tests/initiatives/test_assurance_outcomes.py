"""Audit outcomes (/assurance/): confirmed changes nothing; adjusted and not supported make a
correction by the auditor that a lead manager decides; bad input writes nothing; the dashboard's
share audited and confirmed; the CSV; constant query counts; the CSRF check."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from initiatives import permissions
from initiatives.assurance import selectors, services
from initiatives.claims import selectors as claim_selectors
from initiatives.claims import services as claim_services
from initiatives.models import (
    AuditOutcome,
    AuditSample,
    SavingsClaim,
)
from partners.history import history_of
from tests import factories
from tests.initiatives import assurance_scene
from tests.initiatives.assurance_scene import YEAR, row_of

pytestmark = pytest.mark.django_db
Status = SavingsClaim.Status

# The shared fixtures (tests/initiatives/assurance_scene.py), found by pytest here.
auditor = assurance_scene.auditor
claims = assurance_scene.claims
sample = assurance_scene.sample


# --- outcomes -----------------------------------------------------------------------------------


def test_confirmed_changes_nothing(sample, claims, auditor):
    before = SavingsClaim.objects.count()
    outcome = services.audit_outcome_record(
        actor=auditor, row=row_of(sample, claims[0]), result="confirmed"
    )
    assert outcome.correction is None
    assert SavingsClaim.objects.count() == before
    with pytest.raises(ValidationError):  # once only
        services.audit_outcome_record(
            actor=auditor, row=row_of(sample, claims[0]), result="not_supported", note="Again"
        )


def test_adjusted_makes_a_correction_by_the_auditor_that_a_lead_manager_decides(
    sample, claims, auditor, manager
):
    outcome = services.audit_outcome_record(
        actor=auditor,
        row=row_of(sample, claims[1]),
        result="adjusted",
        audited_amount=Decimal("30000"),
        note="Two posts were never filled.",
    )
    correction = outcome.correction
    assert correction.corrects_id == claims[1].pk
    assert correction.created_by == auditor and correction.submitted_by == auditor
    assert correction.status == Status.SUBMITTED
    assert correction.net_amount == Decimal("-9000.00")  # 39,000 verified, 30,000 supported
    assert sample.reference in correction.description
    assert history_of(correction).filter(reason__contains=sample.reference).exists()
    claims[1].refresh_from_db()
    assert claims[1].status == Status.VERIFIED and claims[1].net_amount == Decimal("39000.00")
    assert permissions.can_decide_claim(manager, correction)
    claim_services.claim_decide(actor=manager, claim=correction, decision="verify")
    assert claim_selectors.corrected_total(claims[1]) == Decimal("30000.00")


def test_not_supported_is_a_full_reversal(client, sample, claims, auditor, manager):
    outcome = services.audit_outcome_record(
        actor=auditor, row=row_of(sample, claims[2]), result="not_supported", note="No invoice."
    )
    assert outcome.correction.net_amount == -claims[2].net_amount
    assert outcome.audited_amount is None
    claim_services.claim_decide(actor=manager, claim=outcome.correction, decision="verify")
    assert claim_selectors.corrected_total(claims[2]) == 0
    client.force_login(auditor)
    page = client.get(reverse("assurance:detail", args=[sample.pk])).content.decode()
    assert outcome.correction.reference in page
    assert "verified" in page.lower()


def test_bad_outcomes_write_nothing(client, sample, claims, auditor):
    client.force_login(auditor)
    row = row_of(sample, claims[0])
    url = reverse("assurance:outcome", args=[sample.pk, row.pk])
    for data in (
        {},
        {"result": "adjusted", "note": "Less"},  # no amount
        {"result": "adjusted", "audited_amount": "9000", "note": "Same"},  # what it is already
        {"result": "not_supported"},  # no note
        {"result": "adjusted", "audited_amount": "-5", "note": "Less"},
    ):
        response = client.post(url, data)
        assert response.status_code == 422, data
        assert "govuk-error-summary" in response.content.decode()
    assert not AuditOutcome.objects.exists()
    assert not SavingsClaim.objects.filter(corrects__isnull=False).exists()


def test_recording_through_the_page(client, sample, claims, auditor):
    client.force_login(auditor)
    row = row_of(sample, claims[0])
    url = reverse("assurance:outcome", args=[sample.pk, row.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"result": "confirmed"})
    assert response.status_code == 302
    assert AuditOutcome.objects.get(row=row).result == "confirmed"


# --- dashboard share, CSV, query counts ---------------------------------------------------------


def test_the_dashboard_shows_the_share_audited_and_confirmed(
    client, sample, claims, auditor, manager
):
    services.audit_outcome_record(actor=auditor, row=row_of(sample, claims[1]), result="confirmed")
    services.audit_outcome_record(
        actor=auditor, row=row_of(sample, claims[2]), result="not_supported", note="None."
    )
    share = selectors.audited_share(organisation=claims[0].claimant, year=YEAR)
    assert share["total"] == Decimal("52000.00")  # 9,000 + 39,000 + 4,000
    assert share["audited"] == Decimal("43000.00")
    assert share["confirmed"] == Decimal("39000.00")
    assert round(share["confirmed_percent"], 1) == Decimal("75.0")
    client.force_login(manager)
    page = client.get(reverse("dashboard:show") + f"?fy={YEAR}").content.decode()
    assert "75.0%" in page


def test_the_share_shown_moves_on_when_an_outcome_is_recorded_despite_the_cache(
    client, sample, claims, auditor, manager, django_capture_on_commit_callbacks
):
    """The share is cached with the dashboard's figures; a confirmed outcome changes no claim
    (so no recompute): recording it must move the cached share on by itself."""
    client.force_login(manager)
    dashboard = reverse("dashboard:show") + f"?fy={YEAR}"
    assert "75.0%" not in client.get(dashboard).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.audit_outcome_record(
            actor=auditor, row=row_of(sample, claims[1]), result="confirmed"
        )
    assert "75.0%" in client.get(dashboard).content.decode()


def test_the_csv_holds_the_sample_and_its_outcomes(client, sample, claims, auditor):
    services.audit_outcome_record(actor=auditor, row=row_of(sample, claims[0]), result="confirmed")
    services.audit_outcome_record(
        actor=auditor,
        row=row_of(sample, claims[1]),
        result="adjusted",
        audited_amount=Decimal("1"),
        note="=cmd|' /C calc'!A0",
    )
    client.force_login(auditor)
    response = client.get(reverse("assurance:download", args=[sample.pk]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    by_claim = {row["Claim"]: row for row in rows}
    assert by_claim[claims[0].reference]["Outcome"] == "Confirmed"
    adjusted = by_claim[claims[1].reference]
    assert adjusted["Outcome"] == "Adjusted"
    assert adjusted["Audited amount"] == "1.00"
    assert adjusted["Note"].startswith("'=")  # a formula is escaped
    assert adjusted["Correction status"] == "Awaiting decision"
    assert adjusted["Sample"] == sample.reference


def _grow(initiative, officer, manager, count):
    for _ in range(count):
        factories.SavingsClaimFactory(
            initiative=initiative,
            claimant=initiative.lead,
            verified=True,
            financial_year=YEAR,
            created_by=officer,
            reviewed_by=manager,
        )


@pytest.mark.parametrize("count", [3, 30])
def test_sample_pages_cost_the_same_however_many_claims(
    client, initiative, officer, manager, auditor, django_assert_num_queries, count
):
    _grow(initiative, officer, manager, count)
    sample = services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=count // 3,
        stratum_size=count // 3,
        seed=3,
    )
    for row in sample.frame.exclude(selection="")[:2]:
        services.audit_outcome_record(actor=auditor, row=row, result="confirmed")
    client.force_login(auditor)
    client.get(reverse("assurance:list"))  # warm the session
    with django_assert_num_queries(QUERIES["detail"]):
        assert client.get(reverse("assurance:detail", args=[sample.pk])).status_code == 200
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(reverse("assurance:list")).status_code == 200
    with django_assert_num_queries(QUERIES["check"]):
        assert client.get(reverse("assurance:check", args=[sample.pk])).status_code == 200


QUERIES = {"detail": 6, "list": 6, "check": 7}


def test_drawing_and_recording_need_the_csrf_token(sample, claims, auditor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auditor)
    row = row_of(sample, claims[0])
    for url, data in (
        (reverse("assurance:new"), {"organisation": sample.organisation_id}),
        (reverse("assurance:outcome", args=[sample.pk, row.pk]), {"result": "confirmed"}),
        (reverse("users:audit_scope", args=[auditor.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403
    assert not AuditOutcome.objects.exists()
    assert AuditSample.objects.count() == 1


def test_the_list_answers_htmx_with_its_results_only(client, sample, auditor):
    client.force_login(auditor)
    response = client.get(reverse("assurance:list"), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.lstrip().startswith('<div id="samples">') and sample.reference in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]
