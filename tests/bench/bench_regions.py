"""Benchmark: importing the national Kemendagri region file (91,599 lines) into an empty database.

    .venv/bin/python tests/bench/bench_regions.py

Drops and recreates the database ``<bench database>_regions``, migrates it, then times
``import_regions`` twice: the first run inserts everything, the second finds nothing to change.
"""

import json
import subprocess
import sys
import time

from common import REPO_ROOT, bench_environment


def run() -> dict:
    environment = bench_environment()
    url = environment["DATABASE_URL"] + "_regions"
    name = url.rsplit("/", 1)[1]
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "{}"'.format(name))
        connection.execute('CREATE DATABASE "{}"'.format(name))
    environment["DATABASE_URL"] = url
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=environment, cwd=REPO_ROOT)
    timings = {}
    for label in ("first", "again"):
        started = time.perf_counter()
        output = subprocess.run([*manage, "import_regions"], check=True, env=environment, cwd=REPO_ROOT,
                                capture_output=True, text=True).stdout
        seconds = round(time.perf_counter() - started, 2)
        timings[label] = {"seconds": seconds, "summary": output.strip().splitlines()[-1]}
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "{}"'.format(name))
    return timings


if __name__ == "__main__":
    print(json.dumps(run()))
