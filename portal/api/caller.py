"""Who is calling the API: an organisation's key, or a partner's key acting for one of its
organisations (chosen per request with the X-Organisation header)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from accounts.models import ApiKey, Organisation, PartnerIntegration, PartnerKey


@dataclass(frozen=True)
class ApiCaller:
    """The authenticated caller, in request.user's place: the key and its one organisation.

    Views ask for `organisation`, `user` and `read_only` only, so a partner key that acts
    for several organisations is another caller (PartnerCaller) with the same interface.
    """

    api_key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True
    partner_key = None

    @property
    def organisation(self) -> Organisation:
        return self.api_key.organisation

    @property
    def user(self) -> Any:
        """The member the key acts as: what the services record as the actor."""
        return self.api_key.created_by

    @property
    def read_only(self) -> bool:
        return self.api_key.is_read_only

    @property
    def key_id(self) -> str:
        """The key's public name, unique across both kinds (throttling counts by it)."""
        return f"efk_{self.api_key.prefix}"

    @property
    def pk(self) -> int:
        return int(self.api_key.pk)

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"


class OrganisationHeaderRequired(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "organisation_header_required"
    default_detail = _(
        "A partner key acts for one of its organisations: name it in the X-Organisation "
        "header (NNNNNN-NNNN)."
    )


@dataclass
class PartnerCaller:
    """A partner's key. On an organisation's endpoint it acts for the organisation named in
    X-Organisation, which the permission (HasApiKey) sets only if the partner holds it.

    It has no user: the organisations a partner connects have no members, and what it does
    is recorded against its key (audit log, Invoice.created_by_partner_key).
    """

    partner_key: PartnerKey
    acting_for: Organisation | None = None

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True
    api_key = None
    user = None
    read_only = False  # suspension stops sending through the organisations' status instead

    @property
    def partner(self) -> PartnerIntegration:
        return self.partner_key.partner

    @property
    def organisation(self) -> Organisation:
        if self.acting_for is None:
            raise OrganisationHeaderRequired()
        return self.acting_for

    @property
    def key_id(self) -> str:
        return f"efp_{self.partner_key.prefix}"

    @property
    def pk(self) -> int:
        return int(self.partner_key.pk)

    def __str__(self) -> str:
        return f"Partner key {self.partner_key.prefix}"


Caller = ApiCaller | PartnerCaller
