"""The BankID simulator over real HTTP: BankID's validations, errors, hints, lifetimes and app."""

from __future__ import annotations

import base64
import ssl
import threading
import time
import uuid

import httpx
import pytest

from signing.pki import load_or_create_test_pki
from signing.qr import qr_payload
from signing.simulator.errors import AppError
from signing.simulator.persons import OUTSIDERS, all_persons
from signing.simulator.qrcheck import check_frame, parse_frame
from signing.simulator.server import make_server
from signing.verify import verify_bankid_signature
from tests.bankid_simulator import SimulatorRefused

pytestmark = pytest.mark.integration

ANNA = "198002142381"  # signatory of Norrsken Konsult AB in the fixture register
PER = "197511034154"
TOLVAN = OUTSIDERS[0].personal_number  # nobody's signatory
TEXT = base64.b64encode("Jag intygar att uppgifterna stämmer.".encode()).decode()
DIGEST = base64.b64encode(b"\x01" * 32).decode()


@pytest.fixture
def sim(bankid_simulator):
    bankid_simulator.reset()  # no fault left behind by an earlier test
    return bankid_simulator


@pytest.fixture
def rp(sim):
    with httpx.Client(base_url=sim.base_url, timeout=10) as client:
        yield client


def _post(rp, endpoint, body):
    return rp.post(endpoint, json=body)


def _sign(rp, **fields):
    body = {"endUserIp": "192.0.2.7", "userVisibleData": TEXT, "userNonVisibleData": DIGEST}
    response = _post(rp, "sign", body | fields)
    assert response.status_code == 200, response.text
    return response.json()


def _collect(rp, order_ref):
    return _post(rp, "collect", {"orderRef": order_ref})


def _status(rp, order_ref):
    body = _collect(rp, order_ref).json()
    return body["status"], body.get("hintCode")


def _error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errorCode"] == code


# --- HTTP surface ----------------------------------------------------------------------


def test_start_returns_four_uuids(rp):
    order = _sign(rp)
    assert set(order) == {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    assert all(uuid.UUID(value) for value in order.values())


def test_get_is_method_not_allowed(rp):
    response = rp.get("auth")
    _error(response, 405, "methodNotAllowed")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize("path", ["unknown", "auth/extra", "../v5.1/auth"])
def test_unknown_path_is_not_found(rp, path):
    _error(rp.post(path, json={}), 404, "notFound")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "text/plain", None])
def test_content_type_must_be_exactly_application_json(rp, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"endUserIp": "192.0.2.7"}'
    _error(rp.post("auth", content=body, headers=headers), 415, "unsupportedMediaType")


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("auth", {}),
        ("auth", {"endUserIp": "not-an-ip"}),
        ("auth", {"endUserIp": "192.0.2.7", "userVisibleData": "not base64!"}),
        ("auth", {"endUserIp": "192.0.2.7", "userVisibleData": "QQ" * 751}),  # 1 502 chars
        ("auth", {"endUserIp": "192.0.2.7", "userNonVisibleData": ""}),
        ("sign", {"endUserIp": "192.0.2.7"}),  # sign needs userVisibleData
        ("sign", {"endUserIp": "192.0.2.7", "userVisibleData": "QUFB" * 10_001}),
        (
            "sign",
            {"endUserIp": "::1", "userVisibleData": TEXT, "userNonVisibleData": "QUFB" * 50_001},
        ),
        ("sign", {"endUserIp": "::1", "userVisibleData": TEXT, "userVisibleDataFormat": "html"}),
        ("auth", {"endUserIp": "192.0.2.7", "requirement": {"personalNumber": "8002142381"}}),
        ("auth", {"endUserIp": "192.0.2.7", "requirement": {"cardReader": "class3"}}),
        ("auth", {"endUserIp": "192.0.2.7", "web": {"userAgent": "x"}, "app": {"deviceOS": "x"}}),
        ("auth", {"endUserIp": "192.0.2.7", "returnUrl": "x" * 513}),
        ("phone/auth", {"personalNumber": ANNA, "callInitiator": "bank"}),
        ("collect", {"orderRef": "invalid-uuid"}),
        ("collect", {"orderRef": str(uuid.uuid4())}),
        ("collect", {}),
        ("cancel", {"orderRef": str(uuid.uuid4())}),
    ],
)
def test_invalid_parameters(rp, endpoint, body):
    _error(_post(rp, endpoint, body), 400, "invalidParameters")


def test_body_that_is_not_json_is_invalid_parameters(rp):
    response = rp.post("auth", content=b"{nope", headers={"Content-Type": "application/json"})
    _error(response, 400, "invalidParameters")


def test_data_at_the_documented_limits_is_accepted(rp):
    _sign(rp, userVisibleData="QUFB" * 10_000, userNonVisibleData="QUFB" * 50_000)
    body = {
        "endUserIp": "2001:db8::1",
        "userVisibleData": "QUFB" * 375,
        "userVisibleDataFormat": "simpleMarkdownV1",
        "web": {"userAgent": "pytest"},
    }
    assert _post(rp, "auth", body).status_code == 200


def test_second_order_for_same_person_is_refused_and_cancels_the_first(rp):
    first = _sign(rp, requirement={"personalNumber": ANNA})
    response = _post(
        rp,
        "sign",
        {"endUserIp": "192.0.2.7", "userVisibleData": TEXT}
        | {"requirement": {"personalNumber": ANNA}},
    )
    _error(response, 400, "alreadyInProgress")
    assert _status(rp, first["orderRef"]) == ("failed", "cancelled")


# --- Hint codes, single collect, cancel ------------------------------------------------------


def test_autostart_hint_sequence_then_single_collect(sim, rp):
    order = _sign(rp)
    ref = order["orderRef"]
    assert _status(rp, ref) == ("pending", "outstandingTransaction")
    sim.advance_clock(6)
    assert _status(rp, ref) == ("pending", "noClient")
    sim.start_app(order["autoStartToken"])
    assert _status(rp, ref) == ("pending", "started")
    opened = sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    assert opened["orderRef"] == ref
    assert opened["userVisibleText"] == "Jag intygar att uppgifterna stämmer."
    assert _status(rp, ref) == ("pending", "userSign")
    sim.confirm(ref, "sign")

    result = _collect(rp, ref).json()
    assert result["status"] == "complete"
    data = result["completionData"]
    assert data["user"] == {
        "personalNumber": ANNA,
        "name": "Anna Lindqvist",
        "givenName": "Anna",
        "surname": "Lindqvist",
    }
    assert data["device"]["ipAddress"] == "192.0.2.7"
    assert len(base64.b64decode(data["device"]["uhi"])) == 20
    assert data["stepUp"] == {"mrtd": False}
    assert data["signature"] and data["ocspResponse"] and data["bankIdIssueDate"]
    _error(_collect(rp, ref), 400, "invalidParameters")  # a result is handed out once


def test_user_cancel_in_the_app(sim, rp):
    order = _sign(rp)
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=PER)
    sim.confirm(order["orderRef"], "cancel")
    assert _status(rp, order["orderRef"]) == ("failed", "userCancel")


def test_cancel_then_collect_and_cancel_again_are_invalid(sim, rp):
    ref = _sign(rp)["orderRef"]
    response = _post(rp, "cancel", {"orderRef": ref})
    assert (response.status_code, response.json()) == (200, {})
    _error(_collect(rp, ref), 400, "invalidParameters")
    _error(_post(rp, "cancel", {"orderRef": ref}), 400, "invalidParameters")


def test_cancelled_order_cannot_be_opened_by_the_app(sim, rp):
    order = _sign(rp)
    _post(rp, "cancel", {"orderRef": order["orderRef"]})
    with pytest.raises(SimulatorRefused, match="400"):
        sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)


# --- QR codes ------------------------------------------------------------------------------


def _frame(order, seconds):
    return qr_payload(order["qrStartToken"], order["qrStartSecret"], seconds)


def test_qr_frame_of_the_current_second_opens_the_order(sim, rp):
    received = time.monotonic()
    order = _sign(rp)
    qr = _frame(order, int(time.monotonic() - received))
    assert sim.open_app(qr=qr, personal_number=TOLVAN)["orderRef"] == order["orderRef"]
    assert _status(rp, order["orderRef"]) == ("pending", "userSign")


def test_stale_qr_frame_is_rejected(sim, rp):
    order = _sign(rp)
    sim.advance_clock(5)
    with pytest.raises(SimulatorRefused, match="too old"):
        sim.open_app(qr=_frame(order, 0), personal_number=ANNA)
    assert sim.order(order["orderRef"])["phase"] == "waiting"  # still not picked up


def test_qr_frame_with_wrong_code_is_rejected(sim, rp):
    order = _sign(rp)
    forged = qr_payload(order["qrStartToken"], str(uuid.uuid4()), 0)
    with pytest.raises(SimulatorRefused, match="invalid"):
        sim.open_app(qr=forged, personal_number=ANNA)


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        (0, "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"),
        (2, "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"),
    ],
)
def test_app_side_qr_check_accepts_the_official_vectors(seconds, code):
    frame = parse_frame(f"bankid.67df3917-fa0d-44e5-b327-edcc928297f8.{seconds}.{code}")
    secret = "d28db9a7-4cde-429e-a983-359be676944c"
    check_frame(frame, qr_start_secret=secret, seconds=seconds + 0.9, tolerance=1)
    with pytest.raises(AppError, match="too old"):
        check_frame(frame, qr_start_secret=secret, seconds=seconds + 2, tolerance=1)


# --- Lifetimes and retention ---------------------------------------------------------------


def test_order_not_opened_in_time_fails_with_start_failed(sim, rp):
    ref = _sign(rp)["orderRef"]
    sim.advance_clock(31)
    assert _status(rp, ref) == ("failed", "startFailed")


def test_order_not_finished_in_time_fails_with_expired_transaction(sim, rp):
    order = _sign(rp)
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    sim.advance_clock(181)
    assert _status(rp, order["orderRef"]) == ("failed", "expiredTransaction")


def test_uncollected_complete_result_vanishes_after_three_minutes(sim, rp):
    order = _sign(rp)
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    sim.confirm(order["orderRef"])
    sim.advance_clock(181)
    _error(_collect(rp, order["orderRef"]), 400, "invalidParameters")


def test_failed_result_stays_collectable_for_five_minutes(sim, rp):
    ref = _sign(rp)["orderRef"]
    sim.fault(failHint="certificateErr", orderRef=ref)
    sim.advance_clock(240)
    assert _status(rp, ref) == ("failed", "certificateErr")


# --- Faults and requirements ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [("maintenance", 503), ("internalError", 500), ("requestTimeout", 408), ("unauthorized", 401)],
)
def test_injected_error_fails_the_next_call_only(sim, rp, code, status):
    sim.fault(error=code, count=1)
    _error(_post(rp, "auth", {"endUserIp": "192.0.2.7"}), status, code)
    assert _post(rp, "auth", {"endUserIp": "192.0.2.7"}).status_code == 200


def test_fail_hint_for_the_next_order(sim, rp):
    sim.fault(failHint="startFailed")
    assert _status(rp, _sign(rp)["orderRef"]) == ("failed", "startFailed")
    assert _status(rp, _sign(rp)["orderRef"]) == ("pending", "outstandingTransaction")


def test_unknown_pending_hint_can_be_injected(sim, rp):
    ref = _sign(rp)["orderRef"]
    sim.fault(pendingHint="somethingNew", orderRef=ref)
    assert _status(rp, ref) == ("pending", "somethingNew")


def test_required_personal_number_is_enforced_by_the_app(sim, rp):
    order = _sign(rp, requirement={"personalNumber": PER})
    with pytest.raises(SimulatorRefused, match="403"):
        sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=PER)
    sim.confirm(order["orderRef"])
    assert _collect(rp, order["orderRef"]).json()["completionData"]["user"]["personalNumber"] == PER


def test_phone_order_is_opened_by_order_ref(sim, rp):
    body = {"personalNumber": TOLVAN, "callInitiator": "RP", "userVisibleData": TEXT}
    response = _post(rp, "phone/sign", body)
    assert set(response.json()) == {"orderRef"}
    ref = response.json()["orderRef"]
    sim.open_app(order_ref=ref, personal_number=TOLVAN)
    assert _status(rp, ref) == ("pending", "userSign")


# --- Signatures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "func_id"), [("sign", "Signing"), ("auth", "Identification")])
def test_signature_verifies_against_the_published_root(sim, rp, endpoint, func_id):
    body = {"endUserIp": "192.0.2.7", "userVisibleData": TEXT, "userNonVisibleData": DIGEST}
    order = _post(rp, endpoint, body).json()
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=TOLVAN)
    sim.confirm(order["orderRef"])
    data = _collect(rp, order["orderRef"]).json()["completionData"]

    verdict = verify_bankid_signature(
        data["signature"],
        trusted_roots_pem=[sim.root_pem()],
        ocsp_response_b64=data["ocspResponse"],
        expected_func_id=func_id,
        expected_visible_data=TEXT,
        expected_non_visible_data=DIGEST,
        expected_personal_number=TOLVAN,
    )
    assert verdict.valid, verdict
    assert verdict.signer_name == "Tolvan Tolvansson"


def test_signature_is_not_trusted_under_another_root(sim, rp, tmp_path):
    order = _sign(rp)
    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    sim.confirm(order["orderRef"])
    data = _collect(rp, order["orderRef"]).json()["completionData"]
    other_root = load_or_create_test_pki(tmp_path).root_pem.read_bytes()
    verdict = verify_bankid_signature(
        data["signature"], trusted_roots_pem=[other_root], ocsp_response_b64=data["ocspResponse"]
    )
    assert not verdict.valid


# --- Control side ----------------------------------------------------------------------------


def test_persons_are_the_register_signatories_and_two_outsiders(sim):
    persons = sim.call("GET", "persons")
    numbers = {person["personalNumber"] for person in persons}
    assert {ANNA, PER, TOLVAN} <= numbers
    assert len(persons) == len(all_persons())
    outsiders = [p for p in persons if not p["signatoryOf"]]
    assert [p["name"] for p in outsiders] == ["Tolvan Tolvansson", "Greta Provdocka"]


def test_debug_view_shows_no_secrets(sim, rp):
    order = _sign(rp)
    described = sim.order(order["orderRef"])
    assert described["hintCode"] == "outstandingTransaction"
    assert order["qrStartSecret"] not in str(described)


def test_app_page_is_bilingual_and_self_contained(sim):
    response = httpx.get(sim.app_url + "?autostarttoken=abc", timeout=10)
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Godkänn (skriv under)" in page and "Approve (sign)" in page
    assert "<script src" not in page and "<link" not in page


def test_clock_is_not_controllable_unless_enabled(sim):
    server = make_server(sim.pki)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = httpx.post(server.base_url + "sim/v1/clock", json={"advance": 60})
        assert response.status_code == 404
    finally:
        server.shutdown()
        server.server_close()


# --- HTTPS with mutual TLS -----------------------------------------------------------------


def test_https_with_client_certificate(bankid_simulator_mtls):
    sim = bankid_simulator_mtls
    assert sim.root_url.startswith("https://")
    with httpx.Client(base_url=sim.base_url, **sim.httpx_options()) as rp:
        order = _sign(rp)
        opened = sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
        # The app shows the RP certificate's "name" attribute.
        assert opened["rpDisplayName"] == "e-faktura demo"
        sim.confirm(order["orderRef"])
        assert _status(rp, order["orderRef"]) == ("complete", None)


def test_https_refuses_a_client_without_certificate(bankid_simulator_mtls):
    sim = bankid_simulator_mtls
    context = ssl.create_default_context(cafile=str(sim.pki.server_ca_pem))
    with pytest.raises(httpx.TransportError):
        httpx.post(sim.base_url + "auth", json={"endUserIp": "192.0.2.7"}, verify=context)
