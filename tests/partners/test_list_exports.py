"""Organisations, people and the audit log download as Excel as well as CSV, from the same
declared columns (partners/columns.py), with the filters the list shows; a download of people
or of the log is recorded in the log whichever the format; and a download's cost in queries
does not grow with its rows."""

import io

import factory
import openpyxl
import pytest
from django.urls import reverse

from partners import columns
from partners.models import AuditEvent
from tests import factories
from tests.pages import csv_rows, text_of

pytestmark = pytest.mark.django_db


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.worksheets[0]


def values(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_organisations_download_as_a_workbook_with_the_csvs_columns(client, people):
    factories.OrganisationFactory(name="=Evil Council", gss_code="E06000001")
    client.force_login(people.lead_officer)
    sheet = sheet_of(client.get(reverse("partners:xlsx"), {"q": "Evil"}))
    rows = values(sheet)
    assert rows[0] == [column.name for column in columns.ORGANISATIONS]
    assert len(rows) == 2 and rows[1][0] == "'=Evil Council"  # text, not a formula
    assert rows[1][rows[0].index("GSS code")] == "E06000001"
    assert rows[1][rows[0].index("Active")] == "Yes"
    header, *csv_body = csv_rows(client.get(reverse("partners:csv"), {"q": "Evil"}))
    assert header == rows[0] and csv_body[0][0] == "'=Evil Council"


def test_the_users_workbook_is_for_managers_and_is_recorded(client, people):
    client.force_login(people.lead_officer)
    assert client.get(reverse("users:xlsx")).status_code == 403
    client.force_login(people.lead_manager)
    sheet = sheet_of(client.get(reverse("users:xlsx"), {"q": people.lead_officer.email}))
    rows = values(sheet)
    assert rows[0] == [column.name for column in columns.USERS]
    assert [row[1] for row in rows[1:]] == [people.lead_officer.email]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSONAL_DATA_EXPORTED)
    assert event.detail["export"] == "users.xlsx"


def test_the_audit_log_workbook_holds_times_as_dates_and_is_recorded(client, people):
    factories.AuditEventFactory(actor=people.admin, action=AuditEvent.Action.YEAR_LOCKED)
    client.force_login(people.admin)
    sheet = sheet_of(client.get(reverse("audit:xlsx")))
    rows = values(sheet)
    assert rows[0] == [column.name for column in columns.AUDIT_EVENTS]
    assert sheet["A2"].is_date and sheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["E2"].data_type == "n"  # the user id, a number
    recorded = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_LOG_EXPORTED)
    assert recorded.detail["export"] == "audit-events.xlsx"


def test_the_list_pages_link_to_both_downloads_with_their_filters(client, people):
    factories.AuditEventFactory(actor=people.admin, action=AuditEvent.Action.YEAR_LOCKED)
    client.force_login(people.admin)
    for list_name, csv_name, xlsx_name, query in [
        ("partners:list", "partners:csv", "partners:xlsx", "q=leeds"),
        ("users:list", "users:csv", "users:xlsx", "status=active"),
        ("audit:list", "audit:csv", "audit:xlsx", "action=year_locked"),
    ]:
        response = client.get(f"{reverse(list_name)}?{query}")
        html = response.content.decode()
        assert f'href="{reverse(csv_name)}?{query}"' in html, list_name
        assert f'href="{reverse(xlsx_name)}?{query}"' in html, list_name
        assert "as Excel (XLSX)" in text_of(response)


@pytest.mark.parametrize("count", [5, 25])
@pytest.mark.parametrize(
    "who, name, queries",
    [
        ("lead_officer", "partners:csv", 3),
        ("lead_officer", "partners:xlsx", 3),
        ("lead_manager", "users:csv", 8),
        ("lead_manager", "users:xlsx", 8),
        ("admin", "audit:csv", 6),
        ("admin", "audit:xlsx", 6),
    ],
)
def test_a_download_costs_the_same_queries_at_5_and_25_rows(
    client, people, django_assert_num_queries, count, who, name, queries
):
    factories.OrganisationFactory.create_batch(count)
    factories.UserFactory.create_batch(count, member_of=[(people.lead, "officer")])
    factories.AuditEventFactory.create_batch(
        count, actor=people.admin, ip_address=factory.Sequence(lambda n: f"192.0.2.{n % 250}")
    )
    client.force_login(getattr(people, who))
    client.get(reverse("accounts:account"))
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
        content = b"".join(response.streaming_content)
    assert response.status_code == 200 and len(content) > 100
