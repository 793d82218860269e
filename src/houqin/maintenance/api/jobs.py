"""API of repair jobs: 报修, the list and one job, the office's corrections, and every workflow step.

Reads go through ``restrict()`` and ``JobFilterSet`` (the page's own filter); every write calls the same
service as the pages, so permissions, states, SLA targets, numbering and history are the service's. A
service's ``ValidationError`` becomes a 400 with field errors, a refused role a 403, a job the actor may
not see a 404.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from houqin.assets.models import Asset
from houqin.core import rows
from houqin.core.api.base import READ_ACTIONS, OrgViewSetMixin
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Department, Location, Membership, mask_phone
from houqin.core.permissions import restrict
from houqin.core.selectors import org_names, sees_phones
from houqin.core.workflow import events_for

from .. import permissions as p
from .. import services
from ..choices import Cause, JobState, Urgency
from ..filtersets import JobFilterSet
from ..models import Incident, Job, JobAssignment, JobPart
from ..selectors.jobs import category_labels, with_relations

# Which permission-table action each endpoint needs (the service checks the row again).
ACTION_PERMISSIONS = {
    "create": p.JOB_REPORT,
    "partial_update": p.JOB_DISPATCH,
    "dispatch_job": p.JOB_DISPATCH,  # not "dispatch": that name is the view's own request entry
    "reject": p.JOB_DISPATCH,
    "accept": p.JOB_WORK,
    "start": p.JOB_WORK,
    "hold": p.JOB_WORK,
    "resume": p.JOB_WORK,
    "finish": p.JOB_WORK,
    "confirm": p.JOB_CONFIRM,
    "reopen": p.JOB_CONFIRM,
    "cancel": p.JOB_CANCEL,
}


def _when(value, zone=None) -> str | None:
    return value.astimezone(zone or timezone.get_current_timezone()).isoformat() if value is not None else None


def _money(value) -> str | None:
    return "{:f}".format(value) if value is not None else None


# Output ------------------------------------------------------------------------------------------


class RowRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TechnicianSerializer(serializers.Serializer):
    membership = serializers.IntegerField(help_text="Membership id (what dispatch takes)")
    user = serializers.IntegerField(help_text="Person id (the technician filter of the list takes it)")
    name = serializers.CharField()
    is_lead = serializers.BooleanField()


class JobPartSerializer(serializers.Serializer):
    """A part line: free text with quantity and unit cost (amount = quantity × unit cost)."""

    name = serializers.CharField(max_length=100)
    spec = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Yuan per unit")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


def _ref(row) -> dict | None:
    return {"id": row.pk, "name": row.name} if row is not None else None


# An answer's rows by fixed statements (core.rows): the ORM only decides which jobs.
JOB_ROWS = rows.Select(Job)
TECHNICIAN_ROWS = rows.Select(
    JobAssignment,
    ["job_id", "membership_id", "user_id", "is_lead"],
    key="job_id",
    where="removed_at IS NULL",
    order="is_lead DESC, id",
)
PART_ROWS = rows.Select(
    JobPart, ["job_id", "name", "spec", "unit", "quantity", "unit_cost", "amount"], key="job_id", order="id"
)


def attach_rows(jobs: list[Job], *, parts: bool) -> list[Job]:
    """Give each job what an answer shows besides its own columns, one statement each for a whole page:
    the technicians now on it as ``technician_rows`` (and its part lines as ``part_rows``)."""
    by_job = {job.pk: job for job in jobs}
    for job in jobs:
        job.technician_rows, job.part_rows = [], []
    if not jobs:
        return jobs
    for job_id, *row in TECHNICIAN_ROWS.rows(list(by_job)):
        by_job[job_id].technician_rows.append(row)
    if parts:
        for job_id, *row in PART_ROWS.rows(list(by_job)):
            by_job[job_id].part_rows.append(row)
    return jobs


def _named(pk: int | None, names: dict[int, str]) -> dict | None:
    return {"id": pk, "name": names.get(pk, "")} if pk is not None else None


class JobSerializer(serializers.Serializer):
    """A repair job as the list shows it. Times are in Asia/Shanghai; money in yuan (strings, 2 places).

    ``contact_phone`` is masked (139****0000) unless you are the reporter, a technician on the job, or may
    see phone numbers (the logistics office, leaders, department heads)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="BX-2026-00042")
    state = serializers.CharField(
        help_text="new, assigned, accepted, in_progress, on_hold, finished, done, rejected, cancelled"
    )
    state_label = serializers.CharField()
    source = serializers.CharField(help_text="report, public, patrol, plan, incident")
    category = serializers.CharField(help_text='A code of the org\'s dictionary "maintenance.category"')
    category_label = serializers.CharField()
    urgency = serializers.CharField(help_text="normal, urgent, emergency")
    location = RowRefSerializer()
    building = RowRefSerializer(allow_null=True)
    description = serializers.CharField()
    reporter = RowRefSerializer(allow_null=True, help_text="The person (user id); empty for a report without login")
    reporter_name = serializers.CharField()
    contact_phone = serializers.CharField()
    department = RowRefSerializer(allow_null=True, help_text="The department charged (科室成本核算)")
    party = RowRefSerializer(allow_null=True, help_text="The contractor or 物业 company doing the work")
    technicians = TechnicianSerializer(many=True, help_text="Technicians now on the job, the lead first")
    reported_at = serializers.DateTimeField()
    response_due = serializers.DateTimeField(allow_null=True)
    completion_due = serializers.DateTimeField(allow_null=True)
    wall_clock = serializers.BooleanField(help_text="Targets count around the clock (emergency, critical place)")
    dispatched_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Open and past its target now")
    hold_reason = serializers.CharField()
    work_done = serializers.CharField()
    cause = serializers.CharField(help_text="aging, damage, misuse, design, other (empty until finished)")
    labour_hours = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    parts_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    labour_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    contractor_invoice = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()
    reopen_count = serializers.IntegerField()
    plan = serializers.IntegerField(allow_null=True, help_text="The maintenance plan that generated it (id)")
    incident = serializers.IntegerField(allow_null=True, help_text="The emergency it belongs to (id)")
    asset = serializers.IntegerField(allow_null=True, help_text="The asset at fault (asset id), if one is named")
    url = serializers.CharField(help_text="The job's page")

    # Written out by hand: the list answers in a few milliseconds, and the declared fields above are what the
    # schema documents (test_api_jobs checks that both name the same keys).
    def to_representation(self, job: Job) -> dict:
        context = self.context
        assignments = job.technician_rows  # attach_rows(): (membership, user, is_lead), the lead first
        names = context["names"]
        actor = context["actor"]
        zone = context["zone"]
        phone = job.contact_phone
        if not (
            context["sees_phones"]
            or job.reporter_id == actor.user.pk
            or any(user == actor.user.pk for _membership, user, _lead in assignments)
        ):
            phone = mask_phone(phone)
        return {
            "id": job.pk,
            "code": job.code,
            "state": job.state,
            "state_label": context["state_labels"].get(job.state, job.state),
            "source": job.source,
            "category": job.category,
            "category_label": context["category_labels"].get(job.category, job.category),
            "urgency": job.urgency,
            "location": _named(job.location_id, names.places),
            "building": _named(job.building_id, names.places),
            "description": job.description,
            "reporter": _named(job.reporter_id, names.people),
            "reporter_name": job.reporter_name,
            "contact_phone": phone,
            "department": _named(job.department_id, names.departments),
            "party": _named(job.party_id, names.parties),
            "technicians": [
                {"membership": membership, "user": user, "name": names.people.get(user, ""), "is_lead": lead}
                for membership, user, lead in assignments
            ],
            "reported_at": _when(job.reported_at, zone),
            "response_due": _when(job.response_due, zone),
            "completion_due": _when(job.completion_due, zone),
            "wall_clock": job.wall_clock,
            "dispatched_at": _when(job.dispatched_at, zone),
            "accepted_at": _when(job.accepted_at, zone),
            "started_at": _when(job.started_at, zone),
            "finished_at": _when(job.finished_at, zone),
            "confirmed_at": _when(job.confirmed_at, zone),
            "closed_at": _when(job.closed_at, zone),
            "overdue": job.is_overdue(context["now"]),
            "hold_reason": job.hold_reason,
            "work_done": job.work_done,
            "cause": job.cause,
            "labour_hours": _money(job.labour_hours),
            "parts_cost": _money(job.parts_cost),
            "labour_cost": _money(job.labour_cost),
            "contractor_invoice": _money(job.contractor_invoice),
            "total_cost": _money(job.total_cost),
            "rating": job.rating,
            "rating_comment": job.rating_comment,
            "reopen_count": job.reopen_count,
            "plan": job.plan_id,
            "incident": job.incident_id,
            "asset": job.asset_id,
            "url": context["url_prefix"] + "{}/".format(job.pk),
        }


class JobDetailSerializer(JobSerializer):
    """One repair job with its part lines."""

    parts = JobPartSerializer(many=True)

    def to_representation(self, job: Job) -> dict:
        data = super().to_representation(job)
        data["parts"] = [
            {
                "name": name,
                "spec": spec,
                "unit": unit,
                "quantity": _money(quantity),
                "unit_cost": _money(unit_cost),
                "amount": _money(amount),
            }
            for name, spec, unit, quantity, unit_cost, amount in job.part_rows
        ]
        return data


class JobEventSerializer(serializers.Serializer):
    """One step of the job's timeline: who moved it from which state to which, when, and why."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="report, dispatch, accept, start, hold, resume, finish, confirm, …")
    action_label = serializers.CharField()
    from_state = serializers.CharField(help_text="Empty for the report itself")
    from_label = serializers.CharField()
    to_state = serializers.CharField()
    to_label = serializers.CharField()
    actor = RowRefSerializer(allow_null=True, help_text="Empty when the system moved it (a tick job, a public report)")
    actor_name = serializers.CharField(help_text='The person, or "System"')
    note = serializers.CharField()

    def to_representation(self, event) -> dict:
        workflow = Job.WORKFLOW
        return {
            "id": event.pk,
            "at": _when(event.at),
            "action": event.action,
            "action_label": workflow.action_label(event.action),
            "from_state": event.from_state,
            "from_label": workflow.state_label(event.from_state),
            "to_state": event.to_state,
            "to_label": workflow.state_label(event.to_state),
            "actor": _ref(event.actor) if event.actor_id else None,
            "actor_name": event.actor.name if event.actor_id else _("System"),
            "note": event.note,
        }


# Input -------------------------------------------------------------------------------------------

PHOTOS_HELP = "Photos (JPEG, PNG, HEIC) as multipart files named photos; GPS and other metadata are removed."


class JobCreateSerializer(serializers.Serializer):
    """报修: the place, what is wrong, how urgent. JSON, or multipart with photos."""

    location = OrgRowField(Location, ("building",), help_text="The place (location id), e.g. from its QR label")
    category = serializers.CharField(max_length=40, help_text='A code of the org\'s dictionary "maintenance.category"')
    description = serializers.CharField(max_length=1000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    department = OrgRowField(
        Department,
        required=False,
        allow_null=True,
        default=None,
        help_text="The department to charge; only the logistics office may choose (default: the reporter's)",
    )
    incident = OrgRowField(Incident, required=False, allow_null=True, default=None, help_text="An emergency (id)")
    asset = OrgRowField(
        Asset,
        required=False,
        allow_null=True,
        default=None,
        help_text="The asset at fault (asset id): one you may see (the office: any of the organisation) and still"
        " on the books",
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, help_text=PHOTOS_HELP)


class JobUpdateSerializer(serializers.Serializer):
    """The office corrects an open job; changing category or urgency recomputes the targets."""

    category = serializers.CharField(max_length=40, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    department = OrgRowField(Department, required=False, help_text="The department to charge")
    response_due = serializers.DateTimeField(required=False)
    completion_due = serializers.DateTimeField(required=False)
    asset = OrgRowField(
        Asset, required=False, allow_null=True, help_text="The asset at fault (asset id); null takes it off"
    )


class DispatchSerializer(serializers.Serializer):
    """派单 or 改派: the technicians (own staff or people of a contractor) now on the job."""

    technicians = OrgRowField(Membership, many=True, help_text="Membership ids of technicians")
    lead = OrgRowField(Membership, required=False, allow_null=True, default=None, help_text="One of technicians")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, data):
        lead = data.get("lead")
        if lead is not None and lead not in data["technicians"]:
            raise serializers.ValidationError({"lead": _("The lead must be one of the chosen technicians.")})
        return data


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="", help_text="The reason")


class FinishSerializer(serializers.Serializer):
    """完工: what was done, why it broke, parts and hours; cost = parts + hours × the org's rate + invoice."""

    work_done = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    cause = serializers.ChoiceField(choices=Cause.choices, required=False, allow_blank=True, default="")
    labour_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None
    )
    parts = JobPartSerializer(many=True, required=False, default=list)
    contractor_invoice = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Yuan, when a contractor did it",
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, help_text=PHOTOS_HELP)


class ConfirmSerializer(serializers.Serializer):
    """验收: the reporter rates the repair 1–5 (the office confirming for someone who phoned may leave it)."""

    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# Views -------------------------------------------------------------------------------------------


def _photo_errors(exc: ValidationError) -> ValidationError:
    """An upload refused by the attachments kit names its field "file"; here the field is "photos"."""
    if hasattr(exc, "error_dict") and "file" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["photos"] = errors.pop("file")
        return ValidationError(errors)
    return exc


def _job_action(summary: str, request=None):
    return extend_schema(summary=summary, request=request, responses=JobDetailSerializer)


@extend_schema_view(
    list=extend_schema(summary="Repair jobs you may see, newest first"),
    retrieve=extend_schema(summary="One repair job, with its parts"),
    create=extend_schema(
        summary="Report a repair (报修)",
        request={"application/json": JobCreateSerializer, "multipart/form-data": JobCreateSerializer},
        responses={201: JobDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Correct a job (the office): category, urgency, charged department, due times, asset",
        request=JobUpdateSerializer,
        responses=JobDetailSerializer,
    ),
)
class JobViewSet(OrgWriteViewSet):
    """维修工单: staff see what they reported, technicians what they are assigned, department heads their
    department's, the logistics office everything; a bureau reads and writes nothing."""

    queryset = Job.objects.none()
    serializer_class = JobSerializer
    filterset_class = JobFilterSet
    view_permission = p.JOB_VIEW
    manage_permission = p.JOB_REPORT  # the least write; each endpoint's own is in ACTION_PERMISSIONS
    ordering = ("-reported_at", "-id")  # newest first; the (org, …, reported_at) indexes serve every scope

    def initial(self, request, *args, **kwargs):
        # A step on one job looks the job up first: one you cannot see is 404 whatever the step, one you see
        # but may not move this way is 403 (get_object checks the step's own action on the row).
        required = ACTION_PERMISSIONS.get(self.action)
        self.manage_permission = p.JOB_VIEW if self.detail else required
        super().initial(request, *args, **kwargs)
        self.manage_permission = required

    def get_parsers(self):
        # Photos come as multipart files with a report and with the finished work; everything else is JSON.
        if getattr(self, "action_map", {}).get("post") in ("create", "finish"):
            return [JSONParser(), MultiPartParser(), FormParser()]
        return [JSONParser()]

    def base_queryset(self):
        # An answer shows the job's own columns, the related rows' names (org_names) and attach_rows();
        # a step gives its service whole rows.
        return Job.objects.all() if self.action in READ_ACTIONS else with_relations(Job.objects.all())

    def paginate_queryset(self, queryset):
        # The page's ids by the ORM (scope, filters, cursor), the rows by one fixed statement.
        page = super().paginate_queryset(queryset.values("id", "reported_at"))
        return attach_rows(JOB_ROWS.instances([row["id"] for row in page]), parts=False)

    def get_object(self):
        if self.action not in READ_ACTIONS:
            return super().get_object()
        try:
            visible = self.get_queryset().filter(pk=self.kwargs["pk"]).values("id")
        except (TypeError, ValueError, ValidationError):
            raise Http404 from None
        found = JOB_ROWS.instances(visible)
        if not found:
            raise Http404
        return attach_rows(found, parts=True)[0]

    def filter_queryset(self, queryset):
        # Only the list filters (one job is found by its id alone), and only when a filter is asked for.
        if self.action == "list" and not self.request.query_params.keys() & JobFilterSet.base_filters.keys():
            return queryset
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @cached_property
    def _labels(self) -> dict:
        return category_labels(self.request.org)

    def get_serializer_context(self):
        return self._context  # the same for the input and the answer of a write: worked out once

    @cached_property
    def _context(self) -> dict:
        context = super().get_serializer_context()
        actor = getattr(self, "actor", None)
        if actor is not None:
            context.update(
                actor=actor,
                sees_phones=sees_phones(actor),
                names=org_names(actor.org),
                category_labels=self._labels,
                state_labels={value: str(label) for value, label in JobState.choices},
                now=timezone.now(),
                zone=timezone.get_current_timezone(),
                url_prefix=reverse("maintenance:job_detail", args=[actor.org.code, 0])[:-2],
            )
        return context

    def get_serializer_class(self):
        return {
            "list": JobSerializer,
            "create": JobCreateSerializer,
            "partial_update": JobUpdateSerializer,
            "dispatch_job": DispatchSerializer,
            "hold": NoteSerializer,
            "reopen": NoteSerializer,
            "reject": NoteSerializer,
            "cancel": NoteSerializer,
            "finish": FinishSerializer,
            "confirm": ConfirmSerializer,
        }.get(self.action, JobDetailSerializer)

    def read_response(self, instance, status_code=status.HTTP_200_OK, serializer_class=None):
        job = attach_rows(JOB_ROWS.instances([instance.pk]), parts=True)[0]
        return Response(JobDetailSerializer(job, context=self.get_serializer_context()).data, status=status_code)

    # Writes ------------------------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        data = self.validated()
        try:
            job = services.job_report(actor=self.actor, **data)
        except ValidationError as exc:
            raise _photo_errors(exc) from exc
        # The service's row is the saved one, and a new job has nobody on it and no parts: nothing to reread.
        job.technician_rows, job.part_rows = [], []
        return Response(JobDetailSerializer(job, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_update(actor=self.actor, job=job, **self.validated(partial=True))
        return self.read_response(job)

    @_job_action("Dispatch or reassign (派单/改派) to technicians", DispatchSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_job(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_dispatch(actor=self.actor, job=job, **self.validated())
        return self.read_response(job)

    @_job_action("Accept the job (接单)")
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_accept(actor=self.actor, job=job)
        return self.read_response(job)

    @_job_action("Start the repair")
    @action(detail=True, methods=["post"])
    def start(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_start(actor=self.actor, job=job)
        return self.read_response(job)

    @_job_action("Put on hold (挂起), e.g. waiting for parts; a reason is required", NoteSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_hold(actor=self.actor, job=job, reason=self.validated()["note"])
        return self.read_response(job)

    @_job_action("Resume a job on hold")
    @action(detail=True, methods=["post"])
    def resume(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_resume(actor=self.actor, job=job)
        return self.read_response(job)

    @extend_schema(
        summary="Finish the repair (完工): work done, cause, hours, parts, photos",
        request={"application/json": FinishSerializer, "multipart/form-data": FinishSerializer},
        responses=JobDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def finish(self, request, *args, **kwargs):
        job = self.get_object()
        data = self.validated()
        data["parts"] = [dict(line) for line in data["parts"]]
        try:
            services.job_finish(actor=self.actor, job=job, **data)
        except ValidationError as exc:
            raise _photo_errors(exc) from exc
        return self.read_response(job)

    @_job_action("Confirm the repair (验收) and rate it 1–5", ConfirmSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_confirm(actor=self.actor, job=job, **self.validated())
        return self.read_response(job)

    @_job_action("Send back (返修): not fixed; a reason is required", NoteSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_reopen(actor=self.actor, job=job, reason=self.validated()["note"])
        return self.read_response(job)

    @_job_action("Reject (驳回) a new job, e.g. a duplicate; a reason is required", NoteSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_reject(actor=self.actor, job=job, reason=self.validated()["note"])
        return self.read_response(job)

    @_job_action("Cancel (取消) before the work starts; a reason is required", NoteSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        job = self.get_object()
        services.job_cancel(actor=self.actor, job=job, reason=self.validated()["note"])
        return self.read_response(job)


@extend_schema_view(
    list=extend_schema(
        summary="The job's timeline: every workflow step, oldest first",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The job's id")],
        responses=JobEventSerializer(many=True),
    )
)
class JobTimelineViewSet(OrgViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A read like the job itself: whoever may see the job (a bureau too) may read its timeline."""

    queryset = Job.objects.none()
    serializer_class = JobEventSerializer
    view_permission = p.JOB_VIEW
    pagination_class = None  # a job's steps are few; the whole timeline in one answer

    def get_queryset(self):
        job = get_object_or_404(restrict(Job.objects.all(), self.actor, p.JOB_VIEW), pk=self.kwargs["pk"])
        return events_for(job)


def register(router):
    router.register("jobs", JobViewSet, basename="api_job")
    router.register(r"jobs/(?P<pk>[0-9]+)/timeline", JobTimelineViewSet, basename="api_job_timeline")
