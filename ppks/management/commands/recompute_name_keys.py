"""Recompute every person's stored name key after the name normaliser (ppks/names.py) changed."""

from django.core.management.base import BaseCommand

from ppks.services import name_keys_recompute


class Command(BaseCommand):
    help = "Hitung ulang kunci nama (name_key) semua orang setelah aturan normalisasi nama berubah."

    def handle(self, *args, **options):
        changed = name_keys_recompute()
        self.stdout.write("{} kunci nama diperbarui.".format(changed))
