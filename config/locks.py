"""Transaction-scoped locks on a name, for work that two requests must not do at the same moment."""

import hashlib

from django.db import connection


def lock_for_transaction(name: str) -> None:
    """Hold a lock on ``name`` until the current transaction ends (PostgreSQL advisory lock).

    A second transaction asking for the same name waits until the first commits or rolls back, and
    then sees what the first wrote; e.g. two copies of one API request with the same Idempotency-Key.
    SQLite (development) serialises writers itself, so there it does nothing.
    """
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
