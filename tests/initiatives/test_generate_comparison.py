"""manage.py generate_data's comparison of collaboration with outsourcing: set-up costs,
procurement and contracts, the days initiatives went live and ended, first savings after going
live, and health-check histories, plausible and differing by model; deleted with the rest."""

from collections import defaultdict
from datetime import timedelta
from io import StringIO
from statistics import median

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from collaborate.scale import cleanup
from collaborate.scale.comparison import _period_of
from initiatives import integrity
from initiatives.models import Dimension, HealthCheck, Initiative, Partnership, SavingsClaim

pytestmark = pytest.mark.django_db
Status = Initiative.Status
Model = Initiative.CollaborationModel
CONTRACTED = (Model.OUTSOURCING, Model.NEW_COMMISSIONING)
SCALE = 0.01  # enough initiatives of each model for their medians to differ


@pytest.fixture
def generated():
    call_command(
        "generate_data",
        "--scale",
        str(SCALE),
        "--no-recompute",
        "--allow-known-passwords",
        stdout=StringIO(),
        verbosity=0,
    )
    return list(Initiative.objects.all())


def was_live(initiative):
    return initiative.status in (Status.LIVE, Status.CLOSED) or (
        initiative.status == Status.PAUSED and initiative.paused_from == Status.LIVE
    )


def test_went_live_and_ended_fit_each_initiatives_status_and_life(generated):
    today = timezone.localdate()
    for initiative in generated:
        went, ended = initiative.went_live_on, initiative.ended_on
        if was_live(initiative):
            assert went is not None, initiative.reference
        elif initiative.status != Status.STOPPED:
            assert went is None, initiative.reference
        assert (ended is not None) == (initiative.status in Initiative.FINAL)
        if went:
            assert initiative.start_date <= went < today
            assert ended is None or went < ended
        if ended:
            assert initiative.start_date < ended < today
        started, awarded = initiative.procurement_started_on, initiative.contract_awarded_on
        if started and awarded:
            assert started <= awarded and (went is None or awarded <= went)
    stopped = [i for i in generated if i.status == Status.STOPPED]
    assert any(i.went_live_on for i in stopped) and any(not i.went_live_on for i in stopped)


def test_outsourcing_costs_more_procures_longer_and_saves_later_than_collaboration(generated):
    by_model = defaultdict(list)
    for initiative in generated:
        by_model[initiative.collaboration_model].append(initiative)
    contracted = [i for m in CONTRACTED for i in by_model[m]]
    collaborative = by_model[Model.CO_DESIGN] + by_model[Model.CAPACITY_EXCHANGE]

    def costs(initiatives):
        return [float(i.setup_cost) for i in initiatives if i.setup_cost is not None]

    assert median(costs(contracted)) > 3 * median(costs(collaborative))
    procured = [
        (i.contract_awarded_on - i.procurement_started_on).days / 30.44
        for i in contracted
        if i.procurement_started_on and i.contract_awarded_on
    ]
    assert len(procured) >= 5 and 6 <= median(procured) <= 24
    terms = [i.contract_months for i in contracted if i.contract_months]
    assert terms and all(36 <= t <= 120 for t in terms)
    assert any(i.contract_break_points for i in contracted)
    assert not any(i.procurement_started_on for i in collaborative)

    first_verified = dict(
        SavingsClaim.objects.filter(status=SavingsClaim.Status.VERIFIED)
        .values_list("initiative")
        .annotate(first=Min("reviewed_at"))
    )
    lags = defaultdict(list)
    after = before = 0
    for initiative in generated:
        if initiative.went_live_on and initiative.pk in first_verified:
            days = (
                timezone.localdate(first_verified[initiative.pk]) - initiative.went_live_on
            ).days
            after, before = after + (days >= 0), before + (days < 0)
            group = "contracted" if initiative.collaboration_model in CONTRACTED else "other"
            lags[group].append(days)
    assert after >= 9 * before and after > 0
    assert median(lags["contracted"]) > median(lags["other"])


def test_health_checks_one_per_partner_per_period_since_going_live_scored_1_to_5(generated):
    checks = list(HealthCheck.objects.select_related("initiative"))
    assert checks
    partners = defaultdict(set)
    for initiative_id, organisation_id in Partnership.objects.values_list(
        "initiative", "organisation"
    ):
        partners[initiative_id].add(organisation_id)
    periods = defaultdict(list)
    for check in checks:
        initiative = check.initiative
        assert initiative.went_live_on is not None
        months = initiative.health_check_months
        assert _period_of(check.period_start, months) == check.period_start
        assert _period_of(initiative.went_live_on, months) <= check.period_start
        assert check.period_start <= (initiative.ended_on or timezone.localdate())
        assert initiative.went_live_on <= timezone.localdate(check.answered_at)
        assert check.organisation_id in partners[initiative.pk]
        assert check.answered_by is not None
        for score in check.scores().values():
            assert 1 <= score <= 5
        periods[initiative.pk, check.period_start].append(check)
    keys = [(c.initiative_id, c.organisation_id, c.period_start) for c in checks]
    assert len(keys) == len(set(keys))
    # Not every partner answers every period, and some partners disagree by two or more.
    answered = sum(len(v) for v in periods.values())
    possible = sum(len(partners[pk]) for pk, _ in periods)
    assert answered < possible
    spread = [
        max(getattr(c, d) for c in group) - min(getattr(c, d) for c in group)
        for group in periods.values()
        for d in (Dimension.RELATIONSHIPS, Dimension.LEADERSHIP, Dimension.SHARED_VISION)
    ]
    assert any(s >= 2 for s in spread)
    live_for_long = [
        i
        for i in generated
        if i.went_live_on and i.went_live_on < timezone.localdate() - timedelta(days=400)
    ]
    assert all(any(pk == i.pk for pk, _ in periods) for i in live_for_long)

    assert integrity.source_failures() == []  # what check_data checks of the source data
    cleanup.generated_delete()
    assert not HealthCheck.objects.exists()
