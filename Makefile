# Two commands matter: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-exit manage test lint format benchmark benchmark-admin clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Runs everything on a laptop, each run from scratch (the demo clears its own
# database, queue and mail once it knows no other demo is running): SQLite
# (var/uac.sqlite3), a filesystem broker and the simulators, as DEBUG=true gives.
demo: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py demo $(DEMO_ARGS)

demo-exit:
	$(MAKE) demo DEMO_ARGS="--exit $(DEMO_ARGS)"

# Any manage.py command on the same laptop defaults, e.g. make manage ARGS=showmigrations
manage: $(VENV)/.installed
	DEBUG=true $(BIN)/python manage.py $(ARGS)

test: $(VENV)/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The webhook's answer time and the pipeline's own cost, simulators slowed down.
BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench.sqlite3
BENCH_BROKER_URL ?= filesystem://localhost//
# Its own database, queue folders and mail in var/bench*: a demo may be running.
benchmark: $(VENV)/.installed
	rm -rf var/bench.sqlite3* var/bench
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
		FILESYSTEM_BROKER_DIR=$(CURDIR)/var/bench EMAIL_FILE_PATH=$(CURDIR)/var/bench/mail \
		$(BIN)/python scripts/benchmark_webhook.py $(BENCH_ARGS)

# The back office's main pages on a database of many orders (ADMIN_BENCH_ARGS).
ADMIN_BENCH_DATABASE_URL ?= sqlite:///$(CURDIR)/var/bench-admin.sqlite3
benchmark-admin: $(VENV)/.installed
	rm -rf var/bench-admin.sqlite3*
	DEBUG=true DATABASE_URL=$(ADMIN_BENCH_DATABASE_URL) \
		$(BIN)/python scripts/benchmark_admin.py $(ADMIN_BENCH_ARGS)

clean:
	rm -rf $(VENV) var
