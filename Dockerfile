FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
# Pango for WeasyPrint; postgresql-client (15, as the database) for `manage.py backup` / `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Exactly the versions CI tested: every package pinned with its hashes (requirements/base.txt, `make lock`).
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements/base.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only-collectstatic python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 sidbs && mkdir -p /app/media /app/backups /tmp/prometheus \
    && chown -R sidbs /app/media /app/backups /tmp/prometheus
USER sidbs

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
