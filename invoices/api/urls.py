from django.urls import path

from invoices.api import customers, routes_inbox, routes_invoices, routes_sending

urlpatterns = [
    path("customers", customers.CustomerListView.as_view(), name="customers"),
    path("customers/<int:pk>", customers.CustomerDetailView.as_view(), name="customer"),
    *routes_invoices.urlpatterns,
    *routes_sending.urlpatterns,
    *routes_inbox.urlpatterns,
]
