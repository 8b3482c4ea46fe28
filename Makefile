# siyu: `make run` runs the whole pipeline on the embedded default; `make test` runs the tests.
# Both create the virtual environment in .venv/ on first use and reinstall when pyproject changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PATH := $(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# pytest workers for `make test` (pytest-xdist; each runs whole test folders, see tests/conftest.py)
TEST_WORKERS ?= 2

.PHONY: install run test test-fast lint lint-python dev sample clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

## run the daily_refresh job on SIYU_LANDING_DIR (default: the committed sample) and summarise
run: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.run

## lint and test: every test, the dbt builds and the Spark leg included
test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations 15

## the edit loop: ruff and the tests that need no dbt build, Spark session or whole run (the
## modules marked `build` are left out; see tests/conftest.py)
test-fast: install lint-python
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not build" --durations 5

lint-python: install
	$(BIN)/ruff check siyu orchestration sample_data bench tests
	$(BIN)/ruff format --check siyu orchestration sample_data bench tests

lint: lint-python
	$(BIN)/sqlfluff lint dbt_project --processes 2

## the Dagster UI with the asset graph, checks, schedules and sensors
dev: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m orchestration.definitions

## regenerate the committed sample exports (seeds/) deterministically
sample: install
	$(BIN)/python -m sample_data --scale 0.02 --seed 42 --out seeds --clean

## time every phase at scale against DuckDB's own reads and an identity round trip; writes
## bench/results.json and bench/time_vs_scale.png. Default scales 0.1 and 1, each with its daily
## run (+ at scale 1 a run with nothing new, and a full run on 1,000 people: the least any
## rebuild costs); choose with SCALE=1 or SCALE=0.1,1,10
.PHONY: bench
bench: install
	$(BIN)/python -m bench $(if $(SCALE),--scales $(SCALE)) --incremental --nothing-new --rebuild-floor --out bench/results.json

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs
