"""Name keys become space-free and sound-based (issue 18): recompute every stored key.

The same function as ``manage.py recompute_name_keys``; reversing leaves the new keys (harmless:
the old code would recompute them on the next save).
"""

from django.db import migrations


def recompute(apps, schema_editor):
    from ppks.services import name_keys_recompute

    name_keys_recompute(person_model=apps.get_model("ppks", "Person"))


class Migration(migrations.Migration):
    dependencies = [("ppks", "0013_category_names_without_code")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
