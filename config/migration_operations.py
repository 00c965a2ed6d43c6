"""Migration operations that keep large tables writable while indexes are built or dropped.

On PostgreSQL ``CREATE INDEX`` holds a SHARE lock that blocks every insert and update of the
table until the build ends (seconds to minutes on a million registrations); ``CREATE INDEX
CONCURRENTLY`` builds without blocking writes, and ``DROP INDEX CONCURRENTLY`` waits for running
queries instead of locking the table. These operations use the concurrent form on PostgreSQL and
the plain one elsewhere (SQLite in ``make run``), so one migration serves both. A migration that
uses them sets ``atomic = False``: PostgreSQL refuses CONCURRENTLY inside a transaction.
``tests/config/test_migrations.py`` makes every migration that indexes a large table use them, and
``tests/bench/bench_migrations.py`` times migrations and their locks on a copy of the 1M-row database.
"""

from django.db import NotSupportedError
from django.db.migrations.operations import AddConstraint, AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation

NOT_IN_TRANSACTION = (
    "{} memakai CONCURRENTLY dan tidak dapat berjalan dalam transaksi: beri migrasinya atomic = False."
)


def _postgresql(schema_editor, operation) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    if schema_editor.connection.in_atomic_block:
        raise NotSupportedError(NOT_IN_TRANSACTION.format(operation.__class__.__name__))
    return True


def _drop_invalid_index(schema_editor, name: str) -> None:
    """A concurrent build that failed leaves an INVALID index behind; drop it so a re-run builds it again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index JOIN pg_class ON pg_class.oid = pg_index.indexrelid "
            "WHERE pg_class.relname = %s AND NOT pg_index.indisvalid", [name])
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS {}".format(schema_editor.quote_name(name)))


class AddIndexConcurrently(AddIndex):
    """``AddIndex`` built with CREATE INDEX CONCURRENTLY on PostgreSQL (the model state is the same)."""

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if _postgresql(schema_editor, self):
            _drop_invalid_index(schema_editor, self.index.name)
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.remove_index(model, self.index, **({"concurrently": True}
                                                         if _postgresql(schema_editor, self) else {}))

    def describe(self):
        return "Create index {} on {} (concurrently on PostgreSQL)".format(self.index.name, self.model_name)


class RemoveIndexConcurrently(RemoveIndex):
    """``RemoveIndex`` with DROP INDEX CONCURRENTLY on PostgreSQL."""

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = from_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        schema_editor.remove_index(model, index, **({"concurrently": True}
                                                    if _postgresql(schema_editor, self) else {}))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        index = to_state.models[app_label, self.model_name_lower].get_index_by_name(self.name)
        if _postgresql(schema_editor, self):
            _drop_invalid_index(schema_editor, index.name)
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)

    def describe(self):
        return "Remove index {} from {} (concurrently on PostgreSQL)".format(self.name, self.model_name)


class PostgresIndexConcurrently(Operation):
    """A PostgreSQL-only index the ORM cannot describe (trigram GIN, ``varchar_pattern_ops``).

    ``definition`` is what follows ``ON table``, e.g. ``USING gin (UPPER(name::text) gin_trgm_ops)``.
    Other databases skip it. Reversible (DROP INDEX CONCURRENTLY). ``extension`` is created first.
    """

    atomic = False
    reversible = True
    reduces_to_sql = True

    def __init__(self, *, name: str, table: str, definition: str, extension: str = ""):
        self.name, self.table, self.definition, self.extension = name, table, definition, extension

    def deconstruct(self):
        kwargs = {"name": self.name, "table": self.table, "definition": self.definition}
        if self.extension:
            kwargs["extension"] = self.extension
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgresql(schema_editor, self):
            return
        if self.extension:
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS {}".format(self.extension))
        _drop_invalid_index(schema_editor, self.name)
        schema_editor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} {}".format(
            schema_editor.quote_name(self.name), schema_editor.quote_name(self.table), self.definition))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgresql(schema_editor, self):
            schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS {}".format(schema_editor.quote_name(self.name)))

    def describe(self):
        return "Create index {} on {} (PostgreSQL, concurrently)".format(self.name, self.table)


class AddCheckConstraintNotValid(AddConstraint):
    """``AddConstraint`` for a CHECK on a large table without blocking writes while the rows are checked.

    On PostgreSQL the constraint is added ``NOT VALID`` (a short lock, no scan; new and changed rows are
    checked from then on) and committed, then ``VALIDATE CONSTRAINT`` checks the existing rows under a
    lock that lets inserts and updates go on. The migration sets ``atomic = False`` so the two steps
    commit separately. Elsewhere (SQLite) it is a plain ``AddConstraint``.
    """

    atomic = False

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if not _postgresql(schema_editor, self):
            schema_editor.add_constraint(model, self.constraint)
            return
        table = schema_editor.quote_name(model._meta.db_table)
        name = schema_editor.quote_name(self.constraint.name)
        check = self.constraint._get_check_sql(model, schema_editor)
        schema_editor.execute("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}".format(table, name))
        schema_editor.execute("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}) NOT VALID".format(table, name, check))
        schema_editor.execute("ALTER TABLE {} VALIDATE CONSTRAINT {}".format(table, name))

    def describe(self):
        return "Create constraint {} on {} (NOT VALID, then validated, on PostgreSQL)".format(
            self.constraint.name, self.model_name)
