"""定期检修 pages: the list of plans, a plan with its next dates and the jobs it made, and the plan form."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.assets.selectors import links as asset_links
from houqin.core import dictionaries
from houqin.core.permissions import restrict
from houqin.core.views.base import filtered, get_row, keyset_page, org_view, render, row_view, submitted

from .. import permissions as p
from ..choices import PlanSchedule
from ..filtersets import PlanFilterSet
from ..forms.plans import SCHEDULE_FIELDS, PlanEditForm, PlanForm
from ..models import Job, MaintenancePlan
from ..selectors.jobs import STATE_COLOUR
from ..services import plans as services
from ..settings import CATEGORY

NEXT_DATES = 5  # on the plan's page
JOBS_SHOWN = 50  # the plan's latest jobs; all of them through the job list's ?plan= filter
NAV = "maintenance_plans"


def _last_job(field: str) -> Subquery:
    return Subquery(Job.objects.filter(plan=OuterRef("pk")).order_by("-plan_due_on", "-id").values(field)[:1])


@org_view(p.PLAN_VIEW)
def plan_list(request):
    plans, filters = filtered(
        request,
        PlanFilterSet,
        restrict(MaintenancePlan.objects.all(), request.actor, p.PLAN_VIEW),
        is_active="true",
    )
    plans = plans.select_related("location", "assignee__user").annotate(
        last_job_id=_last_job("id"),
        last_job_code=_last_job("code"),
        last_job_state=_last_job("state"),
        last_job_due=_last_job("plan_due_on"),
    )
    page = keyset_page(request, plans, key="pk")
    today = timezone.localdate()
    terms = services.break_terms(request.org, today)  # once for every break plan on the page
    labels = dictionaries.labels(request.org, CATEGORY.key)
    states = dict(Job._meta.get_field("state").choices)
    for plan in page["rows"]:
        plan.category_label = labels.get(plan.category, plan.category)
        plan.schedule_words = services.schedule_text(plan)
        plan.next_on = next(iter(services.next_occurrences(plan, today, terms=terms)), None)
        plan.last_job_state_label = states.get(plan.last_job_state, "")
        plan.last_job_colour = STATE_COLOUR.get(plan.last_job_state, "secondary")
    return render(
        request,
        "maintenance/plan_list.html",
        {
            "page": page,
            "filters": filters,
            "schedules": PlanSchedule.choices,
            "can_manage": request.actor.can(p.PLAN_MANAGE) and not request.actor.via_bureau,
            "nav_active": NAV,
        },
        partial="maintenance/plan_rows.html",
    )


@row_view(p.PLAN_VIEW)
def plan_detail(request, pk):
    plan = get_row(
        MaintenancePlan.objects.select_related("location", "asset", "assignee__user", "assignee__party"),
        request.actor,
        view=p.PLAN_VIEW,
        pk=pk,
    )
    today = timezone.localdate()
    jobs = list(
        restrict(Job.objects.filter(plan=plan), request.actor, p.JOB_VIEW)
        .select_related("location")
        .order_by("-plan_due_on", "-id")[:JOBS_SHOWN]
    )
    for job in jobs:
        job.state_colour = STATE_COLOUR.get(job.state, "secondary")
    return render(
        request,
        "maintenance/plan_detail.html",
        {
            "plan": plan,
            "category_label": dictionaries.label(request.org, CATEGORY.key, plan.category),
            "schedule_words": services.schedule_text(plan),
            "next_dates": services.next_occurrences(plan, today, NEXT_DATES) if plan.is_active else [],
            "jobs": jobs,
            "jobs_limit": JOBS_SHOWN,
            "can_see_jobs": request.actor.can(p.JOB_VIEW),
            "asset_url": _asset_url(request, plan),
            "can_manage": request.actor.can(p.PLAN_MANAGE) and not request.actor.via_bureau,
            "nav_active": NAV,
        },
    )


def _asset_url(request, plan) -> str:
    if plan.asset_id and asset_links.may_see(request.actor, plan.asset):
        return reverse("assets:asset_detail", args=[request.org.code, plan.asset_id])
    return ""


def _form_page(request, form, title, plan=None):
    return render(
        request,
        "maintenance/plan_form.html",
        {"form": form, "title": title, "plan": plan, "schedule_fields": SCHEDULE_FIELDS, "nav_active": NAV},
    )


@org_view(p.PLAN_MANAGE)
def plan_create(request):
    initial = {"location": request.GET.get("location"), "starts_on": timezone.localdate()}
    if request.GET.get("asset"):  # "plan maintenance for this asset" (its code)
        initial["asset"] = request.GET["asset"][:40]
    form = PlanForm(request.POST or None, initial=initial, org=request.org)
    plan = submitted(request, form, lambda **data: services.plan_create(actor=request.actor, **data))
    if plan:
        messages.success(request, _("Maintenance plan “{name}” added.").format(name=plan.name))
        return redirect("maintenance:plan_detail", request.org.code, plan.pk)
    return _form_page(request, form, _("New maintenance plan"))


@row_view(p.PLAN_MANAGE)
def plan_edit(request, pk):
    plan = get_row(MaintenancePlan.objects.all(), request.actor, view=p.PLAN_VIEW, change=p.PLAN_MANAGE, pk=pk)
    initial = {name: getattr(plan, name) for name in (*services.PLAN_FIELDS, "is_active")}
    initial["location"], initial["assignee"] = plan.location_id, plan.assignee_id
    initial["asset"] = plan.asset.code if plan.asset_id else ""
    form = PlanEditForm(request.POST or None, initial=initial, org=request.org, plan=plan)
    if submitted(request, form, lambda **data: services.plan_update(actor=request.actor, plan=plan, **data)):
        messages.success(request, _("Changes saved."))
        return redirect("maintenance:plan_detail", request.org.code, plan.pk)
    return _form_page(request, form, _("Edit maintenance plan"), plan)


urlpatterns = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
]
