"""Sending in the browser: Send (behind the gate), To manage, resend."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import current_membership, require_permission
from accounts.models import Permission
from invoices import errors, selectors, services
from invoices.forms import ResendForm
from invoices.models import Invoice
from invoices.views.documents import detail_page
from signing.gate import sending_view


def remember_send(request: HttpRequest, kwargs: dict[str, Any]) -> str | None:
    """Gate hook: keep the held-back send; it goes out by itself when the signing completes.

    The user comes back to the invoice page: no GET ever sends (pending_sends_release does).
    """
    membership = current_membership(request)
    if request.method != "POST" or membership is None:
        return None  # only a pressed Send (POST, CSRF-checked) is ever remembered
    if not membership.can(Permission.SEND_INVOICES):
        return None
    public_id = kwargs.get("public_id")
    if public_id is None:
        return None
    invoice = Invoice.objects.for_org(membership.organisation).filter(public_id=public_id).first()
    if invoice is None:
        return None
    services.pending_send_remember(user=request.user, invoice=invoice)
    return reverse("invoices:detail", args=[invoice.public_id])


def _send(request: HttpRequest, invoice: Invoice, route: dict[str, str] | None) -> HttpResponse:
    """Send (or, with a corrected route, send again) and say how it went on the invoice page."""
    detail = redirect("invoices:detail", public_id=invoice.public_id)
    confirm_duplicate = request.POST.get("confirm_duplicate") == "1"
    try:
        if route is None:
            delivery = services.invoice_send(
                invoice=invoice, user=request.user, confirm_duplicate=confirm_duplicate
            )
        else:
            delivery = services.invoice_resend(
                invoice=invoice, user=request.user, confirm_duplicate=confirm_duplicate, **route
            )
    except errors.PossibleDuplicate:
        # The invoice page shows the question with a "Send anyway" button.
        return redirect(reverse("invoices:detail", args=[invoice.public_id]) + "?duplicate=1")
    except errors.InvoiceError as error:
        messages.error(request, str(error))
        return detail
    messages.success(
        request,
        _("The invoice is on its way (%(channel)s).") % {"channel": delivery.get_channel_display()},
    )
    return detail


def _sendable(request: HttpRequest, public_id: UUID, *, bare: bool = False) -> Invoice:
    """The invoice to send; bare when no page is rendered from it (the service re-reads it)."""
    membership = require_permission(request, Permission.SEND_INVOICES)
    select = selectors.invoice_to_act_on if bare else selectors.invoice_get
    return select(organisation=membership.organisation, public_id=public_id)


@login_required
@require_POST
@sending_view(resume=remember_send)
def invoice_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Send the invoice (a draft is issued first)."""
    invoice = _sendable(request, public_id, bare=True)
    return _send(request, invoice, route=None)


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
    """Correct the customer's channel or address, then send the failed invoice again.

    Only a failed invoice; like Send, it asks first when the invoice looks already sent.
    """
    invoice = _sendable(request, public_id)
    form = ResendForm(request.POST)
    if not form.is_valid():
        return detail_page(request, invoice, resend_form=form)  # the errors at their fields
    return _send(request, invoice, route=form.cleaned_data)
