# Everything a newcomer needs, from a fresh clone:
#   make run    the site with demo data at http://127.0.0.1:8000 (gunicorn, DEBUG off, SQLite),
#               with the task worker that sends its emails
#   make test   lint, then the whole test suite (browser tests included)
# Each target installs what it needs first and skips work already done.

SHELL := /bin/sh
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Settings for `make run`: the real product (DEBUG off, gunicorn, whitenoise)
# on SQLite over plain HTTP on this machine, with demo accounts.
RUN_ENV := DEBUG=false SECURE_COOKIES=false SECURE_SSL_REDIRECT=false EMAIL_BACKEND=console \
	SECRET_KEY_FILE=var/secret-key ALLOWED_HOSTS=127.0.0.1,localhost DEMO_DATA=true \
	SITE_URL=http://$(HOST):$(PORT)

.PHONY: help run dev test lint format setup assets clean manage bench

help:
	@echo "make run     set up and run the site with demo data at http://$(HOST):$(PORT)"
	@echo "make test    set up, lint and run the whole test suite"
	@echo "make bench   measure the app under load on PostgreSQL (DATABASE_URL=postgres://...)"
	@echo "make dev     development server and task worker with DEBUG on and auto-reload"
	@echo "make manage ARGS=...  a management command with development settings"
	@echo "make lint    ruff check and format check"
	@echo "make format  ruff fix and format"
	@echo "make clean   remove the virtualenv, node_modules, built assets and the local database"

# --- installation (each step re-runs only when its inputs change) -----------

$(BIN)/.installed: pyproject.toml
	@test -x $(PY) || { py=$$(scripts/find-python) && "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --disable-pip-version-check --group dev
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "lgdss needs Node.js 20 or newer with npm to build its CSS: install Node.js first." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

GOVUK := node_modules/govuk-frontend/dist/govuk
# MOJ Frontend's filter component (the results page) and the icons its styles name.
MOJ := node_modules/@ministryofjustice/frontend/moj
MOJ_ICONS := icon-toggle-plus-minus.svg icon-close-cross-black.svg icon-tag-remove-cross.svg \
	icon-tag-remove-cross-white.svg
SCSS := $(wildcard static/scss/*.scss)

static/build/app.css: $(SCSS) node_modules/.installed
	@mkdir -p static/build/assets
	npm run --silent build:css
	cp $(GOVUK)/govuk-frontend.min.js static/build/govuk-frontend.min.js
	rm -rf static/build/assets/images && cp -R $(GOVUK)/assets/images static/build/assets/images
	cp $(addprefix $(MOJ)/assets/images/,$(MOJ_ICONS)) static/build/assets/images/

# accessible-autocomplete as published (the council picker), with the source maps its files
# name, which collectstatic looks for.
AUTOCOMPLETE ?= node_modules/accessible-autocomplete/dist

static/build/accessible-autocomplete.min.js: node_modules/.installed
	@mkdir -p static/build
	cp $(AUTOCOMPLETE)/accessible-autocomplete.min.* static/build/

setup: $(BIN)/.installed static/build/app.css static/build/accessible-autocomplete.min.js

assets: static/build/app.css static/build/accessible-autocomplete.min.js

var/secret-key:
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# --- the two commands in the README ------------------------------------------

run: setup var/secret-key
	@mkdir -p var
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) loaddata standard_lgdss_1_0
	$(RUN_ENV) $(MANAGE) import_councils
	$(RUN_ENV) $(MANAGE) load_demo_data
	$(RUN_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	@echo "Starting on http://$(HOST):$(PORT) with the task worker that sends emails (Ctrl+C to stop)"
	$(RUN_ENV) $(PY) scripts/run-together "$(MANAGE) db_worker" \
		"$(MANAGE) send_overdue_reminders --every 900" \
		"$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) lgdss.wsgi"

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# --- other commands ---------------------------------------------------------

# The benchmark (README, "Benchmark"): gunicorn as in production on PostgreSQL, wrk at a
# fixed concurrency, a table and var/bench/latest.json. BENCH_ARGS passes options, e.g.
# `make bench BENCH_ARGS="--duration 5 --servers 2"` (scripts/bench/bench.py --help).
bench: setup
	$(PY) scripts/bench/bench.py $(BENCH_ARGS)

dev: setup
	@mkdir -p var
	DEBUG=true $(MANAGE) migrate --no-input
	DEBUG=true $(MANAGE) loaddata standard_lgdss_1_0
	DEBUG=true $(MANAGE) import_councils
	DEBUG=true DEMO_DATA=true $(MANAGE) load_demo_data
	DEBUG=true SECURE_SSL_REDIRECT=false EMAIL_BACKEND=console $(PY) scripts/run-together "$(MANAGE) db_worker" \
		"$(MANAGE) send_overdue_reminders --every 900" "$(MANAGE) runserver $(HOST):$(PORT)"

# Management commands with development settings, e.g. `make manage ARGS=makemigrations`.
# (Without DEBUG=true the settings insist on a SECRET_KEY, as production does.)
manage: setup
	DEBUG=true $(MANAGE) $(ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var
