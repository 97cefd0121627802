"""Partners for the tests: made by the real services, called as an ERP vendor's system calls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rest_framework.test import APIClient

from accounts.models import Organisation, PartnerIntegration, PartnerKey
from accounts.services import partner_create, partner_key_create, partner_organisation_connect
from portal.api.context import use_api_key

# Companies of the fixture register (accounts/data/company_register.json) no test seeds.
KVARNEN = "559056-7896"  # Kvarnen Data AB, active
SOLROSEN = "559067-8909"  # Solrosen Redovisning AB, active
SKARGARDEN = "559034-5673"  # Skärgårdens Fisk Handelsbolag, active
PARTNERKUNDEN = "556612-3450"  # Partnerkunden Maskin AB, active
IN_LIQUIDATION = "559078-9011"  # Gamla Verkstaden AB


@dataclass(frozen=True)
class Partner:
    """A partner integration with one key, and that key itself (shown once, kept here)."""

    integration: PartnerIntegration
    partner_key: PartnerKey
    key: str

    def connect(self, org_number: str, **details: str) -> Organisation:
        """Connect the organisation through the service, as the API does."""
        connection = partner_organisation_connect(
            partner_key=self.partner_key, org_number=org_number, details=details
        )
        return connection.organisation

    def api(self, org_number: str | None = None) -> Any:
        """A DRF test client with the key, acting for `org_number` when given, in English."""
        client = APIClient()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.key}", "HTTP_ACCEPT_LANGUAGE": "en"}
        if org_number is not None:
            headers["HTTP_X_ORGANISATION"] = org_number
        client.credentials(**headers)
        return client


def make_partner(name: str = "Kontura ERP", webhook_url: str = "") -> Partner:
    integration = partner_create(name=name, webhook_url=webhook_url)
    partner_key, key = partner_key_create(partner=integration, name="ERP")
    return Partner(integration, partner_key, key)


@contextmanager
def acting_as(partner_key: PartnerKey) -> Iterator[None]:
    """Call services as a request authenticated with the partner key does (no user)."""
    use_api_key(partner_key)
    try:
        yield
    finally:
        use_api_key(None)
