"""Evidence in Office formats that can carry macros is refused, saying what is accepted; each
download of evidence is in the audit log: who, from where, which claim's file, for whom."""

import html
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from initiatives.claims import evidence, services
from initiatives.models import ClaimEvidence, SavingsClaim
from partners.models import AuditEvent
from tests.factories import CLAIM_DEFAULTS, make_claim
from tests.pages import assert_error_at_field

pytestmark = pytest.mark.django_db

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)  # Word, Excel and PowerPoint 97-2003
ZIP = b"PK\x03\x04" + bytes(1024)  # the macro-enabled formats are zip files like .docx

MACRO_FORMATS = [
    ("minutes.doc", OLE, "a Word 97-2003 document", ".docx"),
    ("budget.xls", OLE, "an Excel 97-2003 spreadsheet", ".xlsx"),
    ("slides.ppt", OLE, "a PowerPoint 97-2003 presentation", ".pptx"),
    ("minutes.docm", ZIP, "a macro-enabled Word document", ".docx"),
    ("budget.xlsm", ZIP, "a macro-enabled Excel spreadsheet", ".xlsx"),
    ("slides.pptm", ZIP, "a macro-enabled PowerPoint presentation", ".pptx"),
]
ACCEPTED = (
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument (.odt, .ods), CSV, "
    "PNG, JPEG, GIF or WebP"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("name, content, what, instead", MACRO_FORMATS)
def test_office_files_that_can_carry_macros_are_refused_naming_the_accepted_types(
    client, initiative, officer, media, name, content, what, instead
):
    client.force_login(officer)
    response = client.post(
        reverse("initiatives:claim_create", args=[initiative.pk]),
        {**CLAIM_DEFAULTS, "evidence": SimpleUploadedFile(name, content)},
    )
    assert_error_at_field(
        response,
        "evidence",
        f"{name} is {what}, which can carry macros. Save it as {instead} or PDF and upload "
        f"that: evidence must be a {ACCEPTED} file",
    )
    assert not SavingsClaim.objects.exists() and not ClaimEvidence.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_macro_file_among_good_ones_stores_none_of_them(client, initiative, officer, media):
    claim = make_claim(officer, initiative, initiative.lead)
    client.force_login(officer)
    response = client.post(
        reverse("claims:evidence_add", args=[claim.pk]),
        {
            "evidence": [
                SimpleUploadedFile("invoice.pdf", b"%PDF-1.7 the invoice"),
                SimpleUploadedFile("Budget.XLS", OLE),  # whatever the case of its name
            ]
        },
    )
    assert_error_at_field(response, "evidence", "Budget.XLS is an Excel 97-2003 spreadsheet")
    assert not claim.evidence_files.exists()


def test_the_form_says_which_types_are_accepted_before_anything_is_sent(
    client, initiative, officer
):
    client.force_login(officer)
    page = client.get(reverse("initiatives:claim_create", args=[initiative.pk]))
    text = html.unescape(page.content.decode())
    assert f"{ACCEPTED}, up to 10 MB in all." in text
    assert evidence.ACCEPTED_LIST == ACCEPTED
    assert not {".doc", ".xls", ".docm", ".xlsm", ".ppt", ".pptm"} & set(evidence.ACCEPTED)


def test_the_office_formats_still_accepted_are_the_ones_without_macros(initiative, officer, media):
    docx = SimpleUploadedFile("report.docx", open_xml_document())
    claim = make_claim(officer, initiative, initiative.lead, evidence_files=[docx])
    assert claim.evidence_files.get().content_type == evidence.ACCEPTED[".docx"][0]


def open_xml_document():
    """The smallest Word document filetype recognises: a zip holding word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


# --- each download is an audit event ------------------------------------------------------------


@pytest.fixture
def submitted(initiative, officer, media):
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 the invoice")],
    )
    services.claim_submit(actor=officer, claim=claim)
    return claim


def test_each_evidence_download_is_recorded_with_who_from_where_and_which_file(
    client, submitted, partner_officer, settings
):
    item = submitted.evidence_files.get()
    url = reverse("claims:evidence", args=[submitted.pk, item.pk])
    client.force_login(partner_officer)
    settings.PROXY_COUNT = 1  # behind the proxy, the address it saw is recorded
    for _ in range(2):
        response = client.get(
            url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
        )
        assert b"".join(response.streaming_content) == b"%PDF-1.4 the invoice"
    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_DOWNLOADED))
    assert len(events) == 2
    event = events[0]
    assert (event.actor_id, event.actor_email) == (partner_officer.pk, partner_officer.email)
    assert event.ip_address == "203.0.113.9"
    assert (event.organisation_id, event.organisation_name) == (
        submitted.claimant.pk,
        submitted.claimant.name,
    )
    assert event.detail == {
        "claim": submitted.reference,
        "file_name": "invoice.pdf",
        "evidence": item.pk,
    }


def test_a_download_refused_records_nothing(client, submitted, outsider):
    item = submitted.evidence_files.get()
    client.force_login(outsider)
    assert client.get(reverse("claims:evidence", args=[submitted.pk, item.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("claims:evidence", args=[submitted.pk, item.pk])).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_DOWNLOADED).exists()


def test_the_download_service_refuses_someone_who_cannot_see_the_claim(submitted, outsider):
    with pytest.raises(PermissionDenied):
        services.evidence_download(actor=outsider, item=submitted.evidence_files.get())
    assert not AuditEvent.objects.exists()
