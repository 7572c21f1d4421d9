"""The practice library: uploading documents (checked like evidence), who sees and downloads
which, searching, removing, the initiative's Documents section, the register's documents and
query counts that do not grow with the library."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.claims import evidence
from initiatives.library import services
from initiatives.models import Initiative, PracticeDocument
from partners import history
from partners.permissions import ACTING_FOR_SESSION_KEY
from tests import factories
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a business case\n"
Visibility = PracticeDocument.Visibility


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="business-case.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def publish(initiative):
    initiative.visibility = Initiative.Visibility.PUBLIC
    initiative.published_at = timezone.now()
    initiative.save(update_fields=["visibility", "published_at"])


def add(initiative, actor, visibility=Visibility.SHARED, **fields):
    return services.document_add(
        actor=actor,
        initiative=initiative,
        acting_for=initiative.lead_id,
        **{
            "kind": PracticeDocument.Kind.BUSINESS_CASE,
            "title": "Business case",
            "visibility": visibility,
            "file": pdf(),
            **fields,
        },
    )


def upload_form(**fields):
    return {
        "kind": "business_case",
        "title": "Shared revenues business case",
        "description": "The case both cabinets approved.",
        "visibility": "shared",
        "file": pdf(),
        **fields,
    }


def stored_files(tmp_path):
    return [p for p in tmp_path.rglob("*") if p.is_file()]


# --- uploading ---------------------------------------------------------------------------------


def test_a_lead_officer_uploads_a_document_which_is_stored_with_its_checked_type(
    client, initiative, officer, tmp_path
):
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    response = client.post(url, upload_form(file=pdf("Case for sharing.pdf")))
    assert response.status_code == 302 and response["Location"] == url
    document = PracticeDocument.objects.get()
    assert (document.title, document.visibility, document.kind) == (
        "Shared revenues business case",
        "shared",
        "business_case",
    )
    assert document.original_name == "Case for sharing.pdf"
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.uploaded_by == officer
    assert document.file.name.startswith("library/")
    assert document.file.read() == PDF
    entry = history.history_of(initiative).get(action="Document added")
    assert entry.subject == "Shared revenues business case" and entry.actor == officer
    page = client.get(url)
    assert "Shared revenues business case" in text_of(page)
    assert "was added to the library" in text_of(page)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("case.pdf", b"just some text", "is named as a PDF but its content is not of that type"),
        ("case.docm", PDF, "which can carry macros"),
        ("case.exe", b"MZ\x90\x00", "must be a PDF, Word (.docx)"),
        ("case.pdf", b"", "The submitted file is empty"),
    ],
)
def test_a_file_evidence_would_refuse_is_refused_at_the_field_and_nothing_is_written(
    client, initiative, officer, tmp_path, name, content, message
):
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    response = client.post(url, upload_form(file=SimpleUploadedFile(name, content)))
    assert_error_at_field(response, "file", message)
    assert not PracticeDocument.objects.exists()
    assert not stored_files(tmp_path)
    assert not history.history_of(initiative).filter(action="Document added").exists()
    # What was typed is kept, so that only the file has to be chosen again.
    assert 'value="Shared revenues business case"' in response.content.decode()


def test_missing_fields_are_errors_at_their_fields(client, initiative, officer, tmp_path):
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    response = client.post(url, {"title": ""})
    for field, message in [
        ("kind", "Choose the kind of document"),
        ("title", "Enter a title"),
        ("visibility", "Choose who can see the document"),
        ("file", "Choose a file to upload"),
    ]:
        assert_error_at_field(response, field, message)
    assert not PracticeDocument.objects.exists()


def test_a_file_larger_than_evidence_may_be_is_refused(
    client, initiative, officer, tmp_path, monkeypatch
):
    monkeypatch.setattr(evidence, "MAX_SIZE", 100)
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    response = client.post(url, upload_form(file=pdf(content=PDF + b"x" * 200)))
    assert_error_at_field(response, "file", "must be smaller than 100")
    assert not PracticeDocument.objects.exists() and not stored_files(tmp_path)


def test_a_request_larger_than_the_route_takes_keeps_no_byte_of_the_file(
    client, initiative, officer, tmp_path, settings
):
    settings.EVIDENCE_UPLOAD_MAX_SIZE = 2000
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    response = client.post(url, upload_form(file=pdf(content=PDF + b"x" * 5000)))
    assert_error_at_field(response, "file", "must be smaller than 2")
    assert not PracticeDocument.objects.exists() and not stored_files(tmp_path)


def test_only_the_leads_officers_and_managers_acting_for_it_and_admins_add_documents(
    client, initiative, officer, manager, partner_officer, admin_user, council, other_council
):
    for allowed in (officer, manager, admin_user):
        add(initiative, allowed, title=f"By {allowed.full_name}")
    with pytest.raises(PermissionDenied):
        add(initiative, partner_officer)
    # An officer of the lead who acts for another of their organisations does it for that one.
    both = factories.UserFactory(member_of=[(council, "officer"), (other_council, "officer")])
    with pytest.raises(PermissionDenied):
        services.document_add(
            actor=both,
            initiative=initiative,
            acting_for=other_council.pk,
            kind="mou",
            title="Memorandum",
            visibility="private",
            file=pdf(),
        )
    client.force_login(both)
    session = client.session
    session[ACTING_FOR_SESSION_KEY] = other_council.pk
    session.save()
    url = reverse("initiatives:documents", args=[initiative.pk])
    assert client.post(url, upload_form()).status_code == 403
    assert 'id="document-add"' not in client.get(url).content.decode()
    client.force_login(partner_officer)
    assert client.post(url, upload_form()).status_code == 403
    assert PracticeDocument.objects.count() == 3


def test_the_documents_section_as_a_page_and_as_an_htmx_fragment(
    client, initiative, officer, partner_officer, outsider
):
    add(initiative, officer, title="The partnership agreement", visibility=Visibility.PRIVATE)
    url = reverse("initiatives:documents", args=[initiative.pk])
    client.force_login(partner_officer)
    page = client.get(url)
    assert page.status_code == 200
    assert_strict_page(page)
    assert "The partnership agreement" in text_of(page)
    assert 'aria-current="page"' in page.content.decode()
    assert 'id="document-add"' not in page.content.decode()  # a partner reads, the lead adds
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment["Vary"]
    assert "<html" not in fragment.content.decode()
    assert 'id="initiative-sections"' in fragment.content.decode()
    client.force_login(officer)
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- who sees what -----------------------------------------------------------------------------

EVERYONE = ("anonymous", "outsider", "partner officer", "lead officer", "lead manager", "admin")


@pytest.fixture
def person(people):
    return {
        "anonymous": None,
        "outsider": people.outsider,
        "partner officer": people.partner_officer,
        "lead officer": people.lead_officer,
        "lead manager": people.lead_manager,
        "admin": people.admin,
    }


def expected_visible(role, visibility, published):
    if role in ("partner officer", "lead officer", "lead manager", "admin"):
        return True
    if visibility == Visibility.PUBLIC:
        return published
    return visibility == Visibility.SHARED and role == "outsider"


@pytest.mark.parametrize("published", [True, False], ids=["published", "unpublished"])
@pytest.mark.parametrize("role", EVERYONE)
def test_each_person_sees_and_downloads_exactly_the_documents_they_may(
    client, people, person, role, published
):
    initiative = factories.make_partnered_initiative(
        people.lead_officer, people.lead, people.partner, manager=people.lead_manager
    )
    if published:
        publish(initiative)
    documents = {
        v: add(initiative, people.lead_officer, visibility=v, title=f"The {v} document")
        for v in Visibility.values
    }
    user = person[role]
    if user is not None:
        client.force_login(user)
    listed = text_of(client.get(reverse("library:list")))
    for visibility, document in documents.items():
        visible = expected_visible(role, visibility, published)
        assert (f"The {visibility} document" in listed) is visible, (role, visibility)
        response = client.get(reverse("library:download", args=[document.pk]))
        if visible:
            assert response.status_code == 200
            assert response["Content-Disposition"] == 'attachment; filename="business-case.pdf"'
            assert response["Content-Type"] == "application/pdf"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content) == PDF
        else:
            assert response.status_code == 404, (role, visibility)


def test_a_download_of_a_document_that_does_not_exist_is_a_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("library:download", args=[999999])).status_code == 404


def test_the_register_lists_an_initiatives_public_documents_only(client, initiative, officer):
    publish(initiative)
    for visibility in Visibility.values:
        add(initiative, officer, visibility=visibility, title=f"The {visibility} document")
    page = client.get(reverse("register:detail", args=[initiative.reference]))
    assert page.status_code == 200
    assert_strict_page(page)
    text = text_of(page)
    assert "The public document" in text
    assert "The shared document" not in text and "The private document" not in text
    public = PracticeDocument.objects.get(visibility=Visibility.PUBLIC)
    assert reverse("library:download", args=[public.pk]) in page.content.decode()
    assert reverse("library:list") in client.get(reverse("register:list")).content.decode()


# --- searching ---------------------------------------------------------------------------------


def test_the_library_searches_by_model_area_kind_and_text(client, people):
    waste = factories.InitiativeFactory(
        lead=people.lead,
        title="Joint waste collection",
        collaboration_model=Initiative.CollaborationModel.SHARED_SERVICE,
        service_area=Initiative.ServiceArea.WASTE,
    )
    legal = factories.InitiativeFactory(
        lead=people.lead,
        title="Legal practice",
        collaboration_model=Initiative.CollaborationModel.CAPACITY_EXCHANGE,
        service_area=Initiative.ServiceArea.LEGAL,
    )
    add(waste, people.admin, title="Waste business case", kind="business_case")
    add(waste, people.admin, title="Waste evaluation", kind="evaluation", description="Year one")
    add(legal, people.admin, title="Legal memorandum", kind="mou")
    client.force_login(people.outsider)

    def found(**query):
        response = client.get(reverse("library:list"), query)
        assert response.status_code == 200
        text = text_of(response)
        return {
            t for t in ("Waste business case", "Waste evaluation", "Legal memorandum") if t in text
        }

    assert found(model="capacity_exchange") == {"Legal memorandum"}
    assert found(area="waste") == {"Waste business case", "Waste evaluation"}
    assert found(kind="evaluation") == {"Waste evaluation"}
    assert found(q="memorandum") == {"Legal memorandum"}  # the title
    assert found(q="year ONE") == {"Waste evaluation"}  # the description
    assert found(q="waste collection") == {"Waste business case", "Waste evaluation"}
    assert found(area="waste", kind="business_case") == {"Waste business case"}
    assert found(q="nothing like it") == set()
    assert "3 documents" in text_of(client.get(reverse("library:list")))


def test_the_library_answers_htmx_with_its_results_only(client, initiative, officer):
    add(initiative, officer)
    client.force_login(officer)
    response = client.get(
        reverse("library:list"), {"kind": "business_case"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body
    assert "1 document" in html.unescape(body)


def test_a_filter_value_not_offered_is_an_error_not_a_failure(client):
    response = client.get(reverse("library:list"), {"kind": "spreadsheet", "q": "\x00"})
    assert response.status_code < 500


# --- removing ----------------------------------------------------------------------------------


def test_removing_a_document_keeps_its_record_and_history_and_deletes_its_file_on_commit(
    client, initiative, officer, manager, tmp_path, django_capture_on_commit_callbacks
):
    document = add(initiative, officer, title="Old business case")
    path = document.file.path
    client.force_login(manager)
    url = reverse("initiatives:document_remove", args=[initiative.pk, document.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert_strict_page(confirmation)
    assert "Remove this document from the library?" in text_of(confirmation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.removed and document.removed_by == manager and not document.file
    assert not stored_files(tmp_path) and path
    actions = list(history.history_of(initiative).values_list("action", "subject"))
    assert ("Document removed", "Old business case") in actions
    assert ("Document added", "Old business case") in actions
    client.force_login(officer)
    assert client.get(reverse("library:download", args=[document.pk])).status_code == 404
    assert "Old business case" not in text_of(client.get(reverse("library:list")))
    # Removed already: nothing to confirm (it is no longer one of the initiative's documents).
    client.force_login(manager)
    assert client.get(url).status_code == 404


def test_a_removal_that_rolls_back_keeps_the_file(initiative, officer, tmp_path):
    document = add(initiative, officer)
    services.document_remove(actor=officer, document=document, acting_for=initiative.lead_id)
    # Inside the test's transaction nothing commits: the file is still there.
    assert stored_files(tmp_path)


def test_a_partner_cannot_remove_a_document(client, initiative, officer, partner_officer):
    document = add(initiative, officer, visibility=Visibility.PRIVATE)
    url = reverse("initiatives:document_remove", args=[initiative.pk, document.pk])
    client.force_login(partner_officer)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.document_remove(
            actor=partner_officer, document=document, acting_for=initiative.lead_id
        )
    document.refresh_from_db()
    assert not document.removed


# --- query counts --------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _documents(initiatives, author, count):
    for n in range(count):
        initiative = initiatives[n % len(initiatives)]
        visibility = Visibility.values[(n // 3) % 3]
        factories.PracticeDocumentFactory(
            initiative=initiative, uploaded_by=author, visibility=visibility
        )


@pytest.mark.parametrize("role", ["anonymous", "outsider", "partner officer", "admin"])
def test_the_library_list_costs_the_same_queries_at_n_and_ten_n_documents(
    client, people, person, role, django_assert_num_queries
):
    initiatives = [
        factories.make_partnered_initiative(
            people.lead_officer, people.lead, people.partner, manager=people.lead_manager
        )
        for _ in range(3)
    ]
    publish(initiatives[0])
    if person[role] is not None:
        client.force_login(person[role])
    url = reverse("library:list")
    _documents(initiatives, people.lead_officer, 9)
    expected = _queries(client, url)
    _documents(initiatives, people.lead_officer, 81)
    with django_assert_num_queries(expected):
        client.get(url)
    assert expected == LIST_QUERIES[role]


# The count and the page; signed in, also the session, the user and their memberships (the
# header's organisation switcher, and what they may see).
LIST_QUERIES = {"anonymous": 2, "outsider": 6, "partner officer": 6, "admin": 5}


def test_the_documents_section_costs_the_same_queries_at_n_and_ten_n_documents(
    client, initiative, officer, django_assert_num_queries
):
    client.force_login(officer)
    url = reverse("initiatives:documents", args=[initiative.pk])
    _documents([initiative], officer, 3)
    expected = _queries(client, url)
    _documents([initiative], officer, 30)
    with django_assert_num_queries(expected):
        client.get(url)
