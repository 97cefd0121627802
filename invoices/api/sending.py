"""POST /invoices/{id}/send behind the sending gate, and GET /discovery: how a send would travel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices import customer_fields, errors, selectors, services
from invoices.api.serializers import UNPROCESSABLE_INVOICE, DeliverySerializer
from invoices.delivery.routing import choose_route
from invoices.models import Customer, DeliveryChannel, Invoice
from portal.api.errors import ErrorBody, details_for
from portal.api.permissions import HasApiKey, caller_of
from portal.api.schema import INVALID, NOT_FOUND, ErrorSerializer, error
from portal.api.serializers import FieldsBuiltOnce, RefuseUnknownFields
from signing.selectors import SendingDecision, sending_allowed

HOLDS = "organisation_not_verified"  # the one gate answer a signature opens by itself
UNKNOWN_RECEIVER = _(
    "The receiver does not use the portal and no PEPPOL id or e-mail address is known for it: "
    "ask again with its PEPPOL id, or add it as a customer with an e-mail address."
)


class ApiSendingBlocked(errors.SendingBlocked):
    """The gate's no as the API says it: where to sign, and whether the send waits for it."""

    def __init__(self, decision: SendingDecision, *, verify_url: str, held: bool) -> None:
        super().__init__(decision)
        self.verify_url = verify_url
        self.held = held


def gate_closed(request: Request, invoice: Invoice, decision: SendingDecision) -> ApiSendingBlocked:
    """Hold the send when a signature will open the gate; return the error to raise."""
    caller = caller_of(request)
    # A partner's key has no user to hold the send for: its organisation never signs.
    held = decision.code == HOLDS and caller.user is not None
    if held:
        # Released by pending_sends_release when a user of the organisation signs.
        services.pending_send_remember(user=caller.user, invoice=invoice, api_key=caller.api_key)
    verify_url = request.build_absolute_uri(reverse("signing:verify"))
    return ApiSendingBlocked(decision, verify_url=verify_url, held=held)


class SendingAllowed(BasePermission):
    """The sending gate (signing/gate.py) for API views, checked on the invoice to send.

    DRF authenticates the key inside the view, after SendingGateMiddleware has looked, so
    the gate is asked here; on the object, so another organisation's invoice is a 404 first.
    """

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        decision = sending_allowed(organisation=caller_of(request).organisation)
        if not decision.allowed:
            raise gate_closed(request, obj, decision)
        return True


@details_for("sending_blocked")
def gate_details(error: errors.SendingBlocked) -> ErrorBody:
    """The gate's own code in place of sending_blocked, where to sign, whether it is held."""
    if isinstance(error, ApiSendingBlocked):
        return {"code": error.decision.code, "verify_url": error.verify_url, "held": error.held}
    verify_url = settings.SITE_URL + reverse("signing:verify")
    return {"code": error.decision.code, "verify_url": verify_url, "held": False}


@details_for("possible_duplicate")
def duplicate_details(error: errors.PossibleDuplicate) -> ErrorBody:
    """The invoices already sent that this one may repeat."""
    return {"matches": DuplicateMatch(error.matches, many=True).data}


class SendInput(RefuseUnknownFields, serializers.Serializer[Any]):
    confirm_duplicate = serializers.BooleanField(
        default=False,
        help_text="Send even though it looks like an invoice already sent (409 otherwise).",
    )


class SendOutput(DeliverySerializer):
    """The invoice's live delivery (as the invoice shows it): the same however often sent."""

    invoice_id = serializers.UUIDField(source="invoice.public_id", read_only=True)
    invoice_number = serializers.CharField(
        source="invoice.number", read_only=True, help_text="Given when a draft is issued."
    )

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "invoice_id", "invoice_number"]
        read_only_fields = fields


class DuplicateMatch(FieldsBuiltOnce, serializers.ModelSerializer[Invoice]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "issue_date", "total_payable", "currency"]
        read_only_fields = fields


class GateError(ErrorSerializer):
    """403: the gate's code (organisation_not_verified, organisation_pending_review,
    organisation_suspended) with where to sign; or read_only_key, with neither."""

    verify_url = serializers.URLField(
        required=False, help_text="Where a user confirms the company with BankID."
    )
    held = serializers.BooleanField(
        required=False,
        help_text="The send waits and goes out by itself once a user of the organisation signs.",
    )


class DuplicateError(ErrorSerializer):
    matches = DuplicateMatch(many=True)


class InvoiceSendApi(APIView):
    permission_classes = [HasApiKey, SendingAllowed]

    @extend_schema(
        operation_id="invoice_send",
        request=SendInput,
        responses={
            202: SendOutput,
            403: error(
                "The gate: the organisation may not send now, or a read-only key.", GateError
            ),
            404: NOT_FOUND,
            409: error(
                "`possible_duplicate` (with `matches`), `no_channel` or `not_resendable`.",
                DuplicateError,
            ),
            422: error(
                "`invalid_request` (the body), or `invalid_invoice` (the invoice's findings).",
                UNPROCESSABLE_INVOICE,
            ),
        },
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        """Issue the invoice if it is a draft and send it; a second call changes nothing."""
        caller = caller_of(request)
        data = SendInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = selectors.invoice_to_act_on(organisation=caller.organisation, public_id=public_id)
        self.check_object_permissions(request, invoice)
        try:
            delivery = services.invoice_send(
                invoice=invoice,
                user=caller.user,
                confirm_duplicate=data.validated_data["confirm_duplicate"],
            )
        except errors.SendingBlocked as blocked:  # the gate closed since the check above
            raise gate_closed(request, invoice, blocked.decision) from None
        return Response(SendOutput(delivery).data, status=status.HTTP_202_ACCEPTED)


class DiscoveryQuery(serializers.Serializer[Any]):
    identifier = serializers.CharField(
        max_length=100,
        help_text="An org number (NNNNNN-NNNN or 10 digits), 0007:NNNNNNNNNN, or another "
        "PEPPOL participant id (scheme:id).",
    )

    def validate_identifier(self, value: str) -> dict[str, str]:
        if ":" not in value:
            return {"org_number": customer_fields.clean_org_number(value), "peppol_id": ""}
        peppol_id = customer_fields.clean_peppol_id(value)
        scheme, _sep, number = peppol_id.partition(":")
        # Sweden's scheme is the org number itself: the portal knows its members by it.
        org_number = customer_fields.clean_org_number(number) if scheme == "0007" else ""
        return {"org_number": org_number, "peppol_id": peppol_id}


class DiscoveryOutput(serializers.Serializer[Any]):
    identifier = serializers.CharField()
    reachable = serializers.BooleanField()
    channel = serializers.ChoiceField(
        choices=DeliveryChannel.choices,
        allow_null=True,
        help_text="network (the buyer's portal inbox), peppol or email; null: not reachable.",
    )
    reason = serializers.CharField(help_text="Why, in the request's language.")
    customer_id = serializers.IntegerField(
        allow_null=True, help_text="The customer in the register whose details decided, if any."
    )


class DiscoveryApi(APIView):
    @extend_schema(
        operation_id="discovery",
        parameters=[DiscoveryQuery],
        responses={200: DiscoveryOutput, 422: INVALID},
    )
    def get(self, request: Request) -> Response:
        """Say how an invoice to this receiver would travel today, by the send's own routing."""
        query = DiscoveryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        identifiers = query.validated_data["identifier"]
        customer = selectors.customer_for_receiver(
            organisation=caller_of(request).organisation, **identifiers
        )
        route = choose_route(customer)
        answer = {
            "identifier": identifiers["peppol_id"] or identifiers["org_number"],
            "reachable": route is not None,
            "channel": route.channel if route else None,
            "reason": str(route.reason) if route else _unreachable(customer),
            "customer_id": customer.pk,
        }
        return Response(DiscoveryOutput(answer).data)


def _unreachable(customer: Customer) -> str:
    if customer.pk is not None:  # a customer in the register: what to add to it
        return str(errors.NoChannel.message)
    return str(UNKNOWN_RECEIVER)
