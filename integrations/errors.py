"""Domain errors of the event feed and the webhooks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

_URL_REFUSALS = {
    "invalid_url": _("Give the webhook an http or https URL."),
    "https_required": _("A webhook URL must start with https://."),
    "unresolvable": _("The webhook URL's host name could not be resolved."),
    "private_address": _(
        "The webhook URL must point at a public address, not a loopback, private, "
        "link-local or reserved one."
    ),
}


class WebhookUrlRefused(DomainError):
    """The URL breaks the webhook policy; `reason` says how (a stable code)."""

    code = "webhook_url_refused"

    def __init__(self, reason: str) -> None:
        super().__init__(str(_URL_REFUSALS[reason]))
        self.reason = reason


class WebhookDeliveryPending(DomainError):
    code = "webhook_delivery_pending"
    message = _(
        "The delivery is still being attempted; it can be retried once delivered or failed."
    )
