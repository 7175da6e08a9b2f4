# boligmonitor: `make demo` and `make test` work on a fresh clone; each sets up .venv when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8

export BOLIGMONITOR_HOME ?= $(CURDIR)/var
# The demo data covers 2021-2025; the demo run reports as of its last extract day.
DEMO_END := 2025-12-31

.PHONY: install demo test lint format dev bench clean

# --compile-bytecode: every run is a new process that imports Dagster, dbt and Great Expectations;
# compiled once here, not by each process (and not at all where PYTHONDONTWRITEBYTECODE is set).
$(VENV)/.installed: requirements.lock pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python --no-deps \
	  -r requirements.lock -e .
	@touch $@

install: $(VENV)/.installed

demo: install
	@if [ -z "$$(ls -A "$(BOLIGMONITOR_HOME)/landing" 2>/dev/null)" ]; then \
	  $(BIN)/boligmonitor demo-data --landing "$(BOLIGMONITOR_HOME)/landing" --end $(DEMO_END); \
	fi
	BOLIGMONITOR_AS_OF=$${BOLIGMONITOR_AS_OF:-$(DEMO_END)} $(BIN)/boligmonitor run --demo
	@echo "Dashboards (åbnes uden netværk):"
	@echo "  $(BOLIGMONITOR_HOME)/dashboards/internal/index.html"
	@echo "  $(BOLIGMONITOR_HOME)/dashboards/partner/index.html"

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

dev: install
	DAGSTER_HOME=$${DAGSTER_HOME:-$(BOLIGMONITOR_HOME)/dagster} ; mkdir -p "$$DAGSTER_HOME" ; \
	  DAGSTER_HOME="$$DAGSTER_HOME" $(BIN)/dagster dev

# The whole pipeline at several scales (benchmarks/pipeline.py); e.g. make bench BENCH_SCALE="1 10".
BENCH_SCALE ?= 1 10 50
bench: install
	$(BIN)/python benchmarks/pipeline.py --scale $(BENCH_SCALE)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
