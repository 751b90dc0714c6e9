# The two commands a new developer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/bench.db
BENCH_THREADS ?= 50000
BENCH_POSTS ?= 1000000
BENCH_ARGS ?=

.PHONY: run test test-pg e2e lint format bench bench-seed bench-tools install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

# axe-core for the browser tests' accessibility checks; skipped where npm is missing
# (the browser tests then skip too, unless E2E_REQUIRED=1).
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser tests will be skipped"; fi

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test node_modules/axe-core/axe.min.js

# `flask run` reads where to listen from FLASK_RUN_HOST/FLASK_RUN_PORT, and so does the
# app's BASE_URL default: links in mail and feeds name the port it really serves on.
run: install
	$(BIN)/flask --app forum setup
	# Periodic work (mail and notification leftovers, digests) in the background, stopped
	# with the server.
	$(BIN)/flask --app forum jobs run --loop 60 & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null' EXIT INT TERM; \
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(BIN)/flask --app forum run

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: install-test
	TEST_DATABASE_URL=$(TEST_PG_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest --ignore=tests/e2e --ignore=tests/deploy $(PYTEST_ARGS)

e2e: install-test
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (README: "Benchmark"). wrk comes from Debian's packages.
bench-tools:
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null 2>&1 || \
		{ echo "wrk is needed: apt-get install wrk"; exit 1; }

bench-seed: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/flask --app forum bench seed \
		--threads $(BENCH_THREADS) --posts $(BENCH_POSTS)

bench: install bench-tools
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/flask --app forum bench run \
		--seed-threads $(BENCH_THREADS) --seed-posts $(BENCH_POSTS) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules .pytest_cache
