"""Hostile input, generated: the UBL importer and the JSON invoice API never answer 5xx.

Hypothesis mutates a valid UBL (truncated, spliced with odd Unicode and markup, nested
deeply, numbers grown huge) and a valid JSON invoice (every field given odd values, whole
bodies of random JSON); whatever comes in, the answer is a 2xx or a 4xx in the error
format, and a refused request stores nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from invoices.models import Customer, Invoice
from invoices.tests.factories import CustomerFactory
from invoices.tests.test_api_invoices import EXAMPLES, INVOICES, invoice_payload, own_ubl

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60
) | st.sampled_from(
    ["\u202e", "\ufeff", "<script>", "' OR 1=1 --", "&amp;", "]]>", "\u0000", "9" * 400, "-0"]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ODD_TEXT, children, max_size=4)
    ),
    max_leaves=12,
)


def _post_json(client: Any, body: Any) -> Any:
    # json.dumps, not the test client's renderer: NaN and Infinity go out as such, as a
    # careless ERP's serializer may send them.
    return client.generic("POST", INVOICES, json.dumps(body), content_type="application/json")


def _answered_safely(response: Any, invoices_before: int) -> None:
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert body["code"] and body["detail"], body
        assert Invoice.objects.count() == invoices_before  # a refused request stores nothing


@FUZZ
@given(field=st.sampled_from(
    ["customer_id", "issue_date", "due_date", "currency", "buyer_reference", "notes", "lines",
     "exchange_rate", "allowances_charges", "attachments", "external_id", "customer"]
), value=JSON_VALUES)
def test_any_value_in_any_field_of_a_json_invoice(
    alice_api: Any, alice_org: Organisation, field: str, value: Any
) -> None:
    customer = Customer.objects.filter(organisation=alice_org).first() or CustomerFactory(
        organisation=alice_org
    )
    body = invoice_payload(customer)
    body[field] = value
    before = Invoice.objects.count()
    _answered_safely(_post_json(alice_api, body), before)


@FUZZ
@given(line_field=st.sampled_from(
    ["description", "quantity", "unit_price", "vat_rate", "vat_category", "unit_code",
     "discount_amount", "exemption_ground"]
), value=JSON_VALUES)
def test_any_value_in_a_line(
    alice_api: Any, alice_org: Organisation, line_field: str, value: Any
) -> None:
    customer = Customer.objects.filter(organisation=alice_org).first() or CustomerFactory(
        organisation=alice_org
    )
    body = invoice_payload(customer)
    body["lines"][0][line_field] = value
    before = Invoice.objects.count()
    _answered_safely(_post_json(alice_api, body), before)


@FUZZ
@given(body=JSON_VALUES)
def test_any_json_body(alice_api: Any, body: Any) -> None:
    before = Invoice.objects.count()
    _answered_safely(_post_json(alice_api, body), before)


needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"official examples not at {EXAMPLES}"
)


@needs_examples
@FUZZ
@given(data=st.data())
def test_a_mutated_ubl(alice_api: Any, alice_org: Organisation, data: st.DataObject) -> None:
    ubl = own_ubl(alice_org)
    mutation = data.draw(st.sampled_from(["truncate", "splice", "nest", "huge", "bytes"]))
    if mutation == "truncate":
        ubl = ubl[: data.draw(st.integers(0, len(ubl) - 1))]
    elif mutation == "splice":
        at = data.draw(st.integers(0, len(ubl)))
        ubl = ubl[:at] + data.draw(ODD_TEXT).encode("utf-8", "surrogatepass") + ubl[at:]
    elif mutation == "nest":
        depth = data.draw(st.integers(100, 5000))
        ubl = ubl.replace(b"<cbc:Note>", b"<cbc:Note>" + b"<x>" * depth + b"</x>" * depth, 1)
    elif mutation == "huge":
        ubl = ubl.replace(b">1000.00<", b">" + b"9" * data.draw(st.integers(20, 400)) + b"<", 1)
    else:
        ubl = data.draw(st.binary(max_size=400))
    before = Invoice.objects.count()
    response = alice_api.generic("POST", INVOICES, ubl, content_type="application/xml")
    _answered_safely(response, before)
