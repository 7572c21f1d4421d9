"""/api/v1/initiatives/{id}/ reads and writes what comparing collaboration with outsourcing
needs, through initiative_update and its rules; the days it went live and ended are read only."""

from datetime import date, timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from initiatives import services
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

FIELDS = {
    "setup_cost": "240000.00",
    "contract_months": 84,
    "contract_break_points": "After 3 and 5 years",
    "procurement_started_on": "2024-01-15",
    "contract_awarded_on": "2024-11-01",
    "health_check_months": 6,
}


def detail(initiative):
    return reverse("api:initiative-detail", args=[initiative.pk])


def patch(client, initiative, **values):
    initiative.refresh_from_db()
    return client.patch(
        detail(initiative),
        {**values, "version": initiative.version},
        content_type="application/json",
    )


def live(officer, initiative):
    for status in ("in_design", "implementing", "live"):
        services.initiative_change_status(
            actor=officer, initiative=initiative, status=status, reason="Step"
        )
    initiative.refresh_from_db()
    return initiative


def test_the_comparison_fields_are_read_and_written(client, people, initiative):
    client.force_login(people.lead_officer)
    read = client.get(detail(initiative)).json()
    assert read["setup_cost"] is None and read["health_check_months"] == 3
    assert read["went_live_on"] is None and read["ended_on"] is None and read["live_since"] is None
    response = patch(client, initiative, **FIELDS)
    assert response.status_code == 200, response.json()
    assert {name: response.json()[name] for name in FIELDS} == FIELDS
    initiative.refresh_from_db()
    assert initiative.contract_months == 84 and str(initiative.setup_cost) == "240000.00"


def test_went_live_on_and_ended_on_are_read_only(client, people, initiative):
    client.force_login(people.lead_officer)
    initiative = live(people.lead_officer, initiative)
    response = patch(client, initiative, went_live_on="2020-01-01", ended_on="2020-02-01")
    assert response.status_code == 200
    assert response.json()["went_live_on"] == timezone.localdate().isoformat()
    assert response.json()["ended_on"] is None
    initiative.refresh_from_db()
    assert initiative.went_live_on == timezone.localdate() and initiative.ended_on is None


@pytest.mark.parametrize(
    "values, field",
    [
        ({"contract_awarded_on": "2024-01-01", "procurement_started_on": "2024-06-01"}, None),
        ({"setup_cost": "-1"}, "setup_cost"),
        ({"contract_months": 0}, "contract_months"),
        ({"health_check_months": 2}, "health_check_months"),
        ({"live_since": "2025-06-01"}, "live_since"),  # proposed: it cannot have been live
    ],
)
def test_bad_values_are_400_naming_the_field_and_change_nothing(
    client, people, initiative, values, field
):
    client.force_login(people.lead_officer)
    version = Initiative.objects.get(pk=initiative.pk).version
    response = patch(client, initiative, **values)
    assert response.status_code == 400
    assert (field or "contract_awarded_on") in response.json()
    assert Initiative.objects.get(pk=initiative.pk).version == version


def test_live_since_is_refused_once_going_live_is_recorded_or_in_the_future(
    client, people, initiative
):
    client.force_login(people.lead_officer)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    for status in ("in_design", "implementing"):
        services.initiative_change_status(
            actor=people.lead_officer, initiative=initiative, status=status, reason="Step"
        )
    response = patch(client, initiative, live_since=future)
    assert response.status_code == 400 and "live_since" in response.json()
    response = patch(client, initiative, live_since="2025-06-01")
    assert response.status_code == 200 and response.json()["live_since"] == "2025-06-01"
    assert date.fromisoformat(response.json()["live_since"]) == date(2025, 6, 1)


def test_live_since_is_refused_after_going_live_was_recorded(client, people, initiative):
    client.force_login(people.lead_officer)
    initiative = live(people.lead_officer, initiative)
    response = patch(client, initiative, live_since="2025-06-01")
    assert response.status_code == 400 and "went live on" in response.json()["live_since"][0]


def test_the_schema_documents_the_fields_with_examples(client, people):
    schema = yaml.safe_load(client.get(reverse("api_schema")).content)
    initiative = schema["components"]["schemas"]["Initiative"]["properties"]
    for name in (*FIELDS, "live_since", "went_live_on", "ended_on"):
        assert name in initiative
    assert initiative["went_live_on"]["readOnly"] is True
    patched = schema["components"]["schemas"]["PatchedInitiativeUpdateRequest"]["properties"]
    assert "live_since" in patched and "went_live_on" not in patched
    text = str(schema["paths"])
    assert "A contract's terms" in text and "Live before it was recorded here" in text
