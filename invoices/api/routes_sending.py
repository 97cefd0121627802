"""Routes of invoices/api/sending.py (kept apart so each part of the API adds its own)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
