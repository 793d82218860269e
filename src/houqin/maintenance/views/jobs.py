"""Job pages: the phone-first detail with its actions, dispatch, edit, finish, confirm, compensation, print."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from houqin.assets.selectors import links as asset_links
from houqin.core import dictionaries, printing
from houqin.core import permissions as core_p
from houqin.core.forms_base import add_service_errors
from houqin.core.models import Compensation, mask_phone
from houqin.core.permissions import restrict
from houqin.core.selectors import sees_phones
from houqin.core.views.attachments import panel_context
from houqin.core.views.base import get_for_actor, org_view, render
from houqin.core.workflow import events_for

from .. import permissions as p
from .. import services
from ..choices import Cause, JobState
from ..forms.jobs import (
    PART_FIELDS,
    CompensationForm,
    ConfirmForm,
    DispatchForm,
    FinishForm,
    JobEditForm,
    NoteForm,
    padded_lines,
    part_lines,
)
from ..models import Job, JobAssignment
from ..services.jobs import PHOTO_AFTER, PHOTO_BEFORE, PHOTO_LABELS
from ..settings import CATEGORY
from .report import service_errors

NAV = "maintenance_jobs"
# Moves taken with one tap, and moves that need a reason first (GET shows the reason form, POST applies).
ONE_TAP = {"accept": services.job_accept, "start": services.job_start, "resume": services.job_resume}
WITH_REASON = {
    "hold": services.job_hold,
    "reject": services.job_reject,
    "cancel": services.job_cancel,
    "reopen": services.job_reopen,
}
# Moves with a page of their own.
FORM_PAGES = {
    "dispatch": "maintenance:job_dispatch",
    "finish": "maintenance:job_finish",
    "confirm": "maintenance:job_confirm",
}
# Every member of an organisation holds this action (on their own reports), a bureau does not: the least a
# person needs to change a job at all. The page's own action is checked on the row (``_job(change=...)``:
# 404 for a job the person cannot see, 403 for one they may only read), the move by the workflow kit.
ACT = p.JOB_CONFIRM
STATE_COLOURS = {
    JobState.NEW: "orange",
    JobState.ASSIGNED: "azure",
    JobState.ACCEPTED: "azure",
    JobState.IN_PROGRESS: "primary",
    JobState.ON_HOLD: "warning",
    JobState.FINISHED: "purple",
    JobState.DONE: "success",
    JobState.REJECTED: "secondary",
    JobState.CANCELLED: "secondary",
}
URGENCY_COLOURS = {"normal": "secondary", "urgent": "orange", "emergency": "danger"}
# The move that closed a rejected or cancelled job: its note is the reason shown on the job card.
CLOSE_ACTIONS = {JobState.REJECTED: "reject", JobState.CANCELLED: "cancel"}


def _jobs():
    return Job.objects.select_related(
        "location", "building", "department", "reporter", "party", "plan", "incident", "asset"
    )


def _job(request, pk, change: str | None = None) -> Job:
    return get_for_actor(_jobs(), request.actor, view=p.JOB_VIEW, change=change, pk=pk)


def _detail(request, job):
    return redirect("maintenance:job_detail", request.org.code, job.pk)


def _back(request, job):
    """Where a one-tap move returns: the page it was tapped on (``next``, this site only), else the job."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return _detail(request, job)


def _assignments(job):
    """Technicians on the job now, the lead first, with the party each works for."""
    rows = job.assignments.filter(removed_at__isnull=True).select_related("membership__party", "user")
    return sorted(rows, key=lambda a: (not a.is_lead, a.pk))


def _reporter_phone(actor, job, assignments) -> str:
    """The number to call back: in full for those who may see phone numbers, the technicians on the job and
    the reporter (as the API's ``contact_phone``); masked for anyone else who sees the job."""
    phone = job.contact_phone or (job.reporter.phone if job.reporter_id else "")
    assignee = any(a.user_id == actor.user.pk for a in assignments)
    if phone and not (sees_phones(actor) or assignee or job.reporter_id == actor.user.pk):
        return mask_phone(phone)
    return phone


def _can_move(request, job, action) -> bool:
    return action in {t.action for t in Job.WORKFLOW.available(job, request.actor)}


def _refuse_state(request, job, action) -> bool:
    """True (with a message) when ``action`` is not possible from the job's state."""
    if Job.WORKFLOW.find(job.state, action) is not None:
        return False
    messages.error(
        request,
        _('"{action}" is not possible while the record is "{state}".').format(
            action=Job.WORKFLOW.action_label(action), state=job.get_state_display()
        ),
    )
    return True


def _job_title(job):
    return "{} · {}".format(job.code, job.location.name)


# Detail ------------------------------------------------------------------------------------------


@org_view(p.JOB_VIEW)
def job_detail(request, pk):
    actor = request.actor
    job = _job(request, pk)
    assignments = _assignments(job)
    phone = _reporter_phone(actor, job, assignments)
    buttons, reason_actions, form_actions = [], [], []
    for transition in Job.WORKFLOW.available(job, actor):
        entry = {"action": transition.action, "label": transition.label}
        if transition.action in ONE_TAP:
            buttons.append(entry)
        elif transition.action in WITH_REASON:
            reason_actions.append(entry)
        elif transition.action in FORM_PAGES:
            entry["url"] = reverse(FORM_PAGES[transition.action], args=[request.org.code, job.pk])
            form_actions.append(entry)
    panel = panel_context(request, job)
    files = panel["files"]
    before = [a for a in files if a.is_image and a.note == str(PHOTO_LABELS[PHOTO_BEFORE])]
    after = [a for a in files if a.is_image and a.note == str(PHOTO_LABELS[PHOTO_AFTER])]
    close_reason = ""
    if job.state in CLOSE_ACTIONS:
        event = events_for(job).filter(action=CLOSE_ACTIONS[job.state]).last()
        close_reason = event.note if event else ""
    office = actor.can(p.JOB_DISPATCH) and not actor.via_bureau
    compensations = []
    if actor.can(core_p.COMPENSATION_VIEW):
        compensations = list(
            restrict(Compensation.objects.all(), actor, core_p.COMPENSATION_VIEW)
            .filter(content_type__app_label="maintenance", content_type__model="job", object_id=job.pk)
            .select_related("person__user")
        )
    # The asset's card is linked for those who may open it; others read its code and name only.
    asset_url = ""
    if job.asset_id and asset_links.may_see(actor, job.asset):
        asset_url = reverse("assets:asset_detail", args=[request.org.code, job.asset_id])
    return render(
        request,
        "maintenance/job_detail.html",
        {
            "job": job,
            "asset_url": asset_url,
            "state_colour": STATE_COLOURS.get(job.state, "secondary"),
            "urgency_colour": URGENCY_COLOURS.get(job.urgency, "secondary"),
            "overdue": job.is_overdue(),
            "category_label": dictionaries.label(request.org, CATEGORY.key, job.category),
            "reporter_phone": phone,
            "assignments": assignments,
            "parts": list(job.parts.all()),
            "before_photos": before,
            "after_photos": after,
            "files_panel": panel,
            "close_reason": close_reason,
            "buttons": buttons,
            "reason_actions": reason_actions,
            "form_actions": form_actions,
            "can_edit": office and job.is_open,
            "can_compensate": office
            and actor.can(core_p.COMPENSATION_MANAGE)
            and job.state in (JobState.FINISHED, JobState.DONE),
            "damage": job.cause == Cause.DAMAGE,
            "compensations": compensations,
            "stars": range(1, 6),
            "history_sources": [job.history.all(), JobAssignment.history.filter(job_id=job.pk)],
            "nav_active": NAV,
        },
    )


# Moves -------------------------------------------------------------------------------------------


@org_view(ACT)
def job_action(request, pk, action):
    if action not in ONE_TAP and action not in WITH_REASON:
        raise Http404  # dispatch, finish, confirm have their pages; auto_confirm is the system's alone
    job = _job(request, pk)
    if action in ONE_TAP and request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if _refuse_state(request, job, action):
        return _back(request, job)
    if not _can_move(request, job, action):
        raise PermissionDenied
    if action in ONE_TAP:
        try:
            ONE_TAP[action](actor=request.actor, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("{action}: done.").format(action=Job.WORKFLOW.action_label(action)))
        return _back(request, job)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            WITH_REASON[action](actor=request.actor, job=job, reason=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("{action}: done.").format(action=Job.WORKFLOW.action_label(action)))
            return _detail(request, job)
    return render(
        request,
        "maintenance/job_form.html",
        {
            "form": form,
            "job": job,
            "title": Job.WORKFLOW.action_label(action),
            "submit_label": Job.WORKFLOW.action_label(action),
            "danger": action in ("reject", "cancel"),
            "nav_active": NAV,
        },
    )


# The office ----------------------------------------------------------------------------------------


def _technician_groups(org, chosen_ids):
    """Own staff first, then each contractor / 物业 company, people by name."""
    groups: dict = {}
    for membership in services.technicians(org).select_related("user", "party").order_by("user__name", "pk"):
        key = (1, membership.party.name) if membership.party_id else (0, "")
        groups.setdefault(key, []).append(membership)
    return [
        {
            "label": name or _("Own staff"),
            "people": [{"membership": m, "checked": m.pk in chosen_ids} for m in people],
        }
        for (_order, name), people in sorted(groups.items())
    ]


@org_view(ACT)
def job_dispatch(request, pk):
    job = _job(request, pk, change=p.JOB_DISPATCH)
    if _refuse_state(request, job, "dispatch"):
        return _detail(request, job)
    current = _assignments(job)
    lead = next((a.membership_id for a in current if a.is_lead), None)
    form = DispatchForm(
        request.POST or None,
        org=request.org,
        initial={"technicians": [a.membership_id for a in current], "lead": lead},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.job_dispatch(actor=request.actor, job=job, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Repair {code} was dispatched.").format(code=job.code))
            return _detail(request, job)
    if form.is_bound:
        chosen = {int(v) for v in request.POST.getlist("technicians") if v.isdigit()}
        lead = int(request.POST["lead"]) if request.POST.get("lead", "").isdigit() else None
    else:
        chosen = {a.membership_id for a in current}
    groups = _technician_groups(request.org, chosen)
    return render(
        request,
        "maintenance/job_dispatch.html",
        {
            "form": form,
            "job": job,
            "groups": groups,
            "lead": lead,
            "reassign": bool(current),
            "category_label": dictionaries.label(request.org, CATEGORY.key, job.category),
            "nav_active": NAV,
        },
    )


@org_view(ACT)
def job_edit(request, pk):
    job = _job(request, pk, change=p.JOB_DISPATCH)
    initial = {
        "category": job.category,
        "urgency": job.urgency,
        "department": job.department_id,
        "response_due": timezone.localtime(job.response_due) if job.response_due else None,
        "completion_due": timezone.localtime(job.completion_due) if job.completion_due else None,
        "asset": job.asset.code if job.asset_id else "",
    }
    form = JobEditForm(request.POST or None, job=job, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # A due time is set only when the person changed it: otherwise a new category computes it afresh.
        for name in ("response_due", "completion_due"):
            if name not in form.changed_data:
                data[name] = None
        if "asset" not in form.changed_data:
            data["asset"] = services.KEEP
        try:
            services.job_update(actor=request.actor, job=job, **data)
        except ValidationError as error:
            add_service_errors(form, error)
            job.refresh_from_db()
        else:
            messages.success(request, _("Changes saved."))
            return _detail(request, job)
    return render(
        request,
        "maintenance/job_form.html",
        {"form": form, "job": job, "title": _("Edit repair job"), "nav_active": NAV},
    )


@org_view(ACT)
def job_compensation(request, pk):
    job = _job(request, pk, change=p.JOB_DISPATCH)
    if not request.actor.can(core_p.COMPENSATION_MANAGE):
        raise PermissionDenied
    form = CompensationForm(request.POST or None, org=request.org, initial={"reason": job.description[:200]})
    if request.method == "POST" and form.is_valid():
        try:
            compensation = services.job_compensation_create(actor=request.actor, job=job, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Compensation of {amount} yuan recorded for {name}.").format(
                    amount=compensation.amount, name=compensation.person.user.name
                ),
            )
            return _detail(request, job)
    return render(
        request,
        "maintenance/job_form.html",
        {
            "form": form,
            "job": job,
            "title": _("Record compensation"),
            "submit_label": _("Record compensation"),
            "nav_active": NAV,
        },
    )


# The technician ----------------------------------------------------------------------------------


@org_view(ACT)
def job_finish(request, pk):
    job = _job(request, pk, change=p.JOB_WORK)
    if _refuse_state(request, job, "finish"):
        return _detail(request, job)
    lines = part_lines(request.POST) if request.method == "POST" else []
    parts_errors: list[str] = []
    form = FinishForm(
        request.POST or None,
        request.FILES or None,
        initial={"work_done": job.work_done, "cause": job.cause, "labour_hours": job.labour_hours},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.job_finish(
                actor=request.actor,
                job=job,
                work_done=data["work_done"],
                cause=data["cause"],
                labour_hours=data["labour_hours"],
                contractor_invoice=data["contractor_invoice"] if job.party_id else None,
                parts=lines,
                photos=data["photos"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = dict(error.message_dict)  # a new dict on each access: read it once
                parts_errors = errors.pop("parts", [])  # shown by line, above the part lines
                error = ValidationError(errors) if errors else None
            if error is not None:
                service_errors(form, error)
            job.refresh_from_db()
        else:
            messages.success(
                request, _("Repair {code} is finished; the reporter is asked to confirm.").format(code=job.code)
            )
            return _detail(request, job)
    if not lines and request.method != "POST":
        lines = [{name: str(getattr(part, name)) for name in PART_FIELDS} for part in job.parts.all()]
    return render(
        request,
        "maintenance/job_finish.html",
        {
            "form": form,
            "job": job,
            "lines": padded_lines(lines),
            "parts_errors": parts_errors,
            "causes": Cause.choices,
            "has_party": bool(job.party_id),
            "nav_active": NAV,
        },
    )


# The reporter ------------------------------------------------------------------------------------


@org_view(ACT)
def job_confirm(request, pk):
    job = _job(request, pk, change=p.JOB_CONFIRM)
    if _refuse_state(request, job, "confirm"):
        return _detail(request, job)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.job_confirm(actor=request.actor, job=job, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: repair {code} is completed.").format(code=job.code))
            return _detail(request, job)
    rating = form["rating"].value() if form.is_bound else None
    return render(
        request,
        "maintenance/job_confirm.html",
        {
            "form": form,
            "job": job,
            "rating": str(rating or ""),
            "stars": ["1", "2", "3", "4", "5"],
            "can_reopen": _can_move(request, job, "reopen"),
            "reopen_form": NoteForm(),
            "nav_active": NAV,
        },
    )


# Print -------------------------------------------------------------------------------------------


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@org_view(p.JOB_VIEW)
def job_print(request, pk):
    """派工单: the job as the technician takes it on paper, with blanks for what is written by hand."""
    actor = request.actor
    job = _job(request, pk)
    assignments = _assignments(job)
    phone = _reporter_phone(actor, job, assignments)
    reporter = job.reporter.name if job.reporter_id else job.reporter_name
    names = [
        "{}{}".format(a.user.name, "（{}）".format(a.membership.party.name) if a.membership.party_id else "")
        for a in assignments
    ]
    place = " › ".join(x for x in (job.building.name if job.building_id else "", job.location.name) if x)
    if job.building_id == job.location_id:
        place = job.location.name
    url = reverse("maintenance:job_detail", args=[request.org.code, job.pk])
    parts = list(job.parts.all())
    form = printing.PrintForm(
        title=_("Repair work order"),
        number=job.code,
        fields=[
            printing.Field(_("Location"), place),
            printing.Field(_("Category"), dictionaries.label(request.org, CATEGORY.key, job.category)),
            printing.Field(_("Urgency"), job.get_urgency_display()),
            printing.Field(_("Charged department"), job.department.name if job.department_id else ""),
            printing.Field(_("Asset"), "{} {}".format(job.asset.code, job.asset.name) if job.asset_id else ""),
            printing.Field(_("Reporter"), " ".join(x for x in (reporter, phone) if x)),
            printing.Field(_("Reported at"), _when(job.reported_at)),
            printing.Field(_("Response due"), _when(job.response_due)),
            printing.Field(_("Completion due"), _when(job.completion_due)),
            printing.Field(_("Technicians"), "、".join(names), wide=True),
            printing.Field(_("Description"), job.description, wide=True),
            printing.Field(_("Arrived at"), _when(job.started_at or job.accepted_at)),
            printing.Field(_("Finished at"), _when(job.finished_at)),
            printing.Field(_("Work done"), job.work_done, wide=True),
            printing.Field(_("Cause"), job.get_cause_display() if job.cause else ""),
            printing.Field(_("Labour hours"), job.labour_hours if job.labour_hours is not None else ""),
        ],
        table=printing.Table(
            title=_("Parts"),
            columns=[_("Part"), _("Specification"), _("Unit"), _("Quantity"), _("Unit cost"), _("Amount")],
            # Blank lines to fill in by hand while nothing is recorded yet.
            rows=[(x.name, x.spec, x.unit, x.quantity, x.unit_cost, x.amount) for x in parts] or [("",) * 6] * 3,
            numeric=(3, 4, 5),
        ),
        notes=job.hold_reason,
        signatures=[_("Reported by"), _("Repaired by"), _("Accepted by")],
        qr_url=settings.HOUQIN_BASE_URL + url,
        back_url=url,
    )
    return printing.render_form(request, form)


urlpatterns = [
    path("jobs/<int:pk>/", job_detail, name="job_detail"),
    path("jobs/<int:pk>/dispatch/", job_dispatch, name="job_dispatch"),
    path("jobs/<int:pk>/edit/", job_edit, name="job_edit"),
    path("jobs/<int:pk>/finish/", job_finish, name="job_finish"),
    path("jobs/<int:pk>/confirm/", job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/compensation/", job_compensation, name="job_compensation"),
    path("jobs/<int:pk>/print/", job_print, name="job_print"),
    path("jobs/<int:pk>/do/<str:action>/", job_action, name="job_action"),
]
