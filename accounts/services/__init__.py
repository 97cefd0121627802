"""Every write that matters in accounts, by concern; import them from here."""

from accounts.services.api_keys import api_key_authenticate, api_key_create, api_key_revoke
from accounts.services.audit import audit_event_record
from accounts.services.flags import (
    risk_flag_active,
    risk_flag_close,
    risk_flag_holds,
    risk_flag_raise,
    risk_flag_reason,
    risk_flags_close_for,
)
from accounts.services.languages import user_language_remember
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
from accounts.services.partner_connections import (
    partner_connection_end,
    partner_organisation_connect,
    partner_organisation_disconnect,
)
from accounts.services.partners import (
    partner_create,
    partner_key_authenticate,
    partner_key_create,
    partner_key_revoke,
    partner_reinstate,
    partner_suspend,
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
from accounts.services.register_checks import (
    organisations_register_recheck,
    register_inactive_flag,
)
from accounts.services.reviews import (
    organisation_reinstate,
    organisation_suspend,
    review_confirm,
    review_decide,
    review_turn_down,
    risk_flag_answer,
    staff_concern_raise,
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
    "organisations_register_recheck",
    "partner_connection_end",
    "partner_create",
    "partner_key_authenticate",
    "partner_key_create",
    "partner_key_revoke",
    "partner_organisation_connect",
    "partner_organisation_disconnect",
    "partner_reinstate",
    "partner_suspend",
    "payment_account_text",
    "payment_change_apply",
    "payment_change_confirmed",
    "payment_change_decline",
    "payment_change_request",
    "payment_change_withdraw",
    "payment_details",
    "register_inactive_flag",
    "review_confirm",
    "review_decide",
    "review_turn_down",
    "risk_flag_active",
    "risk_flag_answer",
    "risk_flag_close",
    "risk_flag_holds",
    "risk_flag_raise",
    "risk_flag_reason",
    "risk_flags_close_for",
    "staff_concern_raise",
    "transfer_request_create",
    "user_language_remember",
]
