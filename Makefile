# Quick start: `make demo` runs the baseline scenario, `make test` runs the tests, ruff and mypy.
# Both create .venv and install the project into it when it is missing or out of date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean help

help:
	@echo "make demo   run the bundled baseline scenario"
	@echo "make test   run the tests, ruff and mypy"
	@echo "make lint   ruff only"
	@echo "make bench  ensemble speed and memory (benchmarks/)"
	@echo "make clean  remove .venv and caches"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ceasefire run
	@echo
	$(BIN)/ceasefire mc -n 5000

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ensemble.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
