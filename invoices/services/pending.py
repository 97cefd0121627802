"""Sends the gate held back for signing: released server-side once the organisation may send."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts.models import ApiKey, Membership, Permission
from invoices import errors
from invoices.messages import Message
from invoices.models import Invoice, PendingSend
from invoices.services.sending import invoice_event, invoice_send

logger = logging.getLogger(__name__)
HELD = "held"  # the InvoiceEvent status of a remembered send that did not go out


def pending_send_remember(*, user: Any, invoice: Invoice, api_key: ApiKey | None = None) -> None:
    """Remember that the user (or an ERP's `api_key` acting as them) pressed Send while the
    gate held it back."""
    pending, created = PendingSend.objects.get_or_create(
        user=user, invoice=invoice, defaults={"api_key": api_key}
    )
    if not created and api_key is None and pending.api_key_id is not None:
        # Pressed in the browser too: the send no longer hangs on the key staying valid.
        pending.api_key = None
        pending.save(update_fields=["api_key"])


def pending_sends_release(*, organisation_id: int) -> int:
    """Send every invoice the organisation's users pressed Send on while unverified; count them.

    Each remembered send is taken (deleted) and sent in its own transaction, so a call
    that runs twice, even at the same time, sends each invoice once, and one refused
    invoice does not hold back the others. Called after the signing's commit.
    """
    sent = 0
    pending_ids = PendingSend.objects.filter(invoice__organisation_id=organisation_id).order_by(
        "created_at"
    )
    for pending_id in list(pending_ids.values_list("pk", flat=True)):
        try:
            sent += _release(pending_id)
        except errors.SendingBlocked:
            break  # the organisation may not send (yet): the rest wait for the next release
    return sent


@transaction.atomic
def _release(pending_id: int) -> bool:
    # SKIP LOCKED: a concurrent release holds this row and sends it; this one moves on.
    pending = (
        PendingSend.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("invoice", "user", "api_key")
        .filter(pk=pending_id)
        .first()
    )
    if pending is None:
        return False
    pending.delete()
    invoice, user = pending.invoice, pending.user
    if pending.api_key is not None and pending.api_key.revoked_at is not None:
        invoice_event(invoice, HELD, Message("event.held.key_revoked"))
        return False
    if not _may_send(user, invoice):
        invoice_event(invoice, HELD, Message("event.held.no_permission"))
        return False
    try:
        invoice_send(invoice=invoice, user=user)  # its own savepoint: a refusal undoes only it
    except errors.SendingBlocked:
        raise  # rolls the take back: the send waits until the organisation may send
    except errors.InvoiceError as error:
        invoice_event(invoice, HELD, _held_reason(error), user)
        return False
    return True


def _may_send(user: Any, invoice: Invoice) -> bool:
    membership = Membership.objects.filter(user=user, organisation_id=invoice.organisation_id)
    found = membership.first()
    return found is not None and found.can(Permission.SEND_INVOICES)


# Why a remembered send did not go out, as a history line each reader sees in their language.
_HELD_CODES = {
    errors.PossibleDuplicate: "event.held.duplicate",
    errors.InvoiceInvalid: "event.held.invalid",
    errors.NoChannel: "event.held.no_channel",
}


def _held_reason(error: errors.InvoiceError) -> Message:
    return Message(_HELD_CODES.get(type(error), "event.held.not_sendable"))


def pending_sends_release_on_commit(*, organisation_id: int) -> None:
    """Release the held sends once the transaction that opened sending has committed.

    Sending is already open when this runs; an unexpected failure here must not turn the
    user's successful signature into an error page, so it is logged and the sends wait.
    """

    def release() -> None:
        try:
            pending_sends_release(organisation_id=organisation_id)
        except Exception:
            logger.exception("Releasing held sends failed for organisation %s", organisation_id)

    transaction.on_commit(release)
