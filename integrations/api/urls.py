"""Routes of the event feed and the webhooks (integrations/api/views.py)."""

from django.urls import path

from integrations.api import views

urlpatterns = [
    path("events", views.EventListApi.as_view(), name="events"),
    path("webhooks", views.WebhookListApi.as_view(), name="webhooks"),
    path("webhooks/<uuid:public_id>", views.WebhookDetailApi.as_view(), name="webhook"),
    path(
        "webhooks/<uuid:public_id>/deliveries",
        views.WebhookDeliveryListApi.as_view(),
        name="webhook_deliveries",
    ),
    path(
        "webhooks/<uuid:public_id>/deliveries/<int:n>/retry",
        views.WebhookDeliveryRetryApi.as_view(),
        name="webhook_delivery_retry",
    ),
]
