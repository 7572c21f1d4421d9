"""The API's progress endpoints: the savings dashboard's figures (/api/v1/progress/, with the
dashboard's filters, read by the dashboard's own form and selectors) and one initiative's
figures (/api/v1/initiatives/{id}/progress/, its page's progress panel). Both say when the
figures were computed and whether a recompute is waiting, so a client can tell stale figures."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives import selectors as initiative_selectors
from initiatives.models import Initiative, InitiativeProgress
from initiatives.progress import selectors
from initiatives.progress.forms import DashboardForm
from partners import permissions as partner_permissions
from partners.models import Organisation

MONEY = {"max_digits": 16, "decimal_places": 2, "read_only": True}
ERRORS = {
    401: OpenApiResponse(description="Not signed in: no session and no valid API token."),
    404: OpenApiResponse(description="Nothing the person may see here."),
    429: OpenApiResponse(description="Too many requests: try again later."),
}


class MeasuresSerializer(serializers.Serializer):
    target = serializers.DecimalField(**MONEY, help_text="All targets, in pounds.")
    to_date = serializers.DecimalField(**MONEY, help_text="Targets due by today, in pounds.")
    claimed = serializers.DecimalField(**MONEY, help_text="Submitted and verified claims.")
    verified = serializers.DecimalField(**MONEY, help_text="Verified savings.")
    verified_cash = serializers.DecimalField(**MONEY, help_text="Verified cash-releasing.")
    verified_non_cash = serializers.DecimalField(**MONEY, help_text="Verified non-cash-releasing.")
    percent = serializers.DecimalField(
        max_digits=16,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text="Verified as a percentage of the target to date; null with no target yet.",
    )


class HeadlineSerializer(MeasuresSerializer):
    computed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the newest of these figures was computed; null if never.",
    )


class YearRowSerializer(MeasuresSerializer):
    financial_year = serializers.IntegerField(read_only=True, help_text="2026 is 2026/27.")
    label = serializers.CharField(read_only=True)


class ModelRowSerializer(MeasuresSerializer):
    collaboration_model = serializers.ChoiceField(
        choices=Initiative.CollaborationModel.choices, read_only=True
    )
    label = serializers.CharField(read_only=True)


class AreaRowSerializer(MeasuresSerializer):
    service_area = serializers.ChoiceField(choices=Initiative.ServiceArea.choices, read_only=True)
    label = serializers.CharField(read_only=True)


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AtRiskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    rag = serializers.ChoiceField(choices=InitiativeProgress.Rag.choices, read_only=True)
    shortfall = serializers.DecimalField(**MONEY, help_text="Target to date less verified.")


class WithoutTargetsSerializer(serializers.Serializer):
    gaps = serializers.IntegerField(read_only=True, help_text="Running with no target set.")
    later = serializers.IntegerField(read_only=True, help_text="Targets expected later.")


class DashboardSerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer(
        read_only=True, allow_null=True, help_text="Whose figures; null for all organisations."
    )
    financial_year = serializers.IntegerField(read_only=True, allow_null=True)
    collaboration_model = serializers.ChoiceField(
        choices=[("", "Any"), *Initiative.CollaborationModel.choices], read_only=True
    )
    service_area = serializers.ChoiceField(
        choices=[("", "Any"), *Initiative.ServiceArea.choices], read_only=True
    )
    heading = serializers.CharField(read_only=True)
    pending = serializers.BooleanField(
        read_only=True, help_text="A recompute is waiting: the figures may be behind."
    )
    headline = HeadlineSerializer(read_only=True)
    by_financial_year = YearRowSerializer(many=True, read_only=True)
    by_collaboration_model = ModelRowSerializer(many=True, read_only=True)
    by_service_area = AreaRowSerializer(many=True, read_only=True)
    at_risk_count = serializers.IntegerField(read_only=True)
    at_risk = AtRiskSerializer(
        many=True, read_only=True, help_text="The first initiatives at risk."
    )
    without_targets = WithoutTargetsSerializer(read_only=True)


class InitiativeProgressSerializer(serializers.Serializer):
    initiative = serializers.IntegerField(read_only=True)
    computed = serializers.BooleanField(
        read_only=True, help_text="False until the figures are first computed (then all null)."
    )
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    pending = serializers.BooleanField(
        read_only=True, help_text="A recompute is waiting: the figures may be behind."
    )
    financial_year = serializers.IntegerField(read_only=True, help_text="The current year.")
    target_this_year = serializers.DecimalField(**MONEY, allow_null=True)
    target = serializers.DecimalField(**MONEY, allow_null=True)
    target_to_date = serializers.DecimalField(**MONEY, allow_null=True)
    claimed = serializers.DecimalField(**MONEY, allow_null=True)
    verified = serializers.DecimalField(**MONEY, allow_null=True)
    verified_cash = serializers.DecimalField(**MONEY, allow_null=True)
    verified_non_cash = serializers.DecimalField(**MONEY, allow_null=True)
    percent_verified = serializers.DecimalField(
        max_digits=16, decimal_places=1, read_only=True, allow_null=True
    )
    rag = serializers.ChoiceField(
        choices=InitiativeProgress.Rag.choices, read_only=True, allow_null=True
    )
    rule = serializers.CharField(read_only=True, help_text="How the RAG rating is decided.")


def _scope(request):
    """The dashboard's scope as the page reads it (initiatives.progress.views._scope): an
    organisation the user may not see is a 404, a malformed filter is ignored, and a user with
    no organisation to show gets a 404 (the page says there is none)."""
    user = request.user
    organisations = [m.organisation for m in partner_permissions.memberships_for_acting(request)]
    asked = request.GET.get("org", "")
    try:
        organisation = selectors.dashboard_organisation(
            user=user,
            asked=asked,
            organisations=organisations,
            acting=None if asked else partner_permissions.acting_membership(request),
        )
    except Organisation.DoesNotExist:
        raise Http404 from None
    can_see_all = partner_permissions.can_view_all_organisations_dashboard(user)
    if organisation is None and not can_see_all:
        raise Http404
    form = DashboardForm.for_dashboard(
        request.GET, organisation=organisation, organisations=organisations, can_see_all=can_see_all
    )
    return selectors.Scope(
        organisation=organisation,
        year=form.value("fy"),
        model=form.value("model") or "",
        area=form.value("area") or "",
    )


def dashboard_figures(scope):
    """What the dashboard's figures show, as data."""
    figures = selectors.figures(scope)
    organisation = scope.organisation
    return {
        "organisation": organisation and {"id": organisation.pk, "name": organisation.name},
        "financial_year": scope.year,
        "collaboration_model": scope.model,
        "service_area": scope.area,
        "heading": scope.heading,
        "pending": selectors.pending(scope),
        "headline": figures["headline"],
        "by_financial_year": figures["tables"]["years"],
        "by_collaboration_model": figures["tables"]["models"],
        "by_service_area": figures["tables"]["areas"],
        "at_risk_count": figures["at_risk_count"],
        "at_risk": [
            {
                "id": row.initiative_id,
                "reference": row.initiative.reference,
                "title": row.initiative.title,
                "rag": row.rag,
                "shortfall": row.shortfall,
            }
            for row in figures["at_risk"]
        ],
        "without_targets": figures["without_targets"],
    }


DASHBOARD_EXAMPLE = {
    "organisation": {"id": 7, "name": "Leeds City Council"},
    "financial_year": None,
    "collaboration_model": "",
    "service_area": "",
    "heading": "Leeds City Council: savings",
    "pending": False,
    "headline": {
        "target": "120000.00",
        "to_date": "60000.00",
        "claimed": "50000.00",
        "verified": "45000.00",
        "verified_cash": "30000.00",
        "verified_non_cash": "15000.00",
        "percent": "75.0",
        "computed_at": "2026-11-30T09:30:00Z",
    },
    "by_financial_year": [],
    "by_collaboration_model": [],
    "by_service_area": [],
    "at_risk_count": 0,
    "at_risk": [],
    "without_targets": {"gaps": 0, "later": 0},
}


class DashboardView(APIView):
    @extend_schema(
        operation_id="progress_dashboard",
        summary="The savings dashboard's figures",
        description="The figures the /dashboard/ page shows, for the organisation and filters "
        "asked (the person's own organisation by default; `org=all` for those who may see all "
        "organisations). An organisation the person may not see is a 404; a malformed filter "
        "is ignored, as on the page. `headline.computed_at` and `pending` say how fresh they are.",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, description="An organisation's id, or all."),
            OpenApiParameter("fy", OpenApiTypes.INT, description="A financial year (2026: 26/27)."),
            OpenApiParameter("model", OpenApiTypes.STR, enum=Initiative.CollaborationModel.values),
            OpenApiParameter("area", OpenApiTypes.STR, enum=Initiative.ServiceArea.values),
        ],
        responses={200: DashboardSerializer, **ERRORS},
        examples=[OpenApiExample("Figures", value=DASHBOARD_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        scope = _scope(request)
        return Response(DashboardSerializer(dashboard_figures(scope)).data)


def initiative_figures(initiative):
    panel = initiative_selectors.progress_panel(initiative)
    progress = panel.progress
    data = {
        "initiative": initiative.pk,
        "computed": progress is not None,
        "pending": panel.pending,
        "financial_year": panel.year,
        "target_this_year": panel.target_this_year,
        "rule": panel.rule,
    }
    names = ["target", "target_to_date", "claimed", "verified_cash", "verified_non_cash"]
    names += ["percent_verified", "rag", "computed_at"]
    for name in names:
        data[name] = getattr(progress, name) if progress is not None else None
    data["verified"] = progress.verified if progress is not None else None
    return data


class InitiativeProgressView(APIView):
    @extend_schema(
        operation_id="initiative_progress",
        summary="One initiative's figures",
        description="The figures of the initiative's progress panel; 404 if the person may not "
        "see the initiative. `computed_at` and `pending` say how fresh they are.",
        responses={200: InitiativeProgressSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Figures",
                response_only=True,
                value={
                    "initiative": 12,
                    "computed": True,
                    "computed_at": "2026-11-30T09:30:00Z",
                    "pending": False,
                    "financial_year": 2026,
                    "target_this_year": "40000.00",
                    "target": "120000.00",
                    "target_to_date": "60000.00",
                    "claimed": "50000.00",
                    "verified": "45000.00",
                    "verified_cash": "30000.00",
                    "verified_non_cash": "15000.00",
                    "percent_verified": "75.0",
                    "rag": "amber",
                    "rule": "Green at 90% of the target to date or more.",
                },
            )
        ],
    )
    def get(self, request, pk):
        initiative = get_object_or_404(
            initiative_selectors.initiatives_for_page(user=request.user), pk=pk
        )
        return Response(InitiativeProgressSerializer(initiative_figures(initiative)).data)


urlpatterns = [
    path("progress/", DashboardView.as_view(), name="progress-detail"),
    path(
        "initiatives/<int:pk>/progress/",
        InitiativeProgressView.as_view(),
        name="initiative-progress",
    ),
]
