"""API keys: created with the key shown once, revoked at once, both audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts import errors
from accounts.models import ApiKey, Organisation
from accounts.services.audit import audit_event_record
from accounts.tokens import key_new, key_prefix, key_used, secret_hash

KEY_PREFIX = "efk"  # a partner's key starts "efp" (accounts.services.partners)


@transaction.atomic
def api_key_create(
    *,
    actor: Any,  # the user the key acts as, a member of the organisation
    organisation: Organisation,
    name: str,
    read_only: bool = False,
    ip_address: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for the organisation; return it and the key itself, which is not kept."""
    prefix, key = key_new(KEY_PREFIX)
    api_key = ApiKey(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=secret_hash(key),
        scope=ApiKey.Scope.READ_ONLY if read_only else ApiKey.Scope.FULL,
        created_by=actor,
    )
    api_key.full_clean()
    api_key.save()
    audit_event_record(
        action="api_key.created",
        actor=actor,
        organisation=organisation,
        obj=api_key,
        data={"name": name, "prefix": prefix, "scope": api_key.scope},
        ip_address=ip_address,
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, actor: Any, api_key: ApiKey, ip_address: str | None = None) -> ApiKey:
    """Revoke a key: the next request made with it is refused."""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        raise errors.ApiKeyRevoked
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit_event_record(
        action="api_key.revoked",
        actor=actor,
        organisation=api_key.organisation,
        obj=api_key,
        data={"name": api_key.name, "prefix": api_key.prefix},
        ip_address=ip_address,
    )
    return api_key


def api_keys_revoke_for(
    *, organisation: Organisation, actor: Any = None, user: Any = None, reason: str
) -> int:
    """Revoke the organisation's active keys (those acting as `user`, or all); count them.

    A key acts as the member who made it: when that member leaves, or a takeover shows
    the organisation's earlier members may not be who they said, their keys go too.
    """
    keys = ApiKey.objects.active().filter(organisation=organisation)
    if user is not None:
        keys = keys.filter(created_by=user)
    revoked = list(keys.select_for_update())
    for api_key in revoked:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_event_record(
            action="api_key.revoked",
            actor=actor,
            organisation=organisation,
            obj=api_key,
            data={"name": api_key.name, "prefix": api_key.prefix, "reason": reason},
        )
    return len(revoked)


def api_key_authenticate(key: str) -> ApiKey | None:
    """Return the active key the request presents, or None; note when it was last used."""
    prefix = key_prefix(key, KEY_PREFIX)
    if prefix is None:
        return None
    api_key = (
        ApiKey.objects.active()
        .select_related("organisation", "created_by")
        .defer("organisation__logo")  # up to 512 KB that only the PDF reads
        .filter(prefix=prefix, key_hash=secret_hash(key))
        .first()
    )
    if api_key is not None:
        key_used(api_key)
    return api_key
