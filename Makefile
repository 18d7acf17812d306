# glens-flows. `make test` and `make demo` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install lint format test test-unit demo lock schema bench bench-triggers clean browser bench-render

# The venv is built from requirements.lock (names, versions, hashes; no registry addresses).
# uv itself is pinned in the lock, so `uv pip sync` keeps it.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (>= 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip -q
	$(BIN)/python -m pip install -q --disable-pip-version-check \
	  "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements.lock)"
	$(BIN)/uv pip sync -q -p $(BIN)/python --require-hashes requirements.lock
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install lint browser
	$(BIN)/glens events schema --check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/python -m pytest -m unit $(PYTEST_ARGS)

demo: install
	$(BIN)/python -m deployments.demo

schema: install
	$(BIN)/glens events schema

lock:
	$(BIN)/uv pip compile -q pyproject.toml --extra dev --generate-hashes -p 3.11 \
	  --no-emit-index-url --no-annotate -o requirements.lock

# Headless Chromium renders the report in tests/integration/test_report_browser.py. Installing it
# must not stop the rest of the suite: when it cannot be installed that one test FAILS with the
# reason (never a skip).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the report's browser check"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { $$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null \
	    || { $$SUDO apt-get update -q >/dev/null && \
	         $$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null; }; } \
	  || echo "WARNING: chromium could not be installed; the browser test will fail"; }

# Every benchmark; figures merged into bench/results.json.
bench: bench-triggers bench-render

bench-render: install
	$(BIN)/python -m bench.render

# Trigger benchmarks (cold start; 500-event burst on SQLite and PostgreSQL) -> bench/results.json
bench-triggers: install
	$(BIN)/python -m bench.trigger_cold_start
	$(BIN)/python -m bench.trigger_burst sqlite postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
