# Two commands matter: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := $(CURDIR)/var/demo.sqlite3

.PHONY: demo demo-exit test lint format benchmark clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Runs everything on a laptop: SQLite, a filesystem broker, the simulators.
demo: $(VENV)/.installed
	rm -rf var/demo.sqlite3* var/broker var/broker-control var/mail
	DEBUG=true DATABASE_URL=sqlite:///$(DEMO_DB) CELERY_BROKER_URL=filesystem:// \
		$(BIN)/python manage.py demo $(DEMO_ARGS)

demo-exit:
	$(MAKE) demo DEMO_ARGS=--exit

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
BENCH_BROKER_URL ?= filesystem://
benchmark: $(VENV)/.installed
	rm -rf var/bench.sqlite3*
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
		$(BIN)/python scripts/benchmark_webhook.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
