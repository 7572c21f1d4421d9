"""The shapes the claims endpoints read and write: output representations, and input checked for
shape only (initiatives.claims.services holds every rule)."""

from django.urls import reverse
from rest_framework import serializers

from collaborate.kit import api, uploads
from initiatives.models import ClaimEvidence, SavingsClaim


class ClaimInitiativeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


class ClaimantSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ClaimSerializer(serializers.ModelSerializer):
    initiative = ClaimInitiativeSerializer(read_only=True)
    claimant = ClaimantSerializer(read_only=True)
    net_amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    decided_at = serializers.DateTimeField(source="reviewed_at", read_only=True, allow_null=True)
    decided_by = serializers.SerializerMethodField(help_text="Who decided it, if anyone.")
    decision_note = serializers.CharField(source="review_note", read_only=True)
    is_adjustment = serializers.BooleanField(read_only=True)
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The claim this one corrects, if any."
    )
    evidence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SavingsClaim
        fields = [
            "id",
            "reference",
            "external_reference",
            "initiative",
            "claimant",
            "financial_year",
            "category",
            "kind",
            "recurrence",
            "gross_amount",
            "implementation_cost",
            "net_amount",
            "baseline_value",
            "baseline_year",
            "baseline_method",
            "budget_reference",
            "description",
            "evidence_text",
            "service_quality",
            "service_quality_statement",
            "status",
            "submitted_at",
            "decided_at",
            "decided_by",
            "decision_note",
            "is_adjustment",
            "corrects",
            "evidence_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_decided_by(self, claim) -> str | None:
        return str(claim.reviewed_by) if claim.reviewed_by_id else None


# The fields a client writes, with the model's own shape checks (types, choices, lengths). The
# rules (years open, amounts that add up, who may claim) are the service's.
WRITABLE = [
    "external_reference",
    "financial_year",
    "category",
    "kind",
    "recurrence",
    "gross_amount",
    "implementation_cost",
    "baseline_value",
    "baseline_year",
    "baseline_method",
    "budget_reference",
    "description",
    "evidence_text",
    "service_quality",
    "service_quality_statement",
]


class ClaimCreateSerializer(serializers.ModelSerializer):
    initiative = serializers.IntegerField(help_text="The initiative's id.")
    claimant = serializers.IntegerField(
        required=False,
        help_text="The organisation claiming; needed only by someone in more than one.",
    )
    creation_token = serializers.UUIDField(
        required=False,
        help_text="Makes a retried POST return the claim the first made (or send an "
        "Idempotency-Key header).",
    )

    class Meta:
        model = SavingsClaim
        fields = ["initiative", "claimant", "creation_token", *WRITABLE]
        validators = []  # uniqueness is the service's to say, at its field


class ClaimUpdateSerializer(serializers.ModelSerializer):
    version = api.VersionField()

    class Meta:
        model = SavingsClaim
        fields = ["version", *WRITABLE]
        validators = []


class ActionSerializer(serializers.Serializer):
    version = api.VersionField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CorrectionSerializer(serializers.Serializer):
    change = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Change to the net saving, negative to reduce."
    )
    description = serializers.CharField(max_length=5000)
    evidence_text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    service_quality_statement = serializers.CharField(
        required=False, allow_blank=True, max_length=2000
    )
    creation_token = serializers.UUIDField(required=False)


class EvidenceSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimEvidence
        fields = ["id", "file_name", "size", "content_type", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, item) -> str:
        return reverse("api:claim-evidence-detail", args=[item.claim_id, item.pk])


class BoundedFileField(serializers.FileField):
    """A file field that says so when the request was larger than the route takes: the upload
    handler then kept the file's name, none of its bytes (collaborate.kit.uploads)."""

    def to_internal_value(self, data):
        if isinstance(data, uploads.RefusedUpload):
            raise serializers.ValidationError(uploads.too_large_message(data.limit))
        return super().to_internal_value(data)


class EvidenceUploadSerializer(serializers.Serializer):
    file = BoundedFileField(help_text="One evidence file, checked by its content.")
