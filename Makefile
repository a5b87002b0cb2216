# Everything a fresh machine needs: `make demo` and `make test` install into .venv themselves,
# with the exact pins of constraints.txt (users get pyproject.toml's ranges).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A second environment with the oldest dbt the package allows (constraints-oldest.txt): the suite
# parses and builds a host project with it (tests/test_host_project.py).
OLDEST := .venv-oldest
# A third environment with the newest databricks-sdk the range allows (constraints-newest.txt):
# `make test` runs the SDK-facing tests once more in it (NEWEST_TESTS: the emulator against the real
# SDK classes, the untyped-JSON reads, and the sync's create / no-op / update / drift / purge paths).
# The unreachable-workspace tests run there too: newer SDKs send a request of their own first (the
# host-metadata probe inside Config()), which alert-sync's bound must cover (connection.py).
NEWEST := .venv-newest
NEWEST_TESTS := tests/test_emulator.py tests/test_untyped.py \
	tests/test_no_hang.py::test_a_closed_port_fails_in_seconds_naming_the_host \
	tests/test_no_hang.py::test_a_closed_port_fails_within_the_default_bounds_too \
	tests/test_no_hang.py::test_a_server_that_never_answers_fails_naming_the_host_and_the_timeout \
	tests/test_no_hang.py::test_once_found_unreachable_a_later_request_stops_without_connecting_again \
	tests/test_sync.py::test_first_apply_creates_every_enabled_alert_exactly_as_the_catalog_says \
	tests/test_sync.py::test_second_apply_writes_nothing_and_plan_shows_only_noops \
	tests/test_sync.py::test_changing_one_threshold_is_one_patch_naming_only_that_field \
	tests/test_sync.py::test_parameters_and_a_markdown_template_set_in_the_workspace_are_drift_the_plan_shows_and_apply_clears \
	tests/test_sync.py::test_prune_purges_and_trash_only_trashes
PIP_VERSION := 26.3
EXAMPLE := example

.PHONY: install demo test test-fast test-live clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Re-installs when the project or its pins change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/activate
	$(BIN)/pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet -c constraints.txt -e ".[duckdb,databricks,test,dialect]"
	touch $@

$(OLDEST)/.installed: pyproject.toml constraints-oldest.txt
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/pip install --quiet pip==$(PIP_VERSION)
	$(OLDEST)/bin/pip install --quiet -c constraints-oldest.txt -e ".[duckdb]"
	touch $@

$(NEWEST)/.installed: pyproject.toml constraints-newest.txt
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/pip install --quiet pip==$(PIP_VERSION)
	$(NEWEST)/bin/pip install --quiet -c constraints-newest.txt -e ".[duckdb,test]"
	touch $@

$(EXAMPLE)/profiles.yml:
	cp profiles.yml.example $@
	@echo "created $@ from profiles.yml.example (local DuckDB target by default)"

install: $(VENV)/.installed $(EXAMPLE)/profiles.yml

demo: install
	bash scripts/demo.sh

# Every test, on two pytest-xdist workers (each builds the session's example once; the tests of a
# module that builds its own project stay on one worker: xdist_group marks, --dist loadgroup). The
# 20 slowest tests are listed at the end, so the next slow one is seen (docs/development.md, Tests).
TEST_WORKERS ?= 2
test: install $(OLDEST)/.installed $(NEWEST)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=20
	$(NEWEST)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup -q $(NEWEST_TESTS)

# The unit tests of the pure parts only: no dbt run, no emulator, no Spark (pytest marker `unit`).
test-fast: install
	$(BIN)/pytest -m unit -q

# The live check against your own workspace (DATABRICKS_HOST, DATABRICKS_TOKEN,
# DATABRICKS_WAREHOUSE_ID): three paused alerts in a scratch folder, removed at the end. Without
# the variables it skips, saying so; `make test` runs the same steps against the emulator.
test-live: install
	$(BIN)/pytest tests/test_live.py --live -v -rs

bench: install
	$(BIN)/python bench/bench_dbt_build.py
	$(BIN)/python bench/bench_sync.py
	$(BIN)/python bench/bench_backtest.py
	$(BIN)/python bench/bench_lint.py
	$(BIN)/python bench/bench_import.py

clean:
	rm -rf $(EXAMPLE)/target $(EXAMPLE)/logs $(EXAMPLE)/dbt_packages $(EXAMPLE)/alerts.duckdb logs
