"""The periodic re-check: is every verified organisation still an active company?

A company that goes bankrupt, into liquidation or is deregistered after it was verified
keeps a working sender unless someone looks again. Once a day (Celery beat) each
verified organisation is looked up in the company register, with no transaction open
(the lookup is network I/O), and a register_inactive flag is raised for an inactive one:
that flag holds its sending. A register that does not answer raises nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, RiskFlag
from accounts.registry import CompanyRecord, CompanyRegister, RegisterUnavailable, company_register
from accounts.services.flags import risk_flag_raise, risk_flag_reason

logger = logging.getLogger(__name__)
# After this many lookups in a row without an answer the register is taken to be down:
# the rest wait for the next run rather than each waiting for its timeout.
MAX_UNANSWERED_IN_A_ROW = 3

REGISTER_STATUS_LABELS = {
    "liquidation": _("in liquidation"),
    "bankruptcy": _("bankrupt"),
    "deregistered": _("deregistered"),
}


def register_inactive_reason(*, organisation: Organisation, record: CompanyRecord) -> str:
    """Return the flag's reason for a company the register does not list as active."""
    return risk_flag_reason(
        _("The company register lists %(company)s (%(org_number)s) as %(status)s."),
        company=record.legal_name,
        org_number=organisation.org_number,
        status=REGISTER_STATUS_LABELS.get(record.status, record.status),
    )


@dataclass
class RecheckSummary:
    """What one run of the re-check did."""

    checked: int = 0
    flagged: int = 0
    unknown: int = 0
    unanswered: int = 0


def organisations_register_recheck(*, register: CompanyRegister | None = None) -> RecheckSummary:
    """Look every verified organisation up in the register; flag the inactive ones."""
    register = register or company_register()
    summary = RecheckSummary()
    in_a_row = 0
    verified = Organisation.objects.filter(
        verification_status=Organisation.VerificationStatus.VERIFIED
    ).only("pk", "org_number", "legal_name")
    for organisation in verified.iterator(chunk_size=500):
        try:
            record = register.lookup(organisation.org_number)
        except RegisterUnavailable as error:
            summary.unanswered += 1
            in_a_row += 1
            logger.warning("register re-check: no answer for %s: %s", organisation, error)
            if in_a_row >= MAX_UNANSWERED_IN_A_ROW:
                logger.warning("register re-check stopped: the register does not answer")
                break
            continue
        in_a_row = 0
        summary.checked += 1
        if record is None:
            # Not known at all is not the register saying the company stopped: logged only.
            summary.unknown += 1
            logger.warning("register re-check: %s is not in the register", organisation)
        elif not record.is_active:
            register_inactive_flag(organisation=organisation, record=record, evidence={})
            summary.flagged += 1
    logger.info("register re-check: %s", summary)
    return summary


def register_inactive_flag(
    *,
    organisation: Organisation,
    record: CompanyRecord,
    evidence: dict[str, Any],
    raised_by: Any = None,
) -> RiskFlag:
    """Raise (or reuse) the register_inactive flag, which holds the organisation's sending."""
    return risk_flag_raise(
        kind=RiskFlag.Kind.REGISTER_INACTIVE,
        org_number=organisation.org_number,
        organisation=organisation,
        raised_by=raised_by,
        reason=register_inactive_reason(organisation=organisation, record=record),
        evidence={
            **evidence,
            "register_status": record.status,
            "register_name": record.legal_name,
            "checked_at": timezone.now().isoformat(),
        },
    )
