from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts import errors, selectors, services
from accounts.models import (
    AuditEvent,
    Invitation,
    JoinRequest,
    Membership,
    NetworkRegistration,
    Organisation,
    PartnerIntegration,
    PartnerKey,
    ReviewDecision,
    RiskFlag,
)
from accounts.services.payments import payment_account_text
from portal.admin import ReadOnlyAdminMixin


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["legal_name", "org_number", "plan", "verification_status", "created_at"]
    list_filter = ["verification_status", "plan"]
    search_fields = ["legal_name", "org_number"]
    inlines = [MembershipInline]
    # Status changes go through services (they are audited); the admin only reads them.
    readonly_fields = ["verification_status", "verified_at", "public_id", "details_source"]
    # No one-click suspension here: suspending a verified organisation takes four eyes and a
    # written reason, in the review workspace. Lifting one stays a single staff decision.
    actions = ["reinstate"]

    @admin.action(description=_("Lift the suspension"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            try:
                services.organisation_reinstate(staff=request.user, organisation=organisation)
            except errors.AccountsError as error:
                messages.error(request, f"{organisation}: {error}")


class PartnerIntegrationForm(forms.ModelForm[PartnerIntegration]):
    webhook_url = forms.URLField(
        label=_("Webhook URL"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = PartnerIntegration
        fields = ["name", "kind", "contact_email", "webhook_url", "is_active"]

    def clean_webhook_url(self) -> str:
        # Imported here: integrations builds on accounts.
        from integrations.errors import WebhookUrlRefused
        from integrations.services import webhook_url_check

        url = str(self.cleaned_data["webhook_url"])
        if url:
            try:
                webhook_url_check(url)
            except WebhookUrlRefused as refused:
                raise forms.ValidationError(str(refused)) from None
        return url


class PartnerSuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class PartnerKeyInline(admin.TabularInline[PartnerKey, PartnerIntegration]):
    """The partner's keys, for reading: made by manage.py create_partner, revoked below."""

    model = PartnerKey
    extra = 0
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PartnerIntegration)
class PartnerIntegrationAdmin(admin.ModelAdmin[PartnerIntegration]):
    """Partners; suspending one stops the sending of all its organisations (audited)."""

    form = PartnerIntegrationForm
    list_display = ["name", "kind", "is_active", "suspended_at", "webhook_url", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["suspended_at", "created_at"]
    inlines = [PartnerKeyInline]
    actions = ["suspend", "reinstate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # manage.py create_partner: it shows the key and the secret, once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its registrations, keys and evidence are history

    def save_model(
        self, request: HttpRequest, obj: PartnerIntegration, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # Where its webhooks go, and whether its keys work, are decisions worth a record.
        services.audit_event_record(
            action="partner.updated",
            actor=request.user,
            obj=obj,
            data={"partner": obj.pk, "fields": sorted(form.changed_data)},
        )

    @admin.action(description=_("Suspend: stop sending for all its organisations"))
    def suspend(
        self, request: HttpRequest, queryset: QuerySet[PartnerIntegration]
    ) -> TemplateResponse | None:
        form = PartnerSuspendForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():  # first the page that asks why
            context = {
                **self.admin_site.each_context(request),
                "title": _("Suspend partners"),
                "partners": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/partner_suspend.html", context)
        for partner in queryset:
            try:
                services.partner_suspend(
                    staff=request.user, partner=partner, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("%(name)s is suspended.") % {"name": partner.name})
            except errors.AccountsError as error:
                messages.error(request, f"{partner}: {error}")
        return None

    @admin.action(description=_("Reinstate: lift the partner's suspension"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[PartnerIntegration]) -> None:
        for partner in queryset:
            try:
                services.partner_reinstate(staff=request.user, partner=partner)
                messages.success(request, _("%(name)s is reinstated.") % {"name": partner.name})
            except errors.AccountsError as error:
                messages.error(request, f"{partner}: {error}")


@admin.register(PartnerKey)
class PartnerKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[PartnerKey]):
    list_display = ["prefix", "partner", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["partner"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for partner_key in queryset:
            try:
                services.partner_key_revoke(partner_key=partner_key, actor=request.user)
            except errors.AccountsError as error:
                messages.error(request, f"{partner_key}: {error}")


@admin.register(NetworkRegistration)
class NetworkRegistrationAdmin(admin.ModelAdmin[NetworkRegistration]):
    list_display = ["org_number", "company_name", "partner", "registered_at", "ended_at"]
    search_fields = ["org_number", "company_name"]


DECISION_FIELDS = (
    "action",
    "status",
    "reason",
    "decided_by",
    "created_at",
    "second_reviewer",
    "second_reason",
    "second_reviewed_at",
)


class ReviewDecisionInline(admin.TabularInline[ReviewDecision, RiskFlag]):
    """The flag's decisions, for reading: staff decide in the review workspace."""

    model = ReviewDecision
    extra = 0
    fields = DECISION_FIELDS
    readonly_fields = DECISION_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskFlag)
class RiskFlagAdmin(admin.ModelAdmin[RiskFlag]):
    """Risk flags and transfer requests, read-only: the review workspace (/staff/review/)
    takes the decisions, each with a written reason and four eyes where needed."""

    list_display = [
        "kind",
        "severity",
        "org_number",
        "organisation",
        "status",
        "holds_sending",
        "reason",
        "payment_change_summary",
        "decisions",
        "created_at",
    ]
    list_filter = ["status", "kind", "severity", "holds_sending"]
    list_select_related = ["organisation", "payment_change", "registration"]
    readonly_fields = [f.name for f in RiskFlag._meta.fields]
    inlines = [ReviewDecisionInline]
    actions = None  # no bulk decisions: each one needs its own reason

    @admin.display(description=_("payment account"))
    def payment_change_summary(self, flag: RiskFlag) -> str:
        change = flag.payment_change
        if change is None:
            return ""
        return f"{payment_account_text(change.previous)} → {payment_account_text(change.proposed)}"

    @admin.display(description=_("decisions with an effect"))
    def decisions(self, flag: RiskFlag) -> str:
        return ", ".join(selectors.review_decisions_offered(flag=flag)) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RiskFlag | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RiskFlag | None = None) -> bool:
        return False  # a flag is closed by a decision, never erased: it is the review's record


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin[JoinRequest]):
    list_display = ["organisation", "user", "status", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["organisation", "email", "role", "created_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEvent]):
    list_display = ["created_at", "action", "actor", "organisation", "object_type", "object_id"]
    list_filter = ["action"]
