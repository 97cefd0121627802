"""The inbox: invoices other members sent over the network, to read, download and handle."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_permission
from accounts.models import Membership, Permission
from invoices import selectors, services, ubl
from invoices.models import ReceivedInvoice
from invoices.pdf import render_filename, render_pdf
from invoices.views.documents import PAGE_SIZE, download_response
from invoices.xmlsafe import parse_untrusted
from portal.paging import uncounted_page


def _received(request: HttpRequest, public_id: UUID) -> tuple[Membership, ReceivedInvoice]:
    membership = require_permission(request, Permission.VIEW)
    return membership, selectors.received_get(
        organisation=membership.organisation, public_id=public_id
    )


def received_xml_download(received: ReceivedInvoice) -> HttpResponse:
    """Return the received UBL exactly as it arrived, as a download."""
    return download_response(
        bytes(received.ubl_xml), "application/xml", f"faktura-{received.number}.xml"
    )


def received_pdf_download(received: ReceivedInvoice) -> HttpResponse:
    """Return a printable PDF of the received invoice in the active language."""
    document = ubl.parse(parse_untrusted(bytes(received.ubl_xml)))
    return download_response(
        render_pdf(document, language=get_language() or "sv"),
        "application/pdf",
        render_filename(document),
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """List received invoices, unhandled first."""
    membership = require_permission(request, Permission.VIEW)
    received = selectors.received_list(
        organisation=membership.organisation, show_handled=request.GET.get("handled") == "1"
    )
    # Not counted: the inbox keeps every invoice ever received (see portal/paging.py).
    page = uncounted_page(received, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "invoices/inbox.html",
        {"page": page, "show_handled": request.GET.get("handled") == "1"},
    )


@login_required
def received_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Show a received invoice as its sender issued it."""
    membership, received = _received(request, public_id)
    document = ubl.parse(parse_untrusted(bytes(received.ubl_xml)))
    context = {
        "received": received,
        "document": document,
        "can_handle": membership.can(Permission.EDIT_INVOICES),
    }
    return render(request, "invoices/received.html", context)


@login_required
def received_xml(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Download the received UBL exactly as it arrived."""
    _membership, received = _received(request, public_id)
    return received_xml_download(received)


@login_required
def received_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Download a printable PDF of the received invoice."""
    _membership, received = _received(request, public_id)
    return received_pdf_download(received)


@login_required
@require_POST
def received_handled(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark a received invoice as handled (e.g. booked and paid)."""
    membership = require_permission(request, Permission.EDIT_INVOICES)
    received = selectors.received_get(organisation=membership.organisation, public_id=public_id)
    services.received_mark_handled(received=received, user=request.user)
    messages.success(request, _("Marked as handled."))
    return redirect("invoices:inbox")
