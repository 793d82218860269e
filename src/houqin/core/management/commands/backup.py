"""``houqin backup``: write the database and every uploaded file into one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...backup import BackupError, create_backup, default_backup_dir


class Command(BaseCommand):
    # Backups must work even while a system check fails; restore runs migrate, which checks.
    requires_system_checks = []
    help = "Write one .tar.gz with the database, the uploaded files and a manifest (default: var/backups/)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="A .tar.gz file to write, or a directory for houqin-backup-<date>-<time>.tar.gz (default: {}).".format(
                default_backup_dir()
            ),
        )

    def handle(self, *args, output, **options):
        try:
            result = create_backup(output, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(_("Backup failed: {error}").format(error=error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup complete: {rows} rows in {models} tables, {files} files.").format(
                    rows=sum(result.manifest["row_counts"].values()),
                    models=len(result.manifest["row_counts"]),
                    files=len(result.manifest["media"]),
                )
            )
        )
        self.stdout.write(str(result.path))
