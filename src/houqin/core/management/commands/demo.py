"""``houqin demo``: load the demo organisations, places and people (development only, idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...demo import FULL, SIZES, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data (a bureau, a school with its kindergarten, a hospital); running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=SIZES,
            default=FULL,
            help="'small' keeps one person per role in each organisation and a few places (for tests).",
        )

    def handle(self, *args, size, **options):
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise CommandError(
                _("The demo data has well-known passwords and is for development only; set DEBUG=true to load it.")
            )
        result = load_demo(size)
        if not result.total:
            self.stdout.write(_("Demo data is already loaded; nothing changed."))
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded: {organisations} organisations, {departments} departments, {locations} places, "
                    "{people} people, {memberships} memberships, {role_grants} roles."
                ).format(
                    organisations=result.organisations,
                    departments=result.departments,
                    locations=result.locations,
                    people=result.people,
                    memberships=result.memberships,
                    role_grants=result.role_grants,
                )
            )
        )
