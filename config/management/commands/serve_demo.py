"""manage.py serve_demo [ADDRPORT]: ``runserver`` that prints the demo accounts once it listens.

``make run`` uses it after ``setup_demo``: the address and the account table come after the
socket is bound (and again after each automatic reload), so they are the last lines printed.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from accounts.management.commands.seed_demo import demo_account_lines


class Command(RunserverCommand):
    help = "Server pengembangan (runserver) yang mencetak akun demo setelah siap menerima permintaan."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        address = "{}://{}:{}/".format(self.protocol, "0.0.0.0" if self.addr == "0" else self.addr, server_port)
        lines = ["", "SI-DBS berjalan di {} (Ctrl+C untuk berhenti)".format(address), *demo_account_lines()]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
        self.stdout.flush()
