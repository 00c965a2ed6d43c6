"""manage.py setup_demo: migrations, region codes and demo data for ``make run``, in one process.

Each step prints one progress line (what it did and how long it took) instead of its own log;
work already done is skipped (no pending migrations, the same region file already imported).
The demo-account table is not printed here: ``manage.py serve_demo`` prints it once the server
listens, so it is the last thing on the screen. Add a set-up step to ``STEPS``.
"""

import io
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor

from villages.services import bundled_regions_path, regions_file_imported


@dataclass(frozen=True)
class Step:
    """One set-up command; ``skip`` returns why it need not run (or "" to run it)."""

    command: str
    label: str
    skip: object = None
    summary: object = None
    options: tuple = ()  # keyword options for the command, as (name, value) pairs


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def skip_migrate() -> str:
    return "" if pending_migrations() else "tidak ada migrasi baru"


def skip_regions() -> str:
    return "berkas yang sama sudah diimpor" if regions_file_imported(path=bundled_regions_path()) else ""


def last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "selesai"


STEPS = (
    Step("migrate", "Migrasi basis data", skip=skip_migrate,
         summary=lambda output, before: "{} migrasi diterapkan".format(before)),
    Step("import_regions", "Kode wilayah Kemendagri", skip=skip_regions),
    Step("seed_demo", "Akun dan desa demo",
         summary=lambda output, before: "siap (daftar akun tampil saat server siap)"),
    Step("seed_demo_ppks", "Registrasi PPKS demo"),
    Step("seed_demo_assessments", "Asesmen demo"),
    Step("seed_demo_plans", "Rencana aksi demo"),
    Step("seed_demo_letters", "Surat rujukan demo dan jawaban unit"),
    Step("load_map_data", "Batas wilayah dan angka peta", options=(("refresh_figures", True),)),
    Step("check_data_consistency", "Pemeriksaan konsistensi data"),
)


class Command(BaseCommand):
    help = "Siapkan basis data untuk `make run`: migrasi, kode wilayah, data demo (yang sudah ada dilewati)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("setup_demo hanya untuk pengembangan (DJANGO_DEBUG=1): ia membuat akun demo.")
        started = time.monotonic()
        try:
            connection.ensure_connection()
        except OperationalError as error:
            raise CommandError("Basis data tidak dapat dibuka ({}). Periksa DATABASE_URL; basis data PostgreSQL "
                               "harus sudah ada (createdb NAMA).".format(str(error).strip().splitlines()[-1])) from None
        for noisy in ("celery", "kombu"):  # eager tasks of the seeds log their runs; the progress lines say enough
            logging.getLogger(noisy).setLevel(logging.WARNING if noisy == "celery" else logging.ERROR)
        database = connection.settings_dict
        self.stdout.write("Menyiapkan basis data {} ({}) ...".format(
            connection.vendor, database["NAME"] if connection.vendor == "sqlite" else database.get("HOST") or "lokal"))
        for number, step in enumerate(STEPS, start=1):
            self.stdout.write("[{}/{}] {} ...".format(number, len(STEPS), step.label), ending="")
            self.stdout.flush()
            self.stdout.write(" {}".format(self.run_step(step)))
        self.stdout.write(self.style.SUCCESS("Basis data siap dalam {:.1f} s.".format(time.monotonic() - started)))

    def run_step(self, step: Step) -> str:
        """Run one step with its output captured; return its progress text (or raise with its output)."""
        step_started = time.monotonic()
        reason = step.skip() if step.skip else ""
        if reason:
            return self.style.NOTICE("dilewati: {}".format(reason))
        before = pending_migrations() if step.command == "migrate" else None
        output, errors = io.StringIO(), io.StringIO()
        try:
            call_command(step.command, stdout=output, stderr=errors, no_color=True, **dict(step.options),
                         **({"interactive": False} if step.command == "migrate" else {}))
        except Exception:
            self.stdout.write(self.style.ERROR(" gagal"))
            self.stderr.write(output.getvalue() + errors.getvalue())
            raise
        text = step.summary(output.getvalue(), before) if step.summary else last_line(output.getvalue())
        return "{} ({:.1f} s)".format(text, time.monotonic() - step_started)
