"""Field-level change history of people and registrations, written by database triggers.

Triggers on ``ppks_person`` and ``ppks_registration`` write one ``PersonHistory`` row per
inserted, changed or deleted record, so every path is caught: services, ``QuerySet.update()``,
``bulk_create``, the admin, a data migration or raw SQL in a shell. Each row holds the changed
columns as ``{"column": {"old": ..., "new": ...}}``.

*Who* and *why* come from the application, set per transaction by ``history_actor(actor,
reason=...)`` (services use it through ``@records_history``):

- PostgreSQL: ``set_config('sidbs.actor_id', ..., true)`` (transaction-local); the plpgsql
  trigger reads ``current_setting('sidbs.actor_id', true)``. The triggers are statement-level with
  transition tables (``REFERENCING NEW TABLE``): one set-based ``INSERT ... SELECT`` per statement
  writes one history row per changed record, so a 100,000-row import (COPY) costs one trigger call
  instead of 100,000. They diff ``to_jsonb`` of the old and new rows, so a column added later is
  covered without a new migration.
- SQLite (development and tests): one-row table ``ppks_history_context`` written inside the
  same transaction and cleared again on the way out. SQLite has no generic row-to-JSON, so the
  triggers list the columns; ``sqlite_trigger_sql`` generates them from a column list frozen in
  the migration. ``tests/ppks/test_privacy.py`` fails when a model column is missing from the
  installed triggers (a new column, or a migration that rebuilt the table and dropped them):
  add a migration that calls ``install_operation`` with the new column list.

Writes made outside ``history_actor`` (a shell, raw SQL, a data migration) are still recorded,
with an empty actor.

NIK and No. KK are never stored in clear text here: their old and new values are masked
(``3511********0003``) by the trigger itself. The full numbers live only on the person row.
``id`` and ``updated_at`` are not diffed (bookkeeping), nor ``name_key`` (derived from ``name``,
which is recorded).
"""

import datetime
import functools
from contextlib import contextmanager

from django.db import connections, router, transaction

HISTORY_TABLE = "ppks_personhistory"
CONTEXT_TABLE = "ppks_history_context"

# table -> (column holding the person id, columns not diffed, columns stored masked)
TRACKED_TABLES = {
    "ppks_person": ("id", ("id", "updated_at", "name_key"), ("nik", "kk_number")),
    "ppks_registration": ("person_id", ("id", "updated_at"), ()),
}


def _history_connection():
    from ppks.models import Person

    return connections[router.db_for_write(Person)]


# ---------------------------------------------------------------------------------------------
# Who and why: set per transaction by the application
# ---------------------------------------------------------------------------------------------


def _context_set(connection, actor_id: int | None, reason: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('sidbs.actor_id', %s, true), set_config('sidbs.reason', %s, true)",
                ["" if actor_id is None else str(actor_id), reason],
            )
        elif connection.vendor == "sqlite":
            if actor_id is None and not reason:
                cursor.execute("DELETE FROM {}".format(CONTEXT_TABLE))
            else:
                cursor.execute(
                    "INSERT OR REPLACE INTO {} (id, actor_id, reason) VALUES (1, %s, %s)".format(CONTEXT_TABLE),
                    [actor_id, reason],
                )


@contextmanager
def history_actor(actor, *, reason: str = ""):
    """Attribute the history rows written inside this block to ``actor`` (a user or None), with ``reason``.

    Opens an atomic block (a savepoint when nested), so the setting never outlives the
    transaction's work: on an error the block rolls back and takes the setting with it.
    Nested blocks for the same actor and reason cost no query.
    """
    connection = _history_connection()
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    reason = (reason or "")[:500]
    stack = connection.__dict__.setdefault("_sidbs_history_stack", [])
    previous = stack[-1] if stack else (None, "")
    with transaction.atomic(using=connection.alias):
        changed = previous != (actor_id, reason)
        if changed:
            _context_set(connection, actor_id, reason)
        stack.append((actor_id, reason))
        try:
            yield
        except BaseException:
            stack.pop()
            raise
        stack.pop()
        if changed and not connection.needs_rollback:
            _context_set(connection, *previous)


def records_history(function):
    """Run a service inside ``history_actor(actor)``, taking the actor from its ``actor`` keyword."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with history_actor(kwargs.get("actor")):
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------------
# Trigger SQL
# ---------------------------------------------------------------------------------------------

POSTGRES_FUNCTION = r"""
CREATE OR REPLACE FUNCTION ppks_history_mask(value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'string' THEN
        to_jsonb(left(value #>> '{}', 4) || repeat('*', greatest(length(value #>> '{}') - 8, 0))
                 || right(value #>> '{}', 4))
    ELSE value END
$$;

DROP FUNCTION IF EXISTS ppks_record_history() CASCADE;

CREATE OR REPLACE FUNCTION ppks_record_history_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    person_column text := TG_ARGV[0];
    excluded text[] := string_to_array(TG_ARGV[1], ',');
    masked text[] := string_to_array(TG_ARGV[2], ',');
    actor text := nullif(current_setting('sidbs.actor_id', true), '');
    actor_id bigint := CASE WHEN actor ~ '^[0-9]+$' THEN actor::bigint END;
    reason text := coalesce(current_setting('sidbs.reason', true), '');
    fragments text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- One text fragment per column ('"name":{"old":null,"new":<json>}', NULL when the value is empty),
        -- generated from the table's columns at each statement, so a column added later is covered; the
        -- row's JSON is parsed once. Twice as fast as aggregating jsonb_each of to_jsonb(row) per row, with
        -- the same result (tests/ppks/test_privacy.py compares both).
        SELECT string_agg(format(
                   'CASE WHEN inserted.%1$I IS NOT NULL AND to_jsonb(inserted.%1$I) <> ''""''::jsonb '
                   'THEN %2$L || (%3$s)::text || ''}'' END',
                   attribute.attname, to_json(attribute.attname::text)::text || ':{"old":null,"new":',
                   CASE WHEN attribute.attname = ANY(masked)
                        THEN format('ppks_history_mask(to_jsonb(inserted.%I))', attribute.attname)
                        ELSE format('to_jsonb(inserted.%I)', attribute.attname) END),
                   ', ' ORDER BY attribute.attnum)
          INTO fragments
          FROM pg_attribute AS attribute
         WHERE attribute.attrelid = TG_RELID AND attribute.attnum > 0 AND NOT attribute.attisdropped
           AND NOT (attribute.attname = ANY(excluded));
        EXECUTE format(
            'INSERT INTO ppks_personhistory (table_name, record_id, person_id, action, changes, actor_id, reason, '
            'occurred_at) '
            'SELECT %L, inserted.id, inserted.%I, ''insert'', '
            '(''{'' || array_to_string(ARRAY[%s]::text[], '','') || ''}'')::jsonb, $1, $2, clock_timestamp() '
            'FROM new_rows AS inserted ORDER BY 2',
            TG_TABLE_NAME, person_column, coalesce(fragments, 'NULL'))
        USING actor_id, reason;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ppks_personhistory (table_name, record_id, person_id, action, changes, actor_id, reason,
                                        occurred_at)
        SELECT TG_TABLE_NAME, (changed.row_data ->> 'id')::bigint, (changed.row_data ->> person_column)::bigint,
               'delete', diff.changes, actor_id, reason, clock_timestamp()
          FROM (SELECT to_jsonb(deleted) AS row_data FROM old_rows AS deleted) AS changed
         CROSS JOIN LATERAL (
               SELECT coalesce(jsonb_object_agg(field.key, jsonb_build_object(
                          'old', CASE WHEN field.key = ANY(masked) THEN ppks_history_mask(field.value)
                                 ELSE field.value END,
                          'new', NULL)), '{}'::jsonb) AS changes
                 FROM jsonb_each(changed.row_data) AS field
                WHERE NOT (field.key = ANY(excluded)) AND field.value NOT IN ('null'::jsonb, '""'::jsonb)
         ) AS diff
         ORDER BY 2;
    ELSE
        INSERT INTO ppks_personhistory (table_name, record_id, person_id, action, changes, actor_id, reason,
                                        occurred_at)
        SELECT TG_TABLE_NAME, (pair.new_row ->> 'id')::bigint, (pair.new_row ->> person_column)::bigint,
               'update', diff.changes, actor_id, reason, clock_timestamp()
          FROM (SELECT to_jsonb(before) AS old_row, to_jsonb(after) AS new_row
                  FROM old_rows AS before JOIN new_rows AS after ON after.id = before.id) AS pair
         CROSS JOIN LATERAL (
               SELECT coalesce(jsonb_object_agg(field.key, jsonb_build_object(
                          'old', CASE WHEN field.key = ANY(masked) THEN ppks_history_mask(pair.old_row -> field.key)
                                 ELSE pair.old_row -> field.key END,
                          'new', CASE WHEN field.key = ANY(masked) THEN ppks_history_mask(pair.new_row -> field.key)
                                 ELSE pair.new_row -> field.key END)), '{}'::jsonb) AS changes
                 FROM jsonb_object_keys(pair.old_row || pair.new_row) AS field(key)
                WHERE NOT (field.key = ANY(excluded))
                  AND (pair.old_row -> field.key) IS DISTINCT FROM (pair.new_row -> field.key)
                  AND NOT (coalesce(pair.old_row -> field.key, 'null'::jsonb) IN ('null'::jsonb, '""'::jsonb)
                           AND coalesce(pair.new_row -> field.key, 'null'::jsonb) IN ('null'::jsonb, '""'::jsonb))
         ) AS diff
         WHERE diff.changes <> '{}'::jsonb
         ORDER BY 2;
    END IF;
    RETURN NULL;
END
$$;
"""

POSTGRES_FUNCTION_DROP = """
DROP FUNCTION IF EXISTS ppks_record_history_rows() CASCADE;
DROP FUNCTION IF EXISTS ppks_history_mask(jsonb);
"""

# action -> the transition tables its statement-level trigger sees (PostgreSQL allows one event per such trigger)
POSTGRES_TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def postgres_trigger_names(table: str) -> list[str]:
    return ["{}_history_{}".format(table, action) for action in POSTGRES_TRANSITIONS]


def postgres_trigger_sql(table: str) -> str:
    """Statement-level triggers with transition tables: one set-based INSERT of history rows per statement,
    so a bulk write (COPY, ``bulk_create``, ``QuerySet.update()``) costs one trigger call, not one per row;
    each changed row still gets its own history row."""
    person_column, excluded, masked = TRACKED_TABLES[table]
    statements = ["DROP TRIGGER IF EXISTS {table}_history ON {table};".format(table=table)]
    for action, transitions in POSTGRES_TRANSITIONS.items():
        statements.append(
            "DROP TRIGGER IF EXISTS {table}_history_{action} ON {table};\n"
            "CREATE TRIGGER {table}_history_{action} AFTER {upper} ON {table} REFERENCING {transitions} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ppks_record_history_rows('{person}', '{excluded}', '{masked}');"
            .format(table=table, action=action, upper=action.upper(), transitions=transitions,
                    person=person_column, excluded=",".join(excluded), masked=",".join(masked))
        )
    return "\n".join(statements)


def _sqlite_value(row: str, column: str, masked: tuple[str, ...]) -> str:
    reference = '{}."{}"'.format(row, column)
    if column in masked:
        return (
            "CASE WHEN {ref} IS NULL THEN NULL ELSE substr({ref}, 1, 4) || "
            "substr('****************', 1, max(length({ref}) - 8, 0)) || substr({ref}, -4) END"
        ).format(ref=reference)
    return reference


def _sqlite_is_empty(row: str, column: str) -> str:
    return "coalesce({}.\"{}\", '') = ''".format(row, column)


def sqlite_trigger_sql(table: str, columns: list[str]) -> list[str]:
    """``CREATE TRIGGER`` statements (insert, update, delete) for ``table`` with these columns."""
    person_column, excluded, masked = TRACKED_TABLES[table]
    diffed = [column for column in columns if column not in excluded]
    statements = []
    for action, row in (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")):
        parts = []
        conditions = []
        for column in diffed:
            old = "NULL" if action == "insert" else _sqlite_value("OLD", column, masked)
            new = "NULL" if action == "delete" else _sqlite_value("NEW", column, masked)
            if action == "update":
                condition = 'OLD."{c}" IS NOT NEW."{c}" AND NOT ({old_empty} AND {new_empty})'.format(
                    c=column, old_empty=_sqlite_is_empty("OLD", column), new_empty=_sqlite_is_empty("NEW", column))
                conditions.append("({})".format(condition))
            else:
                condition = "NOT {}".format(_sqlite_is_empty(row, column))
            parts.append("SELECT '{c}' AS k, json_object('old', {old}, 'new', {new}) AS v WHERE {cond}".format(
                c=column, old=old, new=new, cond=condition))
        when = " WHEN {}".format(" OR ".join(conditions)) if action == "update" else ""
        statements.append(
            "CREATE TRIGGER {table}_history_{action} AFTER {upper} ON {table} FOR EACH ROW{when}\n"
            "BEGIN\n"
            "  INSERT INTO {history} (table_name, record_id, person_id, action, changes, actor_id, reason, "
            "occurred_at)\n"
            "  VALUES ('{table}', {row}.\"id\", {row}.\"{person}\", '{action}',\n"
            "    (SELECT json_group_object(k, json(v)) FROM (\n      {parts}\n    )),\n"
            "    (SELECT actor_id FROM {context} WHERE id = 1),\n"
            "    coalesce((SELECT reason FROM {context} WHERE id = 1), ''),\n"
            "    strftime('%Y-%m-%d %H:%M:%f', 'now'));\n"
            "END".format(
                table=table, action=action, upper=action.upper(), when=when, history=HISTORY_TABLE, row=row,
                person=person_column, parts="\n      UNION ALL ".join(parts), context=CONTEXT_TABLE,
            )
        )
    return statements


def sqlite_drop_sql(table: str) -> list[str]:
    return ["DROP TRIGGER IF EXISTS {}_history_{}".format(table, action) for action in ("insert", "update", "delete")]


SQLITE_CONTEXT_CREATE = (
    "CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY CHECK (id = 1), actor_id bigint NULL, "
    "reason text NOT NULL DEFAULT '')".format(CONTEXT_TABLE)
)


def install_operation(columns: dict[str, list[str]]):
    """A migration operation that (re)creates the history triggers; ``columns`` is frozen in the migration.

    PostgreSQL ignores the column lists (its trigger is generic); SQLite needs them.
    """
    from django.db import migrations

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(POSTGRES_FUNCTION, params=None)
            for table in TRACKED_TABLES:
                schema_editor.execute(postgres_trigger_sql(table), params=None)
        elif vendor == "sqlite":
            schema_editor.execute(SQLITE_CONTEXT_CREATE)
            for table, table_columns in columns.items():
                for statement in sqlite_drop_sql(table) + sqlite_trigger_sql(table, table_columns):
                    schema_editor.execute(statement)

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            for table in TRACKED_TABLES:
                for name in postgres_trigger_names(table):
                    schema_editor.execute("DROP TRIGGER IF EXISTS {} ON {}".format(name, table))
            schema_editor.execute(POSTGRES_FUNCTION_DROP, params=None)
        elif vendor == "sqlite":
            for table in columns:
                for statement in sqlite_drop_sql(table):
                    schema_editor.execute(statement)
            schema_editor.execute("DROP TABLE IF EXISTS {}".format(CONTEXT_TABLE))

    return migrations.RunPython(forwards, backwards, elidable=False, atomic=True)


@contextmanager
def suspended():
    """Write synthetic bulk data without history rows (the demo-data generator; never for real people).

    PostgreSQL: the history triggers are disabled inside this transaction (``ALTER TABLE ... DISABLE
    TRIGGER`` is transactional, and holds the tables' exclusive lock until commit, so other sessions
    neither see nor write through the gap). SQLite keeps its triggers: its demo sets are small.
    """
    connection = _history_connection()
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in TRACKED_TABLES:
                    for name in postgres_trigger_names(table):
                        cursor.execute("ALTER TABLE {} DISABLE TRIGGER {}".format(table, name))
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of the bulk write are pending trigger events; run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in TRACKED_TABLES:
                    for name in postgres_trigger_names(table):
                        cursor.execute("ALTER TABLE {} ENABLE TRIGGER {}".format(table, name))


def installed_sqlite_triggers(connection) -> dict[str, str]:
    """Name -> SQL of the history triggers present in a SQLite database (used by the coverage test)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%%_history_%%'")
        return dict(cursor.fetchall())


# ---------------------------------------------------------------------------------------------
# Reading: rows for the person page
# ---------------------------------------------------------------------------------------------


def _field_for(model, column: str):
    for model_field in model._meta.concrete_fields:
        if model_field.column == column:
            return model_field
    return None


def _display(model_field, value, labels: dict) -> str:
    """A stored JSON value as the page shows it: choice labels, local dates, codes for linked rows."""
    from django.utils import dateparse, formats
    from django.utils import timezone as django_timezone

    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return labels.get((model_field.related_model._meta.label_lower, str(value)), str(value))
    internal = model_field.get_internal_type()
    if internal == "DateTimeField":
        parsed = dateparse.parse_datetime(str(value))
        if parsed is not None:
            if django_timezone.is_naive(parsed):
                parsed = django_timezone.make_aware(parsed, datetime.UTC)
            return formats.date_format(django_timezone.localtime(parsed), "j M Y H:i")
    if internal == "DateField":
        parsed = dateparse.parse_date(str(value))
        if parsed is not None:
            return formats.date_format(parsed, "j M Y")
    return str(value)


def _related_labels(wanted: dict[type, set]) -> dict[tuple[str, str], str]:
    """{(model label, pk): text} for linked rows: categories and directorates by code, users by name,
    people as "Orang #12" (never by name: the history outlives an anonymisation). One query per model."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from ppks.models import Person

    user_model = get_user_model()
    labels = {}
    for related, ids in wanted.items():
        if not ids:
            continue
        key = related._meta.label_lower
        if related is Person:
            labels.update({(key, str(pk)): _("Orang #{pk}").format(pk=pk) for pk in ids})
        elif related is user_model:
            for user in user_model.objects.filter(pk__in=ids).only("username", "first_name", "last_name"):
                labels[(key, str(user.pk))] = user.get_full_name() or user.username
        else:
            for pk, code in related.objects.filter(pk__in=ids).values_list("pk", "code"):
                labels[(key, str(pk))] = code
    return labels


def describe(entries) -> list[dict]:
    """History entries as table rows: when, who, which record, and (label, old, new) per changed field.

    Linked categories and directorates are shown by code, users by name and people by number,
    looked up in one query per kind. Redacted values (after anonymisation) show as "(dihapus)".
    """
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext as _

    from ppks.models import Category, Directorate, Person, Registration

    models_by_table = {"ppks_person": Person, "ppks_registration": Registration}
    wanted: dict[type, set] = {Category: set(), Directorate: set(), get_user_model(): set(), Person: set()}
    for entry in entries:
        model = models_by_table.get(entry.table_name)
        for column, values in entry.changes.items():
            model_field = _field_for(model, column) if model else None
            if model_field is not None and model_field.is_relation and model_field.related_model in wanted:
                wanted[model_field.related_model].update(
                    value for value in (values.get("old"), values.get("new")) if value is not None)
    labels = _related_labels(wanted)
    rows = []
    for entry in entries:
        model = models_by_table.get(entry.table_name)
        fields = []
        for column, values in sorted(entry.changes.items()):
            model_field = _field_for(model, column) if model else None
            label = str(model_field.verbose_name) if model_field is not None else column
            if values.get("redacted"):
                old = new = _("(dihapus)")
            else:
                old = _display(model_field, values.get("old"), labels)
                new = _display(model_field, values.get("new"), labels)
            fields.append({"label": label, "old": old, "new": new})
        if entry.table_name == "ppks_registration":
            record = _("Registrasi #{pk}").format(pk=entry.record_id)
        else:
            record = _("Data orang")
        rows.append({"entry": entry, "record": record, "fields": fields})
    return rows
