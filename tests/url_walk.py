"""Every URL pattern of the project, and one organisation's objects to fill their ids with.

The scoping and CSRF tests walk the resolver, not a hand-kept list: a view added without
an entry in FILL fails them, so whoever adds it decides how it is scoped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse

from accounts import services as accounts_services
from accounts.models import Membership, Organisation, Plan
from accounts.services.payments import payment_change_request
from accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from integrations.models import WebhookDelivery
from integrations.services import event_record, webhook_subscribe
from invoices import services as invoice_services
from invoices.models import Article, ReceivedInvoice
from invoices.services.delivering import delivery_attempt
from invoices.tests.factories import CustomerFactory, draft, issued
from review.tests.helpers import raise_flag, signed_evidence

# The smallest content the attachment rules take for a PDF (they sniff the signature).
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Route:
    """One URL pattern: its key in the tables below, and how to build a path to it."""

    key: str  # "namespace:name", or "<unnamed> route" for a pattern without a name
    name: str | None
    route: str
    args: tuple[str, ...]
    callback: Any

    @property
    def is_api(self) -> bool:
        return self.route.lstrip("^").startswith("api/v1/")

    @property
    def namespace(self) -> str:
        return self.key.split(":")[0] if self.name and ":" in self.key else ""

    def path(self, kwargs: dict[str, Any]) -> str:
        """Return the path with the arguments filled in."""
        if self.name:
            return reverse(self.key, kwargs=kwargs)
        path = self.route
        for arg, value in kwargs.items():
            path = re.sub(rf"<(\w+:)?{arg}>|\(\?P<{arg}>[^()]*\)", str(value), path)
        return "/" + path.replace("^", "").replace("$", "")

    def methods(self) -> list[str]:
        """Return the HTTP methods to try: GET and POST, and what a DRF view also handles."""
        view_class = getattr(self.callback, "cls", None)
        extra = ["put", "patch", "delete"] if view_class is not None else []
        return ["get", "post", *[m for m in extra if hasattr(view_class, m)]]


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, text, inner)
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        args = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text))
        args += tuple(re.findall(r"\(\?P<(\w+)>", text))
        yield Route(
            key=name or f"<unnamed> {text}",
            name=name,
            route=text,
            args=args,
            callback=pattern.callback,
        )


def all_routes() -> list[Route]:
    """Return every URL pattern of the project, includes followed, each once."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver(), "", ""):
        seen.setdefault(route.key, route)
    return list(seen.values())


# How each pattern's arguments are filled: argument -> kind of object in a World.
# A new pattern with arguments must be added here (or to PUBLIC_BY_DESIGN) or the tests fail.
FILL: dict[str, dict[str, str]] = {
    "accounts:member_role": {"pk": "membership"},
    "accounts:member_remove": {"pk": "membership"},
    "accounts:invitation_revoke": {"pk": "invitation"},
    "accounts:join_request_decide": {"pk": "join_request"},
    "accounts:api_key_revoke": {"pk": "api_key"},
    "signing:payment_change": {"public_id": "payment_change"},
    "signing:payment_change_withdraw": {"public_id": "payment_change"},
    "signing:order": {"public_id": "signing_order"},
    "signing:order_status": {"public_id": "signing_order"},
    "signing:order_qr": {"public_id": "signing_order"},
    "signing:order_cancel": {"public_id": "signing_order"},
    "invoices:detail": {"public_id": "draft"},
    "invoices:edit": {"public_id": "draft"},
    "invoices:copy": {"public_id": "issued"},
    "invoices:delete": {"public_id": "draft"},
    "invoices:issue": {"public_id": "draft"},
    "invoices:credit": {"public_id": "issued"},
    "invoices:xml": {"public_id": "issued"},
    "invoices:pdf": {"public_id": "issued"},
    "invoices:attachment_add": {"public_id": "draft"},
    "invoices:attachment": {"public_id": "draft", "pk": "attachment"},
    "invoices:attachment_remove": {"public_id": "draft", "pk": "attachment"},
    "invoices:send": {"public_id": "draft"},
    "invoices:resend": {"public_id": "issued"},
    "invoices:received": {"public_id": "received"},
    "invoices:received_xml": {"public_id": "received"},
    "invoices:received_pdf": {"public_id": "received"},
    "invoices:received_handled": {"public_id": "received"},
    "invoices:customer_edit": {"pk": "customer"},
    "invoices:customer_delete": {"pk": "customer"},
    "invoices:article_edit": {"pk": "article"},
    # The review workspace is staff-only, not organisation-scoped: everyone else gets 404.
    "review:case": {"flag_id": "risk_flag"},
    "review:decide": {"flag_id": "risk_flag"},
    "review:second_review": {"flag_id": "risk_flag"},
    "review:evidence_verify": {"flag_id": "risk_flag", "evidence_id": "evidence"},
    "review:audit_csv": {"public_id": "organisation"},
    "api:customer": {"pk": "customer"},
    "api:invoice": {"public_id": "draft"},
    "api:invoice_ubl": {"public_id": "issued"},
    "api:invoice_pdf": {"public_id": "issued"},
    "api:invoice_credit": {"public_id": "issued"},
    "api:invoice_send": {"public_id": "draft"},
    "api:inbox_detail": {"public_id": "received"},
    "api:inbox_ubl": {"public_id": "received"},
    "api:inbox_pdf": {"public_id": "received"},
    "api:inbox_ack": {"public_id": "received"},
    "api:webhook": {"public_id": "webhook"},
    "api:webhook_deliveries": {"public_id": "webhook"},
    "api:webhook_delivery_retry": {"public_id": "webhook", "n": "webhook_delivery"},
}

# Bodies for the POSTs whose views answer 404 to a form they cannot read.
POST_DATA: dict[str, dict[str, str]] = {
    "accounts:join_request_decide": {"decision": "decline"},
}

# Patterns with arguments that are not an organisation's object, and why anyone may call them.
# They are filled with the other organisation's number or a key that matches nothing.
PUBLIC_BY_DESIGN: dict[str, str] = {
    "accounts:onboarding_details": "org numbers are public (the register); a taken one redirects",
    "accounts:join": "shows a holder's name and number only, to ask its owners for access",
    "accounts:taken": "about a partner's registration of a public number, not an organisation",
    "signing:takeover": "the company's signatory claims an unverified number with BankID",
    "api:partner_organisation": "partner keys only; an organisation's key is refused",
    "accounts:invitation_accept": "the mailed token is the credential; a wrong one is 404",
    "account_confirm_email": "allauth: the mailed key is the credential",
    "account_reset_password_from_key": "allauth: the mailed key is the credential",
}

# The admin's arguments: it lets no one but staff in, whatever the id.
ADMIN_ARGS = {
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "pk": "1",
    "app_label": "accounts",
    "url": "accounts/nothing/",
}

# Values for PUBLIC_BY_DESIGN arguments (the world's own org number is added per world).
FORGED = {"token": "x" * 43, "key": "MQ:forged-key", "uidb36": "1"}


@dataclass
class World:
    """One organisation with one object of every kind a URL takes, made by the services."""

    organisation: Organisation
    owner: Any
    member: Any
    objects: dict[str, Any] = field(default_factory=dict)
    markers: list[str] = field(default_factory=list)  # strings no other organisation may see

    def value(self, kind: str, arg: str) -> Any:
        """Return what goes into the URL argument for this world's object of this kind."""
        obj = self.objects[kind]
        return obj.public_id if arg == "public_id" else obj.pk

    def kwargs(self, route: Route) -> dict[str, Any]:
        """Return the route's arguments filled with this world's objects or public values."""
        if route.key in FILL:
            return {arg: self.value(kind, arg) for arg, kind in FILL[route.key].items()}
        values = {"org_number": self.organisation.org_number, **FORGED}
        return {arg: values[arg] for arg in route.args}


def _received_by(organisation: Organisation, sender: Organisation, user: Any) -> ReceivedInvoice:
    """Deliver an invoice from sender to organisation's inbox (the delivery task's body)."""
    digits = organisation.org_number.replace("-", "")
    customer = CustomerFactory(
        organisation=sender, org_number=organisation.org_number, vat_number=f"SE{digits}01"
    )
    invoice = draft(sender, user, customer=customer, issue_date=date(2026, 11, 3))
    delivery = invoice_services.invoice_send(invoice=invoice, user=user)
    assert delivery_attempt(delivery.pk, final=False).outcome == "delivered"
    return ReceivedInvoice.objects.get(delivery=delivery)


def build_world(label: str, sender: tuple[Organisation, Any]) -> World:
    """Create an organisation named by label with one object of every kind FILL names."""
    organisation = OrganisationFactory(
        legal_name=f"{label} AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    owner_membership = MembershipFactory(
        organisation=organisation, user__email=f"owner-{label.lower()}@example.com"
    )
    owner = owner_membership.user
    member = MembershipFactory(
        organisation=organisation,
        user__email=f"member-{label.lower()}@example.com",
        role=Membership.Role.MEMBER,
    )
    world = World(organisation, owner, member.user)
    add = world.objects.__setitem__
    customer = CustomerFactory(organisation=organisation, name=f"Hemligkund {label} AB")
    add("customer", customer)
    add("organisation", organisation)
    add("membership", member)
    add("draft", draft(organisation, owner, customer=customer))
    add("issued", issued(organisation, owner, customer=customer, issue_date=date(2026, 11, 4)))
    add(
        "attachment",
        invoice_services.attachment_add(
            invoice=world.objects["draft"], user=owner, filename=f"{label}.pdf", content=PDF
        ),
    )
    article = Article(
        number=f"{label}-1", description=f"Hemlig artikel {label}", unit_price=Decimal("100")
    )
    article = invoice_services.article_save(organisation=organisation, user=owner, article=article)
    add("article", article)
    add("received", _received_by(organisation, *sender))
    invitation, _token = accounts_services.invitation_create(
        actor=owner_membership, email=f"invited-{label.lower()}@example.com", role="member"
    )
    add("invitation", invitation)
    applicant = UserFactory(email=f"applicant-{label.lower()}@example.com")
    add(
        "join_request",
        accounts_services.join_request_create(user=applicant, organisation=organisation),
    )
    key, _secret = accounts_services.api_key_create(
        actor=owner, organisation=organisation, name=f"Nyckel {label}"
    )
    add("api_key", key)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        change = payment_change_request(
            actor=owner, organisation=locked, proposed={"bankgiro": "5402-9681"}
        )
    add("payment_change", change)
    evidence = signed_evidence(organisation, owner)
    add("evidence", evidence)
    add("signing_order", evidence.order)
    add("risk_flag", raise_flag(organisation, raised_by=owner))
    hook = f"http://127.0.0.1:9/hooks/{label.lower()}"
    subscription = webhook_subscribe(
        organisation=organisation, user=owner, url=hook, event_types=[]
    )
    add("webhook", subscription)
    event = event_record(organisation=organisation, type="invoice.queued", data={})
    add(
        "webhook_delivery",
        WebhookDelivery.objects.create(
            subscription=subscription, event=event, status=WebhookDelivery.Status.FAILED
        ),
    )
    world.markers = [
        customer.name,
        article.description,
        owner.email,
        member.user.email,
        invitation.email,
        applicant.email,
        key.name,
        hook,
    ]
    return world


def sender_organisation() -> tuple[Organisation, Any]:
    """Return a third, verified organisation (and its owner) that invoices both worlds."""
    organisation = OrganisationFactory(
        legal_name="Avsändaren AB",
        plan=Plan.PLUS,
        verification_status=Organisation.VerificationStatus.VERIFIED,
    )
    return organisation, MembershipFactory(organisation=organisation).user
