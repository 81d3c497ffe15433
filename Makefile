# One command surface for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Debian packages the portal needs: CJK fonts and HarfBuzz's subsetter for PDFs (without it
# CJK PDFs are 10-30x slower), Pango for WeasyPrint, gettext to compile translations, poppler-utils
# (pdftotext, pdffonts) for the report tests that read generated PDFs back.
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext poppler-utils
BROWSER_PACKAGES := chromium
# The cluster test's own pieces (docs/deploy.md): nginx and PgBouncer from Debian.
CLUSTER_PACKAGES := nginx-light pgbouncer openssl

.DEFAULT_GOAL := help
.PHONY: help run install system-deps browser messages migrate seed serve worker beat test lint format check bench mutation clean cluster-deps cluster-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install messages migrate seed serve ## Fresh machine → portal with demo data at http://127.0.0.1:8000/

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: system-deps $(VENV)/.installed ## Create .venv and install the Python and Debian packages

system-deps: ## Install the Debian packages (as root), or say which to install
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "Please install these Debian packages first: sudo apt-get install$$missing"; exit 1; fi

browser: ## Install Debian's chromium for the browser tests (never a downloaded build)
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "Please install Debian's chromium: sudo apt-get install chromium"; exit 1; fi

cluster-deps: ## Install nginx and PgBouncer for the cluster test (as root), or say which to install
	@missing=""; for p in $(CLUSTER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
	  && { systemctl disable --now nginx pgbouncer >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true; }; \
	else echo "Please install these Debian packages first: sudo apt-get install$$missing"; exit 1; fi

cluster-test: install cluster-deps messages ## Two nodes behind nginx and PgBouncer lose nothing when one dies (deploy/cluster/)
	$(PY) deploy/cluster/cluster_test.py

messages: $(VENV)/.installed ## Compile the translations
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v 0

migrate: $(VENV)/.installed ## Apply database migrations
	$(MANAGE) migrate --no-input -v 0

seed: $(VENV)/.installed ## Load the demo data (idempotent) and print the demo logins
	$(MANAGE) seed_demo

serve: $(VENV)/.installed ## Serve the portal at http://127.0.0.1:8000/
	$(MANAGE) runserver 127.0.0.1:8000

worker: $(VENV)/.installed ## Run a Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: $(VENV)/.installed ## Run Celery beat, the scheduler (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A config beat --loglevel=info

test: install browser messages ## Run the test suite (SQLite, or DATABASE_URL/CELERY_BROKER_URL when set)
	$(VENV)/bin/pytest

lint: $(VENV)/.installed ## ruff lint and format check, and the apps' layers (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.installed ## Django system checks and the missing-migrations check
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

# bench_marketplace.py runs bench_claims.py and bench_needs_list.py in one run (issue 4), so
# those two are not run again on their own.
bench: $(VENV)/.installed ## Run the benchmarks in bench/ (PostgreSQL: set DATABASE_URL)
	@for b in bench/bench_*.py; do [ -e "$$b" ] || { echo "no benchmarks yet"; break; }; \
	case $$b in */bench_claims.py|*/bench_needs_list.py) continue;; esac; $(PY) $$b || exit 1; done

# Mutation testing is slow (minutes per module) and not part of `make test`; the figures are in
# bench/MUTATION.md. One module at a time, each against its own tests, on SQLite.
MUTATION_MODULES := privacy/generalize.py privacy/identity.py privacy/names.py privacy/tokens.py \
	privacy/encryption.py privacy/redaction.py marketplace/needs/placement.py marketplace/needs/policy.py
MODULES ?= $(MUTATION_MODULES)
MUTATION_JOBS ?= 1
mutation: $(VENV)/.installed messages ## Mutation testing (mutmut): MODULES=privacy/generalize.py, MUTATION_JOBS=1
	$(PY) bench/mutation.py $(MODULES) --jobs $(MUTATION_JOBS)

clean: ## Remove the virtualenv and local data under var/
	rm -rf $(VENV) var mutants
