from django.urls import path

from accounts.api import partners, views

urlpatterns = [
    path("organisation", views.OrganisationView.as_view(), name="organisation"),
    path(
        "partner/organisations",
        partners.PartnerOrganisationsApi.as_view(),
        name="partner_organisations",
    ),
    path(
        "partner/organisations/<str:org_number>",
        partners.PartnerOrganisationApi.as_view(),
        name="partner_organisation",
    ),
]
