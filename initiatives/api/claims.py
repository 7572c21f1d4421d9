"""/api/v1/claims/: savings claims, their submission, decisions, corrections and evidence. Read
through the /claims/ page's selector and FilterSet, written through initiatives.claims.services,
so the API shows and does nothing the pages would not."""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborate.kit import api, edits, uploads, web
from initiatives import selectors
from initiatives.api import serializers_claims as s
from initiatives.claims import evidence, filters, services
from initiatives.claims import selectors as claim_selectors
from initiatives.models import ClaimEvidence
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
    "A claim",
    response_only=True,
    value={
        "id": 31,
        "reference": "CLM-0031",
        "external_reference": "",
        "initiative": {"id": 12, "reference": "INI-0012", "title": "Shared revenues service"},
        "claimant": {"id": 8, "name": "Bradford Council"},
        "financial_year": 2025,
        "category": "cost_reduction",
        "kind": "cash_releasing",
        "recurrence": "recurring",
        "gross_amount": "15000.00",
        "implementation_cost": "0.00",
        "net_amount": "15000.00",
        "baseline_value": None,
        "baseline_year": None,
        "baseline_method": "",
        "budget_reference": "",
        "description": "Two teams became one.",
        "evidence_text": "",
        "service_quality": "maintained",
        "service_quality_statement": "Same response times.",
        "status": "submitted",
        "submitted_at": "2026-05-01T10:00:00Z",
        "decided_at": None,
        "decided_by": None,
        "decision_note": "",
        "is_adjustment": False,
        "corrects": None,
        "evidence_count": 1,
        "version": 3,
        "created_at": "2026-04-20T09:00:00Z",
        "updated_at": "2026-05-01T10:00:00Z",
    },
)
ACTION_EXAMPLE = OpenApiExample("Act", request_only=True, value={"version": 3, "note": ""})


def claims_for(request):
    """The claims this person may see, as the /claims/ page has them, with their evidence
    counted in the same query: by a subquery per claim, as a join and GROUP BY over every
    column of the claim and the five rows joined to it took PostgreSQL 17 ms to plan."""
    evidence = (
        ClaimEvidence.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return claim_selectors.claims_for_page(user=request.user).annotate(
        evidence_count=Coalesce(Subquery(evidence), 0)
    )


def visible(request, pk):
    """The claim if this user may see it; a 404 that reveals nothing otherwise."""
    return get_object_or_404(claims_for(request), pk=pk)


def current(request, pk):
    return s.ClaimSerializer(visible(request, pk)).data


def creation_token(request, given):
    """The token that makes a retried POST idempotent: the body's, else the Idempotency-Key
    header (a UUID as it is, anything else made one, per person)."""
    if given:
        return given
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    try:
        return uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"collaborate:{request.user.pk}:{key}")


def _evidence_at_file(error):
    """The service names the field `evidence` (the page's); the API's field is `file`."""
    messages = api.messages_of(error)
    if "evidence" in messages:
        messages["file"] = messages.pop("evidence")
    return Response(messages, status=status.HTTP_400_BAD_REQUEST)


class ClaimFilterSet(filters.ClaimFilterSet):
    """The claims page's FilterSet, showing every claim the person may see unless the query
    says `show=mine` (the page starts from "my open claims"; a client asks for all)."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("show") not in (filters.SHOW_MINE, filters.SHOW_ALL):
            data = data.copy()
            data["show"] = filters.SHOW_ALL
        super().__init__(data, *args, **kwargs)


class ClaimList(generics.ListAPIView):
    serializer_class = s.ClaimSerializer
    pagination_class = api.CursorPagination
    filterset_class = ClaimFilterSet
    ordering = "-pk"

    def get_queryset(self):
        return claims_for(self.request)

    @extend_schema(
        summary="Claims the person may see, filtered as on the claims page",
        responses={200: s.ClaimSerializer(many=True), **errors(400, 401, 429)},
        examples=[EXAMPLE],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Draft a claim (a retry with the same creation_token returns the first)",
        request=s.ClaimCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Instead of creation_token: the same key returns the same claim.",
            )
        ],
        responses={201: s.ClaimSerializer, **errors(400, 401, 403, 404, 429)},
        examples=[
            OpenApiExample(
                "New claim",
                request_only=True,
                value={
                    "initiative": 12,
                    "financial_year": 2025,
                    "category": "cost_reduction",
                    "kind": "cash_releasing",
                    "recurrence": "recurring",
                    "gross_amount": "15000.00",
                    "description": "Two teams became one.",
                    "service_quality": "maintained",
                    "service_quality_statement": "Same response times.",
                },
            ),
            EXAMPLE,
        ],
    )
    def post(self, request, *args, **kwargs):
        data = s.ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        initiative = get_object_or_404(
            selectors.initiatives_for_page(user=request.user), pk=fields.pop("initiative")
        )
        claimant_id = fields.pop("claimant", None)
        if claimant_id is None:
            own = list(partner_permissions.roles_of(request.user))
            if len(own) != 1:
                raise serializers.ValidationError({"claimant": ["Choose the claimant"]})
            claimant_id = own[0]
        claimant = Organisation.objects.filter(pk=claimant_id).first()
        if claimant is None:
            raise serializers.ValidationError({"claimant": ["Choose the claimant"]})
        claim = services.claim_create(
            actor=request.user,
            initiative=initiative,
            claimant=claimant,
            creation_token=creation_token(request, fields.pop("creation_token", None)),
            **fields,
        )
        return Response(current(request, claim.pk), status=status.HTTP_201_CREATED)


class ClaimDetail(APIView):
    serializer_class = s.ClaimSerializer

    @extend_schema(
        summary="One claim",
        responses={200: s.ClaimSerializer, **errors(401, 404, 429)},
        examples=[EXAMPLE],
    )
    def get(self, request, pk):
        return Response(current(request, pk))

    @extend_schema(
        summary="Change a draft or returned claim",
        request=s.ClaimUpdateSerializer,
        responses={200: s.ClaimSerializer, **errors(400, 401, 403, 404, 409, 429)},
        examples=[
            OpenApiExample(
                "A new amount", request_only=True, value={"gross_amount": "16000", "version": 3}
            ),
            EXAMPLE,
        ],
    )
    def patch(self, request, pk):
        claim = visible(request, pk)
        data = s.ClaimUpdateSerializer(claim, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["This field is required."]})
        try:
            services.claim_update(
                actor=request.user, claim=claim, expected_version=version, **fields
            )
        except edits.EditConflict as conflict:
            return api.conflict_response(conflict, current(request, pk))
        return Response(current(request, pk))


class _Action(APIView):
    """A button on the claim's page: {version, note?}; the claim as it is after."""

    def act(self, request, claim, note, version):
        raise NotImplementedError

    def post(self, request, pk):
        claim = visible(request, pk)
        data = s.ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            self.act(
                request, claim, data.validated_data.get("note", ""), data.validated_data["version"]
            )
        except edits.EditConflict as conflict:
            return api.conflict_response(conflict, current(request, pk))
        return Response(current(request, pk))


def _action(name, summary, act):
    @extend_schema(
        summary=summary,
        request=s.ActionSerializer,
        responses={200: s.ClaimSerializer, **errors(400, 401, 403, 404, 409, 429)},
        examples=[ACTION_EXAMPLE, EXAMPLE],
    )
    def post(self, request, pk):
        return _Action.post(self, request, pk)

    view = type(
        f"Claim{name.title()}",
        (_Action,),
        {"act": lambda self, *args: act(*args), "post": post},
    )
    return path(f"claims/<int:pk>/{name}/", view.as_view(), name=f"claim-{name}")


def _decide(decision):
    def act(request, claim, note, version):
        services.claim_decide(
            actor=request.user,
            claim=claim,
            decision=decision,
            note=note,
            expected_version=version,
        )

    return act


class ClaimCorrections(APIView):
    @extend_schema(
        summary="Draft an adjustment to a verified claim",
        request=s.CorrectionSerializer,
        responses={201: s.ClaimSerializer, **errors(400, 401, 403, 404, 429)},
        examples=[
            OpenApiExample(
                "Correct",
                request_only=True,
                value={"change": "-2500.00", "description": "A cost was missed."},
            ),
            EXAMPLE,
        ],
    )
    def post(self, request, pk):
        corrected = visible(request, pk)
        data = s.CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["creation_token"] = creation_token(request, fields.get("creation_token"))
        claim = services.claim_correct(actor=request.user, corrected=corrected, **fields)
        return Response(current(request, claim.pk), status=status.HTTP_201_CREATED)


EVIDENCE_EXAMPLE = OpenApiExample(
    "Evidence",
    response_only=True,
    value={
        "id": 4,
        "file_name": "budget.pdf",
        "size": 20480,
        "content_type": "application/pdf",
        "uploaded_at": "2026-05-01T10:00:00Z",
        "download_url": "/api/v1/claims/31/evidence/4/",
    },
)


class EvidenceList(APIView):
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        summary="The claim's evidence files",
        responses={200: s.EvidenceSerializer(many=True), **errors(401, 404, 429)},
        examples=[EVIDENCE_EXAMPLE],
    )
    def get(self, request, pk):
        claim = visible(request, pk)
        rows = claim.evidence_files.order_by("pk")
        return Response(s.EvidenceSerializer(rows, many=True).data)

    @extend_schema(
        summary="Add an evidence file (checked by its content as on the page)",
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer(many=True), **errors(400, 401, 403, 404, 429)},
        examples=[EVIDENCE_EXAMPLE],
    )
    def post(self, request, pk):
        claim = visible(request, pk)
        data = s.EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.claim_update(
                actor=request.user, claim=claim, evidence_files=[data.validated_data["file"]]
            )
        except ValidationError as error:
            return _evidence_at_file(error)
        rows = claim.evidence_files.order_by("pk")
        return Response(s.EvidenceSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class EvidenceDetail(APIView):
    @extend_schema(
        summary="Download an evidence file (recorded in the audit log)",
        responses={
            # As stored: the type its bytes showed when it was checked on upload.
            **{
                (200, content_type): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The file, as an attachment."
                )
                for content_type in sorted({kind for kind, _ in evidence.ACCEPTED.values()})
            },
            **errors(401, 404, 429),
        },
        examples=[OpenApiExample("File", response_only=True, value="(the file's bytes)")],
    )
    def get(self, request, pk, evidence_pk):
        claim = visible(request, pk)
        item = get_object_or_404(ClaimEvidence, pk=evidence_pk, claim=claim)
        file = services.evidence_download(
            actor=request.user, item=item, ip_address=web.client_ip(request)
        )
        response = FileResponse(
            file, as_attachment=True, filename=item.original_name, content_type=item.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        summary="Remove an evidence file from a draft or returned claim",
        responses={
            204: OpenApiResponse(description="Removed."),
            **errors(401, 403, 404, 429),
        },
        examples=[OpenApiExample("Removed", response_only=True, status_codes=["204"], value=None)],
    )
    def delete(self, request, pk, evidence_pk):
        claim = visible(request, pk)
        item = get_object_or_404(ClaimEvidence, pk=evidence_pk, claim=claim)
        services.evidence_remove(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("claims/", ClaimList.as_view(), name="claim-list"),
    path("claims/<int:pk>/", ClaimDetail.as_view(), name="claim-detail"),
    _action(
        "submit",
        "Submit a draft or returned claim for a decision",
        lambda request, claim, note, version: services.claim_submit(
            actor=request.user, claim=claim, expected_version=version
        ),
    ),
    _action(
        "withdraw",
        "Withdraw a submitted claim to draft",
        lambda request, claim, note, version: services.claim_withdraw(
            actor=request.user, claim=claim, expected_version=version
        ),
    ),
    _action("verify", "Verify a submitted claim", _decide("verify")),
    _action("return", "Return a submitted claim for revision (with a note)", _decide("return")),
    _action("reject", "Reject a submitted claim (with a note)", _decide("reject")),
    path("claims/<int:pk>/corrections/", ClaimCorrections.as_view(), name="claim-corrections"),
    # Takes files up to the evidence routes' limit, as the pages' upload does.
    path(
        "claims/<int:pk>/evidence/",
        uploads.accepts(uploads.EVIDENCE)(EvidenceList.as_view()),
        name="claim-evidence-list",
    ),
    path(
        "claims/<int:pk>/evidence/<int:evidence_pk>/",
        EvidenceDetail.as_view(),
        name="claim-evidence-detail",
    ),
]
