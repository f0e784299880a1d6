# One target per task; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
# Belenios's own tool in its two versions, the outside checks of our crypto (tools/).
export BELENIOS_TOOL ?= $(HOME)/.cache/belenios-tool-3.0/belenios-tool
export BELENIOS_TOOL_33 ?= $(HOME)/.cache/belenios-tool-3.3/belenios-tool
# Debian packages the tests drive: Chromium (browser tests), espeak-ng (the CAPTCHA's audio),
# nginx (the TLS proxy of `make serve` and its browser test).
SYSTEM_PACKAGES := chromium espeak-ng nginx

.PHONY: help install install-tools install-system test lint typecheck contracts test-crypto bench-crypto \
	frontend test-js dsfr \
	demo demo-count demo-stop serve serve-stop migrate test-platform bench-import bench-accounts test-browser bench-cast bench-count \
	bench-participation bench-sms bench-seal

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml setup.py src/urne/crypto/_ed25519.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[platform,dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install Urne with the platform and dev tools

install-tools:  ## belenios-tool 3.0 and 3.3.0, the outside checks of our crypto (no root needed)
	@test -x $(BELENIOS_TOOL) || tools/install-belenios-tool 3.0 $(dir $(BELENIOS_TOOL)) >/dev/null
	@test -x $(BELENIOS_TOOL_33) || tools/install-belenios-tool 3.3 $(dir $(BELENIOS_TOOL_33)) >/dev/null

install-system:  ## Debian packages the tests need (Chromium, espeak-ng, nginx): apt-get as root, else says what to run
	@missing=$$(for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null || test -x /usr/sbin/$$p || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need Debian packages that are missing: run  sudo apt-get install -y $$missing" >&2; \
	    exit 1; \
	  fi; \
	fi

lint: install  ## ruff
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src/urne/crypto src/urne/verify src/urne/counting

typecheck: install  ## mypy: django-stubs over the apps, strict on the pure packages
	$(VENV)/bin/mypy

contracts: install  ## import-linter: crypto, verifier and counting never import Django
	$(VENV)/bin/lint-imports

test-crypto: install install-tools  ## crypto core, verifier, interop with belenios-tool
	$(PY) -m pytest -n 2 tests/unit/crypto tests/property tests/interop

test: install install-tools install-system frontend dsfr lint typecheck contracts test-js  ## every test (the README's test command)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# --- Booth JavaScript (frontend/: npm, esbuild, node's test runner) -------------------------
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.installed  ## install the booth JS dependencies (npm ci; the built bundle is committed)

# --- The DSFR theme (URNE_THEME=dsfr, ADR 0241) ----------------------------------------------
# The French State's design system is an optional npm dependency: its package installs only
# once its terms of use are accepted (DSFR_ACCEPT_LICENSE=1, or frontend/.dsfr.yml), which
# only a State service may do. Its files are copied into the theme's static folder, never
# committed (.gitignore).
DSFR_PACKAGE := frontend/node_modules/@gouvfr/dsfr
DSFR_STATIC := src/urne/theme_dsfr/static/theme_dsfr/dsfr

$(DSFR_STATIC)/.installed: frontend/package.json frontend/package-lock.json | frontend
	@test -f $(DSFR_PACKAGE)/package.json || (cd frontend && npm ci --no-audit --no-fund >/dev/null)
	@test -f $(DSFR_PACKAGE)/package.json || { echo "The DSFR (@gouvfr/dsfr) is not installed: its terms of use ($(DSFR_PACKAGE)/doc/legal/cgu.md, reserved to State services) must be accepted first: DSFR_ACCEPT_LICENSE=1 make dsfr (docs/deployment.md, \"The DSFR theme\")." >&2; exit 1; }
	@rm -rf $(DSFR_STATIC) && mkdir -p $(DSFR_STATIC)
	@cd $(DSFR_PACKAGE) && cp -r LICENSE.md dist/dsfr.min.css dist/dsfr.module.min.js dist/dsfr.nomodule.min.js \
	  dist/fonts dist/icons dist/favicon $(CURDIR)/$(DSFR_STATIC)/
	@touch $@

# The test targets accept the DSFR's terms for the build they test, which is served on loopback
# to the test browser only, never published (ADR 0241); a deployment accepts them itself.
test test-browser: export DSFR_ACCEPT_LICENSE = 1

dsfr: $(DSFR_STATIC)/.installed  ## the DSFR theme's files from @gouvfr/dsfr (State deployments only: DSFR_ACCEPT_LICENSE=1)

test-js: frontend  ## booth JS: Python-made vectors reproduced byte for byte, bundle up to date
	cd frontend && npm test

bench-crypto: install install-tools  ## crypto benchmark: ours vs belenios-tool 3.0
	$(PY) bench/bench_crypto.py

# --- Platform (Django) -------------------------------------------------------------------
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
# Every link the demo writes (account mails, receipts, notices) points to the demo's server.
DEMO_URL := http://$(DEMO_HOST):$(DEMO_PORT)
DEMO_VOTERS ?= 20000
DEMO_PHASE ?= vote
MANAGE := $(PY) manage.py

migrate: install  ## create or update the three stores (voter store, authority, urn)
	@for db in default authority urn; do $(MANAGE) migrate --database $$db -v0 || exit 1; done

demo: install migrate demo-stop  ## fresh machine: demo election, web server and worker on localhost
	@mkdir -p var/log var/run
	@URNE_PUBLIC_URL=$(DEMO_URL) $(MANAGE) demo_setup --voters $(DEMO_VOTERS) --phase $(DEMO_PHASE) --url $(DEMO_URL)/ >var/demo.txt
	@URNE_PUBLIC_URL=$(DEMO_URL) nohup $(MANAGE) runserver $(DEMO_HOST):$(DEMO_PORT) --noreload >var/log/web.log 2>&1 & echo $$! >var/run/web.pid
	@$(MANAGE) cast_recover --schedule >/dev/null && $(MANAGE) outbox_retry --schedule >/dev/null
	@URNE_PUBLIC_URL=$(DEMO_URL) nohup $(MANAGE) db_worker --no-reload >var/log/worker.log 2>&1 & echo $$! >var/run/worker.pid
	@for i in $$(seq 50); do curl -fs -o /dev/null http://$(DEMO_HOST):$(DEMO_PORT)/backoffice/login/ && break; sleep 0.2; done
	@cat var/demo.txt
	@echo "Web server log: var/log/web.log, worker log: var/log/worker.log. Stop both: make demo-stop"

demo-count: install migrate  ## after `make demo`: close the vote, cast a few hundred ballots if the urns are nearly empty, count with the demo keys, proclaim
	@URNE_PUBLIC_URL=$(DEMO_URL) $(MANAGE) demo_count

demo-stop:  ## stop the demo's web server and worker
	@for f in var/run/web.pid var/run/worker.pid; do \
	  if [ -f $$f ]; then kill $$(cat $$f) 2>/dev/null || true; rm -f $$f; fi; done

# --- The production stack on this machine (deploy/, docs/operations.md) ---------------------
SERVE_PREFIX ?= var/serve
SERVE_HTTPS_PORT ?= 8443

serve: install install-system  ## nginx (TLS, self-signed) + gunicorn + worker + timers, production settings, https://localhost:8443/
	@$(PY) tools/serve start --prefix $(SERVE_PREFIX) --https-port $(SERVE_HTTPS_PORT)

serve-stop:  ## stop what `make serve` started
	@$(PY) tools/serve stop --prefix $(SERVE_PREFIX)

test-platform: install  ## every database test but the browser's (SQLite unless URNE_DB=postgres)
	$(PY) -m pytest -n 2 -m "database and not browser" $(PYTEST_ARGS)

test-browser: install install-system install-tools frontend dsfr  ## browser tests only: portal journeys in Chromium, axe-core; screenshots in test-artifacts/
	$(PY) -m pytest -n 2 -m browser tests/browser

bench-accounts: install  ## opening-mail campaign over SMTP (aiosmtpd), CAPTCHA image/audio, Argon2id
	$(PY) bench/bench_accounts.py

bench-import: install  ## voter import: rows/s on SQLite and PostgreSQL (1.1 M rows)
	$(PY) bench/bench_import.py

bench-count: install  ## count after the last upload: 290 scrutins, 1 M ballots (arithmetic), then through the services
	$(PY) bench/bench_count.py

bench-sms: install frontend  ## new identifiers by SMS: 10,000 requests in the last hour, gateway at 50 SMS/s (real SMPP server), PostgreSQL
	$(PY) bench/bench_sms.py

bench-seal: install  ## seal of 290 scrutins, 1.1 M voters, 16 M public credentials (PostgreSQL)
	$(PY) bench/bench_seal.py

bench-cast: install  ## cast: casts/s through gunicorn + PostgreSQL vs the bare ballot-check ceiling
	$(PY) bench/bench_cast.py

bench-participation: install  ## bureau's participation page: 1.1 M voters, 4 M émargements, 290 scrutins (PostgreSQL); counters' cost per cast
	$(PY) bench/bench_participation.py
