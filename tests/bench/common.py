"""Shared set-up for benchmarks: Django on the benchmark database, process memory readings."""

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sidbs_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def bench_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    environment.setdefault("DJANGO_DEBUG", "1")
    environment.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return environment


def setup_django() -> None:
    os.environ.update({key: value for key, value in bench_environment().items() if key not in os.environ})
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def ensure_database() -> None:
    """Create the benchmark database if missing, migrate it and import the national region codes."""
    url = bench_environment()["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute('CREATE DATABASE "{}"'.format(name))
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=bench_environment(), cwd=REPO_ROOT)
    subprocess.run([*manage, "import_regions"], check=True, env=bench_environment(), cwd=REPO_ROOT,
                   stdout=subprocess.DEVNULL)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MiB."""
    try:
        with open("/proc/{}/status".format(pid)) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return 0.0
    return 0.0


def child_pids(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children
