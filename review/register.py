"""The organisation's details beside a fresh register lookup, with the differences marked.

The lookup is network I/O in the request: the register client has its own timeout
(COMPANY_REGISTER_TIMEOUT), and a register that does not answer is said so plainly
instead of failing the page. Personal numbers of signatories are only ever shown masked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.models import Organisation
from accounts.numbers import mask_personal_number
from accounts.registry import CompanyRecord, RegisterUnavailable, company_register
from signing.services.evidence import personal_number_hash

logger = logging.getLogger(__name__)

# The details a signature covers and the register also knows, in the order staff read them.
COMPARED_FIELDS: list[tuple[str, StrOrPromise]] = [
    ("legal_name", _("Legal name")),
    ("street_address", _("Street address")),
    ("postal_code", _("Postal code")),
    ("city", _("City")),
    ("registered_office", _("Registered office")),
]

REGISTER_STATUSES: dict[str, StrOrPromise] = {
    "active": _("Active"),
    "liquidation": _("In liquidation"),
    "bankruptcy": _("Bankrupt"),
    "deregistered": _("Deregistered"),
}


@dataclass(frozen=True)
class DetailRow:
    label: StrOrPromise
    # None when no organisation in the portal has the number yet (a transfer request).
    portal: str | None
    register: str

    @property
    def differs(self) -> bool:
        return self.portal is not None and _normalised(self.portal) != _normalised(self.register)


@dataclass(frozen=True)
class SignatoryRow:
    name: str
    personal_number_masked: str
    # Whether this person signed one of the organisation's evidence rows.
    has_signed: bool


@dataclass(frozen=True)
class RegisterComparison:
    """What the register says now; `answered` False when it did not answer in time."""

    answered: bool
    record: CompanyRecord | None = None
    rows: list[DetailRow] = field(default_factory=list)
    signatories: list[SignatoryRow] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.record is not None

    @property
    def status_label(self) -> StrOrPromise:
        if self.record is None:
            return ""
        return REGISTER_STATUSES.get(self.record.status, self.record.status)

    @property
    def is_inactive(self) -> bool:
        return self.record is not None and not self.record.is_active

    @property
    def differences(self) -> int:
        return sum(row.differs for row in self.rows)


def register_compare(
    *,
    org_number: str,
    organisation: Organisation | None,
    signer_hashes: frozenset[str] = frozenset(),
) -> RegisterComparison:
    """Look the number up in the register now and line its answer up with the portal's details."""
    try:
        record = company_register().lookup(org_number)
    except RegisterUnavailable:
        logger.warning("The register did not answer for %s during a review", org_number)
        return RegisterComparison(answered=False)
    if record is None:
        return RegisterComparison(answered=True)
    return RegisterComparison(
        answered=True,
        record=record,
        rows=_rows(organisation, record),
        signatories=[
            SignatoryRow(
                name=signatory.name,
                personal_number_masked=mask_personal_number(signatory.personal_number),
                has_signed=personal_number_hash(signatory.personal_number) in signer_hashes,
            )
            for signatory in record.signatories
        ],
    )


def _rows(organisation: Organisation | None, record: CompanyRecord) -> list[DetailRow]:
    rows = [
        DetailRow(
            label=label,
            portal=str(getattr(organisation, name)) if organisation else None,
            register=str(getattr(record, name)),
        )
        for name, label in COMPARED_FIELDS
    ]
    yes, no = str(_("Yes")), str(_("No"))
    rows.append(
        DetailRow(
            label=_("Approved for F-tax"),
            portal=(yes if organisation.has_f_skatt else no) if organisation else None,
            register=yes if record.has_f_skatt else no,
        )
    )
    return rows


def _normalised(value: str) -> str:
    # "837 52" and "83752", or a name in other case, are the same detail, not a difference.
    return "".join(value.split()).casefold()
