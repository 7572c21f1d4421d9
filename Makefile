# Two commands matter: `make run` (set up, then serve on http://127.0.0.1:$(PORT)) and
# `make test` (set up, then lint and run the whole suite). Everything else is a step they share.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

# The first interpreter on PATH that is Python 3.12 or newer: `python3` first, so that pyenv's
# .python-version is honoured, then the versioned names a system without pyenv installs.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then command -v $$p; break; fi; done)

.PHONY: help
help:
	@echo "make run    set up and serve Collaborate on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run the linters and the whole test suite"
	@echo "make bench  measure the product against its floors (PostgreSQL; see README)"
	@echo "make fuzz-api  send the API 200 generated requests per operation and role (schemathesis)"
	@echo "make load   50 users for 60 s on gunicorn, a worker, PostgreSQL and Redis (locust; see README)"
	@echo "make faults  break a running copy (PostgreSQL, Redis, mail, worker, web) and check nothing is lost"
	@echo "make audit  check the locked Python and npm dependencies for known vulnerabilities"
	@echo "make backup  write the database and the evidence files to backups/ (PostgreSQL; see README)"
	@echo "make restore BACKUP=path  restore a backup into the empty configured database (FORCE=1: not empty), then check_data"

# --- set-up -----------------------------------------------------------------------------------

$(VENV)/.installed: uv.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Collaborate needs Python 3.12 or newer on PATH (python3.12 or python3.13)." >&2; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --python $(PY) --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ASSETS := static/dist/app.css static/dist/app.js
static/dist/app.css: node_modules/.installed $(wildcard static/src/*.scss)
	@mkdir -p static/dist
	npx sass --pkg-importer=node --style=compressed --no-source-map --quiet-deps \
		static/src/app.scss static/dist/app.css
	@rm -rf static/dist/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets static/dist/assets
	@rm -rf static/dist/assets/fonts

static/dist/app.js: node_modules/.installed $(wildcard static/src/*.mjs)
	@mkdir -p static/dist
	npx esbuild static/src/app.mjs --bundle --minify --format=esm --target=es2020 \
		--log-level=warning --outfile=static/dist/app.js

.PHONY: setup assets
setup: $(VENV)/.installed assets
assets: $(ASSETS)

# --- the two commands -------------------------------------------------------------------------

.PHONY: run
run: export DEBUG ?= true
run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) load_councils
	$(MANAGE) seed_demo --allow-known-passwords
	@echo "The demo administrator and manager need a code from an authenticator app: add the setup key printed above to yours."
	@echo "Collaborate is starting on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)."
	$(MANAGE) runserver --skip-checks 127.0.0.1:$(PORT)

.PHONY: test lint
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	env -u DATABASE_URL -u REDIS_URL DEBUG=true $(MANAGE) makemigrations --check --dry-run

# The suite runs in TEST_WORKERS processes (pytest-xdist), each given whole files: a worker has
# its own test database, Redis database, Celery queue and static files (tests/environment.py).
# TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto
test: setup lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

.PHONY: bench
bench: setup
	$(MANAGE) bench $(BENCH_ARGS)

# The schema-driven client of tests/api/test_schemathesis.py with many more examples than the suite.
.PHONY: fuzz-api
fuzz-api: setup
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-200} $(PY) -m pytest -p no:cacheprovider tests/api/test_schemathesis.py $(PYTEST_ARGS)

# The fault suite (tests/faults): its own PostgreSQL cluster, Redis, gunicorn, worker and beat,
# broken while people use them; deselected from `make test`.
.PHONY: faults
faults: setup
	$(PY) -m pytest -p no:cacheprovider -m faults tests/faults $(PYTEST_ARGS)

# The load scenario (tests/load/locustfile.py) against gunicorn and a Celery worker on a database
# and a Redis of its own (tests/load/run.py): prints requests per second, errors and p50/p95/p99
# per page, and fails on any error or a page's p95 over 5 times that of a trivial signed-in page.
# Needs PostgreSQL (LOAD_DATABASE_URL, else collaborate_load on DATABASE_URL's server) and
# redis-server on PATH.
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
.PHONY: load load-smoke
load: setup
	$(PY) -m tests.load.run --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) $(LOAD_ARGS)

# The same for 10 seconds with a few users on less data, that the scenario still runs without an
# error (.ci/run): its ratios are printed, not judged (a few requests a page make no p95).
load-smoke: setup
	$(PY) -m tests.load.run --users 6 --seconds 10 --spawn-rate 3 --scale 0.002 --errors-only $(LOAD_ARGS)

# Fails on a known vulnerability that a released version fixes; says loudly, and passes, when
# an advisory service cannot be reached (.ci/audit_dependencies.py).
.PHONY: audit
audit: $(VENV)/.installed
	$(PY) .ci/audit_dependencies.py

# The database and the media files in one checked archive (collaborate/backups.py).
.PHONY: backup restore
backup: $(VENV)/.installed
	$(MANAGE) backup $(if $(OUTPUT),--output $(OUTPUT))

restore: $(VENV)/.installed
	@[ -n "$(BACKUP)" ] || { echo "Say which backup: make restore BACKUP=backups/collaborate-….tar.gz" >&2; exit 1; }
	$(MANAGE) restore $(BACKUP) $(if $(FORCE),--force) && $(MANAGE) check_data

.PHONY: clean
clean:
	rm -rf $(VENV) node_modules static/dist staticfiles
