from django.contrib import admin

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


@admin.register(PartnerIntegration)
class PartnerIntegrationAdmin(admin.ModelAdmin[PartnerIntegration]):
    list_display = ["name", "kind", "is_active"]


@admin.register(NetworkRegistration)
class NetworkRegistrationAdmin(admin.ModelAdmin[NetworkRegistration]):
    list_display = ["org_number", "company_name", "partner", "registered_at", "ended_at"]
    search_fields = ["org_number", "company_name"]


@admin.register(ReviewCase)
class ReviewCaseAdmin(admin.ModelAdmin[ReviewCase]):
    list_display = ["kind", "org_number", "status", "requested_by", "created_at"]
    list_filter = ["kind", "status"]


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
