"""What maintenance shows on an asset's card (a panel registered in core, so that assets never imports
maintenance): the repairs of the asset the viewer may see, newest first, and what the finished ones cost."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core.panels import Panel
from houqin.core.permissions import restrict

from .. import permissions as p
from ..choices import JobState
from ..models import Job
from ..selectors.jobs import STATE_COLOUR, category_labels

PANEL_JOBS = 10  # the newest repairs on the card; all of them through the job list's ?asset= filter
COSTED = (JobState.FINISHED, JobState.DONE)  # finished (awaiting confirmation) or confirmed: their cost is known


def asset_repairs_panel(request, asset) -> Panel | None:
    """报修记录 of the asset: two queries (the figures, the newest rows), whatever the number of repairs."""
    actor = request.actor
    if not actor.can(p.JOB_VIEW):
        return None
    jobs = restrict(Job.objects.filter(asset=asset), actor, p.JOB_VIEW)
    figures = jobs.aggregate(
        count=Count("id"),
        costed=Count("id", filter=Q(state__in=COSTED)),
        cost=Sum("total_cost", filter=Q(state__in=COSTED)),
    )
    rows = list(
        jobs.select_related("location")
        .only("pk", "code", "state", "category", "reported_at", "total_cost", "location__name")
        .order_by("-reported_at", "-id")[:PANEL_JOBS]
    )
    labels = category_labels(request.org)
    states = dict(JobState.choices)
    for job in rows:
        job.category_label = labels.get(job.category, job.category)
        job.state_label = states.get(job.state, job.state)
        job.state_colour = STATE_COLOUR.get(job.state, "secondary")
        job.costed = job.state in COSTED
    list_url = reverse("maintenance:job_list", args=[request.org.code])
    report_url = ""
    if actor.can(p.JOB_REPORT) and not actor.via_bureau:
        report_url = reverse("maintenance:job_report", args=[request.org.code]) + "?asset={}".format(asset.pk)
    return Panel(
        title=_("Repairs"),
        template="maintenance/partials/asset_panel.html",
        context={
            "jobs": rows,
            "count": figures["count"],
            "more": figures["count"] > len(rows),
            "cost": Decimal(str(figures["cost"] or 0)).quantize(Decimal("0.01")),
            "costed": figures["costed"],
            "cost_url": list_url + "?" + urlencode([("asset", asset.pk), *(("state", s) for s in COSTED)]),
            "report_url": report_url,
        },
        key="maintenance.repairs",
        link_url=list_url + "?asset={}".format(asset.pk) if figures["count"] else "",
        link_label=_("All repairs"),
    )
