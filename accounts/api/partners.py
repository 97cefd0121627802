"""/partner/organisations: a partner connects, lists and disconnects its organisations.

Only a partner key reaches these endpoints; an organisation's key gets 403
`partner_key_required` (the endpoints are public knowledge, so a 404 would hide nothing).
Every read goes through accounts.selectors_partners, which takes the partner: a number the
partner does not hold is a 404, whoever holds it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import errors_partners as partner_errors
from accounts import services
from accounts.models import NetworkRegistration, Organisation
from accounts.numbers import (
    InvalidNumber,
    parse_bankgiro,
    parse_bic,
    parse_iban,
    parse_org_number,
    parse_plusgiro,
)
from accounts.selectors_partners import partner_registration_get, partner_registration_list
from portal.api.errors import DOMAIN_STATUS, ErrorBody, details_for
from portal.api.permissions import IsPartner, partner_caller_of
from portal.api.schema import NOT_FOUND, ErrorSerializer, error
from portal.api.serializers import FieldsBuiltOnce, RefuseUnknownFields
from portal.http import client_ip
from signing.selectors import sending_allowed

# The statuses of the partner errors (the API's default for a domain error is 409).
DOMAIN_STATUS.update(
    {
        partner_errors.NotInRegister.code: status.HTTP_422_UNPROCESSABLE_ENTITY,
        partner_errors.RegisterDown.code: status.HTTP_503_SERVICE_UNAVAILABLE,
        partner_errors.PartnerSuspended.code: status.HTTP_403_FORBIDDEN,
    }
)


@details_for(partner_errors.NumberHeldElsewhere.code)
def holder_details(error: Any) -> ErrorBody:
    """Say which kind of solution holds the number: "web" or "partner" (never which one)."""
    return {"holder": getattr(error, "holder", partner_errors.HOLDER_PARTNER)}


def _parsed(parser: Any, value: str) -> str:
    try:
        return str(parser(value))
    except InvalidNumber as invalid:
        raise serializers.ValidationError(str(invalid)) from None


class ConnectInput(RefuseUnknownFields, serializers.Serializer[Any]):
    org_number = serializers.CharField(
        max_length=13, help_text="NNNNNN-NNNN or 10 digits; the company register must know it."
    )
    contact_email = serializers.EmailField(required=False, default="")
    bankgiro = serializers.CharField(required=False, default="", max_length=12)
    plusgiro = serializers.CharField(required=False, default="", max_length=12)
    iban = serializers.CharField(
        required=False, default="", max_length=42, help_text="With `bic` for payers abroad."
    )
    bic = serializers.CharField(required=False, default="", max_length=11)

    def validate_org_number(self, value: str) -> str:
        return _parsed(parse_org_number, value)

    def validate_bankgiro(self, value: str) -> str:
        return _parsed(parse_bankgiro, value) if value else ""

    def validate_plusgiro(self, value: str) -> str:
        return _parsed(parse_plusgiro, value) if value else ""

    def validate_iban(self, value: str) -> str:
        return _parsed(parse_iban, value) if value else ""

    def validate_bic(self, value: str) -> str:
        return _parsed(parse_bic, value) if value else ""

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["bic"] and not data["iban"]:
            raise serializers.ValidationError({"bic": [_("A BIC goes with an IBAN.")]})
        return data


class PartnerOrganisationOutput(FieldsBuiltOnce, serializers.ModelSerializer[NetworkRegistration]):
    """A connected organisation as the partner sees it; `connected_at` is the connection's."""

    org_number = serializers.CharField(source="organisation.org_number")
    name = serializers.CharField(source="organisation.legal_name")
    vat_number = serializers.CharField(source="organisation.vat_number")
    verification_status = serializers.ChoiceField(
        source="organisation.verification_status",
        choices=Organisation.VerificationStatus.choices,
    )
    can_send = serializers.SerializerMethodField(
        help_text="false while a risk flag, a suspension or the partner's suspension holds it."
    )
    connected_at = serializers.DateTimeField(source="registered_at")

    class Meta:
        model = NetworkRegistration
        fields = [
            "org_number",
            "name",
            "vat_number",
            "verification_status",
            "can_send",
            "connected_at",
        ]
        read_only_fields = fields

    def get_can_send(self, registration: NetworkRegistration) -> bool:
        assert registration.organisation is not None
        return bool(sending_allowed(organisation=registration.organisation).allowed)


class TakenError(ErrorSerializer):
    holder = serializers.ChoiceField(
        choices=[partner_errors.HOLDER_WEB, partner_errors.HOLDER_PARTNER],
        help_text="web: an organisation of the web service; partner: another partner.",
    )


PARTNER_ONLY = error("`partner_key_required`: an organisation's key, not a partner's.")
PARTNER_WRITE = error(
    "`partner_key_required` (an organisation's key), or `partner_suspended`: the partner may "
    "read but not connect or end connections."
)
ORG_NUMBER = OpenApiParameter(
    "org_number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The organisation number, NNNNNN-NNNN.",
)


class PartnerOrganisationsApi(ListAPIView[NetworkRegistration]):
    """GET /partner/organisations and POST /partner/organisations."""

    permission_classes = [IsPartner]
    serializer_class = PartnerOrganisationOutput

    def get_queryset(self) -> QuerySet[NetworkRegistration]:
        return partner_registration_list(partner=partner_caller_of(self.request).partner)

    @extend_schema(
        operation_id="partner_organisations_list",
        responses={200: PartnerOrganisationOutput(many=True), 403: PARTNER_ONLY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The organisations the partner acts for now, oldest connection first."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="partner_organisations_connect",
        request=ConnectInput,
        responses={
            201: PartnerOrganisationOutput,
            200: OpenApiResponse(
                PartnerOrganisationOutput, description="The partner already held it."
            ),
            403: PARTNER_WRITE,
            409: error(
                "`organisation_number_taken`: `holder` says whether the web service or "
                "another partner holds the number.",
                TakenError,
            ),
            422: error(
                "`invalid_request` (the fields in `errors`), or "
                "`organisation_not_in_register`: the company register does not know it."
            ),
            503: error("`register_unavailable`: the company register did not answer."),
        },
    )
    def post(self, request: Request) -> Response:
        """Connect the organisation: the number becomes the partner's and, on its
        attestation, the organisation may send (no BankID signature)."""
        caller = partner_caller_of(request)
        data = ConnectInput(data=request.data)
        data.is_valid(raise_exception=True)
        details = dict(data.validated_data)
        org_number = details.pop("org_number")
        connection = services.partner_organisation_connect(
            partner_key=caller.partner_key,
            org_number=org_number,
            details=details,
            ip_address=client_ip(request),
        )
        answer = PartnerOrganisationOutput(connection.registration).data
        return Response(answer, status=status.HTTP_201_CREATED if connection.created else 200)


def _registration(request: Request, org_number: str) -> NetworkRegistration:
    try:
        number = parse_org_number(org_number)
    except InvalidNumber:
        raise Http404 from None
    return partner_registration_get(partner=partner_caller_of(request).partner, org_number=number)


class PartnerOrganisationApi(APIView):
    """GET and DELETE /partner/organisations/{org_number}."""

    permission_classes = [IsPartner]

    @extend_schema(
        operation_id="partner_organisation_retrieve",
        parameters=[ORG_NUMBER],
        responses={200: PartnerOrganisationOutput, 403: PARTNER_ONLY, 404: NOT_FOUND},
    )
    def get(self, request: Request, org_number: str) -> Response:
        return Response(PartnerOrganisationOutput(_registration(request, org_number)).data)

    @extend_schema(
        operation_id="partner_organisation_disconnect",
        parameters=[ORG_NUMBER],
        responses={204: None, 403: PARTNER_WRITE, 404: NOT_FOUND},
    )
    def delete(self, request: Request, org_number: str) -> Response:
        """End the connection: the organisation may no longer send, the number is free, and
        the partner's webhook URL gets `partner.connection_ended`."""
        registration = _registration(request, org_number)
        services.partner_organisation_disconnect(
            partner_key=partner_caller_of(request).partner_key, registration=registration
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

