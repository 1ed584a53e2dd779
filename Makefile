# One command per task, the same locally and in CI (.ci/run calls `make test`).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: install demo test lint typecheck pytest services browser messages cluster bench clean

# The runtime alone (what `make demo` needs), then the test toolchain on top (`make test`).
$(VENV)/.runtime: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	$(PY) -c 'from rightsdesk.web import i18n; i18n.compile_all()'  # pages' catalogues -> .mo
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## The main job on the embedded default (SQLite, no services); installs only the runtime.
demo: $(VENV)/.runtime
	$(BIN)/rightsdesk demo

## The whole test suite: lint, types, and pytest against SQLite, PostgreSQL and MariaDB, and the
## pages in a real browser (Debian's chromium).
test: install services browser lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install services browser
	$(PY) -m pytest

services:
	bash scripts/services.sh

## Re-extract the pages' messages into the catalogues (then translate the new ones) and compile.
messages: install
	$(BIN)/pybabel extract -F src/rightsdesk/web/babel.cfg -k N_ -k say -o src/rightsdesk/web/locale/messages.pot \
		--no-location --omit-header -w 100 src/rightsdesk/web
	$(BIN)/pybabel update -i src/rightsdesk/web/locale/messages.pot -d src/rightsdesk/web/locale \
		--no-fuzzy-matching --omit-header -w 100
	$(PY) -c 'from rightsdesk.web import i18n; i18n.compile_all()'

## Debian's chromium for the browser tests (tests/web), installed with apt when missing.
browser:
	bash scripts/browser.sh

## PostgreSQL + Redis + the API + N workers on this machine (docs/deployment.md); Ctrl-C stops.
cluster: install
	bash scripts/cluster.sh

## Benchmarks against a raw-SQL floor; results go to docs/benchmarks.md.
bench: install services
	bash scripts/tools.sh
	$(PY) -m bench all

clean:
	rm -rf $(VENV) .rightsdesk rightsdesk-demo .pytest_cache .mypy_cache .ruff_cache
