# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
HOST ?= 127.0.0.1
PORT ?= 3000

.PHONY: run test test-fast ui lint check-defs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

## Materialize every asset on the bundled sample corpus; prints the published version path last.
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/claimset run

## The whole test suite, end-to-end tests included (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Unit tests only: skips the tests that start a Dagster webserver and daemon.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e"

## Dagster UI and daemon on $(HOST):$(PORT), with a persistent DAGSTER_HOME.
ui: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-defs: $(STAMP)
	$(BIN)/dagster definitions validate -w workspace.yaml
	$(BIN)/dg check defs

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/segmentation.py
	$(BIN)/python bench/claims.py

clean:
	rm -rf $(VENV) .dagster_home .pytest_cache .hypothesis
