# One target per task; `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3.12
VENV := .venv
PY := $(VENV)/bin/python
BELENIOS_TOOL_DIR ?= $(HOME)/.cache/belenios-tool-3
SHARED ?= $(abspath ../shared)
export BELENIOS_TOOL ?= $(BELENIOS_TOOL_DIR)/belenios-tool-3
export URNE_SHARED := $(SHARED)

.PHONY: help install install-tools test lint typecheck contracts test-crypto bench-crypto

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[platform,dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install Urne with the platform and dev tools

install-tools:  ## belenios-tool 3.0, the outside check of our crypto
	@test -x $(BELENIOS_TOOL) || $(SHARED)/tools/install-belenios-tool-3 $(BELENIOS_TOOL_DIR) >/dev/null

lint: install  ## ruff
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src/urne/crypto src/urne/verify

typecheck: install  ## mypy (strict on the pure packages)
	$(VENV)/bin/mypy

contracts: install  ## import-linter: crypto and verifier never import Django
	$(VENV)/bin/lint-imports

test-crypto: install install-tools  ## crypto core, verifier, interop with belenios-tool
	$(PY) -m pytest -n 2 tests/unit/crypto tests/property tests/interop

test: install install-tools lint typecheck contracts  ## every test (the README's test command)
	$(PY) -m pytest -n 2

bench-crypto: install install-tools  ## crypto benchmark: ours vs belenios-tool 3.0
	$(PY) bench/bench_crypto.py
