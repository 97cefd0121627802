"""The env helpers and the production guard in portal/settings.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from portal.env import database_from_url, env_bool, env_choice, env_int, env_list

BASE = Path("/srv/portal")
# Variables the settings read; a subprocess starts from none of them.
PORTAL_VARIABLES = (
    "PORTAL_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "BANKID_URL",
    "BANKID_TRUST_SIMULATOR",
    "DJANGO_SETTINGS_MODULE",
)


@pytest.mark.parametrize("raw", ["maybe", "2", "tru"])
def test_env_bool_rejects_a_bad_value_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("Yes", True), ("off", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)

    assert env_bool("SOME_FLAG") is expected


def test_env_int_rejects_a_non_integer_naming_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")

    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)


def test_env_int_falls_back_to_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("EMAIL_PORT", raising=False)
    assert env_int("EMAIL_PORT", 25) == 25
    monkeypatch.setenv("EMAIL_PORT", "")
    assert env_int("EMAIL_PORT", 25) == 25


def test_env_choice_rejects_an_unknown_value_naming_the_variable(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging")

    with pytest.raises(ImproperlyConfigured, match="PORTAL_ENV must be one of demo, production"):
        env_choice("PORTAL_ENV", {"production", "demo", "test"}, "production")


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example , ,b.example")

    assert env_list("ALLOWED_HOSTS") == ["a.example", "b.example"]


def test_database_from_url_reads_a_full_postgres_url():
    url = "postgres://app%40x:p%2Fss@db.internal:6543/efaktura?sslmode=require&connect_timeout=5"

    config = database_from_url(url, base_dir=BASE)

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("efaktura", "app@x", "p/ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


def test_database_from_url_needs_a_postgres_database_name():
    with pytest.raises(ImproperlyConfigured, match="database name"):
        database_from_url("postgres://postgres@127.0.0.1:5432/", base_dir=BASE)


def test_database_from_url_resolves_a_relative_sqlite_path_against_the_project():
    config = database_from_url("sqlite:///var/portal.sqlite3", base_dir=BASE)

    assert config == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/srv/portal/var/portal.sqlite3",
    }


def test_database_from_url_keeps_an_absolute_sqlite_path():
    config = database_from_url("sqlite:////data/portal.sqlite3", base_dir=BASE)

    assert config["NAME"] == "/data/portal.sqlite3"


def test_database_from_url_rejects_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured, match="'mysql' is not supported"):
        database_from_url("mysql://root@localhost/db", base_dir=BASE)


def _secure_env() -> dict[str, str]:
    """Return a production environment with nothing insecure left in it."""
    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": get_random_secret_key(),  # 50 random characters
        "ALLOWED_HOSTS": "portal.example.se",
        "DATABASE_URL": "postgres://efaktura:secret@db.internal:5432/efaktura",
        "REDIS_URL": "redis://redis.internal:6379/0",
        "BANKID_URL": "https://appapi2.bankid.com/rp/v6.0/",
    }


def _manage_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `manage.py check` in a fresh interpreter with only the given portal variables."""
    base = {key: value for key, value in os.environ.items() if key not in PORTAL_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=base | {"PORTAL_VAR_DIR": str(tmp_path)} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_starts_with_a_secure_configuration(tmp_path):
    result = _manage_check(_secure_env(), tmp_path)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short-and-guessable"}, "SECRET_KEY must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name the hosts"),
        ({"DATABASE_URL": "sqlite:///var/portal.sqlite3"}, "DATABASE_URL must point at PostgreSQL"),
        ({"REDIS_URL": ""}, "REDIS_URL or CELERY_BROKER_URL must point at a real broker"),
        ({"BANKID_TRUST_SIMULATOR": "true"}, "BANKID_TRUST_SIMULATOR must be off"),
        ({"BANKID_URL": ""}, "BANKID_URL must point at BankID"),
    ],
)
def test_production_refuses_an_insecure_default(tmp_path, change, message):
    result = _manage_check(_secure_env() | change, tmp_path)

    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert message in result.stderr


def test_production_is_the_default_and_refuses_a_bare_start(tmp_path):
    result = _manage_check({}, tmp_path)

    assert result.returncode != 0
    assert "Refusing to start in production (PORTAL_ENV=production)" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr
