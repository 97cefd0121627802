"""Routes of invoices/api/invoices.py (kept apart so each part of the API adds its own)."""

from django.urls import URLPattern, path

from invoices.api import invoices

urlpatterns: list[URLPattern] = [
    path("invoices", invoices.InvoicesApi.as_view(), name="invoices"),
    path("invoices/<uuid:public_id>", invoices.InvoiceApi.as_view(), name="invoice"),
    path("invoices/<uuid:public_id>/ubl", invoices.InvoiceUblApi.as_view(), name="invoice_ubl"),
    path("invoices/<uuid:public_id>/pdf", invoices.InvoicePdfApi.as_view(), name="invoice_pdf"),
    path(
        "invoices/<uuid:public_id>/credit",
        invoices.InvoiceCreditApi.as_view(),
        name="invoice_credit",
    ),
]
