"""The two kinds of refusal: BankID's RP API errors and the emulated app's own."""

from __future__ import annotations

# HTTP status per errorCode, as BankID answers them (reference §3).
ERROR_STATUS = {
    "alreadyInProgress": 400,
    "invalidParameters": 400,
    "unauthorized": 401,
    "notFound": 404,
    "methodNotAllowed": 405,
    "requestTimeout": 408,
    "unsupportedMediaType": 415,
    "internalError": 500,
    "maintenance": 503,
}


class RpError(Exception):
    """An RP API error, answered as {"errorCode", "details"} with BankID's HTTP status."""

    def __init__(self, code: str, details: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {details}")
        self.code = code
        self.details = details
        self.status = status if status is not None else ERROR_STATUS[code]

    def body(self) -> dict[str, str]:
        return {"errorCode": self.code, "details": self.details}


def invalid(details: str) -> RpError:
    """Return BankID's catch-all 400 for a bad field or a finished, cancelled or unknown order."""
    return RpError("invalidParameters", details)


class AppError(Exception):
    """A refusal by the simulated app or a control endpoint, answered as {"error": message}."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.message}
