"""``make run`` on a fresh clone, timed to the first page, with a cold or a warm package cache.

Clones the repository's committed HEAD into a temporary folder, runs ``make run`` there (its own
.venv, SQLite, eager Celery, no environment of this shell's project), polls the login page until it
answers 200 and prints when each phase ended: packages installed (first set-up line), database ready,
first page. Cold: empty uv and pip caches (``UV_CACHE_DIR`` in a new folder, ``PIP_NO_CACHE_DIR=1``),
so every package is downloaded; warm: the user's usual caches.

    .venv/bin/python tests/bench/bench_first_run.py --cache cold|warm [--json]
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_VARIABLES = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV",
                     "DJANGO_STORAGE_URL", "PYTHONPATH")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", choices=("cold", "warm"), required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--timeout", type=float, default=600)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sidbs-first-run-"))
    clone = work / "si-dbs"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key not in PROJECT_VARIABLES}
    if arguments.cache == "cold":
        environment.update(UV_CACHE_DIR=str(work / "uv-cache"), PIP_NO_CACHE_DIR="1")
    marks: dict[str, float] = {}
    output: list[str] = []
    started = time.monotonic()
    process = subprocess.Popen(["make", "run", "HOST=127.0.0.1:{}".format(port)], cwd=clone, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def read():
        for line in process.stdout:
            elapsed = time.monotonic() - started
            output.append("{:7.1f}  {}".format(elapsed, line.rstrip()))
            if line.startswith("Menyiapkan basis data") and "installed" not in marks:
                marks["installed"] = elapsed
            if "Basis data siap" in line:
                marks["database"] = elapsed
            if "SI-DBS berjalan" in line:
                marks["listening"] = elapsed

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = "http://127.0.0.1:{}/".format(port)
    try:
        while time.monotonic() - started < arguments.timeout:
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200 and "masuk" in response.url:
                        marks["first_page"] = time.monotonic() - started
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=5)
    result = {"cache": arguments.cache, **{key: round(value, 1) for key, value in marks.items()}}
    if arguments.json:
        print(json.dumps(result))
    else:
        print("\n".join(output), file=sys.stderr)
        print(result)
    subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
