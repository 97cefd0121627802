"""Client for BankID's RP API v6 (auth, sign, collect, cancel) over mutual TLS."""

from __future__ import annotations

import base64
import ipaddress
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

import certifi
import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from signing.rfa import rfa_for_error

# Limits on the base64-encoded texts (reference §1.3); checked here so an oversized text fails
# with a clear error before it leaves the portal.
SIGN_VISIBLE_MAX = 40_000
SIGN_NON_VISIBLE_MAX = 200_000
AUTH_DATA_MAX = 1_500
RETURN_URL_MAX = 512


@dataclass(frozen=True)
class OrderStart:
    """What /auth and /sign return: the order and the tokens that start the user's app."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str


@dataclass(frozen=True)
class CompletionData:
    """The result of a completed order; `raw` is the whole completionData, kept for audit."""

    personal_number: str
    name: str
    given_name: str
    surname: str
    ip_address: str
    uhi: str
    bankid_issue_date: str
    signature: str
    ocsp_response: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class CollectResult:
    """One /collect answer: pending or failed with a hint code, or complete with its data."""

    order_ref: str
    status: str
    hint_code: str | None
    completion: CompletionData | None


class BankIDError(Exception):
    """An error answer from the RP API, or a failure to get one."""

    code: ClassVar[str] = "unknown"

    def __init__(
        self, details: str = "", *, http_status: int = 0, error_code: str | None = None
    ) -> None:
        # details first and alone in args, so the exception survives pickling and Celery.
        super().__init__(details)
        self.error_code = error_code or self.code
        self.details = details
        self.http_status = http_status
        self.rfa = rfa_for_error(self.error_code)

    def __str__(self) -> str:
        return f"{self.error_code} (HTTP {self.http_status}): {self.details}"


class AlreadyInProgress(BankIDError):
    """An order for this personal number is already running; none was created."""

    code = "alreadyInProgress"


class InvalidParameters(BankIDError):
    """A bad parameter or a finished, cancelled or unknown orderRef."""

    code = "invalidParameters"


class Unauthorized(BankIDError):
    """The RP certificate gives no access."""

    code = "unauthorized"


class NotFound(BankIDError):
    """Wrong URL path."""

    code = "notFound"


class MethodNotAllowed(BankIDError):
    """Not a POST."""

    code = "methodNotAllowed"


class RequestTimeout(BankIDError):
    """BankID gave up receiving the request."""

    code = "requestTimeout"


class UnsupportedMediaType(BankIDError):
    """The Content-Type was not exactly application/json."""

    code = "unsupportedMediaType"


class InternalError(BankIDError):
    """A technical error at BankID."""

    code = "internalError"


class Maintenance(BankIDError):
    """BankID is down for maintenance; may be retried."""

    code = "maintenance"


class UnknownBankIDError(BankIDError):
    """An error code we don't know, or an answer we can't read."""

    code = "unknown"


class TransportError(BankIDError):
    """No answer at all: connection refused, TLS failure or our own timeout."""

    code = "transport"

    def __init__(
        self, details: str = "", *, http_status: int = 0, error_code: str | None = None
    ) -> None:
        super().__init__(details, http_status=http_status, error_code=error_code)
        # For the user this is "something went wrong, try again", like BankID's own outages.
        self.rfa = "RFA5"


_ERROR_CLASSES: dict[str, type[BankIDError]] = {
    cls.code: cls
    for cls in (
        AlreadyInProgress,
        InvalidParameters,
        Unauthorized,
        NotFound,
        MethodNotAllowed,
        RequestTimeout,
        UnsupportedMediaType,
        InternalError,
        Maintenance,
    )
}


class BankIDClient:
    """Talks to one RP API base URL; one instance may serve many calls."""

    def __init__(
        self,
        base_url: str,
        *,
        client_cert: tuple[str, str] | None = None,
        server_ca: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # Without the slash, relative paths would replace "v6.0" instead of following it.
        if not base_url.endswith("/"):
            raise ValueError(f"BankID base URL must end with '/': {base_url!r}")
        verify: ssl.SSLContext | bool = True
        if base_url.startswith("https://"):
            verify = _tls_context(client_cert, server_ca)
        self._http = httpx.Client(
            base_url=base_url, verify=verify, timeout=timeout, transport=transport
        )

    def auth(
        self,
        *,
        end_user_ip: str,
        user_visible_data: str | None = None,
        user_non_visible_data: bytes | None = None,
        requirement: dict[str, Any] | None = None,
        return_url: str | None = None,
    ) -> OrderStart:
        """Start an identification order."""
        body = _order_body(end_user_ip, requirement, return_url)
        if user_visible_data is not None:
            body["userVisibleData"] = _b64_text(user_visible_data, "userVisibleData", AUTH_DATA_MAX)
        if user_non_visible_data is not None:
            body["userNonVisibleData"] = _b64(
                user_non_visible_data, "userNonVisibleData", AUTH_DATA_MAX
            )
        return _order_start(self._post("auth", body))

    def sign(
        self,
        *,
        end_user_ip: str,
        user_visible_data: str,
        user_non_visible_data: bytes | None = None,
        user_visible_data_format: str | None = None,
        requirement: dict[str, Any] | None = None,
        return_url: str | None = None,
    ) -> OrderStart:
        """Start a signing order for the text the user sees (and optional hidden data)."""
        body = _order_body(end_user_ip, requirement, return_url)
        body["userVisibleData"] = _b64_text(user_visible_data, "userVisibleData", SIGN_VISIBLE_MAX)
        if user_non_visible_data is not None:
            body["userNonVisibleData"] = _b64(
                user_non_visible_data, "userNonVisibleData", SIGN_NON_VISIBLE_MAX
            )
        if user_visible_data_format is not None:
            body["userVisibleDataFormat"] = user_visible_data_format
        return _order_start(self._post("sign", body))

    def collect(self, order_ref: str) -> CollectResult:
        """Poll an order; a finished order can be collected only once."""
        return _collect_result(self._post("collect", {"orderRef": _order_ref(order_ref)}))

    def cancel(self, order_ref: str) -> None:
        """Cancel a pending order."""
        self._post("cancel", {"orderRef": _order_ref(order_ref)})

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> BankIDClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        # json= sends "Content-Type: application/json" with no charset; BankID answers 415 to one.
        try:
            response = self._http.post(path, json=body)
        except httpx.TransportError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise _error_from(response)
        payload = _json(response)
        if not isinstance(payload, dict):
            raise UnknownBankIDError(
                "answer is not a JSON object", http_status=200, error_code="invalidResponse"
            )
        return payload


def bankid_client() -> BankIDClient:
    """Build a client from the BANKID_* settings."""
    base_url = settings.BANKID_URL
    if not base_url:
        raise ImproperlyConfigured("BANKID_URL is not set")
    cert = None
    if settings.BANKID_CLIENT_CERT and settings.BANKID_CLIENT_KEY:
        cert = (settings.BANKID_CLIENT_CERT, settings.BANKID_CLIENT_KEY)
    return BankIDClient(
        base_url if base_url.endswith("/") else base_url + "/",
        client_cert=cert,
        server_ca=settings.BANKID_SERVER_CA or None,
        timeout=float(settings.BANKID_TIMEOUT),
    )


def _tls_context(client_cert: tuple[str, str] | None, server_ca: str | None) -> ssl.SSLContext:
    """Return a TLS context presenting our RP certificate and trusting only the pinned CA."""
    # With cafile given, create_default_context loads nothing else: BankID's CA is pinned and a
    # certificate from any public CA is refused.
    context = ssl.create_default_context(cafile=server_ca or certifi.where())
    if client_cert is not None:
        context.load_cert_chain(*client_cert)
    return context


def _order_body(
    end_user_ip: str, requirement: dict[str, Any] | None, return_url: str | None
) -> dict[str, Any]:
    """Return the fields /auth and /sign share, validated."""
    try:
        ipaddress.ip_address(end_user_ip)
    except ValueError:
        raise InvalidParameters(f"endUserIp is not an IP address: {end_user_ip!r}") from None
    body: dict[str, Any] = {"endUserIp": end_user_ip}
    if requirement is not None:
        body["requirement"] = requirement
    if return_url is not None:
        if not 1 <= len(return_url) <= RETURN_URL_MAX:
            raise InvalidParameters(f"returnUrl must be 1-{RETURN_URL_MAX} characters")
        body["returnUrl"] = return_url
    return body


def _b64_text(text: str, field: str, limit: int) -> str:
    """Return UTF-8 text as base64, checking BankID's length limit on the encoded form."""
    return _b64(text.encode("utf-8"), field, limit)


def _b64(data: bytes, field: str, limit: int) -> str:
    """Return bytes as base64, checking BankID's length limit on the encoded form."""
    encoded = base64.b64encode(data).decode("ascii")
    if not 1 <= len(encoded) <= limit:
        raise InvalidParameters(f"{field} must be 1-{limit} characters after base64")
    return encoded


def _order_ref(order_ref: str) -> str:
    """Return the orderRef unchanged, refusing an empty one before it costs a request."""
    if not order_ref:
        raise InvalidParameters("orderRef is empty")
    return order_ref


def _json(response: httpx.Response) -> Any:
    """Return the decoded body, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def _error_from(response: httpx.Response) -> BankIDError:
    """Return the exception for a non-200 answer."""
    payload = _json(response)
    if not isinstance(payload, dict) or not isinstance(payload.get("errorCode"), str):
        # A proxy's HTML page or an empty body: nothing to map, show BankID's fallback text.
        return UnknownBankIDError(response.text[:200], http_status=response.status_code)
    code: str = payload["errorCode"]
    details = str(payload.get("details", ""))
    cls = _ERROR_CLASSES.get(code, UnknownBankIDError)
    return cls(details, http_status=response.status_code, error_code=code)


def _field(data: dict[str, Any], *path: str, default: str | None = None) -> str:
    """Return the string at a path in an answer, or the default; a missing required one raises."""
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, str):
        return value
    if default is not None:
        return default
    raise UnknownBankIDError(
        f"answer lacks {'.'.join(path)}", http_status=200, error_code="invalidResponse"
    )


def _order_start(payload: dict[str, Any]) -> OrderStart:
    """Parse an /auth or /sign answer."""
    return OrderStart(
        order_ref=_field(payload, "orderRef"),
        auto_start_token=_field(payload, "autoStartToken"),
        qr_start_token=_field(payload, "qrStartToken"),
        qr_start_secret=_field(payload, "qrStartSecret"),
    )


def _collect_result(payload: dict[str, Any]) -> CollectResult:
    """Parse a /collect answer; unknown hint codes pass through for the RFA mapping."""
    status = _field(payload, "status")
    if status not in ("pending", "failed", "complete"):
        raise UnknownBankIDError(
            f"unknown status {status!r}", http_status=200, error_code="invalidResponse"
        )
    hint = payload.get("hintCode")
    return CollectResult(
        order_ref=_field(payload, "orderRef"),
        status=status,
        hint_code=hint if isinstance(hint, str) else None,
        completion=_completion(payload) if status == "complete" else None,
    )


def _completion(payload: dict[str, Any]) -> CompletionData:
    """Parse completionData; what the verifier needs is required, the rest defaults to ''."""
    data = payload.get("completionData")
    if not isinstance(data, dict):
        raise UnknownBankIDError(
            "complete without completionData", http_status=200, error_code="invalidResponse"
        )
    return CompletionData(
        personal_number=_field(data, "user", "personalNumber"),
        name=_field(data, "user", "name", default=""),
        given_name=_field(data, "user", "givenName", default=""),
        surname=_field(data, "user", "surname", default=""),
        ip_address=_field(data, "device", "ipAddress", default=""),
        uhi=_field(data, "device", "uhi", default=""),
        bankid_issue_date=_field(data, "bankIdIssueDate", default=""),
        signature=_field(data, "signature"),
        ocsp_response=_field(data, "ocspResponse"),
        raw=data,
    )
