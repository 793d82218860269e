"""``houqin demo_logins``: the demo accounts worth remembering, as a table (``make run`` prints it)."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ...choices import Role
from ...demo import DEMO_PASSWORD, key_logins
from ...models import Membership
from ...tenancy import scopes_disabled


def _width(text: str) -> int:
    """Columns the text takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    rule = "  ".join("-" * width for width in widths)
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    header = "  ".join(_pad(cell, width) for cell, width in zip(headers, widths, strict=True)).rstrip()
    return "\n".join([header, rule, *lines])


class Command(BaseCommand):
    help = "Print the demo logins: organisation, role, name, mobile number, employee number and password."

    def handle(self, *args, **options):
        wanted = key_logins()
        with scopes_disabled():
            memberships = {
                (m.org.code, m.user.phone): m
                for m in Membership.objects.filter(
                    user__phone__in={p.phone for p in wanted}, org__code__in={p.org_code for p in wanted}
                ).select_related("org", "user")
            }
        rows = []
        for person in wanted:
            membership = memberships.get((person.org_code, person.phone))
            if membership is None:
                continue
            rows.append(
                [
                    membership.org.display_name,
                    str(Role(person.role).label),
                    membership.user.name,
                    membership.user.phone,
                    membership.employee_no,
                    DEMO_PASSWORD,
                ]
            )
        if not rows:
            self.stdout.write(_("No demo logins found; run `houqin demo` first."))
            return
        headers = [
            _("Organisation"),
            _("Role"),
            pgettext("person", "Name"),
            _("Mobile number"),
            _("Employee number"),
            _("Password"),
        ]
        self.stdout.write(_("Demo logins (log in with the mobile number or the employee number):"))
        self.stdout.write(format_table([str(h) for h in headers], rows))
        self.stdout.write(
            _("Every other demo person logs in the same way with the password {password}.").format(
                password=DEMO_PASSWORD
            )
        )
