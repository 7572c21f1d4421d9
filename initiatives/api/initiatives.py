"""/api/v1/initiatives/ and each initiative's status, publication, partnerships, shares and
targets: read through the pages' selectors and FilterSet, written through initiatives.services,
so the API shows and does nothing the pages would not."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborate.kit import api, edits
from initiatives import filters, selectors, services
from initiatives.api import serializers_initiatives as s
from initiatives.models import Partnership
from partners import permissions as partner_permissions
from partners.models import Organisation

ERR = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description='Invalid input: {"field": ["msg"]}.'),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="May see it, may not do this."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Nothing the person may see here."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Changed since read: the current."),
    429: OpenApiResponse(OpenApiTypes.OBJECT, description="Too many requests."),
}


def errors(*codes):
    return {code: ERR[code] for code in codes}


EXAMPLE = OpenApiExample(
    "An initiative",
    response_only=True,
    value={
        "id": 12,
        "reference": "INI-0012",
        "title": "Shared revenues service",
        "summary": "One service for two councils.",
        "lead": {"id": 7, "name": "Leeds City Council"},
        "collaboration_model": "shared_service",
        "service_area": "revenues_benefits",
        "governance": "informal",
        "status": "live",
        "visibility": "public",
        "published": True,
        "start_date": "2025-04-01",
        "planned_end_date": None,
        "external_reference": "PRJ-0042",
        "setup_cost": "85000.00",
        "contract_months": None,
        "contract_break_points": "",
        "procurement_started_on": None,
        "contract_awarded_on": None,
        "live_since": None,
        "went_live_on": "2025-10-01",
        "ended_on": None,
        "health_check_months": 3,
        "version": 5,
        "url": "https://collaborate.example/initiatives/12/",
        "updated_at": "2026-05-01T10:00:00Z",
    },
)


def visible(request, pk):
    """The initiative if this user may see it; a 404 that reveals nothing otherwise."""
    return get_object_or_404(selectors.initiatives_for_page(user=request.user), pk=pk)


def current(request, pk):
    return s.InitiativeSerializer(visible(request, pk), context={"request": request}).data


class InitiativeFilterSet(filters.InitiativeFilterSet):
    """The initiatives page's FilterSet, its financial year typed for the schema (drf-spectacular
    reads the filter method's hint). Drop once initiatives/filters.py annotates `value: int`."""

    def filter_year(self, queryset, name, value: int):
        return super().filter_year(queryset, name, value)


class InitiativeList(generics.ListAPIView):
    serializer_class = s.InitiativeSerializer
    pagination_class = api.CursorPagination
    filterset_class = InitiativeFilterSet
    ordering = "-pk"

    def get_queryset(self):
        return selectors.initiatives_for_page(user=self.request.user)

    @extend_schema(
        summary="Initiatives the person may see, filtered as on the initiatives page",
        responses={200: s.InitiativeSerializer(many=True), **errors(400, 401, 429)},
        examples=[EXAMPLE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create an initiative",
        request=s.InitiativeCreateSerializer,
        responses={201: s.InitiativeSerializer, **errors(400, 401, 403, 429)},
        examples=[
            OpenApiExample(
                "New initiative",
                request_only=True,
                value={
                    "lead": 7,
                    "title": "Joint highways depot",
                    "collaboration_model": "shared_service",
                    "service_area": "highways",
                    "start_date": "2026-04-01",
                },
            ),
            EXAMPLE,
        ],
    )
    def post(self, request, *args, **kwargs):
        data = s.InitiativeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        lead_id = fields.pop("lead", None)
        if lead_id is None:
            own = list(partner_permissions.roles_of(request.user))
            if len(own) != 1:
                raise serializers.ValidationError({"lead": ["Choose the lead organisation"]})
            lead_id = own[0]
        lead = Organisation.objects.filter(pk=lead_id).first()
        if lead is None:
            raise serializers.ValidationError({"lead": ["Choose the lead organisation"]})
        initiative = services.initiative_create(actor=request.user, lead=lead, **fields)
        return Response(current(request, initiative.pk), status=status.HTTP_201_CREATED)


class InitiativeDetail(APIView):
    serializer_class = s.InitiativeSerializer

    @extend_schema(
        summary="One initiative",
        responses={200: s.InitiativeSerializer, **errors(401, 404, 429)},
        examples=[EXAMPLE],
    )
    def get(self, request, pk):
        return Response(current(request, pk))

    @extend_schema(
        summary="Change an initiative's details",
        request=s.InitiativeUpdateSerializer,
        responses={200: s.InitiativeSerializer, **errors(400, 401, 403, 404, 409, 429)},
        examples=[
            OpenApiExample("A new title", request_only=True, value={"title": "X", "version": 5}),
            OpenApiExample(
                "A contract's terms",
                request_only=True,
                value={
                    "setup_cost": "240000.00",
                    "contract_months": 84,
                    "contract_break_points": "After 3 and 5 years",
                    "procurement_started_on": "2024-01-15",
                    "contract_awarded_on": "2024-11-01",
                    "version": 5,
                },
            ),
            OpenApiExample(
                "Live before it was recorded here",
                request_only=True,
                value={"live_since": "2019-04-01", "version": 5},
            ),
            EXAMPLE,
        ],
    )
    def patch(self, request, pk):
        initiative = visible(request, pk)
        data = s.InitiativeUpdateSerializer(initiative, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["This field is required."]})
        try:
            services.initiative_update(
                actor=request.user, initiative=initiative, expected_version=version, **fields
            )
        except edits.EditConflict as conflict:
            return api.conflict_response(conflict, current(request, pk))
        return Response(current(request, pk))


class InitiativeStatus(APIView):
    @extend_schema(
        summary="Move the initiative to another status, saying why",
        request=s.StatusSerializer,
        responses={200: s.InitiativeSerializer, **errors(400, 401, 403, 404, 429)},
        examples=[
            OpenApiExample(
                "Go live", request_only=True, value={"status": "live", "reason": "Launched"}
            ),
            EXAMPLE,
        ],
    )
    def post(self, request, pk):
        initiative = visible(request, pk)
        data = s.StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.initiative_change_status(
            actor=request.user, initiative=initiative, **data.validated_data
        )
        return Response(current(request, pk))


class InitiativePublication(APIView):
    @extend_schema(
        summary="Publish on the public register, or withdraw from it",
        request=s.PublicationSerializer,
        responses={200: s.InitiativeSerializer, **errors(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("Publish", request_only=True, value={"published": True}), EXAMPLE],
    )
    def post(self, request, pk):
        initiative = visible(request, pk)
        data = s.PublicationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.initiative_publish(
            actor=request.user, initiative=initiative, publish=data.validated_data["published"]
        )
        return Response(current(request, pk))


PARTNERSHIP_EXAMPLE = OpenApiExample(
    "A partner",
    response_only=True,
    value={
        "id": 3,
        "organisation": {"id": 8, "name": "Bradford Council"},
        "share": "50.00",
        "active": True,
        "removed_on": None,
    },
)


class PartnershipList(APIView):
    @extend_schema(
        summary="The initiative's partners, active first, then those who left",
        responses={200: s.PartnershipSerializer(many=True), **errors(401, 404, 429)},
        examples=[PARTNERSHIP_EXAMPLE],
    )
    def get(self, request, pk):
        initiative = visible(request, pk)
        rows = selectors.partnerships_of(initiative)
        return Response(s.PartnershipSerializer(rows, many=True).data)

    @extend_schema(
        summary="Add a partner at a share of 0",
        request=s.PartnershipAddSerializer,
        responses={201: s.PartnershipSerializer, **errors(400, 401, 403, 404, 429)},
        examples=[
            OpenApiExample("Add", request_only=True, value={"organisation": 8}),
            PARTNERSHIP_EXAMPLE,
        ],
    )
    def post(self, request, pk):
        initiative = visible(request, pk)
        data = s.PartnershipAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = Organisation.objects.filter(pk=data.validated_data["organisation"]).first()
        if organisation is None:
            raise serializers.ValidationError({"organisation": ["Choose an organisation"]})
        try:
            partnership = services.partnership_add(
                actor=request.user, initiative=initiative, organisation=organisation
            )
        except ValidationError as error:
            # The service's refusals (inactive, already a partner) are about the organisation.
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError({"organisation": error.messages}) from None
        partnership = Partnership.objects.select_related("organisation").get(pk=partnership.pk)
        return Response(s.PartnershipSerializer(partnership).data, status=status.HTTP_201_CREATED)


class PartnershipDetail(APIView):
    @extend_schema(
        summary="Remove a partner (holding no share, and not the lead)",
        responses={204: None, **errors(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("Removed", response_only=True, status_codes=["204"], value=None)],
    )
    def delete(self, request, pk, partnership_pk):
        initiative = visible(request, pk)
        partnership = get_object_or_404(Partnership, pk=partnership_pk, initiative=initiative)
        services.partnership_remove(actor=request.user, partnership=partnership)
        return Response(status=status.HTTP_204_NO_CONTENT)


def shares_of(request, pk):
    initiative = visible(request, pk)
    active = [p for p in selectors.partnerships_of(initiative) if p.active]
    return {
        "version": initiative.version,
        "shares": [{"organisation": p.organisation_id, "share": p.savings_share} for p in active],
    }


SHARES_EXAMPLE = {"version": 5, "shares": [{"organisation": 7, "share": "100.00"}]}


class Shares(APIView):
    @extend_schema(
        summary="Each active partner's share of the savings",
        responses={200: s.SharesSerializer, **errors(401, 404, 429)},
        examples=[OpenApiExample("Shares", response_only=True, value=SHARES_EXAMPLE)],
    )
    def get(self, request, pk):
        return Response(s.SharesSerializer(shares_of(request, pk)).data)

    @extend_schema(
        summary="Set every active partner's share at once (they add up to 100)",
        request=s.SharesWriteSerializer,
        responses={200: s.SharesSerializer, **errors(400, 401, 403, 404, 409, 429)},
        examples=[OpenApiExample("Shares", value=SHARES_EXAMPLE)],
    )
    def put(self, request, pk):
        initiative = visible(request, pk)
        data = s.SharesWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shares = {row["organisation"]: row["share"] for row in data.validated_data["shares"]}
        try:
            services.shares_set(
                actor=request.user,
                initiative=initiative,
                shares=shares,
                expected_version=data.validated_data["version"],
            )
        except edits.EditConflict as conflict:
            return api.conflict_response(conflict, s.SharesSerializer(shares_of(request, pk)).data)
        return Response(s.SharesSerializer(shares_of(request, pk)).data)


def targets_of(request, pk):
    initiative = visible(request, pk)
    return {
        "version": initiative.version,
        "years": list(initiative.savings_years()),
        "targets": selectors.targets_of(initiative),
        "not_for_savings": initiative.not_for_savings,
        "not_for_savings_reason": initiative.not_for_savings_reason,
        "savings_expected_from": initiative.savings_expected_from,
    }


TARGETS_EXAMPLE = {
    "version": 5,
    "targets": [{"financial_year": 2025, "amount": "500000.00"}],
    "not_for_savings": False,
    "not_for_savings_reason": "",
    "savings_expected_from": None,
}


class Targets(APIView):
    @extend_schema(
        summary="The savings targets by financial year",
        responses={200: s.TargetsSerializer, **errors(401, 404, 429)},
        examples=[
            OpenApiExample(
                "Targets", response_only=True, value={**TARGETS_EXAMPLE, "years": [2025, 2026]}
            )
        ],
    )
    def get(self, request, pk):
        return Response(s.TargetsSerializer(targets_of(request, pk)).data)

    @extend_schema(
        summary="Set the savings targets (a year left out or null is cleared)",
        request=s.TargetsWriteSerializer,
        responses={200: s.TargetsSerializer, **errors(400, 401, 403, 404, 409, 429)},
        examples=[
            OpenApiExample("Targets", request_only=True, value=TARGETS_EXAMPLE),
            OpenApiExample(
                "Targets set",
                response_only=True,
                value={**TARGETS_EXAMPLE, "version": 6, "years": [2025, 2026]},
            ),
        ],
    )
    def put(self, request, pk):
        initiative = visible(request, pk)
        data = s.TargetsWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        # As the page's form: every year it may save in is sent, a blank one clearing it.
        targets = dict.fromkeys(initiative.savings_years())
        targets.update({row["financial_year"]: row["amount"] for row in given["targets"]})
        extra = {}
        if "savings_expected_from" in request.data:
            extra["savings_expected_from"] = given.get("savings_expected_from")
        try:
            services.targets_set(
                actor=request.user,
                initiative=initiative,
                targets=targets,
                not_for_savings=given["not_for_savings"],
                reason=given["not_for_savings_reason"],
                expected_version=given["version"],
                **extra,
            )
        except edits.EditConflict as conflict:
            return api.conflict_response(
                conflict, s.TargetsSerializer(targets_of(request, pk)).data
            )
        return Response(s.TargetsSerializer(targets_of(request, pk)).data)


urlpatterns = [
    path("initiatives/", InitiativeList.as_view(), name="initiative-list"),
    path("initiatives/<int:pk>/", InitiativeDetail.as_view(), name="initiative-detail"),
    path("initiatives/<int:pk>/status/", InitiativeStatus.as_view(), name="initiative-status"),
    path(
        "initiatives/<int:pk>/publication/",
        InitiativePublication.as_view(),
        name="initiative-publication",
    ),
    path(
        "initiatives/<int:pk>/partnerships/",
        PartnershipList.as_view(),
        name="initiative-partnerships",
    ),
    path(
        "initiatives/<int:pk>/partnerships/<int:partnership_pk>/",
        PartnershipDetail.as_view(),
        name="initiative-partnership-detail",
    ),
    path("initiatives/<int:pk>/shares/", Shares.as_view(), name="initiative-shares"),
    path("initiatives/<int:pk>/targets/", Targets.as_view(), name="initiative-targets"),
]
