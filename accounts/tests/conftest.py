"""The shared process fixtures the accounts tests use (they live under tests/)."""

from tests.conftest import celery_worker_process  # noqa: F401
