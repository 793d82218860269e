"""Org settings: modules register each setting with its default (DOMAIN.md) instead of hard-coding it.

A setting's value is JSON (numbers, strings, lists, dicts). ``value(org, key)`` reads the org's value or
the registered default; ``form_field()`` edits it on the settings page and its ``clean`` returns the
JSON-able value to store. Decimals (money, hours) are stored as strings ("5000.00"): read them with
``Decimal(value(org, key))``. Structured tables (holidays, terms, dictionaries, notification channels) are
their own models with their own pages, listed on the same settings hub (``register_page``).

Ready-made fields: ``integer_field``, ``decimal_field``, ``hours_field``, ``choice_field`` and
``table_field`` (rows × columns of numbers, e.g. an SLA table category × urgency → hours).

Saving (``settings_update``) stores a value only when it differs from the default; choosing the default
again deletes the org's row (history keeps it), so a later change of a registered default reaches every
organisation that never chose otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Setting:
    key: str  # "<module>.<name>", e.g. "calendar.working_hours"; stable, stored in the database
    label: str
    default: Any  # JSON-able
    section: str  # heading on the settings page, e.g. _("Calendar")
    form_field: Callable[[], forms.Field]  # a fresh form field whose clean() returns the JSON-able value
    help_text: str = ""
    # Checks the cleaned value beyond what its field does (e.g. one entry against another); raises ValidationError.
    validate: Callable[[Any], None] | None = None


REGISTRY: dict[str, Setting] = {}


def register(setting: Setting) -> Setting:
    if setting.key in REGISTRY:
        raise ValueError("setting {} registered twice".format(setting.key))
    REGISTRY[setting.key] = setting
    return setting


def value(org, key: str) -> Any:
    """The org's value of a registered setting, or its default."""
    from . import orgcache
    from .models import OrgSetting

    def read():
        stored = OrgSetting.objects.filter(org=org, key=key).values_list("value", flat=True).first()
        return REGISTRY[key].default if stored is None else stored

    return deepcopy(orgcache.remember(org, ("setting", key), read))  # a copy: callers may change tables


@dataclass(frozen=True)
class SettingsPage:
    """A table edited on its own page, listed on the settings hub (holidays, terms, dictionaries, channels)."""

    key: str
    label: str
    url_name: str  # a core-style org URL name taking only org_code, e.g. "core:holiday_list"
    description: str = ""
    # The settings section it is shown in, next to that section's settings (holidays under "Calendar" with the
    # working hours); a page without one, or whose section has no settings, gets a card of its own.
    section: str = ""


PAGES: list[SettingsPage] = []


def register_page(page: SettingsPage) -> SettingsPage:
    PAGES.append(page)
    return page


def values(org) -> dict[str, Any]:
    """Every registered setting's value for the org (one query), by key."""
    from .models import OrgSetting

    stored = dict(OrgSetting.objects.filter(org=org, key__in=list(REGISTRY)).values_list("key", "value"))
    return {key: stored.get(key, setting.default) for key, setting in REGISTRY.items()}


def sections() -> list[tuple[str, list[Setting]]]:
    """Settings grouped by section, sections and settings in registration order."""
    grouped: dict[str, list[Setting]] = {}
    for setting in REGISTRY.values():
        grouped.setdefault(str(setting.section), []).append(setting)
    return list(grouped.items())


def section_slug(section: str) -> str:
    """A stable id for a section: the key prefix of its first setting ("calendar" for "calendar.*")."""
    for setting in REGISTRY.values():
        if str(setting.section) == section:
            return setting.key.split(".", 1)[0]
    raise KeyError(section)


def hub_sections() -> list[dict]:
    """What the settings hub shows, in registration order: each section with its settings and its table pages,
    then the sections that only have pages, then the pages of no section under ``""``."""
    pages: dict[str, list[SettingsPage]] = {}
    for page in PAGES:
        pages.setdefault(str(page.section), []).append(page)
    found = [
        {"title": title, "slug": section_slug(title), "settings": settings, "pages": pages.pop(title, [])}
        for title, settings in sections()
    ]
    loose = pages.pop("", [])
    for title, section_pages in pages.items():
        slug = section_pages[0].key.split(".", 1)[0]
        found.append({"title": title, "slug": slug, "settings": [], "pages": section_pages})
    if loose:
        found.append({"title": "", "slug": "more", "settings": [], "pages": loose})
    return found


# Writes --------------------------------------------------------------------------------------


@transaction.atomic
def settings_update(*, actor, values: Mapping[str, Any]) -> list[str]:
    """Store the org's values of the given settings (cleaned by their form fields); returns the keys that
    changed. Every value is checked before anything is written; errors are reported per setting key."""
    from .models import OrgSetting
    from .permissions import SETTINGS_MANAGE

    if not actor.can(SETTINGS_MANAGE) or actor.via_bureau:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    for key, new_value in values.items():
        setting = REGISTRY.get(key)
        if setting is None:
            errors[key] = [_("Unknown setting.")]
            continue
        try:
            json.dumps(new_value)
        except TypeError:
            errors[key] = [_("This value cannot be stored; enter numbers or text.")]
            continue
        if setting.validate is not None:
            try:
                setting.validate(new_value)
            except ValidationError as error:
                errors[key] = error.messages
    if errors:
        raise ValidationError(errors)
    stored = {row.key: row for row in OrgSetting.objects.select_for_update().filter(org=actor.org, key__in=values)}
    changed = []
    for key, new_value in values.items():
        row = stored.get(key)
        if row is not None and row.value == new_value:
            continue
        if new_value == REGISTRY[key].default:
            if row is not None:
                row.delete()
                changed.append(key)
            continue
        if row is None:
            row = OrgSetting(org=actor.org, key=key)
        row.value = new_value
        row.full_clean()
        row.save()
        changed.append(key)
    return changed


# Form fields ---------------------------------------------------------------------------------


def integer_field(*, min_value: int | None = None, max_value: int | None = None, **kwargs) -> Callable[[], forms.Field]:
    """A whole number between ``min_value`` and ``max_value`` (a count, a number of days)."""
    return partial(forms.IntegerField, min_value=min_value, max_value=max_value, **kwargs)


class DecimalSettingField(forms.DecimalField):
    """A decimal (an amount, a threshold), stored as its string so that no float ever touches it."""

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned is None:
            return None
        return str(cleaned.quantize(Decimal(1).scaleb(-self.decimal_places)) if self.decimal_places else cleaned)

    def prepare_value(self, value):
        return Decimal(value) if isinstance(value, str) and value else value


def decimal_field(
    *, min_value: Decimal | None = None, max_value: Decimal | None = None, decimal_places: int = 2, **kwargs
) -> Callable[[], forms.Field]:
    return partial(
        DecimalSettingField,
        min_value=min_value,
        max_value=max_value,
        decimal_places=decimal_places,
        max_digits=12,
        **kwargs,
    )


def hours_field(*, min_hours: Decimal = Decimal("0"), max_hours: Decimal | None = None) -> Callable[[], forms.Field]:
    """A duration in hours, in steps of a quarter hour ("1.5"): read with ``Decimal(value(org, key))``."""
    return partial(
        DecimalSettingField,
        min_value=min_hours,
        max_value=max_hours,
        decimal_places=2,
        max_digits=7,
        step_size=Decimal("0.25"),
    )


def choice_field(choices: Sequence[tuple[str, str]] | Callable, **kwargs) -> Callable[[], forms.Field]:
    """One of ``choices`` (a list of (value, label), or a callable returning it)."""
    return partial(forms.ChoiceField, choices=choices, **kwargs)


class TableWidget(forms.MultiWidget):
    """A grid of number inputs, one per (row, column), scrolling sideways on a phone."""

    template_name = "core/widgets/setting_table.html"

    def __init__(self, rows, columns, attrs=None, step="any"):
        self.rows, self.columns = rows, columns
        cell = forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": step, **(attrs or {})})
        super().__init__([cell for _cell in range(len(rows) * len(columns))], attrs)

    def decompress(self, value):
        value = value or {}
        return [value.get(row, {}).get(column) for row, _r in self.rows for column, _c in self.columns]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        cells = context["widget"]["subwidgets"]
        width = len(self.columns)
        context["widget"]["columns"] = [label for _code, label in self.columns]
        context["widget"]["grid"] = [
            {"label": label, "cells": cells[index * width : (index + 1) * width]}
            for index, (_code, label) in enumerate(self.rows)
        ]
        return context


class TableField(forms.MultiValueField):
    """Rows × columns of numbers, cleaned to ``{row: {column: number}}`` (decimals as strings)."""

    def __init__(self, *, rows, columns, min_value=None, max_value=None, decimal_places: int = 0, **kwargs):
        self.rows, self.columns = list(rows), list(columns)
        if decimal_places:
            make = partial(
                DecimalSettingField,
                decimal_places=decimal_places,
                max_digits=12,
                min_value=min_value,
                max_value=max_value,
            )
            step = "0." + "0" * (decimal_places - 1) + "1"
        else:
            make = partial(forms.IntegerField, min_value=min_value, max_value=max_value)
            step = "1"
        fields = [make() for _cell in range(len(self.rows) * len(self.columns))]
        kwargs.setdefault("widget", TableWidget(self.rows, self.columns, step=step))
        super().__init__(fields=fields, require_all_fields=True, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as error:
            # Say which cell: "Room × Urgent: Ensure this value is greater than or equal to 1."
            raise self._located(value) or error from error

    def _located(self, value):
        value = value if isinstance(value, list | tuple) else self.widget.decompress(value)
        messages = []
        for index, field in enumerate(self.fields):
            try:
                field.clean(value[index] if index < len(value) else None)
            except ValidationError as error:
                row = self.rows[index // len(self.columns)][1]
                column = self.columns[index % len(self.columns)][1]
                messages += ["{} × {}: {}".format(row, column, message) for message in error.messages]
        return ValidationError(messages) if messages else None

    def compress(self, data_list):
        it = iter(data_list)
        return {row: {column: next(it) for column, _c in self.columns} for row, _r in self.rows}


def table_field(
    *,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    min_value=None,
    max_value=None,
    decimal_places: int = 0,
) -> Callable[[], forms.Field]:
    """``rows`` and ``columns`` are (code, label) pairs; the value is ``{row_code: {column_code: number}}``."""
    return partial(
        TableField, rows=rows, columns=columns, min_value=min_value, max_value=max_value, decimal_places=decimal_places
    )


class SettingsForm(forms.Form):
    """The form of one section of the settings page: one field per setting, named by its key."""

    def __init__(self, settings: Sequence[Setting], current: Mapping[str, Any], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for setting in settings:
            field = setting.form_field()
            field.label = setting.label
            field.help_text = setting.help_text or field.help_text
            field.initial = current.get(setting.key, setting.default)
            self.fields[setting.key] = field
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, forms.MultiWidget):
                css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = (
                    self.fields[name].widget.attrs.get("class", "") + " is-invalid"
                )
