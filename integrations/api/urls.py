"""Routes of the event feed and the webhooks (filled in by integrations/api/views.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
