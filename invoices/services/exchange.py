"""The exchange rate behind the VAT in SEK of a draft in another currency."""

from __future__ import annotations

import logging

from invoices.models import Invoice, RateSource
from invoices.rates import RateUnavailable, rate_provider

logger = logging.getLogger(__name__)

# Rates the provider gives; a rate typed in by the seller, or kept from an imported
# document, is the seller's own and is never replaced.
_FETCHED = ("", RateSource.RIKSBANK, RateSource.FIXTURE)


def exchange_rate_refresh(*, invoice_id: int) -> None:
    """Store the provider's rate for a draft's currency and invoice date.

    Network I/O: call it outside any transaction (drafts do it after their commit). Without
    a rate the draft keeps none, and its findings ask the user to enter one by hand.
    """
    invoice = Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.DRAFT).first()
    if invoice is None or invoice.currency == "SEK":
        return
    if invoice.exchange_rate_source not in _FETCHED:
        return
    if invoice.credited_invoice_id is not None and invoice.exchange_rate is not None:
        return  # a credit note reverses the VAT at the rate of the invoice it credits
    try:
        rate = rate_provider().rate(invoice.currency, invoice.issue_date)
    except RateUnavailable as error:
        logger.warning("no exchange rate for invoice %s: %s", invoice_id, error)
        rate = None
    Invoice.objects.filter(
        pk=invoice_id, status=Invoice.Status.DRAFT, exchange_rate_source__in=_FETCHED
    ).update(
        exchange_rate=rate.rate if rate else None,
        exchange_rate_date=rate.rate_date if rate else None,
        exchange_rate_source=rate.source if rate else "",
    )
