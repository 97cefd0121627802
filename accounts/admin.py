from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
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
    ReviewCase,
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
    actions = ["suspend", "reinstate"]

    @admin.action(description=_("Suspend sending"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.organisation_suspend(
                staff=request.user, organisation=organisation, reason="suspended by staff"
            )

    @admin.action(description=_("Lift the suspension"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            try:
                services.organisation_reinstate(staff=request.user, organisation=organisation)
            except errors.AccountsError as error:
                messages.error(request, f"{organisation}: {error}")


@admin.register(PartnerIntegration)
class PartnerIntegrationAdmin(admin.ModelAdmin[PartnerIntegration]):
    list_display = ["name", "kind", "is_active"]


@admin.register(NetworkRegistration)
class NetworkRegistrationAdmin(admin.ModelAdmin[NetworkRegistration]):
    list_display = ["org_number", "company_name", "partner", "registered_at", "ended_at"]
    search_fields = ["org_number", "company_name"]


def _decide(request: HttpRequest, queryset: QuerySet[ReviewCase], *, approve: bool) -> None:
    for case in queryset:
        try:
            services.review_case_decide(staff=request.user, case=case, approve=approve)
        except errors.AccountsError as error:
            messages.error(request, f"{case}: {error}")


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin[ReviewCase]):
    """The staff review queue: risk flags from signing, and transfer requests."""

    list_display = [
        "kind",
        "org_number",
        "organisation",
        "status",
        "reason",
        "payment_change_summary",
        "decisions",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["organisation", "payment_change"]
    readonly_fields = [f.name for f in ReviewCase._meta.fields]

    @admin.display(description=_("payment account"))
    def payment_change_summary(self, case: ReviewCase) -> str:
        change = case.payment_change
        if change is None:
            return ""
        return f"{payment_account_text(change.previous)} → {payment_account_text(change.proposed)}"

    @admin.display(description=_("decisions with an effect"))
    def decisions(self, case: ReviewCase) -> str:
        return ", ".join(sorted(selectors.review_case_decisions(case=case))) or "-"

    actions = ["approve", "decline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReviewCase | None = None) -> bool:
        return False  # a case is closed by a decision, never erased: it is the review's record

    @admin.action(
        description=_(
            "Approve (risk flag: verify; payment account: apply it; takeover: confirm; "
            "transfer: end the partner's hold)"
        )
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[ReviewCase]) -> None:
        _decide(request, queryset, approve=True)

    @admin.action(
        description=_(
            "Decline (risk flag: reject; payment account: keep the signed one; "
            "takeover: suspend the organisation)"
        )
    )
    def decline(self, request: HttpRequest, queryset: QuerySet[ReviewCase]) -> None:
        _decide(request, queryset, approve=False)


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
