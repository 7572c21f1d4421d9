"""The shapes the initiatives endpoints read and write: output representations and input checked
for shape only (the services in initiatives.services hold every rule)."""

from rest_framework import serializers

from collaborate.kit import api
from initiatives import services
from initiatives.models import Initiative, Partnership, SavingsTarget


class LeadSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class InitiativeSerializer(serializers.ModelSerializer):
    lead = LeadSerializer(read_only=True)
    published = serializers.BooleanField(source="is_published", read_only=True)
    url = serializers.SerializerMethodField(help_text="The initiative's page.")

    class Meta:
        model = Initiative
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "lead",
            "collaboration_model",
            "service_area",
            "governance",
            "status",
            "visibility",
            "published",
            "start_date",
            "planned_end_date",
            "external_reference",
            *services.COMPARISON_FIELDS,
            "went_live_on",
            "ended_on",
            "health_check_months",
            "accepts_interest",
            "version",
            "url",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "went_live_on": {
                "help_text": "The day its status first became live, recorded by the status "
                "change (null for an arrangement live before it was recorded: see live_since)."
            },
            "ended_on": {"help_text": "The day it was stopped or closed."},
        }

    def get_url(self, initiative) -> str:
        request = self.context.get("request")
        path = initiative.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class InitiativeWriteSerializer(serializers.ModelSerializer):
    """The editable fields; shape only."""

    class Meta:
        model = Initiative
        fields = services.EDITABLE_FIELDS
        extra_kwargs = {
            "external_reference": {"validators": []},
            "live_since": {
                "help_text": "Only for an arrangement live before it was recorded here: refused "
                "once went_live_on is recorded, in the future, before the start date, or while "
                "the initiative is proposed or in design."
            },
        }


class InitiativeCreateSerializer(InitiativeWriteSerializer):
    lead = serializers.IntegerField(
        required=False,
        help_text="The lead organisation's id; may be left out by a member of one organisation.",
    )

    class Meta(InitiativeWriteSerializer.Meta):
        fields = ["lead", *services.EDITABLE_FIELDS]
        validators = []


class InitiativeUpdateSerializer(InitiativeWriteSerializer):
    version = api.VersionField()

    class Meta(InitiativeWriteSerializer.Meta):
        fields = [*services.EDITABLE_FIELDS, "version"]
        validators = []


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Initiative.Status.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class PublicationSerializer(serializers.Serializer):
    published = serializers.BooleanField()


class PartnershipSerializer(serializers.ModelSerializer):
    organisation = LeadSerializer(read_only=True)
    share = serializers.DecimalField(
        source="savings_share", max_digits=5, decimal_places=2, read_only=True
    )
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Partnership
        fields = ["id", "organisation", "share", "active", "removed_on"]
        read_only_fields = fields


class PartnershipAddSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="The organisation's id.")


class ShareSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2)


class SharesSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    shares = ShareSerializer(many=True, read_only=True)


class SharesWriteSerializer(serializers.Serializer):
    version = api.VersionField()
    shares = ShareSerializer(many=True)


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavingsTarget
        fields = ["financial_year", "amount"]
        read_only_fields = fields


class TargetWriteSerializer(serializers.Serializer):
    financial_year = serializers.IntegerField(help_text="2026 is 2026/27.")
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class TargetsSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    years = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Years a target may be set."
    )
    targets = TargetSerializer(many=True, read_only=True)
    not_for_savings = serializers.BooleanField(read_only=True)
    not_for_savings_reason = serializers.CharField(read_only=True)
    savings_expected_from = serializers.IntegerField(read_only=True, allow_null=True)


class TargetsWriteSerializer(serializers.Serializer):
    version = api.VersionField()
    targets = TargetWriteSerializer(many=True)
    not_for_savings = serializers.BooleanField(required=False, default=False)
    not_for_savings_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    savings_expected_from = serializers.IntegerField(required=False, allow_null=True)
