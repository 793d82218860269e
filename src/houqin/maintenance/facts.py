"""Facts of the maintenance module: figures of the work summary, each counted over the list its link opens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Avg
from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries, facts
from houqin.core.permissions import Actor, restrict

from . import permissions as p
from .choices import JobSource, JobState, RoundState, Urgency
from .filtersets import IncidentFilterSet, JobFilterSet, PatrolRoundFilterSet
from .models import Incident, PatrolRound
from .selectors.stats import job_rows, reference_prices, savings_of
from .settings import CATEGORY, INCIDENT_KIND


def _jobs(actor, key, params, unit, sentence, **sentence_params):
    return facts.count(
        actor,
        key=key,
        rows=job_rows(actor),
        filterset=JobFilterSet,
        url_name="maintenance:job_list",
        params=params,
        unit=unit,
        sentence=sentence,
        sentence_params=sentence_params,
    )


@facts.register
def job_facts(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Repairs reported in the period: how many, done, by category, on time, rated, repeated, what they cost."""
    if not actor.can(p.STATS_VIEW):
        return []
    base = {"start": start, "end": end, **({"department": department.pk} if department is not None else {})}
    jobs = _("jobs")
    found = [
        _jobs(actor, "maintenance.jobs." + key, {**base, **params}, jobs, sentence)
        for key, params, sentence in (
            ("reported", {}, _("{value} repairs were reported")),
            ("done", {"state": JobState.DONE}, _("{value} repairs were completed and accepted")),
            ("emergency", {"urgency": Urgency.EMERGENCY}, _("{value} were emergency repairs")),
            ("sla_met", {"sla": "met"}, _("{value} repairs were finished within their target time")),
            ("sla_missed", {"sla": "missed"}, _("{value} repairs missed their target time")),
            ("repeat", {"repeat": "true"}, _("{value} faults recurred at the same place within 30 days")),
            ("reopened", {"reopened": "true"}, _("{value} repairs were sent back by the reporter")),
            ("planned", {"source": JobSource.PLAN}, _("{value} jobs came from preventive maintenance plans")),
        )
    ]
    labels = dictionaries.labels(org, CATEGORY.key)
    present = job_rows(actor).filter(reported_at__gte=facts.period_start(start), reported_at__lt=facts.period_end(end))
    for code in sorted(set(present.order_by().values_list("category", flat=True).distinct())):
        found.append(
            _jobs(
                actor,
                "maintenance.jobs.by_category.{}".format(code),
                {**base, "category": code},
                jobs,
                _("{value} repairs of the category {category}"),
                category=labels.get(code, code),
            )
        )
    found.append(
        facts.total(
            actor,
            key="maintenance.jobs.cost",
            field_name="total_cost",
            rows=job_rows(actor),
            filterset=JobFilterSet,
            url_name="maintenance:job_list",
            params={**base, "state": JobState.DONE},
            unit=_("yuan"),
            sentence=_("Completed repairs cost {value} yuan in parts, labour and contractors"),
        )
    )
    rating = facts.measure(
        actor,
        key="maintenance.jobs.rating",
        compute=lambda rows: _average(rows.aggregate(value=Avg("rating"))["value"]),
        rows=job_rows(actor),
        filterset=JobFilterSet,
        url_name="maintenance:job_list",
        params={**base, "rated": "true"},
        unit=_("stars"),
        sentence=_("Reporters rated the repairs {value} stars on average"),
    )
    prices = reference_prices(org)
    savings = None
    if prices:
        savings = facts.measure(
            actor,
            key="maintenance.jobs.self_repair_savings",
            compute=lambda rows: savings_of(rows, prices) if rows.exists() else None,
            rows=job_rows(actor),
            filterset=JobFilterSet,
            url_name="maintenance:job_list",
            params={**base, **{"state": JobState.DONE, "in_house": "true", "categories": ",".join(sorted(prices))}},
            unit=_("yuan"),
            sentence=_("Repairing in-house instead of hiring contractors saved {value} yuan"),
        )
        found.append(
            _jobs(
                actor,
                "maintenance.jobs.unpriced",
                {**base, "state": JobState.DONE, "in_house": "true", "other_categories": ",".join(sorted(prices))},
                jobs,
                _("{value} in-house repairs have no reference price and are left out of the savings"),
            )
        )
    return found + [fact for fact in (rating, savings) if fact is not None]


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


@facts.register
def incident_facts(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Emergencies in the period, and by kind."""
    if not actor.can(p.INCIDENT_VIEW):
        return []
    rows = restrict(Incident.objects.all(), actor, p.INCIDENT_VIEW)
    base = {"start": start, "end": end}

    def count(key, params, sentence, **sentence_params):
        return facts.count(
            actor,
            key=key,
            rows=rows,
            filterset=IncidentFilterSet,
            url_name="maintenance:incident_list",
            params=params,
            unit=_("emergencies"),
            sentence=sentence,
            sentence_params=sentence_params,
        )

    found = [count("maintenance.incidents", base, _("{value} emergencies were handled"))]
    labels = dictionaries.labels(org, INCIDENT_KIND.key)
    present = rows.filter(occurred_at__gte=facts.period_start(start), occurred_at__lt=facts.period_end(end))
    for code in sorted(set(present.order_by().values_list("kind", flat=True).distinct())):
        found.append(
            count(
                "maintenance.incidents.by_kind.{}".format(code),
                {**base, "kind": code},
                _("{value} emergencies of the kind {kind}"),
                kind=labels.get(code, code),
            )
        )
    return found


@facts.register
def patrol_facts(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """Patrol rounds scheduled in the period: completed, and missed (漏巡)."""
    if not actor.can(p.PATROL_VIEW):
        return []
    rows = restrict(PatrolRound.objects.all(), actor, p.PATROL_VIEW)
    return [
        facts.count(
            actor,
            key="maintenance.patrols." + state,
            rows=rows,
            filterset=PatrolRoundFilterSet,
            url_name="maintenance:round_list",
            params={"start": start, "end": end, "state": state},
            unit=_("rounds"),
            sentence=sentence,
        )
        for state, sentence in (
            (RoundState.COMPLETED, _("{value} patrol rounds were completed")),
            (RoundState.MISSED, _("{value} patrol rounds were missed")),
        )
    ]
