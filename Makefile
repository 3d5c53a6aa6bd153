# DeFi Yield Optimizer — `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The last day of the recorded pool histories (recordings/README.md).
DEMO_DATE ?= 2025-06-05

.PHONY: help install demo test test-fast lint sql-lint docs docs-serve db-start db-stop clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

INSTALL_LOG := .yieldopt/install.log

# pip's own output goes to a log file (its path is printed); on failure its tail is shown.
$(STAMP): pyproject.toml
	@mkdir -p .yieldopt
	@echo "installing the project and its tools into $(VENV) (log: $(INSTALL_LOG))"
	@{ $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --upgrade pip \
		&& $(BIN)/pip install -e ".[dev]"; } > $(INSTALL_LOG) 2>&1 \
		|| { tail -40 $(INSTALL_LOG); exit 1; }
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

demo: $(STAMP) ## Run the daily job end to end on the embedded Postgres against recorded APIs
	@$(BIN)/yieldopt run --replay --date $(DEMO_DATE)

test: $(STAMP) ## Lint (ruff, sqlfluff, import contracts) and run the pytest suite on a fresh database
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory sql-lint
	$(BIN)/pytest

# The loop while editing: the unit tier (no database, server or subprocess; tests/conftest.py
# sets the tiers from the fixtures) and ruff. `make test` still runs every tier.
test-fast: $(STAMP) ## Ruff and the unit tests only (about a minute): run it while editing
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -m unit

lint: $(STAMP) ## Python lint only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

sql-lint: $(STAMP) ## SQLFluff over the dbt models (postgres dialect, dbt templater)
	$(BIN)/yieldopt sqlfluff lint models

docs: $(STAMP) ## Generate dbt docs (lineage from raw API tables to the allocation)
	$(BIN)/yieldopt dbt docs generate

docs-serve: docs ## Serve the generated dbt docs on http://127.0.0.1:8080
	$(BIN)/yieldopt dbt docs serve --port 8080

db-start: $(STAMP) ## Start the embedded PostgreSQL
	$(BIN)/yieldopt db start

db-stop: $(STAMP) ## Stop the embedded PostgreSQL
	$(BIN)/yieldopt db stop

clean: ## Remove the virtualenv, the embedded database and generated files
	-$(BIN)/yieldopt db stop
	rm -rf $(VENV) .yieldopt reports dbt_project/target dbt_project/logs
