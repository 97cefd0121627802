"""Sending in the browser: Send (behind the gate), resume after signing, To manage, resend."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import current_membership, require_permission
from accounts.models import Permission
from invoices import errors, selectors, services
from invoices.forms import ResendForm
from invoices.models import Invoice
from signing.gate import sending_view


def remember_send(request: HttpRequest, kwargs: dict[str, Any]) -> str | None:
    """Gate hook: keep the held-back send for this user and invoice; resume it after signing."""
    membership = current_membership(request)
    if membership is None or not membership.can(Permission.SEND_INVOICES):
        return None
    public_id = kwargs.get("public_id")
    if public_id is None:
        return None
    invoice = (
        Invoice.objects.for_org(membership.organisation)
        .filter(public_id=public_id)
        .first()
    )
    if invoice is None:
        return None
    services.pending_send_remember(user=request.user, invoice=invoice)
    return reverse("invoices:send_resume", args=[invoice.public_id])


def _send(request: HttpRequest, invoice: Invoice, *, confirm_duplicate: bool) -> HttpResponse:
    """Call the send service and turn its answer into a message on the invoice page."""
    detail = redirect("invoices:detail", public_id=invoice.public_id)
    try:
        delivery = services.invoice_send(
            invoice=invoice, user=request.user, confirm_duplicate=confirm_duplicate
        )
    except errors.PossibleDuplicate:
        # The invoice page shows the question with a "Send anyway" button.
        return redirect(reverse("invoices:detail", args=[invoice.public_id]) + "?duplicate=1")
    except errors.InvoiceInvalid as error:
        messages.error(request, str(error))
        return detail
    except errors.InvoiceError as error:
        messages.error(request, str(error))
        return detail
    messages.success(
        request,
        _("The invoice is on its way (%(channel)s).") % {"channel": delivery.get_channel_display()},
    )
    return detail


def _sendable(request: HttpRequest, public_id: UUID) -> Invoice:
    membership = require_permission(request, Permission.SEND_INVOICES)
    return selectors.invoice_get(organisation=membership.organisation, public_id=public_id)


@login_required
@require_POST
@sending_view(resume=remember_send)
def invoice_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Send the invoice (a draft is issued first)."""
    invoice = _sendable(request, public_id)
    return _send(request, invoice, confirm_duplicate=request.POST.get("confirm_duplicate") == "1")


@login_required
@require_GET
@sending_view
def invoice_send_resume(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Carry out the send the gate held back, once, for the user who pressed Send."""
    invoice = _sendable(request, public_id)
    if not services.pending_send_take(user=request.user, invoice=invoice):
        messages.info(request, _("Press Send to send the invoice."))
        return redirect("invoices:detail", public_id=public_id)
    return _send(request, invoice, confirm_duplicate=False)


@login_required
def to_manage(request: HttpRequest) -> HttpResponse:
    """List invoices whose delivery failed, with the reason, for correction and resending."""
    membership = require_permission(request, Permission.VIEW)
    invoices = selectors.invoice_list(
        organisation=membership.organisation, status=Invoice.Status.FAILED
    )
    failures = selectors.last_failures(invoices=list(invoices))
    return render(request, "invoices/to_manage.html", {"failures": failures})


@login_required
@require_POST
@sending_view
def invoice_resend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Correct the customer's channel or address, then send the failed invoice again."""
    membership = require_permission(request, Permission.SEND_INVOICES)
    invoice = selectors.invoice_get(organisation=membership.organisation, public_id=public_id)
    form = ResendForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in field_errors))
        return redirect("invoices:detail", public_id=public_id)
    services.customer_route_update(
        user=request.user, customer=invoice.customer, **form.cleaned_data
    )
    return _send(request, invoice, confirm_duplicate=True)
