"""GET /inbox, GET /inbox/{id} (.../ubl, .../pdf), POST /inbox/{id}/ack: what other members sent.

An invoice stays unacknowledged, and first in the list, until the ERP says it has stored it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation
from invoices import selectors, services
from invoices.models import ReceivedInvoice
from invoices.views.inbox import received_pdf_download, received_xml_download
from portal.api.downloads import FileNegotiation, file_responses
from portal.api.permissions import caller_of
from portal.api.schema import INVALID, NOT_FOUND, READ_ONLY
from portal.api.serializers import FieldsBuiltOnce


class SenderOutput(FieldsBuiltOnce, serializers.ModelSerializer[Organisation]):
    name = serializers.CharField(source="legal_name")

    class Meta:
        model = Organisation
        fields = ["org_number", "name", "vat_number"]
        read_only_fields = fields


class ReceivedOutput(FieldsBuiltOnce, serializers.ModelSerializer[ReceivedInvoice]):
    """A received invoice: its header, where to fetch it, and whether the ERP has stored it."""

    id = serializers.UUIDField(source="public_id")
    sender = SenderOutput()
    ubl_url = serializers.SerializerMethodField(help_text="The UBL exactly as it arrived.")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ReceivedInvoice
        fields = [
            "id",
            "kind",
            "number",
            "issue_date",
            "due_date",
            "currency",
            "total_payable",
            "sender",
            "received_at",
            "acknowledged_at",
            "handled_at",
            "ubl_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_ubl_url(self, received: ReceivedInvoice) -> str:
        return self._url("api:inbox_ubl", received)

    def get_pdf_url(self, received: ReceivedInvoice) -> str:
        return self._url("api:inbox_pdf", received)

    def _url(self, name: str, received: ReceivedInvoice) -> str:
        path = reverse(name, args=[received.public_id])
        return str(self.context["request"].build_absolute_uri(path))


class InboxQuery(serializers.Serializer[Any]):
    acknowledged = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="false: only those the ERP has not stored yet; true: only stored ones.",
    )


@extend_schema_view(
    get=extend_schema(
        operation_id="inbox_list",
        parameters=[InboxQuery],
        responses={200: ReceivedOutput(many=True), 422: INVALID},
    )
)
class InboxListApi(ListAPIView[ReceivedInvoice]):
    """The inbox, unacknowledged first, newest first."""

    serializer_class = ReceivedOutput

    def get_queryset(self) -> QuerySet[ReceivedInvoice]:
        query = InboxQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.received_by_acknowledgement(
            organisation=caller_of(self.request).organisation,
            acknowledged=query.validated_data["acknowledged"],
        )


def _received(request: Request, public_id: UUID) -> ReceivedInvoice:
    return selectors.received_get(organisation=caller_of(request).organisation, public_id=public_id)


class InboxDetailApi(APIView):
    @extend_schema(operation_id="inbox_retrieve", responses={200: ReceivedOutput, 404: NOT_FOUND})
    def get(self, request: Request, public_id: UUID) -> Response:
        received = _received(request, public_id)
        return Response(ReceivedOutput(received, context={"request": request}).data)


class InboxUblApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="inbox_ubl",
        responses=file_responses("application/xml", "The UBL exactly as it arrived."),
    )
    def get(self, request: Request, public_id: UUID) -> HttpResponse:
        return received_xml_download(_received(request, public_id))


class InboxPdfApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="inbox_pdf",
        responses=file_responses("application/pdf", "A printable PDF, in the request's language."),
    )
    def get(self, request: Request, public_id: UUID) -> HttpResponse:
        return received_pdf_download(_received(request, public_id))


class InboxAcknowledgeApi(APIView):
    @extend_schema(
        operation_id="inbox_acknowledge",
        request=None,
        responses={200: ReceivedOutput, 403: READ_ONLY, 404: NOT_FOUND},
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        """Say the ERP has stored the invoice; again changes nothing (the first time stands)."""
        received = _received(request, public_id)
        received = services.inbox_acknowledge(received=received, user=caller_of(request).user)
        return Response(ReceivedOutput(received, context={"request": request}).data)
