# healthcode — two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install services lint typecheck contracts pytest fuzz bench bench-http clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## demo: initialise ./var (SQLite, data key, demo channels, a living city of 2,000 residents
## with its last two days played, signing keys) and serve the app on http://127.0.0.1:8000 (API
## docs at /docs) while `healthcode demo run` keeps the city moving in real time (stopped with
## the server). Every step is idempotent: run it again any time (docs/simulator.md).
demo: install
	$(BIN)/healthcode init
	$(BIN)/healthcode demo seed --city
	$(BIN)/healthcode keys init --if-missing
	$(BIN)/healthcode demo run & CITY=$$!; trap 'kill $$CITY 2>/dev/null' EXIT; \
	$(BIN)/healthcode serve --host 127.0.0.1 --port 8000

## test: install everything, make sure PostgreSQL and Redis run, then every check and test
test: install services lint typecheck contracts pytest fuzz

services:
	bash scripts/ensure-services.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/python scripts/check_layout.py

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -q

## fuzz: Schemathesis over every operation as every actor, on SQLite and PostgreSQL (a few
## minutes; docs/fuzzing.md). Replay a run: make fuzz HEALTHCODE_FUZZ_SEED=<the seed it printed>
HEALTHCODE_FUZZ_SEED := $(or $(HEALTHCODE_FUZZ_SEED),$(shell $(PYTHON) -c 'import secrets; print(secrets.randbelow(2**32))'))
fuzz: $(STAMP)
	@echo "fuzz seed: $(HEALTHCODE_FUZZ_SEED) (replay: make fuzz HEALTHCODE_FUZZ_SEED=$(HEALTHCODE_FUZZ_SEED))"
	HEALTHCODE_FUZZ_SEED=$(HEALTHCODE_FUZZ_SEED) $(BIN)/pytest -q -s -m fuzz tests/fuzz

## bench: every benchmark at its default size (scratch databases; see each script's docstring)
BENCHMARKS := assess verify ingest wal trace impact simulate
bench: install
	for name in $(BENCHMARKS); do $(BIN)/python bench/$$name.py || exit 1; done

## bench-http: `healthcode serve` driven by wrk on loopback, SQLite then a scratch PostgreSQL
## database (about a minute; docs/benchmarks.md). Installs wrk with apt-get when it is missing.
bench-http: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/http_load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
