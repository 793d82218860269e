"""School terms and breaks (学期, 寒假, 暑假): reading them for reports and planning, and editing them.

Terms of one kind never overlap; a break of another kind may lie inside a term (国庆 inside the first
term)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Organization, Term
from .permissions import CALENDAR_MANAGE, Actor
from .services import _require, _set_fields

# Reading -------------------------------------------------------------------------------------------


def term_at(org, day: date, *, kind: str | None = None) -> Term | None:
    """The term or break ``day`` falls in, or None. When several do (国庆 entered as a break inside a term),
    the shortest wins; ``kind=TermKind.TERM`` asks for the term itself."""
    terms = Term.objects.filter(org=org, start__lte=day, end__gte=day)
    if kind:
        terms = terms.filter(kind=kind)
    return min(terms, key=lambda term: (term.end - term.start, term.start), default=None)


def terms_between(org, start: date, end: date, *, kind: str | None = None) -> QuerySet:
    """Terms and breaks that overlap ``start``–``end`` (both included), in date order; e.g. each 暑假 of a plan."""
    terms = Term.objects.filter(org=org, start__lte=end, end__gte=start)
    if kind:
        terms = terms.filter(kind=kind)
    return terms.order_by("start", "kind")


# Editing -------------------------------------------------------------------------------------------


def _check_no_overlap(term: Term) -> None:
    clash = (
        Term.objects.filter(org=term.org, kind=term.kind, start__lte=term.end, end__gte=term.start)
        .exclude(pk=term.pk)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start": _("“{name}” ({start} – {end}) already covers some of these days.").format(
                    name=clash.name, start=clash.start.isoformat(), end=clash.end.isoformat()
                )
            }
        )


def _save(term: Term) -> Term:
    term.full_clean()
    # Two admins saving overlapping terms at once would both pass the check; the org row serialises them.
    Organization._base_manager.select_for_update().filter(pk=term.org_id).first()
    _check_no_overlap(term)
    term.save()
    return term


@transaction.atomic
def term_create(*, actor: Actor, name: str, kind: str, start: date, end: date) -> Term:
    _require(actor, CALENDAR_MANAGE)
    return _save(Term(org=actor.org, name=name, kind=kind, start=start, end=end))


@transaction.atomic
def term_update(*, actor: Actor, term: Term, **data) -> Term:
    _require(actor, CALENDAR_MANAGE, term)
    _set_fields(term, data)
    return _save(term)


@transaction.atomic
def term_delete(*, actor: Actor, term: Term) -> None:
    """A configuration row, not a business record: deleting it is kept in its history."""
    _require(actor, CALENDAR_MANAGE, term)
    term.delete()
