# Two commands on a fresh machine: `make demo` and `make test`. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# Touched after a successful sync: a newer lock file triggers the next sync.
# requirements.lock pins what production runs; requirements-dev.lock adds the test and lint tools.
STAMP := $(VENV)/.installed

# make test runs against real servers; override from the environment or the command line.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/efaktura
# Database 15, not 0: a test run never shares queues or cache keys with a dev worker.
REDIS_URL ?= redis://127.0.0.1:6379/15
# The cache gets its own database: clearing it between tests must not drop queued tasks.
CACHE_URL ?= redis://127.0.0.1:6379/14
PYTEST_ARGS ?=

# The demo is the embedded default (SQLite + filesystem broker under var/), whatever the shell holds.
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL -u CACHE_URL -u CELERY_BROKER_URL PORTAL_ENV=demo DEBUG=true
TEST_ENV := env -u CELERY_BROKER_URL PORTAL_ENV=test \
	DATABASE_URL='$(DATABASE_URL)' REDIS_URL='$(REDIS_URL)' CACHE_URL='$(CACHE_URL)'
# mypy's Django plugin imports the settings, which refuse production defaults.
LINT_ENV := env PORTAL_ENV=test

.PHONY: help venv install demo manage test e2e lint bench messages clean-demo

help:
	@echo "make demo        install, migrate, seed demo data, run web + worker + beat (Ctrl-C stops)"
	@echo "make manage ARGS='...'  a manage.py command on the demo's data (e.g. ARGS=verify_audit_log)"
	@echo "make test        install, check PostgreSQL and Redis, run the whole test suite"
	@echo "make e2e         the browser journeys alone (Playwright + Debian's Chromium; part of make test)"
	@echo "make lint        ruff check + mypy (strict, Django and DRF plugins)"
	@echo "make bench       every benchmark as BENCH <name> <value> lines, then bench/report.md"
	@echo "make messages    update and compile the Swedish translations"
	@echo "make clean-demo  remove the demo's database, broker queue and files under var/"

venv install: $(STAMP)

$(PY):
	python3 -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): requirements-dev.lock | $(UV)
	$(UV) pip sync --python $(PY) requirements-dev.lock
	touch $@

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py run_demo

# A manage.py command on the demo's data, e.g. make manage ARGS='create_partner --name ERP'.
manage: $(STAMP)
	@$(DEMO_ENV) $(PY) manage.py $(ARGS)

test: $(STAMP)
	$(TEST_ENV) $(PY) scripts/check_services.py
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

e2e: $(STAMP)
	$(TEST_ENV) $(PY) scripts/check_services.py
	$(TEST_ENV) $(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(LINT_ENV) $(VENV)/bin/mypy .

# Every benchmark (each app's bench modules, collected by portal/management/commands/bench.py),
# then bench/report.md and the README's table. Validation is pure CPU work on inputs it builds:
# the demo's settings suffice. The others run in a subprocess on PostgreSQL + Redis
# (BENCH_DATABASE_URL, BENCH_REDIS_URL; see portal/benchmarks.py), skipped when they do not answer.
bench: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py bench

messages: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py makemessages -l sv
	$(DEMO_ENV) $(PY) manage.py compilemessages -l sv --ignore=$(VENV) --ignore=var

clean-demo:
	rm -rf var/
