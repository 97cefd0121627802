"""Steps of the signing flows, shared by the integration tests: log in, start, scan, sign, poll.

The portal runs in-process (Django's test client); BankID is the simulator process,
reached through the portal's own RP client, and the "user's app" is driven through
the simulator's app-emulation endpoints.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Organisation
from accounts.tests.factories import PASSWORD, MembershipFactory
from signing.models import SigningOrder
from tests.bankid_simulator import Simulator

FJALLGARDEN = {"org_number": "559045-6785", "legal_name": "Fjällgården Turism AB"}
SARA = {"personal_number": "199206304421", "given_name": "Sara", "surname": "Nilsson"}
TOLVAN = {"personal_number": "197212121219", "given_name": "Tolvan", "surname": "Tolvansson"}


def fjallgarden_create(**overrides: Any) -> Organisation:
    """Fjällgården Turism AB: in the register, with Sara Nilsson as its signatory."""
    fields = {
        **FJALLGARDEN,
        "vat_number": "SE559045678501",
        "street_address": "Fjällvägen 8",
        "postal_code": "837 52",
        "city": "Åre",
        "registered_office": "Åre",
        "bankgiro": "5050-1055",
        **overrides,
    }
    return Organisation.objects.create(**fields)


def member(organisation: Organisation, email: str, role: str = Membership.Role.OWNER) -> Any:
    return MembershipFactory(organisation=organisation, user__email=email, role=role).user


def login(email: str) -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client, response


def start_signing(client: Client, next_url: str = "") -> SigningOrder:
    url = reverse("signing:verify") + (f"?next={next_url}" if next_url else "")
    return started_order(client.post(url, {"confirm": "on", "next": next_url}))


def started_order(response: Any) -> SigningOrder:
    """Return the order a start view redirected to."""
    assert response.status_code == 302, response.content
    assert "/orders/" in response.url, response.url
    public_id = response.url.rstrip("/").rsplit("/", 1)[-1]
    return SigningOrder.objects.get(public_id=public_id)


def scanned_qr(client: Client, order: SigningOrder) -> str:
    svg = client.get(reverse("signing:order_qr", args=[order.public_id])).content.decode()
    match = re.search(r"<!-- (bankid\.[^ ]+) -->", svg)
    assert match is not None
    return match.group(1)


def poll_until_done(client: Client, order: SigningOrder, *, tries: int = 10) -> dict[str, Any]:
    """Poll like the page does (BankID allows one collect a second) until terminal."""
    url = reverse("signing:order_status", args=[order.public_id])
    for _ in range(tries):
        state: dict[str, Any] = client.get(url).json()
        if state["status"] != "pending":
            return state
        time.sleep(1.05)
    raise AssertionError(f"order still pending: {state}")


def sign_in_app(
    sim: Simulator, client: Client, order: SigningOrder, person: dict[str, str]
) -> None:
    sim.open_app(qr=scanned_qr(client, order), **person)
    order.refresh_from_db()
    sim.confirm(order.order_ref)
