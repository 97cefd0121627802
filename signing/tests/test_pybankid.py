"""An independent client, pybankid, against the simulator: it speaks BankID's protocol.

pybankid has no base-URL argument; the subclass below re-points it as reference §8.1
describes. Runs over plain HTTP and over HTTPS with mutual TLS.
"""

from __future__ import annotations

import base64
import time
from urllib.parse import urljoin

import bankid
import httpx
import pytest
from bankid import exceptions

from signing.verify import verify_bankid_signature

pytestmark = [
    pytest.mark.integration,
    # pybankid's own constructor builds a client with httpx's deprecated cert= argument.
    pytest.mark.filterwarnings("ignore:`cert=...` is deprecated:DeprecationWarning"),
]

ANNA = "198002142381"
ENDPOINTS = ("auth", "phone_auth", "sign", "phone_sign", "collect", "cancel")


class SimulatorBankIDClient(bankid.BankIDClient):
    """pybankid's synchronous client, pointed at a simulator instead of BankID's test server."""

    def __init__(self, simulator):
        certificates = (str(simulator.pki.rp_cert_pem), str(simulator.pki.rp_key_pem))
        super().__init__(certificates, test_server=True)
        self.api_url = simulator.base_url
        for name in ENDPOINTS:
            setattr(self, f"_{name}_endpoint", urljoin(self.api_url, name.replace("_", "/")))
        self.client.close()
        self.client: httpx.Client = httpx.Client(
            **simulator.httpx_options(), headers={"Content-Type": "application/json"}
        )


@pytest.fixture(params=["http", "mtls"])
def sim(request):
    name = "bankid_simulator" if request.param == "http" else "bankid_simulator_mtls"
    simulator = request.getfixturevalue(name)
    simulator.reset()
    return simulator


@pytest.fixture
def client(sim):
    client = SimulatorBankIDClient(sim)
    yield client
    client.client.close()


def test_sign_collect_complete(sim, client):
    order = client.sign("192.0.2.7", "Jag intygar.", user_non_visible_data="digest")
    assert client.collect(order["orderRef"])["hintCode"] == "outstandingTransaction"

    sim.open_app(auto_start_token=order["autoStartToken"], personal_number=ANNA)
    assert client.collect(order["orderRef"])["hintCode"] == "userSign"
    sim.confirm(order["orderRef"])

    result = client.collect(order["orderRef"])
    assert result["status"] == "complete"
    data = result["completionData"]
    assert data["user"]["personalNumber"] == ANNA
    verdict = verify_bankid_signature(
        data["signature"],
        trusted_roots_pem=[sim.root_pem()],
        ocsp_response_b64=data["ocspResponse"],
        expected_func_id="Signing",
        expected_visible_data=base64.b64encode(b"Jag intygar.").decode(),
        expected_non_visible_data=base64.b64encode(b"digest").decode(),
        expected_personal_number=ANNA,
    )
    assert verdict.valid, verdict


def test_authenticate_with_qr_then_user_cancel(sim, client):
    order = client.authenticate("192.0.2.7")
    started = time.time()  # pybankid counts the QR's seconds from here
    qr = client.generate_qr_code_content(order["qrStartToken"], started, order["qrStartSecret"])
    sim.open_app(qr=qr, personal_number=ANNA)
    sim.confirm(order["orderRef"], "cancel")
    result = client.collect(order["orderRef"])
    assert (result["status"], result["hintCode"]) == ("failed", "userCancel")


def test_cancel_then_collect_is_invalid_parameters(client):
    order = client.authenticate("192.0.2.7")
    assert client.cancel(order["orderRef"]) is True
    with pytest.raises(exceptions.InvalidParametersError):
        client.collect(order["orderRef"])


def test_bogus_order_ref_is_invalid_parameters(client):
    with pytest.raises(exceptions.InvalidParametersError):
        client.collect("invalid-uuid")


def test_already_in_progress(client):
    client.sign("192.0.2.7", "Ett", requirement={"personalNumber": ANNA})
    with pytest.raises(exceptions.AlreadyInProgressError) as raised:
        client.sign("192.0.2.7", "Två", requirement={"personalNumber": ANNA})
    assert raised.value.rfa == 4


def test_maintenance_maps_to_maintenance_error(sim, client):
    sim.fault(error="maintenance", count=1)
    with pytest.raises(exceptions.MaintenanceError):
        client.authenticate("192.0.2.7")
    assert client.authenticate("192.0.2.7")["orderRef"]
