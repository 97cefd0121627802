"""Invoices in the browser: list, write, preview with findings, issue, credit, import, download.

Views are thin: selector (404 outside the organisation) → forms → one service →
redirect with a message; domain errors become messages or field errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_permission
from accounts.models import Membership, Permission
from accounts.views import posted
from invoices import errors, exemptions, selectors, services
from invoices.findings import Finding, Layer
from invoices.forms import (
    AllowanceFormSet,
    AttachmentForm,
    ImportForm,
    InvoiceForm,
    LineFormSet,
    ResendForm,
    invoice_input,
)
from invoices.models import Customer, DeliveryChannel, Invoice, InvoiceAttachment
from invoices.pdf import render_filename, render_pdf
from invoices.presentation import describe_location, terms_for_reader
from invoices.services.inputs import HEADER_FIELDS
from portal.http import content_disposition
from portal.paging import uncounted_page

PAGE_SIZE = 25


def editor_membership(request: HttpRequest) -> Membership:
    return require_permission(request, Permission.EDIT_INVOICES)


def _invoice(request: HttpRequest, public_id: UUID, permission: str = Permission.VIEW) -> Invoice:
    membership = require_permission(request, permission)
    return selectors.invoice_get(organisation=membership.organisation, public_id=public_id)


@login_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    """List invoices and credit notes with status filter, search and pagination."""
    membership = require_permission(request, Permission.VIEW)
    status, kind, query = (request.GET.get(name, "").strip() for name in ("status", "kind", "q"))
    invoices = selectors.invoice_list(
        organisation=membership.organisation, status=status, kind=kind, query=query
    )
    # Not counted: counting an organisation's whole history cost more than the page.
    page = uncounted_page(invoices, request.GET.get("page"), PAGE_SIZE)
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "q": query,
        "statuses": Invoice.Status.choices,
        "kinds": Invoice.Kind.choices,
        "can_edit": membership.can(Permission.EDIT_INVOICES),
    }
    return render(request, "invoices/list.html", context)


def _initial_invoice(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    return {"issue_date": today, "currency": "SEK"}


def _editor_forms(
    request: HttpRequest, membership: Membership, invoice: Invoice | None
) -> tuple[Any, Any, Any]:
    data = posted(request)
    if invoice is None:
        initial = _initial_invoice(request)
        line_initial: list[dict[str, Any]] = []
        allowance_initial: list[dict[str, Any]] = []
    else:
        initial, line_initial, allowance_initial = _initial_from(invoice)
    form = InvoiceForm(data, organisation=membership.organisation, initial=initial)
    is_credit_note = invoice is not None and invoice.kind == Invoice.Kind.CREDIT_NOTE
    lines = LineFormSet(
        data,
        prefix="lines",
        initial=line_initial,
        form_kwargs={"allow_negative": not is_credit_note},
    )
    allowances = AllowanceFormSet(data, prefix="charges", initial=allowance_initial)
    return form, lines, allowances


def _initial_from(
    invoice: Invoice,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    data = services.input_from(invoice)
    initial = {name: getattr(data, name) for name in HEADER_FIELDS}
    initial["exchange_rate"] = data.exchange_rate
    lines = [
        {
            **vars(line),
            **_exemption_initial(line.exemption_reason_code, line.exemption_reason),
            "vat_rate": _plain(line.vat_rate),
            # Decimals, not text: the localized fields write them the reader's way (10,5).
            "quantity": line.quantity.normalize(),
            "unit_price": line.unit_price.normalize(),
        }
        for line in data.lines
    ]
    charges = [
        {
            **vars(item),
            "is_charge": "charge" if item.is_charge else "allowance",
            "vat_rate": str(item.vat_rate.normalize()),
        }
        for item in data.allowances
    ]
    return initial, lines, charges


def _exemption_initial(code: str, text: str) -> dict[str, str]:
    ground = exemptions.choice_for(code, text)
    return {"exemption_ground": ground, "exemption_reason": "" if ground else text}


def _resend_channel(invoice: Invoice) -> str:
    """Offer the channel that was tried last when the customer has no fixed preference."""
    preferred = invoice.customer.preferred_channel
    if preferred != DeliveryChannel.AUTO:
        return preferred
    last = invoice.deliveries.order_by("-created_at").first()
    return last.channel if last else DeliveryChannel.EMAIL


def _plain(value: Decimal) -> str:
    """Show 10.0000 as 10 and 249.5000 as 249.5 in the form."""
    return format(value.normalize(), "f")


def _save(request: HttpRequest, membership: Membership, invoice: Invoice | None) -> HttpResponse:
    form, lines, allowances = _editor_forms(request, membership, invoice)
    if (
        request.method == "POST"
        and form.is_valid()
        and lines.is_valid()
        and allowances.is_valid()
        and form.check_buyer_vat_number(lines)
    ):
        data = invoice_input(form, lines, allowances)
        try:
            if invoice is None:
                invoice = services.invoice_create(
                    organisation=membership.organisation, user=request.user, data=data
                )
            else:
                invoice = services.invoice_update(invoice=invoice, user=request.user, data=data)
        except errors.NotADraft as error:
            messages.error(request, str(error))
            return redirect("invoices:detail", public_id=invoice.public_id)  # type: ignore[union-attr]
        messages.success(request, _("The draft has been saved."))
        return redirect("invoices:detail", public_id=invoice.public_id)
    context = {
        "form": form,
        "lines": lines,
        "allowances": allowances,
        "invoice": invoice,
        "has_customers": Customer.objects.for_org(membership.organisation).exists(),
    }
    return render(request, "invoices/form.html", context)


@login_required
def invoice_create(request: HttpRequest) -> HttpResponse:
    """Write a new invoice (saved as a draft)."""
    return _save(request, editor_membership(request), None)


@login_required
def invoice_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Edit a draft."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    if not invoice.is_draft:
        messages.error(request, str(errors.NotADraft.message))
        return redirect("invoices:detail", public_id=public_id)
    return _save(request, editor_membership(request), invoice)


@login_required
def invoice_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Preview the invoice as the recipient will see it, with the validation findings."""
    return detail_page(request, _invoice(request, public_id))


def _described(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Say each finding's place and message in the reader's language."""
    language = get_language() or "sv"
    return [
        {
            "finding": finding,
            "place": describe_location(finding.location),
            "message": finding.message(language),
        }
        for finding in findings
    ]


def detail_page(request: HttpRequest, invoice: Invoice, **bound: forms.Form) -> HttpResponse:
    """Render the invoice page; a bound attachment_form or resend_form shows its field errors."""
    report = services.invoice_validate(invoice)
    membership = require_permission(request, Permission.VIEW)
    context = {
        "invoice": invoice,
        "document": terms_for_reader(invoice, services.invoice_document(invoice)),
        "report": report,
        "findings": _described(report.findings),
        "can_edit": membership.can(Permission.EDIT_INVOICES),
        "attachment_form": AttachmentForm(),
        "can_send": membership.can(Permission.SEND_INVOICES),
        "confirm_duplicate": request.GET.get("duplicate") == "1",
        "resend_form": ResendForm(
            initial={
                "channel": _resend_channel(invoice),
                "email": invoice.customer.email,
                "peppol_id": invoice.customer.peppol_id,
            }
        ),
        **selectors.invoice_history(invoice=invoice),
        **bound,
    }
    return render(request, "invoices/detail.html", context)


@login_required
@require_POST
def invoice_copy(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Start a new draft from this invoice."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    copy = services.invoice_copy(invoice=invoice, user=request.user)
    messages.success(request, _("A copy has been saved as a draft."))
    return redirect("invoices:edit", public_id=copy.public_id)


@login_required
@require_POST
def invoice_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Delete a draft."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    try:
        services.invoice_delete(invoice=invoice, user=request.user)
    except errors.NotADraft as error:
        messages.error(request, str(error))
        return redirect("invoices:detail", public_id=public_id)
    messages.success(request, _("The draft has been deleted."))
    return redirect("invoices:list")


@login_required
@require_POST
def invoice_issue(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Give the draft its number and freeze it (validation must pass)."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    try:
        invoice = services.invoice_issue(invoice=invoice, user=request.user)
        issued = (
            _("Credit note %(number)s is issued.")
            if invoice.kind == Invoice.Kind.CREDIT_NOTE
            else _("Invoice %(number)s is issued.")
        )
        messages.success(request, issued % {"number": invoice.number})
    except errors.InvoiceInvalid as error:
        messages.error(request, str(error))
    except errors.NotADraft as error:
        messages.error(request, str(error))
    return redirect("invoices:detail", public_id=public_id)


@login_required
@require_POST
def invoice_credit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Start a credit note against an issued invoice."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    try:
        credit_note = services.credit_note_create(invoice=invoice, user=request.user)
    except errors.NotCreditable as error:
        messages.error(request, str(error))
        return redirect("invoices:detail", public_id=public_id)
    messages.success(request, _("A credit note has been drafted. Check it and issue it."))
    return redirect("invoices:edit", public_id=credit_note.public_id)


def download_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def xml_download(invoice: Invoice) -> HttpResponse:
    """Return the invoice's UBL as a download (frozen for issued invoices)."""
    name = render_filename(services.invoice_document(invoice)).removesuffix(".pdf") + ".xml"
    return download_response(services.invoice_ubl(invoice), "application/xml", name)


def pdf_download(invoice: Invoice) -> HttpResponse:
    """Return the invoice's PDF in the active language as a download (a draft marked so)."""
    document = services.invoice_document(invoice)
    logo = invoice.organisation.logo
    pdf = render_pdf(
        document,
        language=get_language() or "sv",
        logo=bytes(logo) if logo else None,
        draft=invoice.is_draft,
    )
    return download_response(pdf, "application/pdf", render_filename(document))


@login_required
def invoice_xml(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Download the UBL (frozen for issued invoices)."""
    return xml_download(_invoice(request, public_id))


@login_required
def invoice_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Download the printable PDF."""
    return pdf_download(_invoice(request, public_id))


@login_required
def invoice_import(request: HttpRequest) -> HttpResponse:
    """Import a UBL Invoice or CreditNote as a draft; a rejected file stores nothing."""
    membership = editor_membership(request)
    form = ImportForm(posted(request), request.FILES or None)
    findings: list[Finding] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(services.MAX_IMPORT_BYTES + 1)
        try:
            invoice = services.invoice_import(
                organisation=membership.organisation, user=request.user, data=data
            )
            messages.success(request, _("The file has been imported as a draft."))
            return redirect("invoices:detail", public_id=invoice.public_id)
        except errors.ImportRejected as error:
            messages.error(request, str(error))
            findings = _file_errors(form, error.findings)
    context = {"form": form, "findings": _described(findings)}
    return render(request, "invoices/import.html", context)


# Not an invoice in XML at all: the parser's own (English) words would not help the user.
_NOT_AN_XML_INVOICE = ("XML-SYNTAX", "XML-ROOT")


def _file_errors(form: ImportForm, findings: list[Finding]) -> list[Finding]:
    """Put what is wrong with the file itself at the file field; return the other findings."""
    language = get_language() or "sv"
    for finding in findings:
        if finding.layer != Layer.XML:
            continue
        if finding.rule in _NOT_AN_XML_INVOICE:
            form.add_error("file", _("The file is not an XML invoice (UBL)."))
        else:
            form.add_error("file", finding.message(language))
    return [finding for finding in findings if finding.layer != Layer.XML]


# --- Attachments ----------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Attach a PDF or image to a draft."""
    invoice = _invoice(request, public_id, Permission.EDIT_INVOICES)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_add(
                invoice=invoice,
                user=request.user,
                filename=upload.name,
                content=upload.read(InvoiceAttachment.MAX_BYTES + 1),
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("The attachment has been added."))
            return redirect("invoices:detail", public_id=public_id)
        except errors.NotADraft as error:
            messages.error(request, str(error))
            return redirect("invoices:detail", public_id=public_id)
        except errors.AttachmentRejected as error:
            form.add_error("file", str(error))
    # The page again, with the message at the file field (the chosen file must be picked anew).
    return detail_page(request, invoice, attachment_form=form)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, public_id: UUID, pk: int) -> HttpResponse:
    """Remove an attachment from a draft."""
    membership = editor_membership(request)
    attachment = selectors.attachment_get(
        organisation=membership.organisation, public_id=public_id, pk=pk
    )
    try:
        services.attachment_remove(attachment=attachment, user=request.user)
    except errors.NotADraft as error:
        messages.error(request, str(error))
    return redirect("invoices:detail", public_id=public_id)


@login_required
def attachment_download(request: HttpRequest, public_id: UUID, pk: int) -> HttpResponse:
    """Download an attachment."""
    membership = require_permission(request, Permission.VIEW)
    attachment = selectors.attachment_get(
        organisation=membership.organisation, public_id=public_id, pk=pk
    )
    return download_response(bytes(attachment.content), attachment.mime_type, attachment.filename)
