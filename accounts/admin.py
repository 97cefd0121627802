from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import errors, services
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

    @admin.action(description="Suspend sending")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.organisation_suspend(
                staff=request.user, organisation=organisation, reason="suspended by staff"
            )

    @admin.action(description="Lift the suspension")
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

    list_display = ["kind", "org_number", "organisation", "status", "reason", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in ReviewCase._meta.fields]
    actions = ["approve", "decline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Approve (risk flag: verify; transfer: end the partner's hold)")
    def approve(self, request: HttpRequest, queryset: QuerySet[ReviewCase]) -> None:
        _decide(request, queryset, approve=True)

    @admin.action(description="Decline (risk flag: reject the organisation)")
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
