"""Velocity: a young organisation that suddenly sends a lot is flagged for staff.

A fraudster who gets an organisation verified sends as much as possible before anyone
notices; a real new customer rarely sends hundreds of invoices, or to dozens of new
buyers, in its first day. The check costs nothing for an organisation older than
settings.RISK_VELOCITY_AGE_DAYS, and one aggregate query otherwise, until it is flagged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, RiskFlag
from accounts.services import risk_flag_active, risk_flag_raise, risk_flag_reason
from invoices.models import Delivery


def velocity_check(*, organisation: Organisation, user: Any) -> RiskFlag | None:
    """Flag the organisation when, young, it sends beyond the thresholds (once)."""
    now = timezone.now()
    if organisation.created_at < now - timedelta(days=settings.RISK_VELOCITY_AGE_DAYS):
        return None
    raised = risk_flag_active(kind=RiskFlag.Kind.VELOCITY, org_number=organisation.org_number)
    if raised is not None:
        return raised  # until staff decide it, counting again could only find it again
    since = now - timedelta(hours=settings.RISK_VELOCITY_WINDOW_HOURS)
    earlier_buyers = Delivery.objects.filter(
        organisation=organisation, created_at__lt=since
    ).values("invoice__customer_id")
    stats = Delivery.objects.filter(organisation=organisation, created_at__gte=since).aggregate(
        invoices=Count("invoice_id", distinct=True),
        new_recipients=Count(
            "invoice__customer_id",
            distinct=True,
            filter=~Q(invoice__customer_id__in=earlier_buyers),
        ),
    )
    too_many = stats["invoices"] > settings.RISK_VELOCITY_MAX_INVOICES
    too_wide = stats["new_recipients"] > settings.RISK_VELOCITY_MAX_NEW_RECIPIENTS
    if not (too_many or too_wide):
        return None
    return risk_flag_raise(
        kind=RiskFlag.Kind.VELOCITY,
        org_number=organisation.org_number,
        organisation=organisation,
        raised_by=user if getattr(user, "is_authenticated", False) else None,
        reason=_reason(organisation, stats, now),
        evidence={
            **stats,
            "window_hours": settings.RISK_VELOCITY_WINDOW_HOURS,
            "max_invoices": settings.RISK_VELOCITY_MAX_INVOICES,
            "max_new_recipients": settings.RISK_VELOCITY_MAX_NEW_RECIPIENTS,
            "organisation_created_at": organisation.created_at.isoformat(),
        },
    )


def _reason(organisation: Organisation, stats: dict[str, int], now: Any) -> str:
    return risk_flag_reason(
        _(
            "%(company)s (%(org_number)s), registered %(days)s days ago, sent %(invoices)s "
            "invoices to %(recipients)s new recipients within %(hours)s hours (limits: "
            "%(max_invoices)s invoices, %(max_recipients)s new recipients)."
        ),
        company=organisation.legal_name,
        org_number=organisation.org_number,
        days=(now - organisation.created_at).days,
        invoices=stats["invoices"],
        recipients=stats["new_recipients"],
        hours=settings.RISK_VELOCITY_WINDOW_HOURS,
        max_invoices=settings.RISK_VELOCITY_MAX_INVOICES,
        max_recipients=settings.RISK_VELOCITY_MAX_NEW_RECIPIENTS,
    )
