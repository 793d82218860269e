"""Facts of the assets module: figures of the work summary, each counted over the asset list its link opens
(``AssetFilterSet`` on the assets the actor may see), with the same parameters as the figures page.

Values (original and net) and counts by status are those of today; additions and disposals are the period's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houqin.core import facts
from houqin.core.permissions import Actor, restrict
from houqin.core.selectors import org_names

from . import permissions as p
from .choices import AssetStatus, StocktakeState
from .filtersets import AssetFilterSet
from .models import AssetCategory, Stocktake
from .selectors.depreciation import depreciation_rule
from .selectors.stats import DIFFERENCES, HELD, net_fen, visible_assets

LIST = "assets:asset_list"


def _net(today: date, rule: str):
    """The net book value today of the listed assets (all on the books), to the fen."""

    def compute(rows) -> Decimal:
        fen = rows.order_by().aggregate(net=Sum(net_fen(today, rule)))["net"]
        return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))

    return compute


@facts.register
def asset_facts(org, start: date, end: date, *, actor: Actor, department=None, person=None) -> list[facts.Fact]:
    """The ledger's value by category and department, cards by status, the period's additions and disposals,
    overdue loans and the differences of the latest closed stocktake."""
    if not actor.can(p.ASSET_VIEW):
        return []
    rows = visible_assets(actor)
    base = {"department": department.pk} if department is not None else {}
    held = {**base, "held": "true"}
    yuan, cards = _("yuan"), _("cards")
    today = timezone.localdate()
    rule = depreciation_rule(org)

    def count(key, params, sentence, **sentence_params):
        return facts.count(
            actor,
            key=key,
            rows=rows,
            filterset=AssetFilterSet,
            url_name=LIST,
            params=params,
            unit=cards,
            sentence=sentence,
            sentence_params=sentence_params,
        )

    def original(key, params, sentence, **sentence_params):
        return facts.total(
            actor,
            key=key,
            field_name="original_value",
            rows=rows,
            filterset=AssetFilterSet,
            url_name=LIST,
            params=params,
            unit=yuan,
            sentence=sentence,
            sentence_params=sentence_params,
        )

    def net(key, params, sentence, **sentence_params):
        return facts.measure(
            actor,
            key=key,
            compute=_net(today, rule),
            rows=rows,
            filterset=AssetFilterSet,
            url_name=LIST,
            params=params,
            unit=yuan,
            sentence=sentence,
            sentence_params=sentence_params,
        )

    found = [
        count("assets.held", held, _("{value} asset cards are on the books")),
        original("assets.value.original", held, _("The assets on the books are worth {value} yuan at cost")),
        net("assets.value.net", held, _("Their net book value today is {value} yuan")),
    ]
    # By top-level class (original and net value) and by owning department (original value; the net value of
    # every department is on the figures page): only those that hold assets, one query each to find them.
    present = rows.filter(status__in=HELD)
    if department is not None:
        present = present.filter(department__path__startswith=department.path)
    category_ids = set(present.order_by().values_list("category_id", flat=True).distinct())
    codes = sorted(
        {code[:3] for code in AssetCategory.objects.filter(pk__in=category_ids).values_list("code", flat=True)}
    )
    names = dict(AssetCategory.objects.filter(code__in=codes).values_list("code", "name"))
    for code in codes:
        params = {**held, "category": code}
        name = names.get(code, code)
        found.append(
            original(
                "assets.value.original.by_category.{}".format(code),
                params,
                _("Assets of the class {category} are worth {value} yuan at cost"),
                category=name,
            )
        )
        found.append(
            net(
                "assets.value.net.by_category.{}".format(code),
                params,
                _("Assets of the class {category} have a net book value of {value} yuan"),
                category=name,
            )
        )
    departments = org_names(org).departments
    for department_id in sorted(set(present.order_by().values_list("department_id", flat=True).distinct())):
        params = {**held, "owned_by": department_id}
        name = departments.get(department_id, "")
        found.append(
            original(
                "assets.value.original.by_department.{}".format(department_id),
                params,
                _("Assets of {department} are worth {value} yuan at cost"),
                department=name,
            )
        )
    statuses = set(rows.order_by().values_list("status", flat=True).distinct())
    for status, label in AssetStatus.choices:
        if status in statuses:
            found.append(
                count(
                    "assets.by_status.{}".format(status),
                    {**base, "status": status},
                    _("{value} asset cards are {status}"),
                    status=str(label).lower(),
                )
            )
    period = {"booked_from": start, "booked_until": end}
    found += [
        count("assets.added", {**base, **period}, _("{value} assets were added to the books")),
        original("assets.added.value", {**base, **period}, _("Assets added to the books cost {value} yuan")),
        count(
            "assets.disposed",
            {**base, "status": AssetStatus.DISPOSED, "left_from": start, "left_until": end},
            _("{value} assets were disposed of"),
        ),
        count("assets.loans.overdue", {**base, "loan": "overdue"}, _("{value} lent assets are overdue")),
    ]
    if actor.can(p.STOCKTAKE_VIEW):
        stocktake = (
            restrict(Stocktake.objects.filter(state=StocktakeState.CLOSED), actor, p.STOCKTAKE_VIEW)
            .filter(closed_at__lt=facts.period_end(end))
            .order_by("-closed_at", "-id")
            .only("pk", "code")
            .first()
        )
        if stocktake is not None:
            sentences = {
                "missing": _("The stocktake {code} found {value} assets missing"),
                "surplus": _("The stocktake {code} found {value} assets not in the ledger"),
                "wrong_location": _("The stocktake {code} found {value} assets in the wrong place"),
            }
            for result in DIFFERENCES:
                found.append(
                    count(
                        "assets.stocktake.{}".format(result),
                        {**base, "stocktake": stocktake.pk, "result": result},
                        sentences[result],
                        code=stocktake.code,
                    )
                )
    return found
