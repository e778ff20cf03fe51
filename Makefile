# healthcode — two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUNDLED := src/healthcode/policy/bundled
DEMO_REPORTS := var/simulations
DEMO_COMPARISON := $(DEMO_REPORTS)/bundled-policies

.PHONY: demo test install browser services lint typecheck contracts pytest fuzz screenshots bench bench-http bench-overload clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) browser

## browser: Debian's Chromium and the CJK fonts the browser tests (tests/web) and screenshots use,
## installed with apt-get when missing. Playwright drives /usr/bin/chromium: no browser download.
browser:
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk)

## demo: initialise ./var (SQLite, data key, demo channels, a demo citizen, the console's demo
## accounts (an official, a supervisor and an auditor), a living city of
## 2,000 residents with its last two days played, signing keys, and the simulator's comparison
## of the bundled policies for the console's Simulations page, written once, again only if it
## predates runs naming their policy text) and serve the app on
## http://127.0.0.1:8000 (start page at /, API docs at /docs) while `healthcode demo run` keeps
## the city moving in real time (stopped with the server). Every step is idempotent: run it
## again any time (docs/web.md, docs/simulator.md).
demo: install
	$(BIN)/healthcode init
	$(BIN)/healthcode demo seed --city
	$(BIN)/healthcode keys init --if-missing
	$(BIN)/healthcode demo citizen
	$(BIN)/healthcode demo officials
	$(BIN)/healthcode demo guard
	grep -qs '"sha256"' $(DEMO_COMPARISON)/measures.json || $(BIN)/healthcode simulate compare \
	    $(BUNDLED)/hangzhou.yaml $(BUNDLED)/shanghai.yaml $(BUNDLED)/beijing.yaml \
	    docs/policies/hangzhou-companion.yaml --population 1000 --days 10 --seed 1 \
	    --report $(DEMO_COMPARISON)
	@echo ""
	@echo "Open in a browser (docs/web.md):"
	@echo "  http://127.0.0.1:8000/                 start page: the city, policy version, trust list"
	@echo "  http://127.0.0.1:8000/rules            the rules in force: what turns a code yellow or red, what clears it"
	@echo "  http://127.0.0.1:8000/citizen/sign-up  a citizen signs up (the SMS code is in var/sms.jsonl)"
	@echo "  http://127.0.0.1:8000/citizen          the citizen's code, declarations and records"
	@echo "                                         (demo citizen: phone 13800138000, password demo-citizen-2026;"
	@echo "                                          a resident of the city, living with one of its first infected)"
	@echo "  http://127.0.0.1:8000/console          the authority console: dashboard, map, cases, four eyes"
	@echo "                                         (demo.official, demo.supervisor, demo.auditor; password demo-console-2026;"
	@echo "                                          TOTP seeds above, or a current code: healthcode demo totp demo.official)"
	@echo "  http://127.0.0.1:8000/console/simulations  the simulator's comparison of the bundled policies"
	@echo "                                         (1,000 residents, 10 days; $(DEMO_COMPARISON))"
	@echo "  http://127.0.0.1:8000/checkpoint       a guard's checkpoint scanner (installable, works offline):"
	@echo "                                         it shows its device key; register it with"
	@echo "                                         healthcode demo guard --public-key KEY, press Registered"
	@echo "  http://127.0.0.1:8000/docs             the API documentation (works offline)"
	@echo ""
	$(BIN)/healthcode demo run & CITY=$$!; trap 'kill $$CITY 2>/dev/null' EXIT; \
	HEALTHCODE_SIMULATION_REPORTS_DIR=$(DEMO_REPORTS) $(BIN)/healthcode serve --host 127.0.0.1 --port 8000

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

## screenshots: the main pages at 360 x 740, in zh and en, written to docs/screenshots/ (PNG)
screenshots: install
	$(BIN)/pytest -q -p no:cacheprovider -m screenshots tests/web/test_screenshots.py tests/web/test_console_screenshots.py tests/web/test_console_pages_screenshots.py tests/web/test_scanner_screenshots.py

## bench: every benchmark at its default size (scratch databases; see each script's docstring)
BENCHMARKS := assess verify ingest wal trace impact simulate
bench: install
	for name in $(BENCHMARKS); do $(BIN)/python bench/$$name.py || exit 1; done

## bench-http: `healthcode serve` driven by wrk on loopback, SQLite then a scratch PostgreSQL
## database (about a minute; docs/benchmarks.md). Installs wrk with apt-get when it is missing.
bench-http: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/http_load.py

## bench-overload: code display under a 10x burst of low-priority lists, shedding off and on
## (SQLite, wrk on loopback, about three minutes; docs/benchmarks.md#overload)
bench-overload: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/overload.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
