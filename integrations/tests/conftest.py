"""The shared process fixtures the integrations tests use (they live under tests/)."""

from tests.bankid_simulator import bankid_simulator, sim  # noqa: F401
from tests.conftest import celery_worker_process  # noqa: F401
