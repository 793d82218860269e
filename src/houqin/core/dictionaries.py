"""数据字典: lists of codes with labels that each organisation may rename, reorder, extend or retire.

A module registers its dictionary with defaults::

    dictionaries.register(dictionaries.Dictionary(
        key="party.licence_kind", label=_("Licence kinds"),
        defaults=[("business_licence", _("Business licence")), ...]))

and reads it with ``choices(org, key)`` (form choices: the active entries) and ``label(org, key, code)``
(any entry, retired ones too, so old records stay readable). Records store the code, never the label.
Until an organisation edits a dictionary the registered defaults apply; its first edit copies them into
``DictionaryItem`` rows (with a blank label, which keeps showing the default in each reader's language).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import orgcache
from .models import DictionaryItem
from .models.org import code_validator
from .permissions import SETTINGS_MANAGE, Actor


@dataclass(frozen=True)
class Dictionary:
    key: str  # "<module>.<name>", e.g. "location.use"; stored on every entry
    label: str
    defaults: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (code, lazy label), in display order
    help_text: str = ""

    def default_label(self, code: str) -> str | None:
        return next((str(label) for default_code, label in self.defaults if default_code == code), None)


REGISTRY: dict[str, Dictionary] = {}


def register(dictionary: Dictionary) -> Dictionary:
    if dictionary.key in REGISTRY:
        raise ValueError("dictionary {} registered twice".format(dictionary.key))
    REGISTRY[dictionary.key] = dictionary
    return dictionary


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    order: int
    is_active: bool
    is_default: bool  # one of the registered codes (its label may still be the org's own)


def _label(dictionary: Dictionary, item: DictionaryItem) -> str:
    return item.label or dictionary.default_label(item.code) or item.code


def entries(org, key: str) -> list[Entry]:
    """Every entry of the org's dictionary, retired ones included, in display order."""
    return list(orgcache.remember(org, ("dictionary", key, get_language()), lambda: tuple(_read_entries(org, key))))


def _read_entries(org, key: str) -> list[Entry]:
    dictionary = REGISTRY[key]
    default_codes = {code for code, _label in dictionary.defaults}
    rows = list(DictionaryItem.objects.filter(org=org, dictionary=key).order_by("order", "id"))
    if not rows:
        return [Entry(code, str(label), index, True, True) for index, (code, label) in enumerate(dictionary.defaults)]
    return [Entry(r.code, _label(dictionary, r), r.order, r.is_active, r.code in default_codes) for r in rows]


def is_customised(org, key: str) -> bool:
    return DictionaryItem.objects.filter(org=org, dictionary=key).exists()


def customised_keys(org) -> set[str]:
    """The keys of the dictionaries the org has edited (one query, for the settings hub)."""
    return set(DictionaryItem.objects.filter(org=org).order_by().values_list("dictionary", flat=True).distinct())


def choices(org, key: str) -> list[tuple[str, str]]:
    """(code, label) of the active entries, for a form's choices."""
    return [(entry.code, entry.label) for entry in entries(org, key) if entry.is_active]


def labels(org, key: str) -> dict[str, str]:
    """code → label of every entry (retired ones too): one query for a whole list page."""
    return {entry.code: entry.label for entry in entries(org, key)}


def label(org, key: str, code: str) -> str:
    """The label of ``code`` (a retired entry too); an unknown code is shown as itself."""
    return labels(org, key).get(code, code) if code else ""


def validate_code(org, key: str, code: str, *, field_name: str, current: str | None = None) -> None:
    """Refuse a code that is not an active entry; ``current`` (the record's stored code) stays allowed even
    if retired since, so editing an old record does not force a new value on it."""
    if not code or code == current:
        return
    if code not in dict(choices(org, key)):
        raise ValidationError(
            {field_name: _("Choose one of the entries of “{dictionary}”.").format(dictionary=REGISTRY[key].label)}
        )


# Writes --------------------------------------------------------------------------------------


def _materialise(org, dictionary: Dictionary) -> None:
    """The first edit copies the defaults into rows, so later edits have something to change."""
    if DictionaryItem.objects.filter(org=org, dictionary=dictionary.key).exists():
        return
    for index, (code, _default) in enumerate(dictionary.defaults):
        DictionaryItem.objects.create(org=org, dictionary=dictionary.key, code=code, label="", order=index)


def _new_code(org, key: str) -> str:
    taken = set(DictionaryItem.objects.filter(org=org, dictionary=key).values_list("code", flat=True))
    number = len(taken) + 1
    while "c{}".format(number) in taken:
        number += 1
    return "c{}".format(number)


@transaction.atomic
def dictionary_update(*, actor: Actor, key: str, items: Sequence[dict]) -> list[Entry]:
    """Save the entries as edited on the dictionary's page: each item ``{code, label, order, is_active}``.

    Existing codes are renamed, reordered or retired; an item with a new code (or a blank one, which gets
    ``c<n>``) is added; entries not mentioned stay as they are. Nothing is ever deleted, since records may
    use a code: an entry is retired (``is_active`` false) instead. A label equal to the default label is
    stored blank, so it keeps following the reader's language.
    """
    if not actor.can(SETTINGS_MANAGE) or actor.via_bureau:
        raise PermissionDenied
    dictionary = REGISTRY[key]
    org = actor.org
    _materialise(org, dictionary)
    existing = {row.code: row for row in DictionaryItem.objects.select_for_update().filter(org=org, dictionary=key)}
    errors: list[str] = []
    seen: set[str] = set()
    for item in items:
        code = (item.get("code") or "").strip()
        if code and code in seen:
            errors.append(_("The code {code} appears twice.").format(code=code))
        seen.add(code)
    if errors:
        raise ValidationError({"items": errors})
    next_order = (DictionaryItem.objects.filter(org=org, dictionary=key).aggregate(m=Max("order"))["m"] or 0) + 1
    for item in items:
        code = (item.get("code") or "").strip()
        row = existing.get(code)
        if row is None:
            row = DictionaryItem(org=org, dictionary=key, code=code or _new_code(org, key))
        label_text = (item.get("label") or "").strip()
        if not label_text and not dictionary.default_label(row.code):
            raise ValidationError({"items": [_("Give the entry {code} a label.").format(code=row.code)]})
        if label_text == dictionary.default_label(row.code):
            label_text = ""
        order = item.get("order")
        row.label = label_text
        row.order = next_order if order is None else order
        row.is_active = bool(item.get("is_active", True))
        next_order = max(next_order, row.order) + 1
        try:
            code_validator(row.code)
            row.full_clean()
        except ValidationError as error:
            messages = error.messages
            raise ValidationError({"items": ["{}: {}".format(row.code, m) for m in messages]}) from error
        row.save()
    return entries(org, key)


# The foundation's own dictionary ---------------------------------------------------------------

LOCATION_USE = register(
    Dictionary(
        key="location.use",
        label=gettext_lazy("Uses of places"),
        defaults=[
            ("classroom", gettext_lazy("Classroom")),
            ("office", gettext_lazy("Office")),
            ("laboratory", gettext_lazy("Laboratory")),
            ("special_room", gettext_lazy("Special-purpose room")),
            ("dormitory", gettext_lazy("Dormitory")),
            ("canteen", gettext_lazy("Canteen")),
            ("ward", gettext_lazy("Ward")),
            ("operating_room", gettext_lazy("Operating room")),
            ("clinic", gettext_lazy("Outpatient clinic")),
            ("storeroom", gettext_lazy("Storeroom")),
            ("public_area", gettext_lazy("Public area")),
            ("other", gettext_lazy("Other")),
        ],
    )
)
