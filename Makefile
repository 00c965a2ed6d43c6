# SI-DBS developer commands. Prerequisites: Python 3.11 with venv, and (for PDFs) Pango
# (Debian: libpango-1.0-0 libpangoft2-1.0-0). Everything else is installed into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1:8000

.PHONY: install lock lock-check run backup restore test worker beat bench lint migrations-check demo-data messages clean

# Locked installs: requirements/dev.txt (runtime + development) and requirements/base.txt (runtime,
# the Docker image) pin every package with its hashes; `make lock` regenerates them from pyproject.toml.
# pip only bootstraps uv (requirements/uv.txt, hashed too); uv then installs the lock in parallel.
$(UV): requirements/uv.txt
	@echo "==> [1/2] .venv ($$($(PYTHON) --version)) dan pemasang uv"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --disable-pip-version-check --no-deps --require-hashes --progress-bar on -r requirements/uv.txt \
		| grep -v -e '^Requirement already satisfied' || true
	@test -x $@ && touch $@

$(VENV)/.installed: requirements/dev.txt requirements/uv.txt | $(UV)
	@echo "==> [2/2] paket Python dari requirements/dev.txt (terkunci, dengan hash)"
	@$(UV) pip sync --python $(PY) --require-hashes requirements/dev.txt requirements/uv.txt
	@touch $@

install: $(VENV)/.installed

## make lock: re-resolve requirements/*.txt after editing pyproject.toml (keeps existing pins where possible;
## UPGRADE=1 takes the newest allowed versions). make lock-check: fail when the lock no longer matches pyproject.toml.
LOCK_ARGS = --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_ARGS) $${UPGRADE:+--upgrade} -o requirements/base.txt
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_ARGS) $${UPGRADE:+--upgrade} -o requirements/dev.txt

lock-check: $(UV)
	@tmp=$$(mktemp -d) && cp requirements/base.txt requirements/dev.txt $$tmp/ \
		&& $(UV) pip compile pyproject.toml $(LOCK_ARGS) -o $$tmp/base.txt \
		&& $(UV) pip compile pyproject.toml --extra dev $(LOCK_ARGS) -o $$tmp/dev.txt \
		&& diff -u requirements/base.txt $$tmp/base.txt && diff -u requirements/dev.txt $$tmp/dev.txt \
		&& echo "requirements/*.txt sesuai dengan pyproject.toml" \
		|| { echo "requirements/*.txt tidak sesuai dengan pyproject.toml: jalankan make lock"; exit 1; }

## make run: SQLite and eager Celery unless DATABASE_URL / REDIS_URL are set. setup_demo migrates, imports the
## region codes and seeds demo data in one process (skipping what is done; its migrate ran the system checks);
## serve_demo prints the accounts last.
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
run: install
	@$(DEV) $(PY) manage.py setup_demo
	@$(DEV) $(PY) manage.py serve_demo --skip-checks $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## make worker: a Celery worker for both queues (needs REDIS_URL). SIDBS_WORKER_METRICS_PORT=9808 serves its
## task metrics (its processes add up through PROMETHEUS_MULTIPROC_DIR, a fresh folder per start).
worker: install
	PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$$(mktemp -d /tmp/sidbs-worker-metrics-XXXXXX)} \
	$(VENV)/bin/celery -A config worker -Q default,pdf --concurrency=$${WORKER_CONCURRENCY:-2} --prefetch-multiplier=1 -l info

## make beat: the Celery scheduler (daily retention run and backup, CELERY_BEAT_SCHEDULE); run exactly one (needs REDIS_URL).
beat: install
	$(VENV)/bin/celery -A config beat -l info --schedule $${CELERY_BEAT_FILE:-/tmp/sidbs-celerybeat-schedule}

## make backup: database (pg_dump custom format, or an SQLite copy) and stored files to SIDBS_BACKUP_URL (default
## backups/), keeping the newest SIDBS_BACKUP_KEEP (7). make restore [BACKUP=name] [RESTORE_DATABASE_URL=…] [FILES=1]:
## into an empty (or new) database, checked against the backup's row counts and registrations checksum.
backup: install
	$(DEV) $(PY) manage.py backup

restore: install
	$(DEV) $(PY) manage.py restore $${BACKUP:-latest} $${RESTORE_DATABASE_URL:+--database-url "$$RESTORE_DATABASE_URL"} \
		$${FILES:+--files}

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
