"""Invoices over the API: create (JSON or UBL), list, read, download, delete, credit.

Sending is invoices/api/sending.py's. Every view reads through a selector that takes the
key's organisation (another organisation's invoice is a 404) and writes through a service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices import errors, selectors, services
from invoices.api.serializers import (
    UNPROCESSABLE_INVOICE,
    CreditInputSerializer,
    DraftChangeSerializer,
    InvoiceInputSerializer,
    InvoiceSerializer,
    InvoiceSummarySerializer,
)
from invoices.models import Invoice
from invoices.services.api_drafts import (
    credit_note_create_checked,
    invoice_create_checked,
    invoice_import_checked,
    invoice_update_checked,
)
from invoices.views.documents import pdf_download, xml_download
from portal.api.downloads import FileNegotiation, file_responses
from portal.api.errors import ErrorBody, details_for
from portal.api.pagination import UpdatedCursorPagination
from portal.api.parsers import CappedJSONParser, UblParser, UblTextParser
from portal.api.permissions import caller_of
from portal.api.schema import INVALID, NOT_FOUND, READ_ONLY, error
from portal.prefetch import remember_related

INVALID_INVOICE = error(
    "`invalid_request`: the fields that are wrong, in `errors`; or `invalid_invoice`: the "
    "validator's fatal findings, in `errors`. Nothing was stored.",
    UNPROCESSABLE_INVOICE,
)
CREATE_ERRORS = {
    400: error("`malformed_request`: the JSON or XML cannot be read (or is unsafe XML)."),
    403: READ_ONLY,
    413: error("`payload_too_large`: the body is over 20 MB."),
    415: error("`unsupported_media_type`: send application/json, application/xml or text/xml."),
    422: INVALID_INVOICE,
}


@details_for("invoice_invalid", "import_rejected")
def findings_details(error: errors.InvoiceInvalid) -> ErrorBody:
    """Answer with the findings, one code for both ways in: the invoice is not valid."""
    language = get_language() or "sv"
    return {
        "code": "invalid_invoice",
        "errors": [finding.as_json(language) for finding in error.findings],
    }


class InvoiceFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Invoice.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices, required=False)
    customer = serializers.IntegerField(required=False, help_text="A customer's id.")
    number = serializers.CharField(max_length=30, required=False)
    updated_after = serializers.DateTimeField(
        required=False, help_text="ISO 8601, e.g. 2026-11-02T08:00:00Z: changed since then."
    )


class ImportQuerySerializer(serializers.Serializer[Any]):
    external_id = serializers.CharField(max_length=100, required=False, default="")


def _invoice_response(invoice: Invoice, created: bool) -> Response:
    if created:
        # Made by this request: a draft with no deliveries and no history yet.
        remember_related(invoice, "deliveries", [])
        remember_related(invoice, "events", [])
    else:
        # Made by an earlier request: read it with what the full answer shows.
        invoice = selectors.invoice_get(
            organisation=invoice.organisation, public_id=invoice.public_id
        )
    return Response(
        InvoiceSerializer(invoice).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class InvoicesApi(ListAPIView[Invoice]):
    """GET /invoices (oldest change first, cursor pages) and POST /invoices."""

    serializer_class = InvoiceSummarySerializer
    pagination_class = UpdatedCursorPagination
    parser_classes = [CappedJSONParser, UblParser, UblTextParser]

    def get_queryset(self) -> Any:
        filters = InvoiceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        return selectors.invoice_list(
            organisation=caller_of(self.request).organisation,
            status=given.get("status", ""),
            kind=given.get("kind", ""),
            customer_id=given.get("customer"),
            number=given.get("number", ""),
            updated_after=given.get("updated_after"),
        )

    @extend_schema(
        parameters=[InvoiceFilterSerializer],
        responses={200: InvoiceSummarySerializer(many=True), 422: INVALID},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a draft invoice from JSON, or from a UBL Invoice/CreditNote",
        description=(
            "JSON (`application/json`): the fields below. UBL (`application/xml` or "
            "`text/xml`): an Invoice or CreditNote whose seller is your organisation; the "
            "draft keeps the file's number, which must be new in your organisation "
            "(`number_taken`), and another seller is `seller_mismatch` (422). With an "
            "`external_id` used before, the answer is 200 and the invoice made the first time."
        ),
        request={
            "application/json": InvoiceInputSerializer,
            "application/xml": OpenApiTypes.BINARY,
            "text/xml": OpenApiTypes.BINARY,
        },
        parameters=[
            OpenApiParameter(
                "external_id",
                OpenApiTypes.STR,
                description="Your own id for a UBL body (JSON bodies carry it as a field).",
            )
        ],
        responses={
            201: InvoiceSerializer,
            200: OpenApiResponse(InvoiceSerializer, description="The external id was used."),
            **CREATE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        caller = caller_of(request)
        if isinstance(request.data, bytes):
            query = ImportQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            invoice, created = invoice_import_checked(
                organisation=caller.organisation,
                user=caller.user,
                data=request.data,
                external_id=query.validated_data["external_id"],
            )
            return _invoice_response(invoice, created)
        if request.content_type.startswith((UblParser.media_type, UblTextParser.media_type)):
            raise exceptions.ParseError(_("The body is empty."))
        serializer = InvoiceInputSerializer(
            data=request.data, context={"organisation": caller.organisation}
        )
        serializer.is_valid(raise_exception=True)
        invoice, created = invoice_create_checked(
            organisation=caller.organisation, user=caller.user, **serializer.service_arguments()
        )
        return _invoice_response(invoice, created)


class InvoiceApi(APIView):
    """GET /invoices/{id}; PATCH and DELETE /invoices/{id} (drafts only)."""

    parser_classes = [CappedJSONParser]

    @extend_schema(responses={200: InvoiceSerializer, 404: NOT_FOUND})
    def get(self, request: Request, public_id: UUID) -> Response:
        invoice = selectors.invoice_get(
            organisation=caller_of(request).organisation, public_id=public_id
        )
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(
        summary="Change a draft",
        description=(
            "The fields given replace the draft's; `lines` or `allowances_charges` replace "
            "all of them. A due date you do not send stays as it is. A change that would make "
            "the draft invalid is refused (422 `invalid_invoice`) and the draft stays as it was."
        ),
        request=DraftChangeSerializer,
        responses={
            200: InvoiceSerializer,
            **CREATE_ERRORS,
            404: NOT_FOUND,
            409: error("`not_a_draft`: an issued invoice is kept; credit it instead."),
        },
    )
    def patch(self, request: Request, public_id: UUID) -> Response:
        caller = caller_of(request)
        invoice = selectors.invoice_get(organisation=caller.organisation, public_id=public_id)
        serializer = DraftChangeSerializer(
            data=request.data, context={"organisation": caller.organisation}
        )
        serializer.is_valid(raise_exception=True)
        invoice = invoice_update_checked(
            invoice=invoice, user=caller.user, changes=serializer.changes()
        )
        return Response(InvoiceSerializer(invoice).data)

    @extend_schema(
        responses={
            204: None,
            403: READ_ONLY,
            404: NOT_FOUND,
            409: error("`not_a_draft`: an issued invoice is kept; credit it instead."),
        }
    )
    def delete(self, request: Request, public_id: UUID) -> Response:
        caller = caller_of(request)
        invoice = selectors.invoice_get(organisation=caller.organisation, public_id=public_id)
        services.invoice_delete(invoice=invoice, user=caller.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvoiceFileApi(APIView):
    """GET one of the invoice's files; subclasses say which."""

    content_negotiation_class = FileNegotiation
    download: Callable[[Invoice], HttpResponse]

    def get(self, request: Request, public_id: UUID) -> HttpResponse:
        organisation = caller_of(request).organisation
        return type(self).download(
            selectors.invoice_get(organisation=organisation, public_id=public_id)
        )


@extend_schema(
    responses=file_responses("application/xml", "The UBL: frozen once issued, built for drafts.")
)
class InvoiceUblApi(InvoiceFileApi):
    download = staticmethod(xml_download)


@extend_schema(
    responses=file_responses(
        "application/pdf", "The PDF in the request's language; a draft is marked as one."
    )
)
class InvoicePdfApi(InvoiceFileApi):
    download = staticmethod(pdf_download)


class InvoiceCreditApi(APIView):
    """POST /invoices/{id}/credit: a draft credit note (not sent: POST .../send sends it)."""

    parser_classes = [CappedJSONParser]

    @extend_schema(
        summary="Draft a credit note for an issued invoice",
        description=(
            "An empty body credits the invoice in full; `lines` (and dates, notes) replace "
            "what the credit note says. Quantities are positive: the credit note reverses them."
        ),
        request=CreditInputSerializer,
        responses={
            201: InvoiceSerializer,
            200: OpenApiResponse(InvoiceSerializer, description="The external id was used."),
            **CREATE_ERRORS,
            404: NOT_FOUND,
            409: error("`not_creditable`: only an issued invoice can be credited."),
        },
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        caller = caller_of(request)
        invoice = selectors.invoice_get(organisation=caller.organisation, public_id=public_id)
        serializer = CreditInputSerializer(data=request.data, context={"allow_negative": False})
        serializer.is_valid(raise_exception=True)
        credit_note, created = credit_note_create_checked(
            invoice=invoice,
            user=caller.user,
            changes=serializer.changes(),
            external_id=serializer.validated_data["external_id"],
        )
        return _invoice_response(credit_note, created)
