"""What every API serializer shares: unknown input fields refused, output fields mapped once."""

from __future__ import annotations

import copy
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


class FieldsBuiltOnce(serializers.ModelSerializer[Any]):
    """Base for read-only model serializers: map the model's fields once per class.

    DRF maps every model field to a serializer field again for each instance, which costs
    about as much as the rest of an answer; the fields depend on the class alone, so each
    instance gets its own copy of the first mapping instead (copies, as DRF binds them).
    """

    _built_fields: dict[type, dict[str, serializers.Field[Any, Any, Any, Any]]] = {}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        built = self._built_fields.get(type(self))
        if built is None:
            built = self._built_fields[type(self)] = super().get_fields()
        return copy.deepcopy(built)
