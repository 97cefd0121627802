"""What the API says about the caller's organisation."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Organisation
from portal.api.serializers import FieldsBuiltOnce


class OrganisationOutput(FieldsBuiltOnce, serializers.ModelSerializer[Organisation]):
    """The organisation; `decision` (the sending gate's answer) comes in the context."""

    name = serializers.CharField(source="legal_name")
    can_send = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField(
        help_text="Where a user confirms the company with BankID; null when it may send."
    )

    class Meta:
        model = Organisation
        fields = [
            "org_number",
            "name",
            "vat_number",
            "plan",
            "verification_status",
            "can_send",
            "verify_url",
        ]
        read_only_fields = fields

    def get_can_send(self, organisation: Organisation) -> bool:
        return bool(self.context["decision"].allowed)

    def get_verify_url(self, organisation: Organisation) -> str | None:
        return None if self.context["decision"].allowed else str(self.context["verify_url"])
