"""Routes of invoices/api/sending.py (kept apart so each part of the API adds its own)."""

from django.urls import URLPattern, path

from invoices.api import sending

urlpatterns: list[URLPattern] = [
    path("invoices/<uuid:public_id>/send", sending.InvoiceSendApi.as_view(), name="invoice_send"),
    path("discovery", sending.DiscoveryApi.as_view(), name="discovery"),
]
