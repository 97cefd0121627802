"""The Celery application; settings come from Django's, prefixed CELERY_."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Celery runs Django's system checks when a worker starts; the URL checks import every view,
# and with them the PDF renderer and the API schema: ~50 MiB per worker that delivers
# nothing. The web process and `manage.py check` (CI, deploys) run the checks.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping() -> str:
    """Answer 'pong': lets health checks and tests see a live worker."""
    return "pong"


@app.task(name="portal.noop")
def noop() -> None:
    """Do nothing: the baseline `make bench` compares delivery throughput with."""


@signals.worker_ready.connect
def _load_validator_for_bench(**kwargs: object) -> None:
    # Only the delivery benchmark sets this: it reports worker memory "with the validator
    # loaded", and the network-inbox delivery path alone never loads it.
    if os.environ.get("BENCH_LOAD_VALIDATOR") == "1":
        from invoices.validation import load_layers

        load_layers()
