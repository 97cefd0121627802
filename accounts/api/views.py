"""GET /organisation: who the key acts for, and whether it may send now."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import OrganisationOutput
from portal.api.permissions import caller_of
from signing.selectors import sending_allowed


class OrganisationView(APIView):
    @extend_schema(responses=OrganisationOutput, operation_id="organisation_retrieve")
    def get(self, request: Request) -> Response:
        organisation = caller_of(request).organisation
        context = {
            "decision": sending_allowed(organisation=organisation),
            "verify_url": request.build_absolute_uri(reverse("signing:verify")),
        }
        return Response(OrganisationOutput(organisation, context=context).data)
