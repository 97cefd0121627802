"""Field validation of RP API requests, with BankID's limits (reference §1)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import uuid
from dataclasses import dataclass
from typing import Any

from signing.simulator.errors import invalid

# Base64 length limits per operation: (userVisibleData, userNonVisibleData).
DATA_LIMITS = {"auth": (1_500, 1_500), "sign": (40_000, 200_000)}
FUNC_IDS = {"auth": "Identification", "sign": "Signing"}
PERSONAL_NUMBER = re.compile(r"\d{12}")
OID = re.compile(r"\d+(\.\d+)*(\.\*)?")
DOMAIN = re.compile(r"[0-9a-z.\-]{3,253}")


@dataclass(frozen=True)
class StartRequest:
    """A validated /auth, /sign, /phone/auth or /phone/sign request."""

    operation: str  # "auth" | "sign" | "phone/auth" | "phone/sign"
    end_user_ip: str | None
    personal_number: str | None  # requirement.personalNumber, or the phone order's person
    user_visible_data: str | None
    user_non_visible_data: str | None
    user_visible_data_format: str | None
    mrtd: bool
    return_risk: bool

    @property
    def is_phone(self) -> bool:
        return self.operation.startswith("phone/")

    @property
    def func_id(self) -> str:
        return FUNC_IDS[self.operation.removeprefix("phone/")]


def parse_start(operation: str, body: Any) -> StartRequest:
    """Validate a start request; raise invalidParameters on the first bad field."""
    body = _object(body, "request body")
    kind = operation.removeprefix("phone/")
    visible_max, non_visible_max = DATA_LIMITS[kind]
    visible = _base64(body, "userVisibleData", visible_max, required=kind == "sign")
    requirement = _requirement(body.get("requirement"))
    personal_number: str | None
    end_user_ip: str | None
    if operation.startswith("phone/"):
        personal_number, end_user_ip = _phone(body), None
    else:
        personal_number = requirement.get("personalNumber")
        end_user_ip = _ip(body.get("endUserIp"))
        _web_or_app(body)
        _optional_str(body, "returnUrl", 1, 512)
    return StartRequest(
        operation=operation,
        end_user_ip=end_user_ip,
        personal_number=personal_number,
        user_visible_data=visible,
        user_non_visible_data=_base64(body, "userNonVisibleData", non_visible_max),
        user_visible_data_format=_data_format(body.get("userVisibleDataFormat")),
        mrtd=bool(requirement.get("mrtd", False)),
        return_risk=_optional_bool(body, "returnRisk"),
    )


def parse_order_ref(body: Any) -> str:
    """Return the orderRef of a collect or cancel request; it must be a UUID string."""
    ref = _object(body, "request body").get("orderRef")
    if not isinstance(ref, str):
        raise invalid("orderRef is required")
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        raise invalid("Invalid orderRef") from None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{what} must be a JSON object")
    return value


def _ip(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid("endUserIp is required")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise invalid("Invalid endUserIp") from None


def _base64(
    body: dict[str, Any], name: str, max_length: int, *, required: bool = False
) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(f"{name} is required")
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise invalid(f"{name} must be 1-{max_length} characters of base64")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{name} is not valid base64") from None
    return value


def _data_format(value: Any) -> str | None:
    if value is None:
        return None
    if value != "simpleMarkdownV1":
        raise invalid("userVisibleDataFormat must be simpleMarkdownV1")
    return "simpleMarkdownV1"


def _requirement(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    requirement = _object(value, "requirement")
    number = requirement.get("personalNumber")
    if number is not None and not (isinstance(number, str) and PERSONAL_NUMBER.fullmatch(number)):
        raise invalid("requirement.personalNumber must be 12 digits")
    for flag in ("pinCode", "mrtd"):
        _optional_bool(requirement, flag)
    if requirement.get("cardReader") not in (None, "class1", "class2"):
        raise invalid("requirement.cardReader must be class1 or class2")
    if requirement.get("risk") not in (None, "low", "moderate"):
        raise invalid("requirement.risk must be low or moderate")
    _policies(requirement.get("certificatePolicies"))
    return requirement


def _policies(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(
        isinstance(oid, str) and OID.fullmatch(oid) for oid in value
    ):
        raise invalid("requirement.certificatePolicies must be a list of OIDs")


def _phone(body: dict[str, Any]) -> str:
    number = body.get("personalNumber")
    if not (isinstance(number, str) and PERSONAL_NUMBER.fullmatch(number)):
        raise invalid("personalNumber must be 12 digits")
    if body.get("callInitiator") not in ("user", "RP"):
        raise invalid("callInitiator must be user or RP")
    return number


def _web_or_app(body: dict[str, Any]) -> None:
    web, app = body.get("web"), body.get("app")
    if web is not None and app is not None:
        raise invalid("web and app are mutually exclusive")
    if web is not None:
        web = _object(web, "web")
        _at_least_one(web, "web")
        if web.get("referringDomain") is not None and not (
            isinstance(web["referringDomain"], str) and DOMAIN.fullmatch(web["referringDomain"])
        ):
            raise invalid("web.referringDomain is not a valid domain")
        _optional_str(web, "userAgent", 1, 256)
        _optional_str(web, "deviceIdentifier", 1, 64)
    if app is not None:
        app = _object(app, "app")
        _at_least_one(app, "app")
        for name in ("appIdentifier", "deviceOS", "deviceModelName", "deviceIdentifier"):
            _optional_str(app, name, 1, 256)


def _at_least_one(value: dict[str, Any], what: str) -> None:
    if not any(member is not None for member in value.values()):
        raise invalid(f"{what} must have at least one member")


def _optional_str(body: dict[str, Any], name: str, min_length: int, max_length: int) -> None:
    value = body.get(name)
    if value is not None and not (
        isinstance(value, str) and min_length <= len(value) <= max_length
    ):
        raise invalid(f"{name} must be {min_length}-{max_length} characters")


def _optional_bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise invalid(f"{name} must be a boolean")
    return value
