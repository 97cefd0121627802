from django.urls import path

from invoices.api import customers

urlpatterns = [
    path("customers", customers.CustomerListView.as_view(), name="customers"),
    path("customers/<int:pk>", customers.CustomerDetailView.as_view(), name="customer"),
]
