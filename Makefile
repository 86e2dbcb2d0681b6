# The two commands of the README: `make run` (demo clinic) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check -q -c requirements/constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` always serves the demo database under var/, whatever DATABASE_URL the shell exports
# (so demo logins can never land in a real clinic's database).
# The demo runs background jobs (e-mails) at once, in the request that queues them, so it needs no
# `ketacare worker` beside it; a clinic's installation runs the worker (docs/reminders.md).
# The demo's e-mailed questionnaire link points at the server `make run` starts (PORT may differ
# from 8000); an exported KETACARE_SITE_URL still wins.
KETACARE_SITE_URL ?= http://$(HOST):$(PORT)
RUN_ENV := KETACARE_DEMO=1 KETACARE_VAR_DIR=$(CURDIR)/var DATABASE_URL=sqlite:///$(CURDIR)/var/ketacare.sqlite3 \
	KETACARE_TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend KETACARE_SITE_URL=$(KETACARE_SITE_URL)
# Access log without query strings: searches may carry patient names.
ACCESS_LOG_FORMAT := %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss

.PHONY: run test bench lint format openapi rules-doc permissions-doc clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps re-run the install when the dependency files change.
$(VENV)/.installed-run: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml requirements/constraints.txt
	$(PIP_INSTALL) -e '.[test]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(RUN_ENV) $(BIN)/ketacare migrate --noinput -v 0
	$(RUN_ENV) $(BIN)/ketacare collectstatic --noinput -v 0
	$(RUN_ENV) $(BIN)/ketacare demo
	@echo "KetaCare demo clinic: http://$(HOST):$(PORT)/"
	$(RUN_ENV) exec $(BIN)/gunicorn ketacare.config.wsgi --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --access-logformat '$(ACCESS_LOG_FORMAT)' \
		--logger-class ketacare.config.gunicorn_logging.SafeAccessLogger

test: $(VENV)/.installed-test
	$(BIN)/python tools/run_tests.py $(ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

openapi: $(VENV)/.installed-run
	KETACARE_DEMO=1 KETACARE_VAR_DIR=$(CURDIR)/var $(BIN)/ketacare export_openapi_schema --api ketacare.api.site.api --output docs/openapi.json --indent 2 --sorted

rules-doc: $(VENV)/.installed-run
	$(BIN)/ketacare rules --format markdown > docs/clinical-rules.md

permissions-doc: $(VENV)/.installed-run
	KETACARE_DEMO=1 KETACARE_VAR_DIR=$(CURDIR)/var $(BIN)/ketacare permissions --format markdown > docs/permissions.md

# Every script of bench/, one after the other; the web ones need a PostgreSQL server (the local
# one, or BENCH_POSTGRES_URL) and create and drop their own kc_bench_* database on it.
bench: $(VENV)/.installed-test
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; echo; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
