"""Who may do what over the API: any key reads, only a full-access key writes; a partner
key acts only for the organisations it holds, and only a partner key reaches /partner/."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import Organisation
from accounts.numbers import InvalidNumber, parse_org_number
from accounts.selectors_partners import partner_organisation_get
from portal.api.caller import ApiCaller, Caller, OrganisationHeaderRequired, PartnerCaller

ORGANISATION_HEADER = "X-Organisation"


class InvalidOrganisationHeader(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_organisation_header"
    default_detail = _("X-Organisation is not an organisation number (NNNNNN-NNNN).")


class HasApiKey(BasePermission):
    """The request carries a valid key; a read-only key may only read.

    A partner key must name, in X-Organisation, an organisation it holds: missing is a
    400, anything it does not hold (another partner's, the web's, an ended connection, an
    unknown number) is a 404, decided here before the view reads anything.
    """

    message = _("This API key is read-only.")
    code = "read_only_key"

    def has_permission(self, request: Request, view: Any) -> bool:
        caller = request.user
        if isinstance(caller, PartnerCaller):
            caller.acting_for = _organisation_for(caller, request.headers.get(ORGANISATION_HEADER))
            return True
        if not isinstance(caller, ApiCaller):
            return False  # DRF answers 401: no credentials were presented
        # An organisation's key acts for its own organisation; X-Organisation is ignored.
        return request.method in SAFE_METHODS or not caller.read_only


class IsPartner(BasePermission):
    """Only a partner key: the partner endpoints are no organisation's business (403)."""

    message = _("Only a partner key may use the partner endpoints.")
    code = "partner_key_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        caller = request.user
        if caller is None:
            return False  # DRF answers 401
        return isinstance(caller, PartnerCaller)


def _organisation_for(caller: PartnerCaller, header: str | None) -> Organisation:
    if not header:
        raise OrganisationHeaderRequired()
    try:
        org_number = parse_org_number(header)
    except InvalidNumber:
        raise InvalidOrganisationHeader() from None
    return partner_organisation_get(partner=caller.partner, org_number=org_number)


def caller_of(request: Request) -> Caller:
    """Return the request's caller (the permission has made sure there is one)."""
    caller = request.user
    assert isinstance(caller, ApiCaller | PartnerCaller)
    return caller


def partner_caller_of(request: Request) -> PartnerCaller:
    """Return the partner calling a partner endpoint (IsPartner has made sure)."""
    caller = request.user
    assert isinstance(caller, PartnerCaller)
    return caller
