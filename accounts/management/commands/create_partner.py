"""manage.py create_partner --name NAME [--webhook-url URL] [--contact-email E] [--new-key].

Registers a partner integration and prints its webhook signing secret and a partner key,
each shown this once. The key is the last line of the output, alone, so
`$(manage.py create_partner ... | tail -1)` captures it. With --new-key, the partner of that
name already exists and gets another key (its secret is not shown again).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import PartnerIntegration
from accounts.services import partner_create, partner_key_create
from portal.errors import DomainError


class Command(BaseCommand):
    help = "Register a partner integration and print its partner key (shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The partner's name, e.g. its ERP.")
        parser.add_argument("--webhook-url", default="", help="Where its webhooks are POSTed.")
        parser.add_argument("--contact-email", default="", help="Shown on the taken page.")
        parser.add_argument(
            "--kind",
            default=PartnerIntegration.Kind.ERP,
            choices=PartnerIntegration.Kind.values,
            help="erp (default), operator or bank.",
        )
        parser.add_argument(
            "--new-key", action="store_true", help="Issue another key to an existing partner."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("Give the partner a name.")
        existing = PartnerIntegration.objects.filter(name=name).first()
        if options["new_key"]:
            if existing is None:
                raise CommandError(f"No partner is called “{name}”.")
            self.stdout.write(f"Another partner key for {existing.name}:")
            self._print_key(existing)
            return
        if existing is not None:
            raise CommandError(f"A partner called “{name}” exists; --new-key gives it a key.")
        try:
            partner = partner_create(
                name=name,
                webhook_url=options["webhook_url"],
                kind=options["kind"],
                contact_email=options["contact_email"],
            )
        except DomainError as refused:
            raise CommandError(str(refused)) from None
        where = f"; its webhooks go to {partner.webhook_url}" if partner.webhook_url else ""
        self.stdout.write(f"Partner “{partner.name}” registered{where}. Its partner key is last.")
        self.stdout.write(f"Webhook signing secret (shown once): {partner.webhook_secret}")
        self._print_key(partner)

    def _print_key(self, partner: PartnerIntegration) -> None:
        _partner_key, key = partner_key_create(partner=partner, name="create_partner")
        self.stdout.write(key)
