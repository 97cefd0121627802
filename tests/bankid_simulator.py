"""Run the BankID simulator as a real process for tests, and drive its emulated app.

`start_simulator(pki_dir)` starts `manage.py bankid_simulator --port 0 --controllable-clock`
and returns a handle; the session fixtures below share one simulator per test run.
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from portal.workers import stop_process
from signing.pki import TestPKI, load_or_create_test_pki
from tests.processes import start_listening

START_TIMEOUT = 60.0  # the first start generates the PKI (RSA keys): seconds, not millis
STOP_TIMEOUT = 10.0
LISTENING = re.compile(r"BankID simulator listening on (\S+)")


class SimulatorRefused(Exception):
    """A control endpoint answered with an error status."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Simulator:
    """A running simulator process and a small client for its control endpoints."""

    process: subprocess.Popen[bytes]
    root_url: str  # e.g. "http://127.0.0.1:41234/"
    pki: TestPKI
    log_path: Path
    is_https: bool
    _client: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._client = httpx.Client(**self.httpx_options(), base_url=self.root_url)

    @property
    def base_url(self) -> str:
        """Return the RP API base URL, as settings.BANKID_URL expects it."""
        return self.root_url + "rp/v6.0/"

    @property
    def app_url(self) -> str:
        return self.root_url + "sim/"

    def httpx_options(self) -> dict[str, Any]:
        """Return verify/cert/timeout for an httpx client talking to this simulator."""
        if not self.is_https:
            return {"timeout": 10.0}
        context = ssl.create_default_context(cafile=str(self.pki.server_ca_pem))
        # Always present the RP certificate: harmless when it is not required.
        context.load_cert_chain(self.pki.rp_cert_pem, self.pki.rp_key_pem)
        return {"verify": context, "timeout": 10.0}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call a /sim/v1/ endpoint; raise SimulatorRefused on an error status."""
        response = self._client.request(method, "sim/v1/" + path, json=body)
        payload = response.json() if "json" in response.headers.get("content-type", "") else None
        if response.is_error:
            raise SimulatorRefused(response.status_code, payload)
        return payload if payload is not None else response.text

    def open_app(
        self,
        *,
        personal_number: str,
        given_name: str | None = None,
        surname: str | None = None,
        auto_start_token: str | None = None,
        qr: str | None = None,
        order_ref: str | None = None,
        ip_address: str | None = None,
    ) -> dict[str, Any]:
        """Let the app pick an order up (autostart token or QR payload) as this person."""
        body = {
            "personalNumber": personal_number,
            "givenName": given_name,
            "surname": surname,
            "autoStartToken": auto_start_token,
            "qr": qr,
            "orderRef": order_ref,
            "ipAddress": ip_address,
        }
        opened: dict[str, Any] = self.call(
            "POST", "app/open", {k: v for k, v in body.items() if v is not None}
        )
        return opened

    def start_app(self, auto_start_token: str) -> dict[str, Any]:
        """Open the app through the autostart link, before anyone is identified."""
        started: dict[str, Any] = self.call(
            "POST", "app/start", {"autoStartToken": auto_start_token}
        )
        return started

    def confirm(self, order_ref: str, action: str = "sign") -> dict[str, Any]:
        """Approve ("sign") or "cancel" the order in the app."""
        confirmed: dict[str, Any] = self.call(
            "POST", "app/confirm", {"orderRef": order_ref, "action": action}
        )
        return confirmed

    def fault(self, **body: Any) -> dict[str, Any]:
        """Inject a fault: fault(error="maintenance", count=1) or fault(failHint=...)."""
        injected: dict[str, Any] = self.call("POST", "faults", body)
        return injected

    def reset(self) -> None:
        """Drop injected faults left by an earlier test."""
        self.call("POST", "reset", {})

    def advance_clock(self, seconds: float) -> float:
        """Move the simulator's clock forward; return the total offset."""
        offset: float = self.call("POST", "clock", {"advance": seconds})["offset"]
        return offset

    def order(self, order_ref: str) -> dict[str, Any]:
        described: dict[str, Any] = self.call("GET", f"orders/{order_ref}")
        return described

    def root_pem(self) -> bytes:
        """Return the signing root as served by GET /sim/v1/ca.pem."""
        return self._client.get("sim/v1/ca.pem").raise_for_status().content

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close the client."""
        self._client.close()
        stop_process(self.process, timeout=STOP_TIMEOUT)


def start_simulator(
    pki_dir: Path | str,
    *,
    https: bool = False,
    extra_args: Sequence[str] = (),
    log_dir: Path | str | None = None,
) -> Simulator:
    """Start a simulator on a free port with its PKI in pki_dir; wait until it listens."""
    pki_dir = Path(pki_dir)
    pki_dir.mkdir(parents=True, exist_ok=True)
    descriptor, log_name = tempfile.mkstemp(
        prefix="bankid-simulator-", suffix=".log", dir=log_dir or pki_dir
    )
    os.close(descriptor)
    log_path = Path(log_name)
    argv = [sys.executable, "manage.py", "bankid_simulator", "--port", "0"]
    argv += ["--controllable-clock", "--pki-dir", str(pki_dir)]
    argv += [*(["--https"] if https else []), *extra_args]
    process, root_url = start_listening(argv, log_path, LISTENING, timeout=START_TIMEOUT)
    return Simulator(process, root_url, load_or_create_test_pki(pki_dir), log_path, https)


@pytest.fixture(scope="session")
def bankid_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A simulator over plain HTTP for the whole run, signing with the portal's trusted test PKI."""
    # settings.BANKID_SIMULATOR_DIR is where the portal looks for the simulator's root.
    simulator = start_simulator(
        settings.BANKID_SIMULATOR_DIR, log_dir=tmp_path_factory.mktemp("bankid-simulator")
    )
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture(scope="session")
def bankid_simulator_mtls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    """A simulator over HTTPS that requires the PKI's RP client certificate (mutual TLS)."""
    simulator = start_simulator(
        settings.BANKID_SIMULATOR_DIR,
        https=True,
        extra_args=["--require-client-cert"],
        log_dir=tmp_path_factory.mktemp("bankid-simulator-mtls"),
    )
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def sim(bankid_simulator: Simulator, settings: Any) -> Simulator:
    """The shared simulator, reset, with the portal's RP client pointed at it."""
    settings.BANKID_URL = bankid_simulator.base_url
    bankid_simulator.reset()
    return bankid_simulator
