# Wraparound: `make demo` to run it, `make test` to check it, `make lint` before committing.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
CSS := static/build/app.css

.PHONY: install demo serve test test-sqlite test-postgres lint format bench clean

$(PYTHON):
	python3 -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): static/scss/app.scss $(NODE_STAMP)
	npm run --silent build

install: $(PY_STAMP) $(CSS)

demo: install
	$(VENV)/bin/wraparound demo --serve

serve: install
	$(VENV)/bin/wraparound serve

test: install
	$(PYTHON) tests/run_suites.py

test-sqlite: install
	$(PYTHON) tests/run_suites.py sqlite

test-postgres: install
	$(PYTHON) tests/run_suites.py postgres

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules static/build .pytest_cache .mypy_cache .ruff_cache
