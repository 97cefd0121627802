"""The organisation over the API (/api/v1/organisation)."""
