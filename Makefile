# memberops — two commands: `make run` serves the product, `make test` passes the tests.
# Both set up what they need first (a virtualenv in .venv, and for tests a headless Chromium).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# Members of the demo merchant `make run` loads into an empty database (issue 3's 20,000:
# ~210,000 actions through the rooms' services, orders and events in bulk, about 5.5 minutes
# on SQLite; `make run DEMO_MEMBERS=2000` starts in about half a minute).
DEMO_MEMBERS ?= 20000
# The demo clock (docs/operations.md): the console lets an admin move time forward so journeys
# run without waiting; `make run DEMO_CLOCK=false` serves the demo on the real clock only.
DEMO_CLOCK ?= true

.PHONY: run test check unit browser bench docs clean lock

# The versions are those of constraints.txt, so a fresh clone gets what the suite passed with;
# `make lock` moves them to the newest that pyproject.toml allows (then run `make test`).
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "memberops needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

## lock: constraints.txt from the newest releases pyproject.toml allows, in a scratch venv
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# The versions \`make\` installs: the set the suite last passed with (make lock refreshes it)."; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf .venv-lock

## run: set up, initialise the embedded SQLite database, load the demo merchant, serve
run: $(STAMP)
	$(BIN)/memberops init --demo-admin
	$(BIN)/memberops demo --if-empty --members $(DEMO_MEMBERS)
	MEMBEROPS_DEMO_CLOCK=$(DEMO_CLOCK) $(BIN)/memberops serve --host $(HOST) --port $(PORT)

## test: set up, run the static checks, then the whole test suite
test: check browser unit

## check: formatting, lint, types, layer contracts, migrations in step with the models
check: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/memberops docs errors --out /tmp/memberops-errors.md >/dev/null
	@cmp -s /tmp/memberops-errors.md docs/errors.md || \
		{ echo "docs/errors.md is stale: run '$(BIN)/memberops docs errors'"; exit 1; }

# One worker per core (pytest-xdist); each test file runs on one worker (--dist loadfile), so a
# module-scoped fixture (a console server with its demo data) is set up once; coverage is combined.
unit: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile --cov --cov-report=term:skip-covered --cov-fail-under=90

## browser: headless Chromium from Debian for the console tests (skipped without it outside CI)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else echo "chromium is not installed: console tests will be skipped (apt-get install chromium)"; fi; }

## bench: the benchmarks in bench/, printing a table each
bench: $(STAMP)
	$(BIN)/python bench/import_members.py --write docs/benchmarks.md
	$(BIN)/python bench/ingest.py --write docs/benchmarks.md
	$(BIN)/python bench/bulk_orders.py --write docs/benchmarks.md
	$(BIN)/python bench/insights.py --write docs/benchmarks.md
	$(BIN)/python bench/clv.py --write docs/benchmarks.md
	$(BIN)/python bench/crowds.py --write docs/benchmarks.md
	$(BIN)/python bench/campaigns.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) .venv-lock .pytest_cache .mypy_cache .ruff_cache .coverage memberops.db*
