"""Org settings: modules register each setting with its default (DOMAIN.md) instead of hard-coding it.

A setting's value is JSON (numbers, strings, lists, dicts). ``value(org, key)`` reads the org's value or
the registered default; ``form_field()`` edits it on the settings page and its ``clean`` returns the
JSON-able value to store. Structured tables (holidays, terms, dictionaries, notification channels) are
their own models with their own sections on the same page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms


@dataclass(frozen=True)
class Setting:
    key: str  # "<module>.<name>", e.g. "calendar.working_hours"; stable, stored in the database
    label: str
    default: Any  # JSON-able
    section: str  # heading on the settings page, e.g. _("Calendar")
    form_field: Callable[[], forms.Field]  # a fresh form field whose clean() returns the JSON-able value
    help_text: str = ""


REGISTRY: dict[str, Setting] = {}


def register(setting: Setting) -> Setting:
    if setting.key in REGISTRY:
        raise ValueError("setting {} registered twice".format(setting.key))
    REGISTRY[setting.key] = setting
    return setting


def value(org, key: str) -> Any:
    """The org's value of a registered setting, or its default."""
    from .models import OrgSetting

    setting = REGISTRY[key]
    stored = OrgSetting.objects.filter(org=org, key=key).values_list("value", flat=True).first()
    return setting.default if stored is None else stored


@dataclass(frozen=True)
class SettingsPage:
    """A table edited on its own page, listed on the settings hub (holidays, terms, dictionaries, channels)."""

    key: str
    label: str
    url_name: str  # a core-style org URL name taking only org_code, e.g. "core:holiday_list"
    description: str = ""


PAGES: list[SettingsPage] = []


def register_page(page: SettingsPage) -> SettingsPage:
    PAGES.append(page)
    return page
