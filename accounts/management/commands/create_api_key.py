"""manage.py create_api_key --org NNNNNN-NNNN --name NAME [--read-only] [--user EMAIL].

The key acts as a user of the organisation: the one named, else its first owner.

The key is the last line of the output, alone, so `$(manage.py create_api_key ... | tail -1)`
captures it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Membership, Organisation
from accounts.numbers import InvalidNumber, parse_org_number
from accounts.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an organisation and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The organisation number.")
        parser.add_argument("--name", required=True, help="Which system uses the key.")
        parser.add_argument("--read-only", action="store_true", help="A key that only reads.")
        parser.add_argument("--user", help="The member the key acts as (default: an owner).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org_number = parse_org_number(options["org"])
        except InvalidNumber as error:
            raise CommandError(str(error)) from None
        organisation = (
            Organisation.objects.exclude(verification_status=Organisation.VerificationStatus.LAPSED)
            .filter(org_number=org_number)
            .first()
        )
        if organisation is None:
            raise CommandError(f"No organisation has the number {org_number}.")
        api_key, key = api_key_create(
            actor=self._member(organisation, options["user"]),
            organisation=organisation,
            name=options["name"],
            read_only=options["read_only"],
        )
        scope = api_key.get_scope_display()
        self.stdout.write(f"API key “{api_key.name}” for {organisation.legal_name} ({scope}):")
        self.stdout.write(key)

    def _member(self, organisation: Organisation, email: str | None) -> Any:
        memberships = organisation.memberships.select_related("user").order_by("created_at")
        if email:
            memberships = memberships.filter(user__email__iexact=email)
        else:
            memberships = memberships.filter(role=Membership.Role.OWNER)
        membership = memberships.first()
        if membership is None:
            raise CommandError(f"{email or 'An owner'} is not a member of {organisation}.")
        return membership.user
