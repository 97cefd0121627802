"""Routes of invoices/api/inbox.py (kept apart so each part of the API adds its own)."""

from django.urls import URLPattern, path

from invoices.api import inbox

urlpatterns: list[URLPattern] = [
    path("inbox", inbox.InboxListApi.as_view(), name="inbox"),
    path("inbox/<uuid:public_id>", inbox.InboxDetailApi.as_view(), name="inbox_detail"),
    path("inbox/<uuid:public_id>/ubl", inbox.InboxUblApi.as_view(), name="inbox_ubl"),
    path("inbox/<uuid:public_id>/pdf", inbox.InboxPdfApi.as_view(), name="inbox_pdf"),
    path("inbox/<uuid:public_id>/ack", inbox.InboxAcknowledgeApi.as_view(), name="inbox_ack"),
]
