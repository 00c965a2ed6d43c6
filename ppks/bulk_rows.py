"""Bulk writing of plain rows (dictionaries of column values) without a model instance per row.

For the large paths (the PPKS import, the demo-data generator ``reports.demo_data``): ``reserve_ids``
hands out primary keys in one query, so rows written later in the same pass can point at them, and
``insert`` writes the rows with PostgreSQL ``COPY ... FROM STDIN`` (psycopg 3 ``cursor.copy``) or, on
other databases (SQLite in development and tests), one ``executemany`` per batch; ``insert_new`` does
both. Values are written as given on every database (an ``auto_now_add`` column keeps the row's own
date, where ``bulk_create`` on SQLite would put the moment of writing). Columns a row does not name get
the field's default, so a column added to the model later is filled as ``bulk_create`` would fill it.
Database triggers fire as for any insert (the set-based history triggers of ``ppks.history`` record
every row).
"""

from collections.abc import Iterable

from django.db import connections, router

BATCH_SIZE = 5000


def _connection(model):
    return connections[router.db_for_write(model)]


def reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, in increasing order (call inside the writing transaction)."""
    if count <= 0:
        return []
    connection = _connection(model)
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: the transaction already holds the write lock (the caller set its history context), so
        # nobody else takes ids meanwhile; AUTOINCREMENT's high-water mark keeps ids of deleted rows unused.
        cursor.execute('SELECT coalesce(max("{}"), 0) FROM "{}"'.format(column, table))
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
            highest = max(highest, cursor.fetchone()[0])
    return list(range(highest + 1, highest + 1 + count))


def insert(model, rows: Iterable[dict], *, with_id: bool = False) -> int:
    """Insert ``rows`` (column name -> value) into ``model``'s table; returns how many were written."""
    connection = _connection(model)
    fields = [field for field in model._meta.concrete_fields if with_id or not field.primary_key]
    columns = [field.column for field in fields]
    defaults = [field.get_default() for field in fields]
    pairs = list(zip(columns, defaults, strict=True))
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django converts driver errors only for execute/executemany/fetch: COPY's need the same wrapper,
            # so an IntegrityError or DataError reaches the import's handlers as Django's own exception.
            with connection.wrap_database_errors, cursor.copy(
                    "COPY {} ({}) FROM STDIN".format(table, column_list)) as copy:
                for row in rows:
                    copy.write_row([row.get(column, default) for column, default in pairs])
                    written += 1
            return written
        sql = "INSERT INTO {} ({}) VALUES ({})".format(table, column_list, ", ".join(["%s"] * len(columns)))
        batch = []
        for row in rows:
            batch.append([
                field.get_db_prep_save(row.get(column, default), connection)
                for field, (column, default) in zip(fields, pairs, strict=True)
            ])
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def insert_new(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` as new records with fresh primary keys (``reserve_ids``), each set on its row so
    rows written next can point at it; returns the keys in row order (call inside the writing transaction)."""
    column = model._meta.pk.column
    ids = reserve_ids(model, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row[column] = pk
    insert(model, rows, with_id=True)
    return ids
