# The two quick-start commands: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate demo lint format messages bench load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $@

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(PY) manage.py migrate --no-input

## Install, migrate, load the demo data if the database is empty, and serve http://127.0.0.1:8000
run: migrate
	$(PY) manage.py load_demo_data --if-empty
	$(PY) manage.py print_demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

## Install the dev requirements and run the whole test suite
test: install-dev
	$(BIN)/pytest

demo: migrate
	$(PY) manage.py load_demo_data

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install-dev
	$(PY) scripts/build_messages.py

bench: install-dev
	$(PY) benchmarks/load_and_render.py

## Load test (not part of CI): 200 users on gunicorn over 100,000 models, SQLite then PostgreSQL;
## prints the Markdown for benchmarks/RESULTS.md. LOAD_ARGS="--keep" reuses the databases.
load: install-dev
	$(PY) benchmarks/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
