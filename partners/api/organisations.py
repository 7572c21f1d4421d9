"""/api/v1/organisations/: the directory for anyone signed in (as the directory page shows it,
through partners.selectors and OrganisationFilterSet); admins add and change organisations
through partners.services.organisations, as on the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from collaborate.kit import api, edits
from partners import permissions, selectors
from partners.filters import OrganisationFilterSet
from partners.models import Organisation
from partners.services import organisations as services

DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='Invalid input: each field\'s messages, as {"field": ["message"]}.',
)
READ_ERRORS = {
    401: OpenApiResponse(DETAIL, description="Not signed in, or the token is not valid."),
    429: OpenApiResponse(DETAIL, description="Too many requests; see Retry-After."),
}
EXAMPLE = {
    "id": 7,
    "name": "Leeds City Council",
    "short_name": "Leeds",
    "slug": "leeds-city-council",
    "sector": "public",
    "kind": "metropolitan_borough",
    "gss_code": "E08000035",
    "nation": "england",
    "region": "yorkshire",
    "website": "https://www.leeds.gov.uk",
    "active": True,
    "version": 3,
}


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", *services.ORGANISATION_FIELDS, "slug", "active", "version"]
        read_only_fields = fields


class OrganisationWriteSerializer(serializers.ModelSerializer):
    """The fields a client sends; only their shape is checked here, the service decides."""

    class Meta:
        model = Organisation
        fields = services.ORGANISATION_FIELDS
        extra_kwargs = {"gss_code": {"validators": []}}


class OrganisationUpdateSerializer(OrganisationWriteSerializer):
    version = api.VersionField()

    class Meta(OrganisationWriteSerializer.Meta):
        fields = [*services.ORGANISATION_FIELDS, "version"]

    def validate(self, attrs):
        if "version" not in attrs:
            raise serializers.ValidationError({"version": ["This field is required."]})
        return attrs


def _may_manage(request):
    permissions.require(permissions.can_manage_organisations(request.user))


@extend_schema_view(
    get=extend_schema(
        summary="List organisations",
        description="Active organisations unless `active` says otherwise; filter as the "
        "directory page does.",
        responses={
            200: OrganisationSerializer(many=True),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="A filter's value or the cursor is not valid."
            ),
            **READ_ERRORS,
        },
        examples=[OpenApiExample("An organisation", value=EXAMPLE, response_only=True)],
    ),
    post=extend_schema(
        summary="Add an organisation (admins)",
        request=OrganisationWriteSerializer,
        responses={
            201: OrganisationSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(DETAIL, description="Only admins add organisations."),
            **READ_ERRORS,
        },
        examples=[
            OpenApiExample(
                "New organisation",
                value={"name": "Harrogate Homes", "sector": "social", "kind": "charity"},
                request_only=True,
            ),
            OpenApiExample("Added", value=EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
)
class OrganisationList(generics.ListCreateAPIView):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    pagination_class = api.CursorPagination
    ordering = "pk"

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def create(self, request, *args, **kwargs):
        _may_manage(request)
        form = OrganisationWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        organisation = services.organisation_create(actor=request.user, **form.validated_data)
        return Response(OrganisationSerializer(organisation).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="One organisation",
        responses={
            200: OrganisationSerializer,
            404: OpenApiResponse(DETAIL, description="No such organisation you may see."),
            **READ_ERRORS,
        },
        examples=[OpenApiExample("An organisation", value=EXAMPLE, response_only=True)],
    ),
    patch=extend_schema(
        summary="Change an organisation (admins)",
        request=OrganisationUpdateSerializer,
        responses={
            200: OrganisationSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(DETAIL, description="Only admins change organisations."),
            404: OpenApiResponse(DETAIL, description="No such organisation you may see."),
            409: OpenApiResponse(
                inline_serializer(
                    "OrganisationConflict",
                    {"detail": serializers.CharField(), "current": OrganisationSerializer()},
                ),
                description="Changed since the version sent: the organisation as stored now.",
            ),
            **READ_ERRORS,
        },
        examples=[
            OpenApiExample(
                "Rename",
                value={"short_name": "Leeds CC", "version": 3},
                request_only=True,
            ),
            OpenApiExample("Changed", value={**EXAMPLE, "version": 4}, response_only=True),
        ],
    ),
)
class OrganisationDetail(generics.GenericAPIView):
    serializer_class = OrganisationSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.organisations_visible_to(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, pk):
        return Response(OrganisationSerializer(self.get_object()).data)

    def patch(self, request, pk):
        organisation = self.get_object()
        _may_manage(request)
        form = OrganisationUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        version = fields.pop("version")
        try:
            organisation = services.organisation_update(
                actor=request.user,
                organisation=organisation,
                expected_version=version,
                **fields,
            )
        except edits.EditConflict as conflict:
            current = Organisation.objects.get(pk=organisation.pk)
            return api.conflict_response(conflict, OrganisationSerializer(current).data)
        return Response(OrganisationSerializer(organisation).data)
