"""Maintain the English catalogue (locale/en/LC_MESSAGES/django.po) without skipping entries.

The .po file itself is the store of translations: ``makemessages`` keeps what is already translated
and adds the new Indonesian msgids with an empty (or a guessed, fuzzy) msgstr. This tool lists those
entries, merges English written for them and checks that nothing breaks on the way.

Usage (from the project root, after ``make messages`` or ``manage.py makemessages -l en ...``)::

    .venv/bin/python locale/translate_en.py todo [--chunk 150]
        Writes build/i18n/todo-NN.json: untranslated or fuzzy entries, 150 per file, each
        {"msgid", "msgid_plural", "msgctxt", "where", "guess"}.
    .venv/bin/python locale/translate_en.py apply build/i18n/done-NN.json [...]
        Each file is a JSON object {msgid: msgstr}, or a list of {"msgid", "msgctxt", "msgstr"}
        for entries with a context; msgstr is a string, or [singular, plural] for plural entries. Fills the catalogue,
        clears the fuzzy flag and refuses translations whose placeholders or HTML tags differ.
    .venv/bin/python locale/translate_en.py check
        Exits non-zero while an entry is empty or fuzzy, or a translation's placeholders differ.

Then run ``manage.py compilemessages --ignore=.venv`` (``make messages`` does both steps).
Requires polib (a dev dependency).
"""

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
WORK_DIR = ROOT / "build" / "i18n"

PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxX]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxX]"  # %s, %d
    r"|\{\{.*?\}\}"  # {{ var }} in blocktranslate
    r"|\{[A-Za-z_][A-Za-z0-9_.]*(?:![rsa])?(?::[^{}]*)?\}"  # {name}, {count:,}
    r"|\{\}"
)
HEADER = "English catalogue of SI-DBS (source: Bahasa Indonesia).\nMaintained with locale/translate_en.py."
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def say(text, stream=sys.stdout):
    """One line of output for the maintainer."""
    stream.write(f"{text}\n")


def signature(text):
    """The placeholders and HTML tags of a message, order-independent."""
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


def load():
    """The catalogue, wrapped the way makemessages writes it."""
    return polib.pofile(str(CATALOGUE), wrapwidth=79)


def needs_work(entry):
    """An entry without an English translation that can be trusted."""
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not all(entry.msgstr_plural.get(index) for index in (0, 1))
    return not entry.msgstr


def problems(entry):
    """Why a translated entry's placeholders or tags do not match its msgid."""
    found = []
    pairs = [(entry.msgid, entry.msgstr)] if not entry.msgid_plural else [
        (entry.msgid, entry.msgstr_plural.get(0, "")),
        (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
    ]
    for number, (source, target) in enumerate(pairs):
        if not target:
            continue
        (expected, expected_tags), (actual, actual_tags) = signature(source), signature(target)
        if entry.msgid_plural and number == 0:
            # The singular form may spell its number out ("one village") instead of "%(count)s".
            matches = set(actual) <= set(expected) and actual_tags == expected_tags
        else:
            matches = (expected, expected_tags) == (actual, actual_tags)
        if not matches:
            found.append(f"{source!r} -> {target!r}: expected {expected + expected_tags}, got {actual + actual_tags}")
    return found


def todo(chunk):
    """Write the untranslated entries as JSON files of ``chunk`` entries."""
    catalogue = load()
    pending = [entry for entry in catalogue if needs_work(entry)]
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    for old in WORK_DIR.glob("todo-*.json"):
        old.unlink()
    for number, start in enumerate(range(0, len(pending), chunk), start=1):
        rows = [
            {
                "msgid": entry.msgid,
                "msgid_plural": entry.msgid_plural or None,
                "msgctxt": entry.msgctxt,
                "where": [f"{path}:{line}" for path, line in entry.occurrences[:3]],
                "guess": (entry.msgstr or None) if "fuzzy" in entry.flags else None,
            }
            for entry in pending[start:start + chunk]
        ]
        path = WORK_DIR / f"todo-{number:02d}.json"
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        say(f"{path.relative_to(ROOT)}: {len(rows)} entries")
    say(f"{len(pending)} entries need an English translation.")


def apply(paths):
    """Merge translated JSON files into the catalogue; refuse broken placeholders."""
    catalogue = load()
    index = {(entry.msgctxt, entry.msgid): entry for entry in catalogue if not entry.obsolete}
    errors, applied = [], 0
    for path in paths:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(rows, dict):
            rows = [{"msgid": msgid, "msgstr": msgstr} for msgid, msgstr in rows.items()]
        for row in rows:
            entry = index.get((row.get("msgctxt"), row["msgid"]))
            if entry is None:
                errors.append(f"{path}: msgid not in the catalogue: {row['msgid']!r}")
                continue
            translation = row["msgstr"]
            if entry.msgid_plural:
                if not (isinstance(translation, list) and len(translation) == 2 and all(translation)):
                    errors.append(f"{path}: plural entry needs [singular, plural]: {row['msgid']!r}")
                    continue
                before = dict(entry.msgstr_plural)
                entry.msgstr_plural = {0: translation[0], 1: translation[1]}
            else:
                if not isinstance(translation, str) or not translation.strip():
                    errors.append(f"{path}: empty translation: {row['msgid']!r}")
                    continue
                before = entry.msgstr
                entry.msgstr = translation
            found = problems(entry)
            if found:
                errors.extend(f"{path}: {problem}" for problem in found)
                if entry.msgid_plural:
                    entry.msgstr_plural = before
                else:
                    entry.msgstr = before
                continue
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            applied += 1
    catalogue.metadata.update({
        "Project-Id-Version": "SI-DBS",
        "PO-Revision-Date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000"),
        "Last-Translator": "SI-DBS",
        "Language-Team": "English",
        "Language": "en",
    })
    catalogue.metadata_is_fuzzy = False
    catalogue.header = HEADER
    catalogue.save(str(CATALOGUE))
    say(f"{applied} entries translated.")
    for error in errors:
        say(error, sys.stderr)
    return 1 if errors else 0


def check():
    """Non-zero while anything is untranslated, fuzzy or has mismatched placeholders."""
    catalogue = load()
    pending = [entry.msgid for entry in catalogue if needs_work(entry)]
    broken = [problem for entry in catalogue if not entry.obsolete for problem in problems(entry)]
    for msgid in pending:
        say(f"untranslated: {msgid!r}")
    for problem in broken:
        say(f"placeholders: {problem}")
    say(f"{len(catalogue) - len(pending)} translated, {len(pending)} untranslated, {len(broken)} broken.")
    return 1 if pending or broken else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("todo")
    listing.add_argument("--chunk", type=int, default=150)
    merging = commands.add_parser("apply")
    merging.add_argument("paths", nargs="+")
    commands.add_parser("check")
    arguments = parser.parse_args()
    if arguments.command == "todo":
        todo(arguments.chunk)
        return 0
    if arguments.command == "apply":
        return apply(arguments.paths)
    return check()


if __name__ == "__main__":
    sys.exit(main())
