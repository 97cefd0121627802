"""Files over the API (UBL, PDF): the bytes as stored, while an error stays JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from portal.api.schema import NOT_FOUND


class FileNegotiation(BaseContentNegotiation):
    """Serve whatever the client accepts: the file has its own type, an error is JSON.

    DRF's default would answer `Accept: application/pdf` with 406, as no renderer makes PDF;
    the view returns the file as a plain HttpResponse, which no renderer touches.
    """

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, str(first.media_type)


def file_responses(media_type: str, description: str) -> dict[Any, Any]:
    """Return `@extend_schema(responses=...)` for a download of `media_type`."""
    return {
        (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        404: NOT_FOUND,
    }
