"""The facts protocol: the figures a work summary is composed of, each linked to exactly its records.

A module registers providers::

    @facts.register
    def hazard_facts(org, start, end, *, actor, department=None, person=None) -> list[facts.Fact]:
        if not actor.can(p.HAZARD_VIEW):
            return []
        return [facts.count(
            actor, key="safety.hazards.found",
            rows=restrict(Hazard.objects.all(), actor, p.HAZARD_VIEW),  # what the list page lists
            filterset=HazardFilterSet, url_name="safety:hazard_list",
            params={"start": start, "end": end}, unit=_("items"),
            sentence=_("{value} hidden hazards were found"))]

``count``/``total`` build the parameters once, run them through the list page's own FilterSet on the
rows ``restrict`` lets the actor see, and link to that page with the same parameters: the figure and
the list it links to cannot disagree. ``start``/``end`` are dates; the period is ``start`` 00:00 to
``end`` 24:00 in the org's time zone (Asia/Shanghai), and date-range filters of FilterSets read them
the same way (``DateRangeFilters``). ``actor`` is who the figures are computed for (``restrict``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Sum
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters

from .permissions import Actor


@dataclass(frozen=True)
class Fact:
    key: str  # stable across periods (环比/同比), e.g. "core.people.by_role.technician"
    value: int | Decimal
    unit: str
    sentence: str  # a translated template with {value} and the names in ``params``
    url: str  # the list page with the FilterSet parameters the value was counted from
    params: Mapping[str, object] = field(default_factory=dict)  # the sentence's other placeholders

    @property
    def text(self) -> str:
        return str(self.sentence).format(value=self.value, **self.params)


Provider = Callable[..., list[Fact]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Decorator for ``provider(org, start, end, *, actor, department=None, person=None) -> list[Fact]``."""
    PROVIDERS.append(provider)
    return provider


def collect(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[Fact]:
    """Every registered provider's facts for the period (both dates included), as seen by ``actor``."""
    found = []
    for provider in PROVIDERS:
        found.extend(provider(org, start, end, actor=actor, department=department, person=person))
    return found


# Period bounds -------------------------------------------------------------------------------


def period_start(day: date) -> datetime:
    """The first moment of ``day`` in the current (the org's) time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def period_end(day: date) -> datetime:
    """The first moment after ``day``: a period is ``[start 00:00, end + 1 day 00:00)``."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class DateRangeFilters(filters.FilterSet):
    """Mixin for FilterSets with a date range on a datetime field (``date_field``): ``start``/``end`` are
    whole local days, exactly as facts count them."""

    date_field = "created_at"

    start = filters.DateFilter(method="filter_start")
    end = filters.DateFilter(method="filter_end")

    def filter_start(self, queryset, name, value):
        return queryset.filter(**{self.date_field + "__gte": period_start(value)})

    def filter_end(self, queryset, name, value):
        return queryset.filter(**{self.date_field + "__lt": period_end(value)})


# Aggregates over a list's own FilterSet --------------------------------------------------------


def _encode(params: Mapping[str, object]) -> dict[str, str]:
    return {name: value.isoformat() if isinstance(value, date) else str(value) for name, value in params.items()}


def query(params: Mapping[str, object]) -> QueryDict:
    """``params`` as a page's query string would give them (multi-value filters read lists from it)."""
    data = QueryDict(mutable=True)
    data.update(_encode(params))
    return data


def _filtered(*, rows, filterset, params: dict[str, str]):
    filterset = filterset(query(params), queryset=rows)
    if not filterset.is_valid():
        # A provider built parameters its own list page rejects: a programming error, never user input.
        raise ValueError("facts: {} rejects {}: {}".format(type(filterset).__name__, params, filterset.errors))
    return filterset.qs


def count(
    actor: Actor,
    *,
    key: str,
    rows,
    filterset,
    url_name: str,
    params: Mapping[str, object],
    unit: str,
    sentence: str,
    sentence_params: Mapping[str, object] | None = None,
) -> Fact:
    """A fact counting the rows that ``url_name`` lists with ``params``: ``rows`` is what that page lists before
    its filters (``restrict(Model.objects.all(), actor, action)``, or the page's own selector) and
    ``filterset`` the page's FilterSet."""
    encoded = _encode(params)
    value = _filtered(rows=rows, filterset=filterset, params=encoded).count()
    return _fact(actor, key, value, unit, sentence, sentence_params, url_name, encoded)


def total(
    actor: Actor,
    *,
    key: str,
    field_name: str,
    rows,
    filterset,
    url_name: str,
    params: Mapping[str, object],
    unit: str,
    sentence: str,
    sentence_params: Mapping[str, object] | None = None,
) -> Fact:
    """A fact summing ``field_name`` (a Decimal field: money, quantities) over the rows the link lists."""
    encoded = _encode(params)
    value = _filtered(rows=rows, filterset=filterset, params=encoded).aggregate(total=Sum(field_name))["total"]
    # SQLite sums decimals through floats: back to the field's own places (the fen for money).
    places = rows.model._meta.get_field(field_name).decimal_places
    value = Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-places))
    return _fact(actor, key, value, unit, sentence, sentence_params, url_name, encoded)


def measure(
    actor: Actor,
    *,
    key: str,
    compute: Callable,
    rows,
    filterset,
    url_name: str,
    params: Mapping[str, object],
    unit: str,
    sentence: str,
    sentence_params: Mapping[str, object] | None = None,
) -> Fact | None:
    """A figure computed from exactly the rows the link lists (an average rating, a saving):
    ``compute(queryset)`` returns the value, or None when there is nothing to say (no fact then)."""
    encoded = _encode(params)
    value = compute(_filtered(rows=rows, filterset=filterset, params=encoded))
    if value is None:
        return None
    return _fact(actor, key, value, unit, sentence, sentence_params, url_name, encoded)


def _fact(actor, key, value, unit, sentence, sentence_params, url_name, encoded) -> Fact:
    url = reverse(url_name, args=[actor.org.code]) + ("?" + urlencode(encoded) if encoded else "")
    return Fact(key=key, value=value, unit=unit, sentence=sentence, url=url, params=dict(sentence_params or {}))
