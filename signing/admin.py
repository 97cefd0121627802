from django.contrib import admin
from django.http import HttpRequest

from portal.admin import ReadOnlyAdminMixin
from signing.models import SignatureEvidence, SigningOrder


@admin.register(SigningOrder)
class SigningOrderAdmin(admin.ModelAdmin[SigningOrder]):
    list_display = ["organisation", "user", "status", "hint_code", "created_at"]
    list_filter = ["status"]
    # The QR secret stays server-side, even for staff.
    exclude = ["qr_start_secret"]
    readonly_fields = [f.name for f in SigningOrder._meta.fields if f.name != "qr_start_secret"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SignatureEvidence)
class SignatureEvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SignatureEvidence]):
    """The evidence view for staff: the only place the full completion data is shown."""

    list_display = ["organisation", "signer_name", "personal_number_masked", "signed_at"]
    readonly_fields = [f.name for f in SignatureEvidence._meta.fields]
