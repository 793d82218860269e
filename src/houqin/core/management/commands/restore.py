"""``houqin restore ARCHIVE``: bring a backup back into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...backup import BackupError, restore_backup


class Command(BaseCommand):
    # Backups must work even while a system check fails; restore runs migrate, which checks.
    requires_system_checks = []
    help = (
        "Restore a backup made by `houqin backup` into an empty installation (stop the web server and tick first), "
        "verify every checksum, then migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `houqin backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite an installation that already holds organisations or users.",
        )

    def handle(self, *args, archive, force, **options):
        try:
            result = restore_backup(archive, force=force, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(_("Restore failed: {error}").format(error=error)) from error
        self.stdout.write(_("Rows per table (in the backup → now):"))
        expected = result.manifest["row_counts"]
        for label, count in result.row_counts.items():
            if count or expected.get(label):
                self.stdout.write("  {:<45} {:>8} → {:>8}".format(label, expected.get(label, "-"), count))
        self.stdout.write(
            self.style.SUCCESS(
                _("Restore complete: {rows} rows, {files} files.").format(
                    rows=sum(result.row_counts.values()), files=len(result.manifest["media"])
                )
            )
        )
