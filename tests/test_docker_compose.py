"""docker-compose.yml describes the stack the README promises, and Docker accepts it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"
# What `docker compose up` needs from the shell (see the README's Docker section).
ENV = {"SECRET_KEY": "x" * 50, "POSTGRES_PASSWORD": "change-me", "ALLOWED_HOSTS": "localhost"}


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text()))


def test_the_stack_has_web_worker_beat_postgres_and_redis() -> None:
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "beat"):
        # They start only after the schema is there.
        assert "migrate" in services[name].get("depends_on", {}), name
    assert "celery" in " ".join(services["worker"]["command"])
    assert "beat" in services["beat"]["command"]


def _docker_compose() -> list[str] | None:
    """Docker's compose plugin, else the standalone docker-compose (Debian's package)."""
    docker = shutil.which("docker")
    if docker is not None:
        found = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if found.returncode == 0:
            return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone is not None else None


def test_docker_compose_accepts_the_file() -> None:
    compose = _docker_compose()
    if compose is None:
        pytest.skip("neither docker compose nor docker-compose is installed here: only the "
                    "structure is checked")
    checked = subprocess.run(
        [*compose, "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **ENV},
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
