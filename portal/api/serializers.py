"""What every API input serializer shares."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class RefuseUnknownFields(serializers.Serializer[Any]):
    """Base for input serializers: a field the API does not know is an error, not ignored.

    An ERP that misspells a field would otherwise get a 2xx and a silently different result.
    Put it first among the bases (`class X(RefuseUnknownFields, ModelSerializer[...])`).
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and (unknown := set(data) - set(self.fields)):
            raise serializers.ValidationError(
                {name: [_("This field is unknown.")] for name in sorted(unknown)}
            )
        return super().to_internal_value(data)
