"""Every write that matters in accounts, by concern; import them from here."""

from accounts.services.api_keys import api_key_authenticate, api_key_create, api_key_revoke
from accounts.services.audit import audit_event_record
from accounts.services.cases import review_case_close, review_case_open, review_cases_close_for
from accounts.services.members import (
    INVITATION_LIFETIME,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    join_request_create,
    join_request_decide,
    members_displace,
    membership_change_role,
    membership_remove,
)
from accounts.services.organisations import (
    OrganisationDetails,
    organisation_change_plan,
    organisation_claims_lapse,
    organisation_create,
    organisation_update,
)
from accounts.services.payments import (
    payment_account_text,
    payment_change_apply,
    payment_change_confirmed,
    payment_change_decline,
    payment_change_request,
    payment_change_withdraw,
    payment_details,
)
from accounts.services.reviews import (
    organisation_reinstate,
    organisation_suspend,
    review_case_decide,
    transfer_request_create,
)

__all__ = [
    "INVITATION_LIFETIME",
    "OrganisationDetails",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "audit_event_record",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "join_request_create",
    "join_request_decide",
    "members_displace",
    "membership_change_role",
    "membership_remove",
    "organisation_change_plan",
    "organisation_claims_lapse",
    "organisation_create",
    "organisation_reinstate",
    "organisation_suspend",
    "organisation_update",
    "payment_account_text",
    "payment_change_apply",
    "payment_change_confirmed",
    "payment_change_decline",
    "payment_change_request",
    "payment_change_withdraw",
    "payment_details",
    "review_case_close",
    "review_case_decide",
    "review_case_open",
    "review_cases_close_for",
    "transfer_request_create",
]
