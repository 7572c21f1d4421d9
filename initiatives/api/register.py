"""The API's public register: the published initiatives as /register/ lists them (its
filters), anonymously, a page at a time by cursor, and one of them by reference (404 unless
published). Each initiative is exactly what the open dataset publishes of it
(initiatives.opendata.dataset.json_object): no private field can reach the API that the open
data does not already show."""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response

from collaborate.kit import api
from initiatives import filters, selectors
from initiatives.opendata import dataset
from initiatives.opendata.selectors import entries_of

NUMBER = {"read_only": True, "allow_null": True}


class GssNameSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    gss_code = serializers.CharField(read_only=True, allow_null=True)


class YearSerializer(serializers.Serializer):
    financial_year = serializers.CharField(read_only=True, help_text='"2026/27"')
    cash_releasing = serializers.FloatField(read_only=True)
    non_cash_releasing = serializers.FloatField(read_only=True)


class LgaSerializer(serializers.Serializer):
    partnership_name = serializers.CharField(read_only=True)
    councils_involved = serializers.ListField(child=serializers.CharField(), read_only=True)
    service_category = serializers.CharField(read_only=True)
    region = serializers.ListField(child=serializers.CharField(), read_only=True)
    savings_to_date = serializers.FloatField(**NUMBER)


class RegisterEntrySerializer(serializers.Serializer):
    """Describes dataset.json_object (the open dataset's JSON), which makes the body."""

    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    lead_organisation = GssNameSerializer(read_only=True)
    partners = GssNameSerializer(many=True, read_only=True)
    collaboration_model = serializers.CharField(read_only=True)
    service_area = serializers.CharField(read_only=True)
    governance = serializers.CharField(read_only=True)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True)
    status = serializers.CharField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    start_year = serializers.IntegerField(read_only=True)
    planned_end_date = serializers.DateField(**NUMBER)
    verified_savings_to_date = serializers.FloatField(**NUMBER)
    verified_cash_releasing_to_date = serializers.FloatField(**NUMBER)
    verified_non_cash_releasing_to_date = serializers.FloatField(**NUMBER)
    verified_savings_by_financial_year = YearSerializer(many=True, read_only=True)
    figures_updated_at = serializers.DateTimeField(**NUMBER)
    register_url = serializers.URLField(read_only=True)
    lga_shared_services_map = LgaSerializer(read_only=True)

    def to_representation(self, instance):
        return dataset.json_object(instance, self.context["url_of"])


EXAMPLE = {
    "reference": "INI-2026-0001",
    "title": "Shared revenues and benefits service",
    "summary": "Three councils run one revenues and benefits service.",
    "lead_organisation": {"name": "Leeds City Council", "gss_code": "E08000035"},
    "partners": [{"name": "Leeds City Council", "gss_code": "E08000035"}],
    "collaboration_model": "Shared service",
    "service_area": "Revenues and benefits",
    "governance": "Joint committee",
    "regions": ["Yorkshire and The Humber"],
    "status": "Delivering",
    "start_date": "2026-04-01",
    "start_year": 2026,
    "planned_end_date": None,
    "verified_savings_to_date": 45000.0,
    "verified_cash_releasing_to_date": 30000.0,
    "verified_non_cash_releasing_to_date": 15000.0,
    "verified_savings_by_financial_year": [
        {"financial_year": "2026/27", "cash_releasing": 30000.0, "non_cash_releasing": 15000.0}
    ],
    "figures_updated_at": "2026-11-30T09:30:00Z",
    "register_url": "https://collaborate.example/register/INI-2026-0001/",
    "lga_shared_services_map": {
        "partnership_name": "Shared revenues and benefits service",
        "councils_involved": ["Leeds City Council"],
        "service_category": "Revenues and benefits",
        "region": ["Yorkshire and The Humber"],
        "savings_to_date": 45000.0,
    },
}


class RegisterFilterSet(filters.RegisterFilterSet):
    """The register's filters; `fy` typed for the schema (a year such as 2026)."""

    def filter_year(self, queryset, name, value: int):
        return super().filter_year(queryset, name, value)


TOO_MANY = {429: OpenApiResponse(description="Too many requests: try again later.")}


class Public:
    """Anyone may read the register; a token or session still counts for throttling."""

    permission_classes = [permissions.AllowAny]
    serializer_class = RegisterEntrySerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["url_of"] = lambda reference: self.request.build_absolute_uri(
            reverse("register:detail", args=[reference])
        )
        return context


@extend_schema_view(
    get=extend_schema(
        operation_id="register_list",
        summary="The public register",
        description="Published initiatives, with the /register/ page's filters, by reference, "
        "a page at a time (follow `next`). Anyone may read it.",
        responses={200: RegisterEntrySerializer(many=True), 400: OpenApiResponse(), **TOO_MANY},
        examples=[OpenApiExample("A page", value=EXAMPLE, response_only=True)],
    )
)
class RegisterList(Public, generics.ListAPIView):
    pagination_class = api.CursorPagination
    ordering = "reference"
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegisterFilterSet

    def get_queryset(self):
        return selectors.published_for_page()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(entries_of(page), many=True).data
        return self.get_paginated_response(data)


@extend_schema_view(
    get=extend_schema(
        operation_id="register_detail",
        summary="One published initiative",
        description="A published initiative by its reference; 404 unless published.",
        responses={
            200: RegisterEntrySerializer,
            404: OpenApiResponse(description="No published initiative has this reference."),
            **TOO_MANY,
        },
        examples=[OpenApiExample("An initiative", value=EXAMPLE, response_only=True)],
    )
)
class RegisterDetail(Public, generics.GenericAPIView):
    def get(self, request, reference):
        initiative = get_object_or_404(selectors.published_for_page(), reference=reference)
        return Response(self.get_serializer(entries_of([initiative])[0]).data)


urlpatterns = [
    path("register/", RegisterList.as_view(), name="register-list"),
    path("register/<str:reference>/", RegisterDetail.as_view(), name="register-detail"),
]
