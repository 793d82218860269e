"""The navigation menu: each entry names the action it needs, so people only see what they may use.

Modules append their entries with ``register``; the foundation registers its own below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions as p


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    action: str | None  # None: everyone who reaches the org
    group: str = ""


ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    ENTRIES.append(entry)


def entries_for(actor, org_code: str) -> list[dict]:
    # Daily work (entries without a group) comes before the groups, whatever the registration order.
    ordered = sorted(ENTRIES, key=lambda e: bool(e.group))
    return [
        {"key": e.key, "label": e.label, "url": reverse(e.url_name, args=[org_code]), "group": e.group}
        for e in ordered
        if e.action is None or actor.can(e.action)
    ]


def menu_for(actor, org_code: str) -> list[dict]:
    """The menu bar: each entry without a group on its own, then one dropdown per group (in the order the
    groups were first registered), so that modules can add pages without crowding the bar."""
    menu, groups = [], {}
    for entry in entries_for(actor, org_code):
        if not entry["group"]:
            menu.append({"entry": entry})
        elif str(entry["group"]) in groups:
            groups[str(entry["group"])]["entries"].append(entry)
        else:
            groups[str(entry["group"])] = {"group": entry["group"], "entries": [entry]}
            menu.append(groups[str(entry["group"])])
    for item in menu:
        if "group" in item:
            item["keys"] = [entry["key"] for entry in item["entries"]]
    return menu


ADMIN = _("Administration")
register(NavEntry("home", _("My to-dos"), "core:home", None))
register(NavEntry("organization", _("Organisation"), "core:organization_detail", p.ORG_VIEW, ADMIN))
register(NavEntry("people", _("People"), "core:person_list", p.PERSON_VIEW, ADMIN))
register(NavEntry("departments", _("Departments"), "core:department_list", p.DEPARTMENT_VIEW, ADMIN))
register(NavEntry("locations", _("Locations"), "core:location_list", p.LOCATION_VIEW, ADMIN))
register(NavEntry("parties", _("Outside parties"), "core:party_list", p.PARTY_VIEW, ADMIN))
register(NavEntry("qr_sheet", _("QR codes of rooms"), "core:location_qr_sheet", p.LOCATION_MANAGE, ADMIN))
register(NavEntry("security_log", _("Login and export log"), "core:security_log", p.SECURITY_LOG_VIEW, ADMIN))
register(NavEntry("settings", _("Settings"), "core:settings_hub", p.SETTINGS_VIEW, ADMIN))
register(NavEntry("facts", _("Figures of the period"), "core:fact_list", p.FACTS_VIEW, ADMIN))
