"""Migrations on a copy of the benchmark database: how long each takes and how long it blocks writes.

The copy (``<bench>_migrasi``, made with CREATE DATABASE … TEMPLATE, dropped at the end unless
--keep-copy) is first rolled back to each ``--rewind app:migration`` (so reverse migrations are
exercised on real volume too), then migrated forward to the code's latest state, one migration at a
time. While each runs, a second connection samples ``pg_locks`` of the migrating backend every 20 ms
and records the longest stretch in which it held a lock on a large table that blocks writes
(SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE) or reads (ACCESS EXCLUSIVE), and a third
one updates a registration every 50 ms as a user would, recording the longest wait.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sidbs_bench_wt20 \\
        .venv/bin/python tests/bench/bench_migrations.py --rewind ppks:0002 [--json]
"""

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from common import bench_environment  # noqa: E402

LARGE_TABLES = ("ppks_registration", "ppks_person", "ppks_personhistory", "ppks_registrationevent")
WRITE_BLOCKING = {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
LIMIT_SECONDS = 5.0


class Sampler:
    """A thread with its own connection that samples something until the ``with`` block ends."""

    def __init__(self, url: str):
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.connection.close()

    def run(self):
        raise NotImplementedError


class LockWatch(Sampler):
    """Samples the locks one backend holds on the large tables; remembers the longest blocking stretches."""

    def __init__(self, url: str, pid: int):
        super().__init__(url)
        self.pid = pid
        self.longest = {"writes": 0.0, "reads": 0.0}
        self.tables: set[str] = set()

    def run(self):
        since = {"writes": None, "reads": None}
        while True:
            now = time.perf_counter()
            rows = self.connection.execute(
                "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.granted AND l.pid = %s AND c.relname = ANY(%s)", [self.pid, list(LARGE_TABLES)]).fetchall()
            held = {"writes": {table for table, mode in rows if mode in WRITE_BLOCKING},
                    "reads": {table for table, mode in rows if mode == "AccessExclusiveLock"}}
            for kind, tables in held.items():
                if tables:
                    self.tables |= tables
                    since[kind] = since[kind] or now
                    self.longest[kind] = max(self.longest[kind], now - since[kind])
                else:
                    since[kind] = None
            if self.stop.is_set():
                return
            time.sleep(0.02)


class Writer(Sampler):
    """Updates one registration again and again (as users do while an upgrade runs); the longest wait counts."""

    def __init__(self, url: str):
        super().__init__(url)
        self.row = self.connection.execute("SELECT min(id) FROM ppks_registration").fetchone()[0]
        self.longest = 0.0

    def run(self):
        import psycopg

        while not self.stop.is_set():
            started = time.perf_counter()
            # (a backward step may drop or recreate what the update touches)
            with contextlib.suppress(psycopg.Error):
                self.connection.execute("UPDATE ppks_registration SET needs = needs WHERE id = %s", [self.row])
            self.longest = max(self.longest, time.perf_counter() - started)
            self.stop.wait(0.05)


def copy_database(source_url: str, copy_name: str) -> float:
    import psycopg

    source = source_url.rsplit("/", 1)[1]
    started = time.perf_counter()
    with psycopg.connect(source_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(copy_name))
        admin.execute('CREATE DATABASE "{}" TEMPLATE "{}"'.format(copy_name, source))
    return time.perf_counter() - started


def drop_database(source_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(source_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name))


def run_steps(url: str, targets, label: str) -> list[dict]:
    """Apply the plan towards ``targets`` one migration at a time, each timed and watched."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    plan = MigrationExecutor(connection).migration_plan(targets)
    results = []
    for migration, backwards in plan:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        executor = MigrationExecutor(connection)
        with LockWatch(url, pid) as watch, Writer(url) as writer:
            started = time.perf_counter()
            executor.migrate([], plan=[(executor.loader.graph.nodes[(migration.app_label, migration.name)],
                                        backwards)])
            seconds = time.perf_counter() - started
        results.append({"direction": "mundur" if backwards else label, "migration": "{}.{}".format(
            migration.app_label, migration.name), "seconds": round(seconds, 2),
            "write_block_seconds": round(watch.longest["writes"], 2),
            "read_block_seconds": round(watch.longest["reads"], 2), "tables": sorted(watch.tables),
            "writer_wait_seconds": round(writer.longest, 2)})
        print("{:<6} {:<44} {:>6.2f} s  kunci-tulis {:>5.2f} s  kunci-baca {:>5.2f} s  UPDATE terlama {:>5.2f} s  {}"
              .format(results[-1]["direction"], results[-1]["migration"], seconds, watch.longest["writes"],
                      watch.longest["reads"], writer.longest, ",".join(sorted(watch.tables))),
              file=sys.stderr, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rewind", nargs="*", default=[], help="app:migration to roll back to first")
    parser.add_argument("--keep-copy", action="store_true")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    source_url = bench_environment()["DATABASE_URL"]
    copy_name = source_url.rsplit("/", 1)[1] + "_migrasi"
    copy_url = source_url.rsplit("/", 1)[0] + "/" + copy_name
    copy_seconds = copy_database(source_url, copy_name)
    print("Salinan {} dibuat dalam {:.1f} s".format(copy_name, copy_seconds), file=sys.stderr)
    os.environ["DATABASE_URL"] = copy_url
    from common import setup_django

    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ppks_registration")
        registrations = cursor.fetchone()[0]
    results = []
    try:
        for target in arguments.rewind:
            app, name = target.split(":")
            from django.db.migrations.loader import MigrationLoader

            full_name = next(key[1] for key in MigrationLoader(connection).graph.nodes
                             if key[0] == app and key[1].startswith(name))
            results += run_steps(copy_url, [(app, full_name)], "maju")
        from django.db.migrations.loader import MigrationLoader

        results += run_steps(copy_url, MigrationLoader(connection).graph.leaf_nodes(), "maju")
    finally:
        connection.close()
        if not arguments.keep_copy:
            drop_database(source_url, copy_name)
    worst = max((max(row["write_block_seconds"], row["writer_wait_seconds"]) for row in results
                 if row["direction"] != "mundur"), default=0.0)
    summary = {"registrations": registrations, "copy_seconds": round(copy_seconds, 1), "steps": results,
               "longest_write_block_seconds": worst, "within_limit": worst <= LIMIT_SECONDS}
    if arguments.json:
        print(json.dumps(summary))
    else:
        print("{} registrasi; penguncian tulis terlama {:.2f} s (batas {:.0f} s): {}".format(
            registrations, worst, LIMIT_SECONDS, "OK" if summary["within_limit"] else "MELEBIHI"))


if __name__ == "__main__":
    main()
