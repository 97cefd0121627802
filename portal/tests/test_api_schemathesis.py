"""The API against its own OpenAPI schema: schemathesis on a live server, with a real key.

Every operation of `/api/schema/` gets a bounded number of generated requests, valid and
invalid, sent over HTTP with a full-access key of an organisation that has data: customers,
a draft, an issued invoice, an inbox invoice and a webhook subscription with a delivery.
Each answer must not be a 5xx and must match the schema: a documented status, content type
and body. The seed is fixed (derandomize), so a CI run repeats the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Membership, Organisation, Plan
from accounts.services import api_key_create
from accounts.tests.factories import MembershipFactory, OrganisationFactory
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscribe
from invoices import services
from invoices.models import ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft, issued

# Enough to reach past the happy path of every operation, few enough for CI (~1 minute).
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class ApiWorld:
    """The key and the ids of the objects its organisation owns."""

    secret: str
    ids_by_path: dict[str, list[Any]]  # path prefix -> the ids of the objects under it
    delivery_ids: list[int]

    def ids_for(self, path: str, parameter: str) -> list[Any]:
        """Return the ids of existing objects for one path parameter of an operation."""
        if parameter == "n":  # .../deliveries/{n}/retry
            return self.delivery_ids
        return next(ids for prefix, ids in self.ids_by_path.items() if path.startswith(prefix))


def _received_by(organisation: Organisation) -> ReceivedInvoice:
    """Let another organisation send one invoice to `organisation` over the network inbox."""
    seller = OrganisationFactory(
        legal_name="Säljaren AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    seller_user = MembershipFactory(organisation=seller, role=Membership.Role.OWNER).user
    customer = CustomerFactory(organisation=seller, org_number=organisation.org_number)
    invoice = draft(seller, seller_user, customer=customer)
    delivery = services.invoice_send(invoice=invoice, user=seller_user)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    return ReceivedInvoice.objects.get(delivery=delivery)


@pytest.fixture
def api_world(transactional_db: None, alice_org: Organisation, alice: Any) -> ApiWorld:
    customers = [CustomerFactory(organisation=alice_org) for _ in range(2)]
    invoices = [draft(alice_org, alice, customer=customers[0]), issued(alice_org, alice)]
    # Subscribed before the invoice arrives, so its inbox.received event makes a delivery.
    subscription = webhook_subscribe(
        organisation=alice_org, user=alice, url="http://127.0.0.1:9/hook", event_types=[]
    )
    received = _received_by(alice_org)
    deliveries = list(WebhookDelivery.objects.filter(subscription=subscription))
    assert deliveries, "the inbox.received event was fanned out to the subscription"
    _key, secret = api_key_create(actor=alice, organisation=alice_org, name="schemathesis")
    return ApiWorld(
        secret=secret,
        ids_by_path={
            "/api/v1/customers/": [customer.pk for customer in customers],
            "/api/v1/invoices/": [str(invoice.public_id) for invoice in invoices],
            "/api/v1/inbox/": [str(received.public_id)],
            "/api/v1/webhooks/": [str(subscription.public_id)],
            # An organisation's key gets 403 there; its own number is as good as any.
            "/api/v1/partner/organisations/": [alice_org.org_number],
        },
        delivery_ids=[delivery.pk for delivery in deliveries],
    )


@pytest.fixture
def api_schema(live_server: Any, api_world: ApiWorld, settings: Any) -> Any:
    # The per-key rate limit is not under test here and 25 examples of ~25 operations in a
    # minute go past it; the throttle's own tests cover the 429.
    settings.API_RATE_PER_KEY = "100000/min"
    config = schemathesis.Config.from_dict(
        {
            "base-url": live_server.url,
            "headers": {"Authorization": f"Bearer {api_world.secret}"},
            "generation": {"max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
        }
    )
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/", config=config)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        # Random ids only ever reach the 404; mix in the organisation's own objects so the
        # operations run on real rows too.
        if not path_parameters:
            return st.just(path_parameters)
        real = {
            name: st.sampled_from(api_world.ids_for(context.operation.path, name))
            for name in path_parameters
        }
        return st.one_of(
            st.just(path_parameters),
            st.fixed_dictionaries(real).map(lambda ids: {**path_parameters, **ids}),
        )

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    # schemathesis 4.32 names each operation's subtest by rewriting the item's `_nodeid`,
    # which pytest 9 no longer has (it keeps `_id`): give it the attribute it reads first.
    request.node._nodeid = request.node.nodeid


@pytest.mark.integration
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,  # a live server's answer time is not the property under test
    # The schemas are large (an invoice with lines, customers, attachments): generating them
    # is slow by Hypothesis's measure, and the fixtures are per test on purpose (one world).
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case: Any, api_world: ApiWorld) -> None:
    case.call_and_validate(checks=CHECKS)


# --- What schemathesis found, pinned down (each of these answered wrongly before) -------------


def test_a_path_no_route_matches_answers_in_the_api_format(alice_api: Any) -> None:
    response = alice_api.get("/api/v1/invoices/not-a-uuid")  # was Django's HTML 404 page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert APIClient().get("/api/v1/invoices/not-a-uuid").json()["code"] == "not_authenticated"


def test_a_nul_character_in_the_customer_search_is_a_422_not_a_500(alice_api: Any) -> None:
    response = alice_api.get("/api/v1/customers", {"q": "Kund\x00"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["q"]
    assert alice_api.get("/api/v1/customers", {"q": ""}).status_code == 200


def test_an_unreadable_invoice_cursor_is_a_422_like_the_event_feeds(alice_api: Any) -> None:
    response = alice_api.get("/api/v1/invoices", {"cursor": "not-a-cursor"})
    assert response.status_code == 422  # was DRF's 404 "Invalid cursor"
    assert [error["field"] for error in response.json()["errors"]] == ["cursor"]
