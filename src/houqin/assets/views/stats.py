"""资产统计: the ledger's figures, each linking to the asset list of exactly the assets it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import path, reverse

from houqin.core.facts import _encode
from houqin.core.views.base import org_view, render
from houqin.core.views.facts import PeriodForm

from .. import permissions as p
from ..choices import DepreciationStart
from ..selectors.stats import asset_stats, default_period


@org_view(p.ASSET_VIEW)
def asset_stats_page(request):
    """Values as of today; additions and disposals of the last 12 months unless another period is asked for."""
    start, end = default_period()
    form = PeriodForm({"start": start.isoformat(), "end": end.isoformat(), **request.GET.dict()})
    figures = None
    if form.is_valid():
        figures = asset_stats(request.actor, start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        list_url = reverse("assets:asset_list", args=[request.org.code])
        every = [
            figures.total,
            figures.additions,
            figures.disposals,
            figures.loans_overdue,
            *figures.by_department,
            *figures.by_status,
            *figures.ages,
            *figures.differences,
        ]
        for top in figures.by_category:
            every += [top, *top.children]
        for figure in every:
            figure.url = list_url + "?" + urlencode(_encode(figure.params))
        top_value = max((f.original for f in figures.by_category), default=0)
        for top in figures.by_category:
            top.width = round(top.original * 100 / top_value) if top_value else 0
    return render(
        request,
        "assets/stats.html",
        {
            "form": form,
            "figures": figures,
            "rule": DepreciationStart(figures.rule).label if figures else "",
            "nav_active": "assets_stats",
        },
    )


urlpatterns = [path("stats/", asset_stats_page, name="stats")]
