"""The public register as open data (/register/data/): every published initiative as CSV,
XLSX and JSON with its partners and their ONS/GSS codes, its verified savings by financial year
and the LGA Shared Services Map's columns; a CSVW description of exactly the CSV's columns; a
page explaining the dataset and its licence; conditional requests answered 304 until the data
changes; a fixed number of queries whatever the number of initiatives; and never a private
value, searched for in every download after planting one in every private field."""

import csv
import datetime
import io
import json
import time
from decimal import Decimal

import openpyxl
import pytest
from django.db import models
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from initiatives import services
from initiatives.claims import services as claim_services
from initiatives.models import (
    ClaimEvidence,
    Initiative,
    InitiativeProgress,
    InitiativeYear,
    SavingsClaim,
)
from initiatives.progress import services as progress_services
from partners.models import Organisation, User
from tests import factories
from tests.pages import text_of

pytestmark = pytest.mark.django_db

DOWNLOADS = ["register:data_csv", "register:data_xlsx", "register:data_json", "register:data_csvw"]
HEADER = [
    "reference",
    "title",
    "summary",
    "lead_organisation",
    "lead_organisation_gss_code",
    "partner_names",
    "partner_gss_codes",
    "collaboration_model",
    "service_area",
    "governance",
    "regions",
    "status",
    "start_date",
    "start_year",
    "planned_end_date",
    "verified_savings_to_date",
    "verified_cash_releasing_to_date",
    "verified_non_cash_releasing_to_date",
    "verified_cash_2025_26",
    "verified_non_cash_2025_26",
    "verified_cash_2026_27",
    "verified_non_cash_2026_27",
    "figures_updated_at",
    "register_url",
    "partnership_name",
    "councils_involved",
    "service_category",
    "region",
    "savings_to_date",
]


def content(response):
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def read_csv(response):
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def read_xlsx(response):
    book = openpyxl.load_workbook(io.BytesIO(content(response)))
    return [[cell.value for cell in row] for row in book["Register"].iter_rows()]


def publish(initiative):
    Initiative.objects.filter(pk=initiative.pk).update(
        visibility=Initiative.Visibility.PUBLIC, published_at=timezone.now()
    )


@pytest.fixture
def charity(db):
    return factories.OrganisationFactory(
        name="Aire Valley Community Trust", sector="social", kind="charity", region="yorkshire"
    )


@pytest.fixture
def published(council, partner_council, charity):
    """Leeds (E08000035) leads with Bradford (E08000032, 40 %) and a charity with no code:
    £9,000 cash-releasing verified in 2025/26 and £5,000 non-cash-releasing in 2026/27."""
    for organisation, code in ((council, "E08000035"), (partner_council, "E08000032")):
        organisation.gss_code, organisation.region = code, "yorkshire"
        organisation.save(update_fields=["gss_code", "region"])
    initiative = factories.InitiativeFactory(
        lead=council,
        title="Leeds and Bradford revenues and benefits",
        shares={council: 60, partner_council: 40},
        targets={2025: "50000"},
    )
    factories.PartnershipFactory(initiative=initiative, organisation=charity)
    factories.SavingsClaimFactory(initiative=initiative, verified=True, financial_year=2025)
    factories.SavingsClaimFactory(
        initiative=initiative,
        verified=True,
        financial_year=2026,
        kind="non_cash_releasing",
        gross_amount=Decimal("5000"),
        implementation_cost=Decimal("0"),
    )
    progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    publish(initiative)
    initiative.refresh_from_db()
    return initiative


def test_the_csv_has_a_row_per_published_initiative_with_partners_codes_and_savings_by_year(
    client, council, published
):
    factories.InitiativeFactory(lead=council, title="Not published")
    header, *rows = read_csv(client.get(reverse("register:data_csv")))
    assert header == HEADER
    assert len(rows) == 1
    cells = dict(zip(header, rows[0], strict=True))
    progress = InitiativeProgress.objects.get(initiative=published)
    assert cells == {
        "reference": published.reference,
        "title": "Leeds and Bradford revenues and benefits",
        "summary": "Two councils run one service together.",
        "lead_organisation": "Leeds City Council",
        "lead_organisation_gss_code": "E08000035",
        "partner_names": "Leeds City Council; Bradford Council; Aire Valley Community Trust",
        "partner_gss_codes": "E08000035; E08000032; ",
        "collaboration_model": "Shared service",
        "service_area": "Revenues and benefits",
        "governance": "Joint committee",
        "regions": "Yorkshire and The Humber",
        "status": "Proposed",
        "start_date": "2025-04-01",
        "start_year": "2025",
        "planned_end_date": "2028-03-31",
        "verified_savings_to_date": "14000.00",
        "verified_cash_releasing_to_date": "9000.00",
        "verified_non_cash_releasing_to_date": "5000.00",
        "verified_cash_2025_26": "9000.00",
        "verified_non_cash_2025_26": "0.00",
        "verified_cash_2026_27": "0.00",
        "verified_non_cash_2026_27": "5000.00",
        "figures_updated_at": progress.computed_at.astimezone(datetime.UTC)
        .replace(microsecond=0)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "register_url": f"http://testserver/register/{published.reference}/",
        "partnership_name": "Leeds and Bradford revenues and benefits",
        "councils_involved": "Leeds City Council; Bradford Council",
        "service_category": "Revenues and benefits",
        "region": "Yorkshire and The Humber",
        "savings_to_date": "14000.00",
    }


def test_the_workbook_has_the_same_columns_with_typed_numbers_and_dates(client, published):
    rows = read_xlsx(client.get(reverse("register:data_xlsx")))
    assert rows[0] == HEADER
    cells = dict(zip(HEADER, rows[1], strict=True))
    assert cells["verified_savings_to_date"] == 14000
    assert cells["start_date"] == datetime.datetime(2025, 4, 1)
    assert cells["partner_gss_codes"] == "E08000035; E08000032; "


def test_the_json_has_metadata_and_partners_and_years_as_lists(client, published):
    response = client.get(reverse("register:data_json"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(content(response))
    assert data["title"] == "Public register of council collaboration initiatives"
    assert data["licence"] == {
        "name": "Open Government Licence v3.0",
        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    }
    assert data["count"] == 1 and data["generated_at"].endswith("Z")
    [row] = data["initiatives"]
    assert row["reference"] == published.reference
    assert row["lead_organisation"] == {"name": "Leeds City Council", "gss_code": "E08000035"}
    assert row["partners"] == [
        {"name": "Leeds City Council", "gss_code": "E08000035"},
        {"name": "Bradford Council", "gss_code": "E08000032"},
        {"name": "Aire Valley Community Trust", "gss_code": None},
    ]
    assert row["verified_savings_by_financial_year"] == [
        {"financial_year": "2025/26", "cash_releasing": 9000, "non_cash_releasing": 0},
        {"financial_year": "2026/27", "cash_releasing": 0, "non_cash_releasing": 5000},
    ]
    assert row["verified_savings_to_date"] == 14000
    assert row["lga_shared_services_map"] == {
        "partnership_name": "Leeds and Bradford revenues and benefits",
        "councils_involved": ["Leeds City Council", "Bradford Council"],
        "service_category": "Revenues and benefits",
        "region": ["Yorkshire and The Humber"],
        "savings_to_date": 14000,
    }


def test_the_json_of_an_empty_register_is_valid(client):
    data = json.loads(content(client.get(reverse("register:data_json"))))
    assert data["initiatives"] == [] and data["count"] == 0 and data["modified"] is None


def test_the_csvw_metadata_describes_exactly_the_csv_columns_in_order(client, published):
    csv_response = client.get(reverse("register:data_csv"))
    assert csv_response["Link"] == (
        '</register/data/register.csv-metadata.json>; rel="describedby"; '
        'type="application/csvm+json"'
    )
    header = read_csv(csv_response)[0]
    response = client.get(reverse("register:data_csvw"))
    assert response["Content-Type"] == "application/csvm+json"
    metadata = json.loads(content(response))
    assert metadata["@context"] == "http://www.w3.org/ns/csvw"
    assert metadata["url"] == "http://testserver/register/data/register.csv"
    assert metadata["dc:license"] == {
        "@id": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    }
    columns = metadata["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == header
    assert [c["titles"] for c in columns] == header
    assert all(c["datatype"] and c["dc:description"] for c in columns)
    types = {c["name"]: c["datatype"] for c in columns}
    assert types["start_date"] == "date" and types["start_year"] == "integer"
    assert types["verified_cash_2025_26"] == "decimal"
    assert types["register_url"] == "anyURI"
    assert {c["name"]: c.get("separator") for c in columns}["partner_names"] == "; "


def test_the_data_page_explains_every_column_the_licence_and_the_downloads(client, published):
    with_link = text_of(client.get(reverse("register:list")))
    assert "open data" in with_link
    response = client.get(reverse("register:data"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in HEADER:
        assert f"<code>{name}</code>" in html
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in html
    for name in DOWNLOADS:
        assert f'href="{reverse(name)}"' in html
    page = text_of(response)
    assert "Open Government Licence v3.0" in page
    assert "How to cite it" in page and "How often it changes" in page


@pytest.mark.parametrize("name", ["register:data_csv", "register:data_json"])
def test_the_csv_and_json_are_streamed(client, published, name):
    assert isinstance(client.get(reverse(name)), StreamingHttpResponse)


def bulk(count, lead, partner):
    """`count` published initiatives, each with two partners and verified savings in a year."""
    initiatives = factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        shares={lead: 60, partner: 40},
        visibility=Initiative.Visibility.PUBLIC,
        published_at=timezone.now(),
    )
    now = timezone.now()
    InitiativeYear.objects.bulk_create(
        InitiativeYear(
            initiative=i,
            financial_year=2025,
            collaboration_model=i.collaboration_model,
            service_area=i.service_area,
            verified_cash=Decimal("100"),
            computed_at=now,
        )
        for i in initiatives
    )
    InitiativeProgress.objects.bulk_create(
        InitiativeProgress(initiative=i, verified_cash=Decimal("100"), computed_at=now)
        for i in initiatives
    )


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("register:data_csv", 5),
        ("register:data_xlsx", 5),
        ("register:data_json", 4),
        ("register:data_csvw", 2),
        ("register:data", 2),
    ],
)
def test_the_dataset_costs_the_same_queries_at_3_and_30_initiatives(
    client, council, partner_council, django_assert_num_queries, count, name, queries
):
    bulk(count, council, partner_council)
    with django_assert_num_queries(queries):
        body = content(client.get(reverse(name)))
    if name in ("register:data_csv", "register:data_json"):
        assert body.count(b"/register/INI-2000-") == count


@pytest.mark.parametrize("name", DOWNLOADS)
def test_a_download_answers_304_to_a_matching_conditional_request(client, published, name):
    first = client.get(reverse(name))
    content(first)
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    again = client.get(reverse(name), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and not again.content
    since = client.get(reverse(name), headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    head = client.head(reverse(name))
    assert head.status_code == 200 and head["ETag"] == first["ETag"]


def etag_of(client):
    response = client.get(reverse("register:data_csv"))
    content(response)
    return response["ETag"]


def test_the_etag_changes_when_a_published_initiative_changes(client, manager, published):
    before = etag_of(client)
    services.initiative_update(actor=manager, initiative=published, title="A new title")
    after = client.get(reverse("register:data_csv"), headers={"if-none-match": before})
    assert after.status_code == 200 and after["ETag"] != before
    assert "A new title" in content(after).decode()


def test_the_etag_changes_when_a_claim_is_verified_and_the_figures_recomputed(
    client, officer, partner_manager, published
):
    claim = factories.SavingsClaimFactory(
        initiative=published, submitted=True, financial_year=2025, gross_amount=Decimal("2000")
    )
    before = etag_of(client)
    reviewer = factories.UserFactory(member_of=[(published.lead, "manager")])
    claim_services.claim_decide(actor=reviewer, claim=claim, decision="verify")
    progress_services.progress_recompute_initiative(initiative_id=published.pk)
    after = client.get(reverse("register:data_csv"), headers={"if-none-match": before})
    assert after.status_code == 200 and after["ETag"] != before
    cells = dict(zip(*read_csv(after), strict=True))
    assert cells["verified_cash_2025_26"] == "10000.00"  # 9,000 + 2,000 less 1,000 costs


def test_a_publication_and_its_withdrawal_each_date_the_dataset_anew(
    client, council, manager, published
):
    url = reverse("register:data_csv")
    first = client.get(url)
    content(first)
    time.sleep(1.1)  # Last-Modified counts whole seconds
    other = factories.InitiativeFactory(lead=council, title="Published later")
    services.initiative_publish(actor=manager, initiative=other, publish=True)
    second = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert "Published later" in content(second).decode()
    time.sleep(1.1)
    services.initiative_publish(actor=manager, initiative=other, publish=False)
    # The same data as at first, so the same ETag; but dated after the copy a client holds.
    third = client.get(url, headers={"if-modified-since": second["Last-Modified"]})
    assert third.status_code == 200 and third["ETag"] == first["ETag"]
    assert "Published later" not in content(third).decode()


# The fields a register page shows: everything else is private.
PUBLIC_FIELDS = {
    Initiative: {"reference", "title", "summary"},
    Organisation: {"name", "gss_code"},
}


def _plant(instance, public, planted):
    """A distinctive value in every text field of `instance` that is not public (choices
    left alone: the register shows their labels), written straight to its row."""
    values = {}
    for field in instance._meta.concrete_fields:
        if (
            not isinstance(field, models.CharField | models.TextField)
            or field.choices
            or field.name in public
            or field.name == "password"
        ):
            continue
        token = f"zq{len(planted):05d}"
        if isinstance(field, models.EmailField):
            value = f"{token}@example.org"
        elif isinstance(field, models.URLField):
            value = f"https://{token}.example.org/"
        else:
            value = token
        values[field.name] = value[: field.max_length] if field.max_length else value
        planted.append(token)
    type(instance).objects.filter(pk=instance.pk).update(**values)


def _plant_everywhere(published, unpublished, planted):
    for initiative in (published, unpublished):
        _plant(initiative, PUBLIC_FIELDS[Initiative] if initiative is published else (), planted)
    for organisation in Organisation.objects.all():
        _plant(organisation, PUBLIC_FIELDS[Organisation], planted)
    _plant(factories.OrganisationFactory(name="zq-only-partner-of-an-unpublished-one"), (), planted)
    for model in (SavingsClaim, ClaimEvidence, User):
        for instance in model.objects.all():
            _plant(instance, (), planted)


def _private_figures(initiative):
    """The computed figures of an initiative that the register does not show (targets, and
    amounts claimed but not verified), each unlike any figure it shows."""
    progress = InitiativeProgress.objects.get(initiative=initiative)
    years = InitiativeYear.objects.filter(initiative=initiative)
    shown = {progress.verified, progress.verified_cash, progress.verified_non_cash}
    shown |= {y.verified_cash for y in years} | {y.verified_non_cash for y in years}
    private = {progress.target, progress.target_to_date, progress.claimed}
    private |= {y.target for y in years} | {y.claimed for y in years}
    return [str(amount) for amount in private - shown if amount]


def test_no_private_value_is_in_any_download_or_on_the_data_page(
    client, settings, tmp_path, council, published
):
    settings.MEDIA_ROOT = tmp_path
    unpublished = factories.InitiativeFactory(lead=council, targets={2025: "24680.13"})
    only_partner = factories.OrganisationFactory(name="Zq Only Partner Of An Unpublished One")
    factories.PartnershipFactory(initiative=unpublished, organisation=only_partner)
    factories.SavingsClaimFactory(
        initiative=unpublished,
        verified=True,
        gross_amount=Decimal("31415.92"),
        implementation_cost=Decimal(0),
    )
    progress_services.progress_recompute_initiative(initiative_id=unpublished.pk)
    factories.SavingsTargetFactory(initiative=published, financial_year=2026, amount="97531.86")
    # Claims of the published initiative that are not verified: their amounts are private.
    for status, amount in (
        ({}, "13579.24"),
        ({"submitted": True}, "11223.34"),
        ({"returned": True}, "55667.78"),
        ({"rejected": True}, "99887.76"),
    ):
        factories.SavingsClaimFactory(
            initiative=published,
            implementation_cost=Decimal("0"),
            gross_amount=Decimal(amount),
            **status,
        )
    factories.ClaimEvidenceFactory(claim=SavingsClaim.objects.filter(initiative=published)[0])
    factories.HistoryEntryFactory(owner=published, action="Targets set", reason="zq-history")
    progress_services.progress_recompute_initiative(initiative_id=published.pk)
    planted = ["zq-history", "zq only partner", "24680.13", "31415.92", "97531.86"]
    planted += ["13579.24", "11223.34", "55667.78", "99887.76"]
    _plant_everywhere(published, unpublished, planted)
    figures = _private_figures(published)  # targets, and claimed but not verified
    assert len(figures) >= 3
    planted += figures
    assert len(planted) > 40

    texts = {name: content(client.get(reverse(name))).decode().lower() for name in DOWNLOADS[2:]}
    texts["csv"] = content(client.get(reverse("register:data_csv"))).decode("utf-8-sig").lower()
    texts["xlsx"] = repr(read_xlsx(client.get(reverse("register:data_xlsx")))).lower()
    texts["page"] = client.get(reverse("register:data")).content.decode().lower()
    assert published.reference.lower() in texts["csv"]  # the published one is there
    for name, text in texts.items():
        found = [value for value in planted if value.lower() in text]
        assert not found, f"{name} shows private values: {found}"


def test_the_benchmark_finds_the_register_csv_in_constant_memory(council, partner_council):
    """At 500 initiatives and a tenth of them (both several of the benchmark's chunks), the
    same peak within the target; the initiatives it unpublished to measure are published again."""
    from collaborate.scale import opendata as bench

    bulk(500, council, partner_council)
    figures = bench.register_csv_memory_figures(say=lambda message: None)
    assert figures["register_csv_rows"] == 500
    assert figures["register_csv_memory_ratio"] <= 1.5, figures
    assert Initiative.objects.filter(published_at__isnull=False).count() == 500
