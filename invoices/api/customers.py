"""GET/POST /customers, GET/PATCH /customers/{id}: the customer register."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices import customer_fields, selectors, services
from invoices.models import Customer
from portal.api.permissions import caller_of
from portal.api.schema import INVALID
from portal.api.serializers import RefuseUnknownFields


class CustomerSerializer(RefuseUnknownFields, serializers.ModelSerializer[Customer]):
    """A customer as the API reads and writes it; unknown fields are refused."""

    # Written loosely ("5560360793"), stored normalised: validate_org_number takes either.
    org_number = serializers.CharField(required=False, allow_blank=True, max_length=13)

    class Meta:
        model = Customer
        fields = ["id", *customer_fields.EDITABLE, "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_org_number(self, value: str) -> str:
        return customer_fields.clean_org_number(value)

    def validate_peppol_id(self, value: str) -> str:
        return customer_fields.clean_peppol_id(value)

    def validate_gln(self, value: str) -> str:
        return customer_fields.clean_gln(value)

    def validate_country_code(self, value: str) -> str:
        return customer_fields.clean_country_code(value)


class CustomerQuery(serializers.Serializer[Any]):
    # A serializer, not the raw parameter: its CharField refuses what PostgreSQL cannot
    # compare (a NUL character) with a 422 instead of a 500.
    q = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Name, number or org number."
    )


@extend_schema_view(
    get=extend_schema(
        parameters=[CustomerQuery],
        responses={200: CustomerSerializer(many=True), 422: INVALID},
    )
)
class CustomerListView(ListAPIView[Customer]):
    serializer_class = CustomerSerializer

    def get_queryset(self) -> Any:
        query = CustomerQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.customer_list(
            organisation=caller_of(self.request).organisation, query=query.validated_data["q"]
        )

    @extend_schema(request=CustomerSerializer, responses={201: CustomerSerializer})
    def post(self, request: Request) -> Response:
        caller = caller_of(request)
        serializer = CustomerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_save(
            organisation=caller.organisation,
            user=caller.user,
            customer=Customer(**serializer.validated_data),
        )
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(APIView):
    @extend_schema(responses=CustomerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        customer = selectors.customer_get(organisation=caller_of(request).organisation, pk=pk)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(request=CustomerSerializer, responses=CustomerSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        caller = caller_of(request)
        customer = selectors.customer_get(organisation=caller.organisation, pk=pk)
        serializer = CustomerSerializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(customer, name, value)
        customer = services.customer_save(
            organisation=caller.organisation, user=caller.user, customer=customer
        )
        return Response(CustomerSerializer(customer).data)
