"""The dispatch board (维修调度), the technician's phone list (我的维修), the job list (报修记录) and its export."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.assets.selectors import links as asset_links
from houqin.core.excel import xlsx_export
from houqin.core.permissions import OWN
from houqin.core.views.base import keyset_page, org_view, render

from .. import permissions as p
from ..choices import JobState
from ..forms.filters import job_filter_choices
from ..selectors import jobs as selectors

STATES = dict(JobState.choices)


def _filters(request, filterset) -> dict:
    """The parameters as the filter form shows them (``state`` may repeat)."""
    values = {name: request.GET.get(name, "") for name in filterset.filters}
    values["state"] = request.GET.getlist("state")
    return values


def _with(request, **values) -> str:
    """The board's filters as a query for the job list, with ``values`` set."""
    params = request.GET.copy()
    params.pop("state", None)
    for name, value in values.items():
        params[name] = value
    return params.urlencode()


@org_view(p.JOB_DISPATCH)
def board(request):
    data = selectors.board_jobs(request.actor, request.GET)
    context = {
        **data,
        "filters": _filters(request, data["filterset"]),
        "choices": job_filter_choices(request.actor),
        "limit": selectors.BOARD_LIMIT,
        "state_labels": "、".join(str(STATES[s]) for s in request.GET.getlist("state") if s in STATES),
        "open_list_query": _with(request, stage="open"),
        "finished_list_query": _with(request, stage="finished"),
        "can_dispatch": not request.actor.via_bureau,
        "nav_active": "maintenance_board",
    }
    return render(request, "maintenance/board.html", context, partial="maintenance/board_columns.html")


@org_view(p.JOB_WORK)
def my_jobs(request):
    data = selectors.my_jobs(request.actor)
    return render(request, "maintenance/my_jobs.html", {**data, "nav_active": "maintenance_my"})


@org_view(p.JOB_VIEW)
def job_list(request):
    rows, filterset = selectors.job_list_rows(request.actor, request.GET, request=request)
    page = keyset_page(request, rows, key="-id")
    selectors.decorate(page["rows"], selectors.category_labels(request.org), timezone.now())
    own_only = request.actor.widest_scope(p.JOB_VIEW) == OWN
    filters = _filters(request, filterset)
    asset = None
    if filters.get("asset"):  # the repairs of one asset (its card's link): name it, for those who may see it
        actor = request.actor
        asset = asset_links.find_asset(actor, filters["asset"], whole_org=actor.can(p.JOB_DISPATCH))
    return render(
        request,
        "maintenance/job_list.html",
        {
            "page": page,
            "filters": filters,
            "asset": asset,
            "more_filters": any(
                value for name, value in filters.items() if name not in ("q", "stage", "reporter", "asset")
            ),
            "choices": job_filter_choices(request.actor),
            "title": _("My repair reports") if own_only else _("Repair records"),
            "can_report": request.actor.can(p.JOB_REPORT) and not request.actor.via_bureau,
            "nav_active": "maintenance_jobs",
        },
        partial="maintenance/partials/job_rows.html",
    )


def _datetime(value):
    return timezone.localtime(value) if value else None


@org_view(p.JOB_VIEW)
def job_export(request):
    """The filtered list as .xlsx, one line per job with its technicians, costs and rating."""
    rows, _filterset = selectors.job_list_rows(request.actor, request.GET, request=request)
    labels = selectors.category_labels(request.org)
    return xlsx_export(
        request,
        rows.order_by("-id"),
        [
            (_("Job number"), "code"),
            (_("Reported at"), lambda job: _datetime(job.reported_at)),
            (_("Place"), "location.name"),
            (_("Building"), lambda job: job.building.name if job.building else ""),
            (_("Category"), lambda job: labels.get(job.category, job.category)),
            (_("Urgency"), lambda job: job.get_urgency_display()),
            (_("Status"), lambda job: job.get_state_display()),
            (_("Reporter"), lambda job: job.reporter.name if job.reporter else job.reporter_name),
            (_("Description"), "description"),
            (_("Charged department"), lambda job: job.department.name if job.department else ""),
            (_("Technicians"), lambda job: "、".join(a.user.name for a in job.current_assignments)),
            (_("Contractor"), lambda job: job.party.name if job.party else ""),
            (_("Response due"), lambda job: _datetime(job.response_due)),
            (_("Completion due"), lambda job: _datetime(job.completion_due)),
            (_("Accepted at"), lambda job: _datetime(job.accepted_at)),
            (_("Finished at"), lambda job: _datetime(job.finished_at)),
            (_("Confirmed at"), lambda job: _datetime(job.confirmed_at)),
            (_("Cause"), lambda job: job.get_cause_display()),
            (_("Labour hours"), "labour_hours"),
            (_("Parts cost"), "parts_cost"),
            (_("Labour cost"), "labour_cost"),
            (_("Contractor invoice"), "contractor_invoice"),
            (_("Total cost"), "total_cost"),
            (_("Rating"), "rating"),
            (_("Rating comment"), "rating_comment"),
        ],
        _("Repair records"),
    )


urlpatterns = [
    path("board/", board, name="board"),
    path("my/", my_jobs, name="my_jobs"),
    path("jobs/", job_list, name="job_list"),
    path("jobs/export/", job_export, name="job_export"),
]
