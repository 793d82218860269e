"""The statistics page: a period's repair figures, each linking to the list of exactly its jobs."""

from urllib.parse import urlencode

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from houqin.core.choices import LocationKind
from houqin.core.facts import _encode
from houqin.core.models import Department, Location
from houqin.core.views.base import org_view, render
from houqin.core.views.facts import PeriodForm

from .. import permissions as p
from ..selectors.stats import default_period, job_stats


class StatsForm(PeriodForm):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Location.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label=_("Charged department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Location.objects.filter(kind=LocationKind.BUILDING, is_active=True)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")


@org_view(p.STATS_VIEW)
def stats(request):
    """The last 12 months unless another period is asked for."""
    start, end = default_period()
    form = StatsForm({"start": start.isoformat(), "end": end.isoformat(), **request.GET.dict()})
    figures = None
    if form.is_valid():
        data = form.cleaned_data
        figures = job_stats(
            request.actor,
            start=data["start"],
            end=data["end"],
            building=data["building"].pk if data["building"] else None,
            department=data["department"].pk if data["department"] else None,
        )
        list_url = reverse("maintenance:job_list", args=[request.org.code])

        def link(params):
            return None if params is None else list_url + "?" + urlencode(_encode({**figures.base, **params}))

        for rows in (figures.by_category, figures.by_building, figures.by_month, figures.by_technician):
            top = max((row.count for row in rows), default=0)
            for row in rows:
                row.url = link(row.params)
                row.width = round(row.count * 100 / top) if top else 0
        for row in figures.by_department:
            row.url = link(row.params)
        figures.links = {
            "total": link({}),
            "done": link({"state": "done"}),
            "open": link({"stage": "open"}),
            "emergency": link({"urgency": "emergency"}),
            "sla_met": link({"sla": "met"}),
            "sla_missed": link({"sla": "missed"}),
            "rated": link({"rated": "true"}),
            "repeat": link({"repeat": "true"}),
            "reopened": link({"reopened": "true"}),
            "savings": link({"state": "done", "in_house": "true", "categories": ",".join(figures.savings_categories)}),
            "unpriced": link(
                {"state": "done", "in_house": "true", "other_categories": ",".join(figures.savings_categories)}
            ),
        }
    return render(
        request, "maintenance/stats.html", {"form": form, "figures": figures, "nav_active": "maintenance_stats"}
    )


urlpatterns = [path("stats/", stats, name="stats")]
