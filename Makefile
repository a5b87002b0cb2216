# Everything a fresh machine needs: `make demo` and `make test` install into .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir .
EMULATOR_PORT ?= 8765

.PHONY: install demo test clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Re-installs when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed profiles.yml

profiles.yml:
	cp profiles.yml.example profiles.yml
	@echo "created profiles.yml from profiles.yml.example (local DuckDB target by default)"

demo: install
	bash scripts/demo.sh

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/bench_dbt_build.py
	$(BIN)/python bench/bench_sync.py

clean:
	rm -rf target logs alerts.duckdb .emulator_state.json
