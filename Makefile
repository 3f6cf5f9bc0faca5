# Two commands matter: `make run` (the service with demo data on SQLite) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install system-packages assets browser lint typecheck migration-regen screenshots clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund

app/static/css/app.css: node_modules/.package-lock.json package.json scripts/build-assets.mjs $(wildcard app/assets/*)
	npm run --silent build

# Debian libraries WeasyPrint renders the quarterly report PDF with (and a font for it), and
# poppler-utils (pdftoppm), with which the PDF test and the screenshots render its pages.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 libglib2.0-0 fonts-dejavu-core poppler-utils

system-packages:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

install: system-packages $(STAMP) app/static/css/app.css

assets: node_modules/.package-lock.json
	npm run --silent build

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-core >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq chromium fonts-noto-core >/dev/null; fi

run: install
	$(BIN)/victim-voice db upgrade
	$(BIN)/victim-voice demo
	$(BIN)/victim-voice serve --host 127.0.0.1 --port 8000

test: install browser
	$(BIN)/pytest -n 2 --dist loadfile

lint:
	$(BIN)/ruff check app tests bench migrations/env.py
	$(BIN)/ruff format --check app tests bench

typecheck:
	$(BIN)/mypy app

# Before the first release only: rebuild the initial migration from the models.
migration-regen: install
	rm -f migrations/versions/*_0001_initial_schema.py /tmp/vv-regen.db
	VV_DATABASE_URL=sqlite:////tmp/vv-regen.db $(BIN)/alembic revision --autogenerate --rev-id 0001 -m "initial schema"
	rm -f /tmp/vv-regen.db

# Regenerates docs/screenshots/ (every victim page, dashboard, report) in headless Chromium.
screenshots: install browser
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules app/static
