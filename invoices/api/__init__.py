"""Invoicing over the API: customers, invoices, the inbox."""
