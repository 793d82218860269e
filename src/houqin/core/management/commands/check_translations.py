"""Fail when the zh_Hans catalogue is out of date, incomplete, fuzzy, or its .mo is stale."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGUAGE = "zh_Hans"
IGNORED_HEADER_LINES = ('"POT-Creation-Date:', '"PO-Revision-Date:')


def _comparable(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(IGNORED_HEADER_LINES)]


class Command(BaseCommand):
    help = "Check that makemessages would not change the zh_Hans .po, every entry is translated, and the .mo matches."

    def handle(self, *args, **options):
        po_path = Path(settings.BASE_DIR) / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
        mo_path = po_path.with_suffix(".mo")
        if not po_path.exists():
            raise CommandError("{} is missing; run `make messages`.".format(po_path))
        problems = []

        original = po_path.read_text(encoding="utf-8")
        cwd = os.getcwd()
        try:
            os.chdir(settings.BASE_DIR)
            call_command("makemessages", locale=[LANGUAGE], no_location=True, no_obsolete=True, verbosity=0)
            regenerated = po_path.read_text(encoding="utf-8")
        finally:
            po_path.write_text(original, encoding="utf-8")
            os.chdir(cwd)
        if _comparable(regenerated) != _comparable(original):
            before = {e.msgid for e in polib.pofile(original)}
            after = {e.msgid for e in polib.pofile(regenerated)}
            added, removed = sorted(after - before), sorted(before - after)
            problems.append(
                "makemessages would change the .po file (run `make messages` and translate). New: {}; gone: {}".format(
                    added[:20] or "-", removed[:20] or "-"
                )
            )

        catalogue = polib.pofile(original)
        untranslated = [e.msgid for e in catalogue.untranslated_entries()]
        fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
        if untranslated:
            problems.append("{} untranslated: {}".format(len(untranslated), untranslated[:20]))
        if fuzzy:
            problems.append("{} fuzzy: {}".format(len(fuzzy), fuzzy[:20]))

        if not shutil.which("msgfmt"):
            raise CommandError("msgfmt (gettext) is not installed.")
        with tempfile.TemporaryDirectory() as tmp:
            fresh_mo = Path(tmp) / "django.mo"
            subprocess.run(["msgfmt", "--check-format", "-o", str(fresh_mo), str(po_path)], check=True)
            if not mo_path.exists() or fresh_mo.read_bytes() != mo_path.read_bytes():
                problems.append("django.mo is stale; run `make messages` (compilemessages).")

        if problems:
            raise CommandError("Translation check failed:\n- " + "\n- ".join(problems))
        self.stdout.write("zh_Hans catalogue complete: {} entries.".format(len(catalogue)))
