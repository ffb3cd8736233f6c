# Every target bootstraps .venv when it is missing or pyproject.toml changed; otherwise it is instant.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED ?= $(abspath ../shared)

# Real weights and footage for tests and benchmarks; nothing is downloaded at test time.
export FOOTFALL_MODEL_DIR ?= $(SHARED)/models
export FOOTFALL_FOOTAGE_DIR ?= $(SHARED)/data

.PHONY: demo demo-reset test lint bench install clean

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

test: lint
	YOLO_OFFLINE=1 $(BIN)/python -m pytest -q

bench: $(STAMP)
	@set -e; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; YOLO_OFFLINE=1 $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
