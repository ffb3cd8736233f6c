# Every target bootstraps .venv when it is missing or pyproject.toml changed; otherwise it is instant.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= $(abspath ../shared)

# Real weights and footage for tests and benchmarks; nothing is downloaded at test time.
export FOOTFALL_MODEL_DIR ?= $(SHARED)/models
export FOOTFALL_FOOTAGE_DIR ?= $(SHARED)/data

.PHONY: demo demo-reset test lint bench bench-full install clean timescale-harness

# TimescaleDB's WASM build (PGlite) for the tests of the TimescaleDB path; needs node and npm.
HARNESS       := tests/timescale_harness
HARNESS_STAMP := $(HARNESS)/node_modules/.installed-stamp

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/footfall demo

demo-reset: $(STAMP)
	$(BIN)/footfall demo --reset

lint: $(STAMP)
	$(BIN)/ruff check .

timescale-harness: $(HARNESS_STAMP)

$(HARNESS_STAMP): $(HARNESS)/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $(HARNESS) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "make: npm not found, so the TimescaleDB-path tests will be skipped (install nodejs and npm)"; \
	fi

test: lint $(HARNESS_STAMP)
	YOLO_OFFLINE=1 $(BIN)/python -m pytest -q

# `make bench`: every benchmark at a modest size (about 15 min on 2 cores).
# `make bench-full`: the sizes the targets are stated at (1,000 stores x 1 year, 2,000 agents…; hours).
BENCH := YOLO_OFFLINE=1 $(BIN)/python benchmarks
bench: $(STAMP)
	$(BENCH)/bench_accuracy.py
	$(BENCH)/bench_throughput.py --frames 300
	$(BENCH)/bench_filters.py
	$(BENCH)/bench_outbox_soak.py --days 3 --soak-seconds 60
	$(BENCH)/bench_ingest.py --stores 100 --days 90
	$(BENCH)/bench_kpis.py --stores 100 --days 90 --repeat 5
	$(BENCH)/bench_load_2000_stores.py --stores 200 --rounds 2

bench-full: $(STAMP)
	@set -e; for script in benchmarks/bench_*.py; do echo "== $$script"; $(BENCH)/$$(basename $$script); done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
