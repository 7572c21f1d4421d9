"""The practice library: documents an initiative's lead offers other councils to reuse (a
memorandum of understanding, a business case, an agreement, an evaluation), each shown to the
partners only, to everyone signed in, or to everyone while the initiative is on the register."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborate.kit import uploads
from initiatives.models.initiatives import Initiative


def document_path(instance, filename):
    return uploads.stored_name("library", filename)


class PracticeDocument(models.Model):
    class Kind(models.TextChoices):
        MOU = "mou", "Memorandum of understanding"
        BUSINESS_CASE = "business_case", "Business case"
        AGREEMENT = "agreement", "Governance or partnership agreement"
        EVALUATION = "evaluation", "Evaluation"
        OTHER = "other", "Other"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private: the initiative's partners only"
        SHARED = "shared", "Shared with everyone signed in"
        PUBLIC = "public", "Public while the initiative is on the public register"

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    # Blank once the document is removed: its file is deleted, its row stays for history.
    file = models.FileField(upload_to=document_path, max_length=200, blank=True)
    original_name = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [
            models.Index(
                fields=["-uploaded_at", "-id"],
                name="document_current_newest",
                condition=Q(removed_at__isnull=True),
            ),
            models.Index(fields=["initiative", "visibility"], name="document_initiative"),
        ]

    def __str__(self):
        return self.title

    @property
    def removed(self):
        return self.removed_at is not None
