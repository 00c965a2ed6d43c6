# SI-DBS developer commands. Prerequisites: Python 3.11 with venv, and (for PDFs) Pango
# (Debian: libpango-1.0-0 libpangoft2-1.0-0). Everything else is installed into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test worker beat bench lint migrations-check demo-data messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## make run: SQLite and eager Celery unless DATABASE_URL / REDIS_URL are set.
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py import_regions
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo_ppks
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo_assessments
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo_plans
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py check_data_consistency
	@echo "SI-DBS berjalan di http://$(HOST)/ (Ctrl+C untuk berhenti)"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## make worker: a Celery worker for both queues (needs REDIS_URL).
worker: install
	$(VENV)/bin/celery -A config worker -Q default,pdf --concurrency=$${WORKER_CONCURRENCY:-2} --prefetch-multiplier=1 -l info

## make beat: the Celery scheduler (daily retention run, CELERY_BEAT_SCHEDULE); run exactly one (needs REDIS_URL).
beat: install
	$(VENV)/bin/celery -A config beat -l info --schedule $${CELERY_BEAT_FILE:-/tmp/sidbs-celerybeat-schedule}

## make demo-data PERSONS=1000000 PROVINCE=35: synthetic people and registrations (replaces earlier ones).
demo-data: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py generate_demo_data --persons $${PERSONS:-100000} $${PROVINCE:+--province $$PROVINCE} --replace

bench: install
	$(PY) tests/bench/run.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

migrations-check: install
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## make messages: refresh the English catalogue from the marked strings and compile it (needs gettext).
## New entries come out untranslated: list them with `$(PY) locale/translate_en.py todo`.
messages: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py makemessages -l en --ignore=.venv --ignore=build --ignore=tests --ignore=node_modules --ignore=staticfiles --ignore=media
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py compilemessages --ignore=.venv
	-$(PY) locale/translate_en.py check | tail -n 1

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
