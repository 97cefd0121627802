"""Request bodies the API reads: JSON and UBL, never more than the size cap.

UBL comes as `application/xml` or `text/xml`. DRF's parsers read the whole stream; these
stop one byte past the cap (413), so a 50 MB body costs no more memory than the cap. A UBL
body is parsed with the project's safe parser before any view sees it: not well-formed, a
DOCTYPE or an entity bomb is a 400.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, JSONParser

from invoices.xmlsafe import MAX_BYTES, UnsafeXML, parse_untrusted


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than the API accepts (20 MB).")
    default_code = "payload_too_large"


def read_capped(stream: IO[bytes], parser_context: Mapping[str, Any] | None) -> bytes:
    """Read the body, refusing it (413) as soon as it is known to pass MAX_BYTES."""
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {})
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        raise PayloadTooLarge
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge
    return data


class CappedJSONParser(JSONParser):
    """JSON, at most MAX_BYTES of it."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        body = io.BytesIO(read_capped(stream, parser_context))
        return super().parse(body, media_type, parser_context)


class UblParser(BaseParser):
    """A UBL Invoice or CreditNote: the bytes, once the safe parser has accepted them."""

    media_type = "application/xml"

    def parse(  # type: ignore[override]  # the body itself, not a mapping
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        data = read_capped(stream, parser_context)
        try:
            parse_untrusted(data)
        except UnsafeXML as error:
            if error.rule == "XML-SIZE":
                raise PayloadTooLarge from None
            raise exceptions.ParseError(error.finding().message(get_language() or "sv")) from None
        return data


class UblTextParser(UblParser):
    """The same UBL sent as `text/xml`, as many ERPs and SOAP-era tools label XML."""

    media_type = "text/xml"
