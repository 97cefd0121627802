"""The event feed and webhook subscriptions over the API."""
