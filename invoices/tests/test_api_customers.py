"""GET/POST /customers and GET/PATCH /customers/{id}: the register, one organisation's."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import AuditEvent, Organisation
from invoices.models import Customer
from invoices.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
CUSTOMERS = "/api/v1/customers"


def test_create_a_customer_normalises_its_numbers(alice_api: Any, alice_org: Organisation) -> None:
    payload = {"name": "Kund AB", "org_number": "5560360793", "peppol_id": " 0007:5560360793 "}
    response = alice_api.post(CUSTOMERS, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["org_number"], body["peppol_id"]) == ("556036-0793", "0007:5560360793")
    customer = Customer.objects.get(pk=body["id"])
    assert customer.organisation == alice_org
    event = AuditEvent.objects.get(action="customer.created")
    assert event.data["api_key"] and event.actor is not None  # the key, and whom it acts as


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "org_number": "5560360794"}, "org_number"),
        ({"name": "X", "peppol_id": "5560360793"}, "peppol_id"),
        ({"name": "X", "country_code": "Sverige"}, "country_code"),
        ({"name": "X", "payment_terms_days": -1}, "payment_terms_days"),
        ({"name": "X", "colour": "blue"}, "colour"),
        ({}, "name"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    alice_api: Any, payload: dict[str, Any], field: str
) -> None:
    response = alice_api.post(CUSTOMERS, payload, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert field in [error["field"] for error in body["errors"]]
    assert not Customer.objects.exists()


def test_list_and_search(alice_api: Any, alice_org: Organisation) -> None:
    CustomerFactory(organisation=alice_org, name="Bergström Bygg AB")
    CustomerFactory(organisation=alice_org, name="Kvarnen Data AB")
    everyone = alice_api.get(CUSTOMERS).json()
    assert everyone["count"] == 2
    found = alice_api.get(CUSTOMERS, {"q": "kvarn"}).json()["results"]
    assert [customer["name"] for customer in found] == ["Kvarnen Data AB"]


def test_patch_changes_only_what_is_sent(alice_api: Any, alice_org: Organisation) -> None:
    customer = CustomerFactory(organisation=alice_org, name="Gamla Namnet AB")
    response = alice_api.patch(f"{CUSTOMERS}/{customer.pk}", {"city": "Luleå"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.city) == ("Gamla Namnet AB", "Luleå")


def test_mallorys_key_sees_none_of_alices_customers(
    alice_org: Organisation, mallory_api: Any
) -> None:
    customer = CustomerFactory(organisation=alice_org)
    assert mallory_api.get(CUSTOMERS).json()["count"] == 0
    for response in (
        mallory_api.get(f"{CUSTOMERS}/{customer.pk}"),
        mallory_api.patch(f"{CUSTOMERS}/{customer.pk}", {"name": "Stulen"}, format="json"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
        assert customer.name not in response.content.decode()
    customer.refresh_from_db()
    assert customer.name != "Stulen"
