"""What every API serializer shares: unknown input fields refused, output fields mapped once."""

from __future__ import annotations

import copy
import re
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
        if isinstance(data, dict) and (unwritable := _with_control_characters(data)):
            raise serializers.ValidationError(
                {name: [_("Control characters are not allowed here.")] for name in unwritable}
            )
        return super().to_internal_value(data)


# What XML 1.0 cannot carry (a UBL invoice is XML): C0 controls but tab, line feed, return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _with_control_characters(data: dict[str, Any]) -> list[str]:
    return sorted(
        name
        for name, value in data.items()
        if isinstance(value, str) and _CONTROL_CHARACTERS.search(value)
    )


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
