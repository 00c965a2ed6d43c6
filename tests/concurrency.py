"""Race tests: run calls in threads released at the same moment, each on its own database connection."""

import threading

import pytest
from django.db import close_old_connections, connection


def postgresql_only() -> None:
    """Skip the test unless the database is PostgreSQL (SQLite serialises writers, so there is no race)."""
    if connection.vendor != "postgresql":
        pytest.skip("butuh PostgreSQL untuk permintaan bersamaan")


def at_once(*calls, timeout: float = 60) -> list:
    """Start every call in its own thread, released together by a barrier; return, in order, what each
    returned or the exception it raised (a deadlock or a unique violation shows up as one)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
