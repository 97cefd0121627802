from django.urls import path

from accounts.api import views

urlpatterns = [
    path("organisation", views.OrganisationView.as_view(), name="organisation"),
]
