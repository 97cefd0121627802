import json

from django import forms
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdminMixin
from signing.models import SignatureEvidence, SigningOrder
from signing.services.evidence import evidence_personal_number_reveal, masked_completion_data


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why you need the personal number"), max_length=300)


@admin.register(SigningOrder)
class SigningOrderAdmin(admin.ModelAdmin[SigningOrder]):
    list_display = ["organisation", "user", "status", "hint_code", "created_at"]
    list_filter = ["status"]
    # The QR secret stays server-side, even for staff.
    exclude = ["qr_start_secret"]
    readonly_fields = [f.name for f in SigningOrder._meta.fields if f.name != "qr_start_secret"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# Fields that carry the personal number in the clear: never rendered as they are.
UNMASKED_FIELDS = ("completion_data", "signature")


@admin.register(SignatureEvidence)
class SignatureEvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SignatureEvidence]):
    """The evidence view for staff: the personal number stays masked unless revealed.

    Revealing it is a deliberate POST that is written to the audit log with who and why.
    """

    list_display = [
        "organisation",
        "purpose",
        "outcome",
        "signer_name",
        "personal_number_masked",
        "signed_at",
    ]
    list_filter = ["purpose", "outcome"]
    exclude = UNMASKED_FIELDS
    readonly_fields = [
        *(f.name for f in SignatureEvidence._meta.fields if f.name not in UNMASKED_FIELDS),
        "completion_data_masked",
        "signature_size",
    ]
    change_form_template = "admin/signing/signatureevidence/change_form.html"

    @admin.display(description=_("completion data (personal number masked)"))
    def completion_data_masked(self, evidence: SignatureEvidence) -> str:
        return json.dumps(masked_completion_data(evidence), indent=2, ensure_ascii=False)

    @admin.display(description=_("signature"))
    def signature_size(self, evidence: SignatureEvidence) -> str:
        size = len(evidence.signature)
        return _("%(size)d characters of base64, kept for audit") % {"size": size}

    def get_urls(self) -> list[URLPattern]:
        reveal = self.admin_site.admin_view(self.reveal_view)
        return [
            path("<int:pk>/reveal/", reveal, name="signing_signatureevidence_reveal"),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Show the personal number to a staff member who asks for it with a reason; audit it."""
        evidence = SignatureEvidence.objects.filter(pk=pk).select_related("organisation").first()
        if evidence is None or not self.has_view_permission(request, evidence):
            raise Http404
        form = RevealForm(request.POST or None)
        personal_number = None
        if request.method == "POST" and form.is_valid():
            personal_number = evidence_personal_number_reveal(
                staff=request.user, evidence=evidence, reason=form.cleaned_data["reason"]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "evidence": evidence,
            "form": form,
            "personal_number": personal_number,
            "title": _("Reveal the personal number"),
        }
        return TemplateResponse(request, "admin/signing/signatureevidence/reveal.html", context)
