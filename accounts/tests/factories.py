"""factory_boy factories for users, organisations and memberships."""

from __future__ import annotations

from typing import Any

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import Membership, NetworkRegistration, Organisation, PartnerIntegration
from accounts.numbers import luhn_check_digit

PASSWORD = "correct-horse-battery-9"


def org_number_for(n: int) -> str:
    """Return a valid, fictional org number unique for n (prefix 5599)."""
    base = f"5599{n:05d}"
    digits = base + luhn_check_digit(base)
    return f"{digits[:6]}-{digits[6:]}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.LazyAttribute(lambda user: user.email)

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    org_number = factory.Sequence(org_number_for)
    legal_name = factory.Sequence(lambda n: f"Testbolaget {n} AB")
    vat_number = factory.LazyAttribute(lambda o: f"SE{o.org_number.replace('-', '')}01")
    street_address = "Testgatan 1"
    postal_code = "111 22"
    city = "Stockholm"
    registered_office = "Stockholm"
    bankgiro = "5050-1055"
    plan = Organisation._meta.get_field("plan").default


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OWNER


class PartnerIntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerIntegration

    name = factory.Sequence(lambda n: f"Partner ERP {n}")
    kind = PartnerIntegration.Kind.ERP


class NetworkRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkRegistration

    partner = factory.SubFactory(PartnerIntegrationFactory)
    org_number = factory.Sequence(lambda n: org_number_for(50000 + n))
    company_name = "Partnerkund AB"
