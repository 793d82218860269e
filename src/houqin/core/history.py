"""Readable audit history from django-simple-history: who changed which field, from what, to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HISTORY_LIMIT = 30
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _display(record, model_field, value) -> str:
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")  # the reader's clock, not UTC
    return str(value)


def _subject(model, record) -> str:
    """The model's name plus a label read from the record's own columns (no extra queries)."""
    label = getattr(record, "name", "") or (record.get_role_display() if hasattr(record, "get_role_display") else "")
    return "{}: {}".format(model._meta.verbose_name, label) if label else str(model._meta.verbose_name)


def _foreign_key_names(model, records) -> dict[tuple, str]:
    """Names of the rows the records link to, one query per related model."""
    names: dict[tuple, str] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation:
            ids = {getattr(r, model_field.attname, None) for r in records} - {None}
            if ids:
                # select_related(): names such as a membership's ("name @ org") follow their own
                # foreign keys, which would otherwise cost a query per row.
                related = model_field.related_model._base_manager.select_related().in_bulk(ids)
                names.update({(model_field.attname, pk): str(obj) for pk, obj in related.items()})
    return names


def history_entries(*sources, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Merge history querysets into one newest-first list of entries with field-level changes.

    Each source is a historical queryset (e.g. ``obj.history.all()``). Foreign keys are shown by name,
    fetched in one query per related model, so the panel costs a fixed number of queries.
    """
    entries: list[HistoryEntry] = []
    for source in sources:
        historical = source.model
        # Each record is compared with its object's true previous version, which a filtered source
        # (e.g. "my changes") may not contain: found by a subquery, fetched in one more query.
        previous_id = (
            historical.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        records = list(
            source.select_related("history_user")
            .annotate(previous_history_id=Subquery(previous_id))
            .order_by("-history_date", "-history_id")[:limit]
        )
        if not records:
            continue
        previous = historical.objects.in_bulk({r.previous_history_id for r in records} - {None})
        model = records[0].instance_type
        fk_names = _foreign_key_names(model, [*records, *previous.values()])
        for record in records:
            changes = []
            before = previous.get(record.previous_history_id)
            if before is not None and record.history_type == "~":
                for change in record.diff_against(before).changes:
                    model_field = model._meta.get_field(change.field)
                    attname = model_field.attname
                    old, new = getattr(before, attname), getattr(record, attname)
                    if model_field.is_relation:
                        old_text, new_text = fk_names.get((attname, old), "—"), fk_names.get((attname, new), "—")
                    else:
                        old_text, new_text = _display(record, model_field, old), _display(record, model_field, new)
                    changes.append((str(model_field.verbose_name), old_text, new_text))
                if not changes:
                    continue  # a save that changed nothing recorded
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user.name if record.history_user else str(_("system")),
                    action=str(ACTIONS.get(record.history_type, record.history_type)),
                    subject=_subject(model, record),
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
