"""Risk-based audit sampling (/assurance/): the auditor's scope and what the role does not
grant, each risk factor, a stored draw that checks out after later claims, outcomes and their
corrections, the dashboard's share, the CSV and constant query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from initiatives import permissions
from initiatives import services as initiative_services
from initiatives.assurance import sampling, selectors, services
from initiatives.claims import services as claim_services
from initiatives.models import (
    AuditFrameRow,
    AuditSample,
    SavingsClaim,
    SavingsTarget,
)
from partners import permissions as partner_permissions
from partners.history import history_of
from partners.models import AuditEvent
from partners.services import users as user_services
from tests import factories
from tests.factories import make_claim
from tests.initiatives import assurance_scene
from tests.initiatives.assurance_scene import YEAR, verified

pytestmark = pytest.mark.django_db
Status = SavingsClaim.Status

# The shared fixtures (tests/initiatives/assurance_scene.py), found by pytest here.
auditor = assurance_scene.auditor
partner_auditor = assurance_scene.partner_auditor
other_auditor = assurance_scene.other_auditor
national_auditor = assurance_scene.national_auditor
claims = assurance_scene.claims
sample = assurance_scene.sample


# --- the role and its scope ---------------------------------------------------------------------


def test_auditor_scope_covers_claims_made_by_and_on_initiatives_led_by_the_organisation(
    people, initiative, claims, auditor, partner_auditor, other_auditor, national_auditor
):
    everything = {c.pk for c in claims}
    bradford = {claims[2].pk}
    assert set(permissions.claims_audited_by(user=auditor).values_list("pk", flat=True)) == (
        everything
    )
    # Bradford's audit covers Bradford's claim only (the initiative is Leeds's).
    assert set(
        permissions.claims_audited_by(user=partner_auditor).values_list("pk", flat=True)
    ) == (bradford)
    assert not permissions.claims_audited_by(user=other_auditor).exists()
    assert set(
        permissions.claims_audited_by(user=national_auditor).values_list("pk", flat=True)
    ) >= (everything)
    for user in (people.lead_officer, people.lead_manager, people.admin):
        assert not permissions.claims_audited_by(user=user).exists()


def test_an_auditor_outside_the_scope_sees_no_claim_and_no_sample(
    client, initiative, claims, auditor, other_auditor
):
    sample = services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=2,
        stratum_size=1,
        seed=1,
    )
    client.force_login(other_auditor)
    assert client.get(reverse("assurance:detail", args=[sample.pk])).status_code == 404
    assert client.get(reverse("assurance:download", args=[sample.pk])).status_code == 404
    assert client.get(reverse("claims:detail", args=[claims[0].pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.audit_sample_draw(
            actor=other_auditor,
            organisation=initiative.lead,
            year=YEAR,
            sample_size=2,
            stratum_size=0,
        )
    row = sample.frame.exclude(selection="").first()
    with pytest.raises(PermissionDenied):
        services.audit_outcome_record(actor=other_auditor, row=row, result="confirmed")


def test_an_auditor_of_every_organisation_sees_and_samples_them_all(
    client, initiative, claims, national_auditor, other_council
):
    sample = services.audit_sample_draw(
        actor=national_auditor, organisation=None, year=YEAR, sample_size=3, stratum_size=0, seed=2
    )
    assert sample.frame_count == 3
    client.force_login(national_auditor)
    assert client.get(reverse("assurance:detail", args=[sample.pk])).status_code == 200
    assert client.get(reverse("claims:detail", args=[claims[2].pk])).status_code == 200
    assert permissions.can_audit(national_auditor, other_council)


def test_an_auditor_cannot_claim_decide_or_create_initiatives(
    initiative, claims, officer, council, auditor
):
    assert not permissions.can_create_any_initiative(auditor)
    assert not permissions.can_create_initiative(auditor, council)
    assert not permissions.can_edit_initiative(auditor, initiative)
    assert not permissions.can_claim_for(auditor, initiative, council)
    assert not permissions.can_review_claims(auditor)
    assert not permissions.can_import_any(auditor)
    assert not permissions.can_manage_partners(auditor, initiative)
    assert not permissions.can_correct_claim(auditor, claims[0])
    assert not permissions.can_view_health_checks(auditor, initiative)
    with pytest.raises(PermissionDenied):
        initiative_services.initiative_create(
            actor=auditor,
            lead=council,
            title="Audit's own",
            summary="No.",
            collaboration_model="shared_service",
            service_area="revenues_benefits",
            governance="joint_committee",
            start_date=claims[0].created_at.date(),
        )
    with pytest.raises(PermissionDenied):
        make_claim(auditor, initiative, council)
    draft = make_claim(officer, initiative, council)
    claim_services.claim_submit(actor=officer, claim=draft)
    with pytest.raises(PermissionDenied):
        claim_services.claim_decide(actor=auditor, claim=draft, decision="verify")
    # Drafts stay the claimant's: an auditor of the claimant does not see them.
    other_draft = make_claim(officer, initiative, council)
    assert not permissions.claims_visible_to(user=auditor).filter(pk=other_draft.pk).exists()
    # …but reads what the table of DESIGN §3 gives an auditor of a partner.
    assert permissions.initiatives_visible_to(user=auditor).filter(pk=initiative.pk).exists()


def test_auditors_need_a_second_factor_like_managers(auditor, national_auditor, officer):
    assert partner_permissions.second_factor_required(auditor)
    assert partner_permissions.second_factor_required(national_auditor)
    assert not partner_permissions.second_factor_required(officer)


def test_pages_refuse_anyone_who_is_not_an_auditor_or_an_admin(client, people, auditor):
    for user in (people.lead_officer, people.lead_manager, people.outsider):
        client.force_login(user)
        assert client.get(reverse("assurance:list")).status_code == 403
        assert client.get(reverse("assurance:new")).status_code == 403
    client.force_login(people.admin)
    assert client.get(reverse("assurance:list")).status_code == 200
    assert client.get(reverse("assurance:new")).status_code == 403  # admins read, auditors draw
    client.force_login(auditor)
    response = client.get(reverse("assurance:list"))
    assert response.status_code == 200
    assert reverse("assurance:list") in response.content.decode()  # in the service navigation


def test_an_admin_makes_an_auditor_of_every_organisation_with_history_and_an_audit_event(
    people, auditor
):
    with pytest.raises(PermissionDenied):
        user_services.user_set_audit_scope(
            actor=people.lead_manager, user=auditor, every_organisation=True
        )
    user_services.user_set_audit_scope(actor=people.admin, user=auditor, every_organisation=True)
    auditor.refresh_from_db()
    assert auditor.audits_every_organisation
    assert history_of(auditor).filter(action="Audit scope changed").exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_SCOPE_CHANGED)
    assert event.detail["every_organisation"] is True


def test_managers_cannot_invite_auditors_but_admins_can(people, council):
    assert "auditor" not in dict(partner_permissions.roles_invitable_by(user=people.lead_manager))
    assert "auditor" in dict(partner_permissions.roles_invitable_by(user=people.admin))
    assert not partner_permissions.can_invite(people.lead_manager, council, "auditor")


# --- risk factors -------------------------------------------------------------------------------


def _risks(organisation):
    return {
        pk: set(codes)
        for pk, _, codes in selectors.frame_with_risks(organisation=organisation, year=YEAR)
    }


def test_each_risk_factor_is_found(
    initiative, officer, manager, council, partner_council, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    SavingsTarget.objects.create(
        initiative=initiative, financial_year=YEAR, amount=Decimal("20000")
    )
    first = verified(officer, manager, initiative, council, gross_amount=Decimal("1000"))
    large = verified(officer, manager, initiative, council, gross_amount=Decimal("15000"))
    estimated = verified(
        officer, manager, initiative, council, baseline_method="Estimated from last year's budget"
    )
    evidenced = verified(officer, manager, initiative, council)
    factories.ClaimEvidenceFactory(claim=evidenced)
    slow = verified(officer, manager, initiative, council)
    SavingsClaim.objects.filter(pk=slow.pk).update(
        submitted_at=slow.reviewed_at - timedelta(days=3)
    )
    corrected = verified(officer, manager, initiative, council)
    adjustment = claim_services.claim_correct(
        actor=officer, corrected=corrected, change=Decimal("-100"), description="Overstated"
    )
    claim_services.claim_submit(actor=officer, claim=adjustment)
    # Decided by a manager who is also a member of the claimant (Bradford's claim, decided by
    # someone who is Leeds's manager and a Bradford officer).
    dual = factories.UserFactory(member_of=[(council, "manager"), (partner_council, "officer")])
    partner_officer = factories.UserFactory(member_of=[(partner_council, "officer")])
    by_partner = verified(partner_officer, dual, initiative, partner_council)
    decided_by_lead = verified(partner_officer, manager, initiative, partner_council)

    risks = _risks(council)
    assert "first_claim" in risks[first.pk]
    assert "first_claim" not in risks[large.pk]
    assert "large_against_target" in risks[large.pk]  # 14,000 net > half of 20,000
    assert "large_against_target" not in risks[first.pk]
    assert "baseline_estimated" in risks[estimated.pk]
    assert "baseline_estimated" not in risks[first.pk]
    assert "no_evidence" in risks[first.pk]
    assert "no_evidence" not in risks[evidenced.pk]
    assert "quick_verification" in risks[first.pk]
    assert "quick_verification" not in risks[slow.pk]
    assert "corrected_since" in risks[corrected.pk]
    assert "corrected_since" not in risks[first.pk]
    assert "decider_in_claimant" in risks[by_partner.pk]
    # (A lead's own claims are decided by its own managers: that is the risk this names.)
    assert "decider_in_claimant" in risks[first.pk]
    assert "decider_in_claimant" not in risks[decided_by_lead.pk]


def test_risk_factors_raise_the_weight_and_show_on_the_sample(client, initiative, claims, auditor):
    sample = services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=3,
        stratum_size=3,
        seed=5,
    )
    for row in sample.frame.all():
        assert row.weight == sampling.weight_of(row.risk_factors, sample.risk_weights)
        assert row.weight > 1  # each was decided at once and has no evidence
    client.force_login(auditor)
    page = client.get(reverse("assurance:detail", args=[sample.pk])).content.decode()
    assert "No evidence attached" in page
    assert "Verified within a day of submission" in page


# --- the stored draw ----------------------------------------------------------------------------


def test_the_stored_frame_and_seed_draw_the_same_sample_after_later_claims(
    client, initiative, claims, officer, manager, auditor
):
    sample = services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=2,
        stratum_size=1,
        seed=42,
    )
    stored = dict(sample.frame.exclude(selection="").values_list("position", "selection"))
    for _ in range(3):
        verified(officer, manager, initiative, initiative.lead, gross_amount=Decimal("90000"))
    same, again, kept = selectors.sample_check(sample)
    assert same and again == stored == kept
    assert sample.frame.count() == 3
    client.force_login(auditor)
    page = client.get(reverse("assurance:check", args=[sample.pk])).content.decode()
    assert "The same selection" in page
    # A stored selection that does not match its frame is reported.
    AuditFrameRow.objects.filter(sample=sample, position=min(stored)).update(selection="")
    assert selectors.sample_check(sample)[0] is False
    assert (
        "does not match"
        in client.get(reverse("assurance:check", args=[sample.pk])).content.decode()
    )
    # A new draw sees the later claims.
    later = services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=2,
        stratum_size=1,
        seed=42,
    )
    assert later.frame_count == 6


def test_claims_above_the_interval_are_always_selected(initiative, claims, auditor):
    # Net amounts 9,000, 39,000 and 4,000 with equal weights: with 2 selections the interval
    # is 26,000, below the 39,000 claim.
    for seed in range(20):
        sample = services.audit_sample_draw(
            actor=auditor,
            organisation=initiative.lead,
            year=YEAR,
            sample_size=2,
            stratum_size=0,
            seed=seed,
        )
        assert sample.frame.get(claim=claims[1]).selection == "monetary"


def test_drawing_refuses_bad_sizes_and_an_empty_frame(client, initiative, claims, auditor):
    with pytest.raises(ValidationError) as refused:
        services.audit_sample_draw(
            actor=auditor, organisation=initiative.lead, year=YEAR, sample_size=0, stratum_size=0
        )
    assert "sample_size" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        services.audit_sample_draw(
            actor=auditor, organisation=initiative.lead, year=2019, sample_size=5, stratum_size=0
        )
    assert "financial_year" in refused.value.error_dict
    client.force_login(auditor)
    response = client.post(
        reverse("assurance:new"),
        {
            "organisation": initiative.lead.pk,
            "financial_year": YEAR,
            "sample_size": "many",
            "stratum_size": "1",
        },
    )
    assert response.status_code == 422
    assert "govuk-error-summary" in response.content.decode()
    assert not AuditSample.objects.exists()


def test_an_auditor_draws_through_the_pages(client, initiative, claims, auditor):
    client.force_login(auditor)
    chosen = client.get(
        reverse("assurance:new"), {"organisation": initiative.lead.pk, "financial_year": YEAR}
    )
    assert chosen.status_code == 200
    assert "3 verified claims" in chosen.content.decode()
    response = client.post(
        reverse("assurance:new"),
        {
            "organisation": initiative.lead.pk,
            "financial_year": YEAR,
            "sample_size": "2",
            "stratum_size": "1",
        },
    )
    sample = AuditSample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assurance:detail", args=[sample.pk])
    assert sample.drawn_by == auditor
    assert history_of(sample).filter(action="Drawn").exists()
