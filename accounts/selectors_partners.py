"""Reads of the partner integrations; each takes the partner (the tenant of a partner key)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import NetworkRegistration, Organisation, PartnerIntegration


def partner_registration_list(*, partner: PartnerIntegration) -> QuerySet[NetworkRegistration]:
    """Return the partner's live connections to organisations, oldest first."""
    return (
        NetworkRegistration.objects.filter(
            partner=partner, ended_at__isnull=True, organisation__isnull=False
        )
        .select_related("organisation")
        .defer("organisation__logo")  # up to 512 KB that only the PDF reads
        .order_by("registered_at", "id")
    )


def partner_registration_get(
    *, partner: PartnerIntegration, org_number: str
) -> NetworkRegistration:
    """Return the partner's live connection for the number; 404 for anything it does not hold.

    Another partner's number, a web organisation's, an ended connection and an unknown
    number all look the same: nothing tells a partner which of them it was.
    """
    registration = (
        partner_registration_list(partner=partner)
        .filter(org_number=org_number, organisation__org_number=org_number)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def partner_organisation_get(*, partner: PartnerIntegration, org_number: str) -> Organisation:
    """Return the organisation the partner acts for under this number, or 404."""
    organisation = partner_registration_get(partner=partner, org_number=org_number).organisation
    assert organisation is not None  # the list holds connected organisations only
    return organisation
