# SIGAP developer commands. `make demo` and `make test` work on a fresh machine (Python >= 3.11).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install demo test check lint format typecheck bench clean browser screenshots

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install  ## generate a Kota Bekasi registry, target SIGAP 2026, serve http://127.0.0.1:8000
	$(BIN)/sigap demo $(ARGS)

test: install  ## the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
	$(BIN)/pytest

browser:  ## Debian's Chromium for tests/browser (Playwright downloads nothing)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	@/usr/bin/chromium --version

screenshots: install browser  ## docs/screenshots from the demo (docs/screenshots/make_screenshots.py; ARGS="dashboard run" for some)
	$(BIN)/python docs/screenshots/make_screenshots.py $(ARGS)

lint: install  ## format, lint and the import contracts of docs/architecture.md (pyproject [tool.importlinter])
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: install
	$(BIN)/mypy src

check: lint typecheck test  ## format, lint, type check and tests: the same locally and in CI

bench: install  ## the benchmarks (slow; see bench/README.md)
	$(BIN)/python bench/import.py
	$(BIN)/python bench/targeting.py
	$(BIN)/python bench/citizen_check.py
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sigap_bench_dashboard} $(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) sigap-data build dist src/*.egg-info
