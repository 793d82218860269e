"""Writes of repair jobs: report, dispatch, work, finish, confirm — each through the job's transition table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.assets.selectors import links as asset_links
from houqin.core import attachments, dictionaries, numbering, orgcache, orgsettings, tick
from houqin.core.choices import Role
from houqin.core.compensation import compensation_create
from houqin.core.models import Department, Location, Membership, Organization, RoleGrant, User
from houqin.core.notifications import notify
from houqin.core.permissions import Actor, restrict
from houqin.core.tenancy import org_scope, scopes_disabled

from .. import permissions as p
from .. import sla
from ..choices import Cause, JobSource, JobState, Urgency
from ..filtersets import overdue_q
from ..models import Job, JobAssignment, JobPart
from ..settings import AUTO_CONFIRM_DAYS, CATEGORY, HOURLY_RATE
from .repeats import is_repeat, refresh_repeats

__all__ = [
    "KEEP",
    "check_asset",
    "job_accept",
    "job_cancel",
    "job_compensation_create",
    "job_confirm",
    "job_create",
    "job_dispatch",
    "job_finish",
    "job_hold",
    "job_reject",
    "job_reopen",
    "job_report",
    "job_resume",
    "job_start",
    "job_update",
    "office_users",
    "technicians",
]

CENT = Decimal("0.01")
PHOTO_BEFORE = "before"  # Attachment.note of photos sent with the report
PHOTO_AFTER = "after"  # … and with the finished work
PHOTO_LABELS = {
    PHOTO_BEFORE: gettext_lazy("Photos of the fault"),
    PHOTO_AFTER: gettext_lazy("Photos of the finished work"),
}


def job_url(job: Job) -> str:
    return reverse("maintenance:job_detail", args=[job.org.code, job.pk])


def office_users(org, roles: Iterable[str] = (Role.DISPATCHER, Role.LOGISTICS_HEAD)) -> list[User]:
    """The people of ``org`` holding one of ``roles`` (who hear of new and overdue jobs)."""
    roles = tuple(sorted(roles))

    def read():
        grants = RoleGrant.objects.filter(org=org, role__in=roles, membership__is_active=True)
        return tuple(User.objects.filter(pk__in=grants.values("membership__user"), is_active=True))

    return list(orgcache.remember(org, ("maintenance.office_users", roles), read))


def technicians(org):
    """Memberships that may be dispatched: active people of the org with the technician role — own staff
    and people of its contractors and 物业 companies alike."""
    grants = RoleGrant.objects.filter(org=org, role=Role.TECHNICIAN)
    return Membership.objects.filter(org=org, is_active=True, user__is_active=True, pk__in=grants.values("membership"))


def _summary(job: Job) -> str:
    return "{} · {} · {}".format(
        job.location.name, dictionaries.label(job.org, CATEGORY.key, job.category), job.description[:80]
    )


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


KEEP = object()  # job_update(asset=KEEP): the asset stays as it is (None takes it off)


def check_asset(actor: Actor, asset, *, current_id: int | None = None, whole_org: bool | None = None) -> None:
    """A job or plan may name an asset of its organisation that is still on the books: one the person may see
    (the asset they keep or use, their department's…), or any for the office that dispatches jobs (or
    ``whole_org``). The asset already named stays, whatever happened to it since."""
    if asset is None or asset.pk == current_id:
        return
    if whole_org is None:
        whole_org = actor.can(p.JOB_DISPATCH) and not actor.via_bureau
    if asset.org_id != actor.org.pk or not (whole_org or asset_links.may_see(actor, asset)):
        raise ValidationError({"asset": _("Choose an asset of this organisation that you may see.")})
    if not asset_links.on_the_books(asset):
        raise ValidationError(
            {
                "asset": _("Asset {code} has left the books ({status}).").format(
                    code=asset.code, status=asset.get_status_display()
                )
            }
        )


# Reporting ------------------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    org: Organization,
    actor: Actor | None,
    action: str = "report",
    location: Location,
    category: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    source: str = JobSource.REPORT,
    reporter: User | None = None,
    reporter_name: str = "",
    contact_phone: str = "",
    department: Department | None = None,
    photos: Sequence = (),
    reported_at: datetime | None = None,
    **links,
) -> Job:
    """A new job in 待受理 with its number and SLA targets; ``actor=None`` is the system (a public report, a
    plan). ``links`` are ``plan``/``plan_due_on``/``incident``. The office hears of it at once."""
    dictionaries.validate_code(org, CATEGORY.key, category, field_name="category")
    if not location.is_active:
        raise ValidationError({"location": _("This place is no longer in use.")})
    reported_at = reported_at or timezone.now()
    if department is None and reporter is not None:
        if actor is not None and actor.user.pk == reporter.pk and not actor.via_bureau:
            membership = actor.membership  # read with the actor
        else:
            membership = Membership.objects.filter(user=reporter, is_active=True).select_related("department").first()
        department = membership.department if membership else None
    targets = sla.targets(org, category=category, urgency=urgency, location=location, reported_at=reported_at)
    job = Job(
        org=org,
        code=numbering.allocate(org, "BX", on=timezone.localdate(reported_at)),
        source=source,
        category=category,
        urgency=urgency,
        location=location,
        building=location.building,  # a row the caller may already hold (the API reads it with the place)
        description=description.strip(),
        reporter=reporter,
        reporter_name=reporter_name.strip() or (reporter.name if reporter else ""),
        contact_phone=contact_phone.strip(),
        department=department,
        reported_at=reported_at,
        response_due=targets.response_due,
        completion_due=targets.completion_due,
        wall_clock=targets.wall_clock,
        is_repeat=is_repeat(org, location.pk, category, reported_at),
        created_by=actor.user if actor else None,
        **links,
    )
    Job.WORKFLOW.start(job, action, actor=actor, system=actor is None)
    for photo in photos:
        # The reporter may not change a job's files afterwards (that is JOB_WORK), but sends photos with the
        # report: this service decided that, so they are attached as the system and then credited to them.
        attachment = attachments.attachment_create(actor=None, owner=job, upload=photo, note=PHOTO_BEFORE, system=True)
        if actor is not None:
            attachment.uploaded_by = actor.user
            attachment.save(update_fields=["uploaded_by"])
    title = _("New repair {code}: {place}").format(code=job.code, place=job.location.name)
    if urgency == Urgency.EMERGENCY:
        title = _("Emergency repair {code}: {place}").format(code=job.code, place=job.location.name)
    if source != JobSource.PLAN:
        notify(
            org=org,
            recipients=office_users(org),
            event="maintenance.reported",
            title=title,
            body=_summary(job),
            url=job_url(job),
        )
    return job


def job_report(
    *,
    actor: Actor,
    location: Location,
    category: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    photos: Sequence = (),
    contact_phone: str = "",
    department: Department | None = None,
    incident=None,
    asset=None,
) -> Job:
    """报修 by a logged-in person; their department is charged unless the office picks another. ``asset``: the
    asset at fault (from its label's 报修 button), see ``check_asset``."""
    if department is not None and not actor.can(p.JOB_DISPATCH):
        raise PermissionDenied  # only the office charges another department
    check_asset(actor, asset)
    return job_create(
        org=actor.org,
        actor=actor,
        location=location,
        category=category,
        description=description,
        urgency=urgency,
        reporter=actor.user,
        contact_phone=contact_phone,
        department=department,
        photos=photos,
        source=JobSource.INCIDENT if incident else JobSource.REPORT,
        incident=incident,
        asset=asset,
    )


# The office --------------------------------------------------------------------------------------


@transaction.atomic
def job_update(
    *,
    actor: Actor,
    job: Job,
    category: str | None = None,
    urgency: str | None = None,
    department: Department | None = None,
    response_due: datetime | None = None,
    completion_due: datetime | None = None,
    asset=KEEP,
) -> Job:
    """The office corrects a job: category, urgency (targets recomputed), charged department, due times, or the
    asset at fault (None takes it off)."""
    _require(actor, job, p.JOB_DISPATCH)
    if not job.is_open:
        raise ValidationError(_("Only open jobs can be changed."))
    changed, old_category = [], job.category
    if asset is not KEEP and (asset.pk if asset is not None else None) != job.asset_id:
        check_asset(actor, asset, current_id=job.asset_id)
        job.asset = asset
        changed.append("asset")
    if category is not None and category != job.category:
        dictionaries.validate_code(job.org, CATEGORY.key, category, field_name="category", current=job.category)
        job.category = category
        changed.append("category")
    if urgency is not None and urgency != job.urgency:
        job.urgency = urgency
        changed.append("urgency")
    if department is not None and department.pk != job.department_id:
        job.department = department
        changed.append("department")
    if {"category", "urgency"} & set(changed):
        targets = sla.targets(
            job.org, category=job.category, urgency=job.urgency, location=job.location, reported_at=job.reported_at
        )
        job.response_due, job.completion_due, job.wall_clock = (
            targets.response_due,
            targets.completion_due,
            targets.wall_clock,
        )
        changed += ["response_due", "completion_due", "wall_clock"]
    for name, value in (("response_due", response_due), ("completion_due", completion_due)):
        if value is not None:
            setattr(job, name, value)
            changed.append(name)
    if changed:
        job.full_clean()
        job.escalated_at = None if "completion_due" in changed else job.escalated_at
        job.save(update_fields=sorted({*changed, "escalated_at"}))
    if "category" in changed:
        # It leaves one category's jobs and joins another's: repeats after it (and its own flag) follow.
        for code in (old_category, job.category):
            refresh_repeats(job.org, location_id=job.location_id, category=code, since=job.reported_at)
    return job


def _check_technicians(org, chosen: Sequence[Membership]) -> list[Membership]:
    if not chosen:
        raise ValidationError({"technicians": _("Choose at least one technician.")})
    allowed = set(technicians(org).filter(pk__in=[m.pk for m in chosen]).values_list("pk", flat=True))
    wrong = [m for m in chosen if m.pk not in allowed]
    if wrong:
        raise ValidationError(
            {
                "technicians": _("{names}: not a technician of this organisation or its contractors.").format(
                    names="、".join(m.user.name for m in wrong)
                )
            }
        )
    return list({m.pk: m for m in chosen}.values())


@transaction.atomic
def job_dispatch(
    *,
    actor: Actor | None,
    job: Job,
    technicians: Sequence[Membership],
    lead: Membership | None = None,
    note: str = "",
    system: bool = False,
) -> Job:
    """派单 (or 改派): the job goes to these technicians — own staff or a contractor's people — who are told at
    once, night or day. Technicians taken off keep their assignment row, marked removed. ``actor=None`` with
    ``system=True`` is the system (a maintenance plan's job sent to the plan's technician)."""
    if actor is None:
        if not system:
            raise ValueError("job_dispatch needs an actor, or system=True for a dispatch made by the system")
    else:
        _require(actor, job, p.JOB_DISPATCH)
    chosen = _check_technicians(job.org, technicians)
    now = timezone.now()
    current = {a.membership_id: a for a in job.assignments.filter(removed_at__isnull=True)}
    for membership_id, assignment in current.items():
        if membership_id not in {m.pk for m in chosen}:
            assignment.removed_at = now
            assignment.save(update_fields=["removed_at"])
    lead = lead or chosen[0]
    added = []
    for membership in chosen:
        assignment = current.get(membership.pk)
        if assignment is None:
            JobAssignment.objects.create(
                org=job.org,
                job=job,
                membership=membership,
                user=membership.user,
                is_lead=membership.pk == lead.pk,
                assigned_at=now,
                assigned_by=actor.user if actor else None,
            )
            added.append(membership.user)
        elif assignment.is_lead != (membership.pk == lead.pk):
            assignment.is_lead = membership.pk == lead.pk
            assignment.save(update_fields=["is_lead"])
    job.party = next((m.party for m in chosen if m.party_id), None)
    job.dispatched_at = now
    job.accepted_at = None if added else job.accepted_at  # a new team accepts afresh
    Job.WORKFLOW.apply(
        job,
        "dispatch",
        actor=actor,
        note=note,
        also_save=["party", "dispatched_at", "accepted_at"],
        **({"system": True} if actor is None else {}),
    )
    if added:
        urgent = job.urgency != Urgency.NORMAL
        notify(
            org=job.org,
            recipients=added,
            event="maintenance.assigned",
            title=(
                _("{urgency} repair {code} for you: {place}") if urgent else _("Repair {code} for you: {place}")
            ).format(urgency=job.get_urgency_display(), code=job.code, place=job.location.name),
            body=_summary(job),
            url=job_url(job),
        )
    return job


@transaction.atomic
def job_reject(*, actor: Actor, job: Job, reason: str) -> Job:
    """驳回: not a repair for the office (a duplicate, not ours); the reporter is told why."""
    job.closed_at = timezone.now()
    Job.WORKFLOW.apply(job, "reject", actor=actor, note=reason, also_save=["closed_at"])
    refresh_repeats(job.org, location_id=job.location_id, category=job.category, since=job.reported_at)
    _tell_reporter(job, "maintenance.rejected", _("Repair {code} was rejected").format(code=job.code), reason)
    return job


@transaction.atomic
def job_cancel(*, actor: Actor, job: Job, reason: str) -> Job:
    """取消: withdrawn by the reporter before work starts, or cancelled by the office."""
    job.closed_at = timezone.now()
    Job.WORKFLOW.apply(job, "cancel", actor=actor, note=reason, also_save=["closed_at"])
    refresh_repeats(job.org, location_id=job.location_id, category=job.category, since=job.reported_at)
    notify(
        org=job.org,
        recipients=[a.user for a in job.assignments.filter(removed_at__isnull=True).select_related("user")],
        event="maintenance.cancelled",
        title=_("Repair {code} was cancelled").format(code=job.code),
        body=reason,
        url=job_url(job),
    )
    return job


# The technician ----------------------------------------------------------------------------------


@transaction.atomic
def job_accept(*, actor: Actor, job: Job) -> Job:
    """接单: the response target is met at this moment."""
    job.accepted_at = timezone.now()
    Job.WORKFLOW.apply(job, "accept", actor=actor, also_save=["accepted_at"])
    return job


@transaction.atomic
def job_start(*, actor: Actor, job: Job) -> Job:
    now = timezone.now()
    job.accepted_at = job.accepted_at or now
    job.started_at = job.started_at or now
    Job.WORKFLOW.apply(job, "start", actor=actor, also_save=["accepted_at", "started_at"])
    return job


@transaction.atomic
def job_hold(*, actor: Actor, job: Job, reason: str) -> Job:
    """挂起: waiting for parts or a contractor; the reason shows on the board."""
    job.hold_reason = reason.strip()[:200]
    Job.WORKFLOW.apply(job, "hold", actor=actor, note=reason, also_save=["hold_reason"])
    return job


@transaction.atomic
def job_resume(*, actor: Actor, job: Job) -> Job:
    job.hold_reason = ""
    job.started_at = job.started_at or timezone.now()
    Job.WORKFLOW.apply(job, "resume", actor=actor, also_save=["hold_reason", "started_at"])
    return job


def _clean_parts(lines: Sequence[dict]) -> list[JobPart]:
    """Part lines checked one by one; errors name the line: "第 2 行：数量必须大于 0"."""
    parts, errors = [], []
    for number, line in enumerate(lines, start=1):
        name = (line.get("name") or "").strip()
        try:
            quantity = Decimal(str(line.get("quantity") or "0"))
            unit_cost = Decimal(str(line.get("unit_cost") or "0"))
        except InvalidOperation:
            errors.append(_("Line {n}: enter numbers for quantity and unit cost.").format(n=number))
            continue
        if not name:
            errors.append(_("Line {n}: name the part.").format(n=number))
        if quantity <= 0:
            errors.append(_("Line {n}: the quantity must be above zero.").format(n=number))
        if unit_cost < 0:
            errors.append(_("Line {n}: the unit cost cannot be negative.").format(n=number))
        if quantity > 100000 or unit_cost > 1000000:
            errors.append(_("Line {n}: check the quantity and unit cost.").format(n=number))
        parts.append(
            JobPart(
                name=name[:100],
                spec=(line.get("spec") or "").strip()[:100],
                unit=(line.get("unit") or "").strip()[:10],
                quantity=quantity.quantize(CENT) if quantity > 0 else quantity,
                unit_cost=_money(unit_cost) if unit_cost >= 0 else unit_cost,
                amount=_money(quantity * unit_cost),
            )
        )
    if errors:
        raise ValidationError({"parts": errors})
    return parts


@transaction.atomic
def job_finish(
    *,
    actor: Actor,
    job: Job,
    work_done: str,
    cause: str,
    labour_hours: Decimal | None,
    parts: Sequence[dict] = (),
    contractor_invoice: Decimal | None = None,
    photos: Sequence = (),
) -> Job:
    """完工: what was done and why it broke, parts and hours; cost = parts + hours × the org's rate + the
    contractor's invoice, charged to the job's department. The reporter is asked to confirm."""
    errors = {}
    if cause and cause not in Cause.values:
        errors["cause"] = _("Choose the cause of the fault.")
    if labour_hours is not None and not (Decimal(0) <= labour_hours <= Decimal(1000)):
        errors["labour_hours"] = _("Enter the hours worked, between 0 and 1000.")
    invoice = contractor_invoice or Decimal(0)
    if invoice < 0 or invoice > Decimal(10_000_000):
        errors["contractor_invoice"] = _("Enter the invoice amount in yuan, 0 or more.")
    if errors:
        raise ValidationError(errors)
    lines = _clean_parts(parts)
    rate = Decimal(orgsettings.value(job.org, HOURLY_RATE.key))
    now = timezone.now()
    job.work_done = work_done.strip()
    job.cause = cause
    job.labour_hours = labour_hours
    job.hourly_rate = rate
    job.parts_cost = sum((line.amount for line in lines), Decimal("0.00"))
    job.labour_cost = _money((labour_hours or 0) * rate)
    job.contractor_invoice = _money(invoice)
    job.total_cost = job.parts_cost + job.labour_cost + job.contractor_invoice
    job.started_at = job.started_at or now
    job.finished_at = now
    fields = ["work_done", "cause", "labour_hours", "hourly_rate", "parts_cost", "labour_cost"]
    fields += ["contractor_invoice", "total_cost", "started_at", "finished_at"]
    Job.WORKFLOW.apply(job, "finish", actor=actor, also_save=fields)
    job.parts.all().delete()  # a job finished again after 返修 records its final parts (history keeps the old)
    for line in lines:
        line.org, line.job = job.org, job
    JobPart.objects.bulk_create(lines)
    for photo in photos:
        attachments.attachment_create(actor=actor, owner=job, upload=photo, note=PHOTO_AFTER)
    _tell_reporter(
        job, "maintenance.finished", _("Repair {code} is finished: please confirm").format(code=job.code), job.work_done
    )
    return job


# The reporter ------------------------------------------------------------------------------------


@transaction.atomic
def job_confirm(*, actor: Actor, job: Job, rating: int | None, comment: str = "") -> Job:
    """验收 and rate 1–5. The reporter must rate; the office confirming for someone who phoned may not."""
    if rating is None and job.reporter_id == actor.user.pk:
        raise ValidationError({"rating": _("Give the repair 1 to 5 stars.")})
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": _("The rating is 1 to 5 stars.")})
    now = timezone.now()
    job.rating, job.rating_comment = rating, comment.strip()[:200]
    job.confirmed_at = job.closed_at = now
    Job.WORKFLOW.apply(
        job, "confirm", actor=actor, note=comment, also_save=["rating", "rating_comment", "confirmed_at", "closed_at"]
    )
    return job


@transaction.atomic
def job_reopen(*, actor: Actor, job: Job, reason: str) -> Job:
    """返修: not fixed; back to the same technicians, who are told why."""
    job.reopen_count += 1
    job.finished_at = None
    job.accepted_at = None
    Job.WORKFLOW.apply(
        job, "reopen", actor=actor, note=reason, also_save=["reopen_count", "finished_at", "accepted_at"]
    )
    notify(
        org=job.org,
        recipients=[a.user for a in job.assignments.filter(removed_at__isnull=True).select_related("user")],
        event="maintenance.reopened",
        title=_("Repair {code} was sent back").format(code=job.code),
        body=reason,
        url=job_url(job),
    )
    return job


@transaction.atomic
def job_compensation_create(*, actor: Actor, job: Job, person: Membership, amount: Decimal, reason: str):
    """赔偿 for damage a person caused (cause 人为损坏); it shows on that person's page."""
    _require(actor, job, p.JOB_DISPATCH)
    if job.state not in (JobState.FINISHED, JobState.DONE):
        raise ValidationError(_("Record compensation once the repair is finished."))
    return compensation_create(
        actor=actor, person=person, amount=amount, reason=reason, source=job, source_label=job.code
    )


# Helpers ---------------------------------------------------------------------------------------


def _require(actor: Actor, job: Job, action: str) -> None:
    """For writes that are not workflow moves (the workflow kit checks its moves on the row itself)."""
    if actor.via_bureau or not restrict(Job.objects.filter(pk=job.pk), actor, action).exists():
        raise PermissionDenied


def _tell_reporter(job: Job, event: str, title: str, body: str) -> None:
    if job.reporter_id:
        notify(org=job.org, recipients=[job.reporter], event=event, title=title, body=body, url=job_url(job))


# Tick jobs ---------------------------------------------------------------------------------------


@tick.job("maintenance.escalate_overdue")
def escalate_overdue(now: datetime) -> int:
    """Overdue jobs are escalated to the logistics head once (one message per organisation and run)."""
    with scopes_disabled():
        due = list(Job.objects.filter(overdue_q(now), escalated_at__isnull=True).order_by("org_id", "id"))
    by_org: dict[int, list[Job]] = {}
    for job in due:
        by_org.setdefault(job.org_id, []).append(job)
    for jobs in by_org.values():
        org = jobs[0].org
        with org_scope(org):
            Job.objects.filter(pk__in=[j.pk for j in jobs]).update(escalated_at=now)
            codes = "、".join(j.code for j in jobs[:10]) + ("…" if len(jobs) > 10 else "")
            notify(
                org=org,
                recipients=office_users(org, roles=(Role.LOGISTICS_HEAD,)),
                event="maintenance.overdue",
                title=_("{count} repair jobs are overdue").format(count=len(jobs)),
                body=codes,
                url=reverse("maintenance:board", args=[org.code]) + "?overdue=true",
            )
    return len(due)


@tick.job("maintenance.auto_confirm")
def auto_confirm(now: datetime) -> int:
    """Finished jobs nobody confirmed or sent back within the org's days are confirmed, unrated."""
    changed = 0
    with scopes_disabled():
        org_ids = set(Job.objects.filter(state=JobState.FINISHED).values_list("org_id", flat=True))
    for org in Organization.objects.filter(pk__in=org_ids):
        with org_scope(org):
            days = orgsettings.value(org, AUTO_CONFIRM_DAYS.key)
            for job in Job.objects.filter(state=JobState.FINISHED, finished_at__lte=now - timedelta(days=days)):
                job.confirmed_at = job.closed_at = now
                job.auto_confirmed = True
                Job.WORKFLOW.apply(
                    job,
                    "auto_confirm",
                    actor=None,
                    system=True,
                    note=_("Not confirmed within {days} days.").format(days=days),
                    also_save=["confirmed_at", "closed_at", "auto_confirmed"],
                )
                changed += 1
    return changed
