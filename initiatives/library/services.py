"""Every write to the practice library: adding a document, its file checked by content as claim
evidence is, and removing one. Each checks permission, runs in one transaction and is recorded
in the initiative's history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collaborate.kit import uploads
from initiatives import permissions
from initiatives.claims import evidence
from initiatives.models import PracticeDocument
from partners import history
from partners.permissions import require

REFUSED = (
    "Only officers and managers of the lead organisation, acting for it, can add or remove "
    "its documents."
)
# What the initiative's history shows of a new document.
FIELDS = ["kind", "title", "description", "visibility", "original_name"]


@transaction.atomic
def document_add(*, actor, initiative, acting_for, kind, title, visibility, file, description=""):
    """A document in the initiative's library. The file is checked by what it contains, as
    evidence is, before anything is written."""
    require(permissions.can_manage_documents(actor, initiative, acting_for), REFUSED)
    try:
        content_type = evidence.evidence_check(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}, code="file") from None
    document = PracticeDocument(
        initiative=initiative,
        kind=kind,
        title=title,
        description=description,
        visibility=visibility,
        file=file,
        original_name=evidence.display_name(file.name),
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.save()
    history.history_record(
        actor=actor,
        owner=initiative,
        action="Document added",
        subject=document.title,
        changes=history.changes_between({}, history.snapshot(document, FIELDS)),
    )
    return document


@transaction.atomic
def document_remove(*, actor, document, acting_for):
    """Take a document out of the library: its row stays, marked removed, for the history;
    its file is deleted once the removal commits."""
    current = (
        PracticeDocument.objects.select_for_update()
        .select_related("initiative")
        .get(pk=document.pk)
    )
    require(permissions.can_manage_documents(actor, current.initiative, acting_for), REFUSED)
    if current.removed:
        raise ValidationError("This document has been removed already.", code="removed")
    uploads.delete_on_commit(current.file)
    current.file = ""
    current.removed_at = timezone.now()
    current.removed_by = actor
    current.save(update_fields=["file", "removed_at", "removed_by"])
    history.history_record(
        actor=actor,
        owner=current.initiative,
        action="Document removed",
        subject=current.title,
        reason=f"{current.get_kind_display()}: {current.original_name}",
    )
    return current
