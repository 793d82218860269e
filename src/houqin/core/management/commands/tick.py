"""`houqin tick`: run every registered time-driven job once, at the current time; meant for cron or a timer."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ... import tick


class Command(BaseCommand):
    help = "Run the scheduled jobs (reminders, escalations, deliveries) that are due now. Safe to run often."

    def add_arguments(self, parser):
        parser.add_argument("--job", action="append", dest="jobs", metavar="NAME", help="run only this job")
        parser.add_argument("--list", action="store_true", dest="list_jobs", help="list the registered jobs and exit")

    def handle(self, *args, jobs=None, list_jobs=False, verbosity=1, **options):
        if list_jobs:
            for name in tick.JOBS:
                self.stdout.write(name)
            return
        unknown = [name for name in jobs or [] if name not in tick.JOBS]
        if unknown:
            raise CommandError("unknown job: {} (see --list)".format(", ".join(unknown)))
        with tick.exclusive() as acquired:
            if not acquired:
                if verbosity > 1:
                    self.stdout.write("another tick is running; nothing done")
                return
            results = tick.run_all(timezone.now(), names=jobs)
        for result in results:
            if result.error:
                self.stderr.write("{}: FAILED {}".format(result.name, result.error))
            elif verbosity > 0:
                self.stdout.write("{}: {}".format(result.name, result.changed))
        failed = [result.name for result in results if result.error]
        if failed:
            raise CommandError("{} job(s) failed: {}".format(len(failed), ", ".join(failed)))
