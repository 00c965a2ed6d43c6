"""Upgrades: every migration can be reversed, and none builds an index on a large table under a write lock.

On PostgreSQL a plain CREATE INDEX on a million registrations blocks inserts and updates for the
whole build; migrations after the initial ones use the concurrent operations of
``config.migration_operations`` (``atomic = False``). ``tests/bench/bench_migrations.py`` measures
what these checks can only read: the time and the longest lock of each migration on 1M rows.
"""

import inspect

import pytest
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from config import migration_operations

PROJECT_APPS = {"accounts", "villages", "ppks", "dimensions", "actionplans", "reports", "config"}
# Tables that hold a row per person, registration or recorded action: millions in a province.
LARGE_MODELS = {("ppks", "person"), ("ppks", "registration"), ("ppks", "personhistory"),
                ("ppks", "registrationevent"), ("accounts", "auditevent")}
LARGE_TABLES = {"{}_{}".format(app, model) for app, model in LARGE_MODELS}
# Operations that lock the whole table while they scan or build.
LOCKING = (migrations.AddIndex, migrations.RemoveIndex, migrations.AddConstraint, migrations.AlterUniqueTogether)
CONCURRENT = (migration_operations.AddIndexConcurrently, migration_operations.RemoveIndexConcurrently,
              migration_operations.PostgresIndexConcurrently, migration_operations.AddCheckConstraintNotValid)


def project_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted((key, migration) for key, migration in loader.disk_migrations.items() if key[0] in PROJECT_APPS)


def sql_of(operation) -> str:
    if isinstance(operation, migrations.RunSQL):
        return str(operation.sql)
    if isinstance(operation, migrations.RunPython):
        return inspect.getsource(operation.code)
    return ""


def test_every_migration_can_be_reversed():
    irreversible = [
        "{}.{}: {}".format(app, name, operation.describe())
        for (app, name), migration in project_migrations() for operation in migration.operations
        if not operation.reversible or (isinstance(operation, migrations.RunPython) and operation.reverse_code is None)
    ]
    assert irreversible == [], "beri reverse_code / reverse_sql (RunPython.noop bila memang tidak ada yang dibalik)"


def test_no_migration_locks_a_large_table_to_build_an_index():
    offending = []
    for (app, name), migration in project_migrations():
        if migration.initial:
            continue  # the table is created (empty) in the same run
        for operation in migration.operations:
            model = (app, getattr(operation, "model_name", "").lower())
            if model in LARGE_MODELS and isinstance(operation, LOCKING) and not isinstance(operation, CONCURRENT):
                offending.append("{}.{}: {}".format(app, name, operation.describe()))
            text = sql_of(operation).upper()
            if "CREATE INDEX" in text.replace("UNIQUE ", "") and "CONCURRENTLY" not in text and any(
                    table.upper() in text for table in LARGE_TABLES):
                offending.append("{}.{}: CREATE INDEX tanpa CONCURRENTLY".format(app, name))
        uses_concurrent = any(isinstance(operation, CONCURRENT) for operation in migration.operations)
        if uses_concurrent and migration.atomic:
            offending.append("{}.{}: operasi CONCURRENTLY butuh atomic = False".format(app, name))
    assert offending == [], (
        "Pakai config.migration_operations.AddIndexConcurrently / RemoveIndexConcurrently / "
        "PostgresIndexConcurrently dalam migrasi atomic = False: " + "; ".join(offending))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registration_indexes_roll_back_and_forward():
    """The concurrent operations run both ways (on PostgreSQL outside a transaction, on SQLite plainly)."""
    executor = MigrationExecutor(connection)
    executor.migrate([("ppks", "0004_import_jobs"), ("reports", None)])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "ppks_registration"))
    assert {"registration_cat_status_id", "registration_status_created_id", "registration_created_id"} <= names
    assert not names & {"registration_category_status", "registration_cat_status_new", "registration_status_created",
                        "ppks_registration_created_at_5d42b429"}
    if connection.vendor == "postgresql":
        assert {"registration_village_prefix", "registration_submitted_queue"} <= names
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
                           "WHERE relname IN ('registration_village_prefix', 'ppks_person_name_trgm', "
                           "'registration_submitted_queue') AND indisvalid")
            assert cursor.fetchone()[0] == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kk_check_migration_repairs_other_digits_and_masks_the_history():
    """ppks 0012: a No. KK stored with Arabic-Indic digits is rewritten in ASCII before the check is added (NOT
    VALID then validated on PostgreSQL), and No. KK values already in the history are masked."""
    executor = MigrationExecutor(connection)
    executor.migrate([("ppks", "0011_units_routes_referral_backfill")])
    apps = executor.loader.project_state([("ppks", "0011_units_routes_referral_backfill")]).apps
    Person = apps.get_model("ppks", "Person")
    apps.get_model("villages", "Province").objects.get_or_create(code="35", defaults={"name": "Jawa Timur"})
    apps.get_model("villages", "Regency").objects.get_or_create(code="35.11", defaults={"name": "Bondowoso",
                                                                                         "province_id": "35"})
    apps.get_model("villages", "District").objects.get_or_create(code="35.11.01", defaults={"name": "Maesan",
                                                                                            "regency_id": "35.11"})
    village, _created = apps.get_model("villages", "Village").objects.get_or_create(
        code="35.11.01.2001", defaults={"name": "Sucolor", "district_id": "35.11.01"})
    arabic = Person.objects.create(name="A", name_key="a", sex="L", village_id=village.pk, nik_status="tidak_diketahui",
                                   kk_number="٣٥١١٠١٠١٠١٢٠٠٠٠١")
    broken = Person.objects.create(name="B", name_key="b", sex="L", village_id=village.pk, nik_status="tidak_diketahui",
                                   kk_number="35x1")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, kk_number FROM ppks_person WHERE id IN (%s, %s) ORDER BY id", [arabic.pk, broken.pk])
        assert cursor.fetchall() == [(arabic.pk, "3511010101200001"), (broken.pk, "")]
        cursor.execute("SELECT changes FROM ppks_personhistory WHERE person_id IN (%s, %s)", [arabic.pk, broken.pk])
        history = " ".join(str(row[0]) for row in cursor.fetchall())
        assert "٣٥١١٠١٠١٠١٢٠٠٠٠١" not in history
        assert "3511010101200001" not in history
        names = set(connection.introspection.get_constraints(cursor, "ppks_person"))
    assert "person_kk_sixteen_digits" in names
