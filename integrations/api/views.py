"""GET /events: the feed an ERP polls. /webhooks: subscriptions to the same events, their log.

A delivery is named by its number `n` (the `id` in the deliveries list), unique within the
portal, so `POST /webhooks/{id}/deliveries/{n}/retry` needs no other key.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations import errors, selectors, services
from integrations.api.serializers import (
    EventOutput,
    EventPageOutput,
    EventQuery,
    WebhookCreatedOutput,
    WebhookDeliveryOutput,
    WebhookInput,
    WebhookOutput,
)
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.selectors import FeedPosition
from portal.api.permissions import caller_of
from portal.api.schema import INVALID, NOT_FOUND, READ_ONLY, error


class EventListApi(APIView):
    @extend_schema(
        operation_id="events_list",
        parameters=[EventQuery],
        responses={200: EventPageOutput, 422: INVALID},
    )
    def get(self, request: Request) -> Response:
        """The organisation's events, oldest first, after the cursor: a feed to poll."""
        query = EventQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data.get("after")
        events = selectors.event_list(
            organisation=caller_of(request).organisation,
            after=after,
            limit=query.validated_data["limit"],
        )
        position = FeedPosition.of(events[-1]) if events else after
        page = {"events": EventOutput(events, many=True).data, "next": str(position or "0.0")}
        return Response(page)


@extend_schema_view(get=extend_schema(operation_id="webhooks_list"))
class WebhookListApi(ListAPIView[WebhookSubscription]):
    serializer_class = WebhookOutput
    pagination_class = None  # a handful per organisation

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return selectors.webhook_list(organisation=caller_of(self.request).organisation)

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookInput,
        responses={201: WebhookCreatedOutput, 403: READ_ONLY, 422: INVALID},
    )
    def post(self, request: Request) -> Response:
        """Subscribe a URL to events; the answer holds the signing secret, this once."""
        caller = caller_of(request)
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            subscription = services.webhook_subscribe(
                organisation=caller.organisation,
                user=caller.user,
                api_key=caller.api_key,
                **data.validated_data,
            )
        except errors.WebhookUrlRefused as refused:
            raise serializers.ValidationError({"url": [str(refused)]}) from refused
        return Response(WebhookCreatedOutput(subscription).data, status=status.HTTP_201_CREATED)


def _subscription(request: Request, public_id: UUID) -> WebhookSubscription:
    return selectors.webhook_get(organisation=caller_of(request).organisation, public_id=public_id)


class WebhookDetailApi(APIView):
    @extend_schema(
        operation_id="webhooks_destroy",
        responses={204: None, 403: READ_ONLY, 404: NOT_FOUND},
    )
    def delete(self, request: Request, public_id: UUID) -> Response:
        """Stop the subscription; deliveries still waiting are given up."""
        subscription = _subscription(request, public_id)
        services.webhook_unsubscribe(subscription=subscription, user=caller_of(request).user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        operation_id="webhook_deliveries_list",
        parameters=[OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: WebhookDeliveryOutput(many=True), 404: NOT_FOUND},
    )
)
class WebhookDeliveryListApi(ListAPIView[WebhookDelivery]):
    """The subscription's deliveries, newest first: status, attempts and every attempt's answer."""

    serializer_class = WebhookDeliveryOutput

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        subscription = _subscription(self.request, self.kwargs["public_id"])
        return selectors.webhook_delivery_list(subscription=subscription)


class WebhookDeliveryRetryApi(APIView):
    @extend_schema(
        operation_id="webhook_delivery_retry",
        request=None,
        responses={
            202: WebhookDeliveryOutput,
            403: READ_ONLY,
            404: NOT_FOUND,
            409: error("`webhook_delivery_pending`: it is still being attempted."),
        },
    )
    def post(self, request: Request, public_id: UUID, n: int) -> Response:
        """Make one more attempt at a delivered or failed delivery, at once."""
        subscription = _subscription(request, public_id)
        delivery = selectors.webhook_delivery_get(subscription=subscription, pk=n)
        services.webhook_delivery_retry(delivery=delivery)
        delivery = selectors.webhook_delivery_get(subscription=subscription, pk=n)
        return Response(WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)
