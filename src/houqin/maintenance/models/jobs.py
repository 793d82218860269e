from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow

from .. import permissions as p
from ..choices import Cause, JobSource, JobState, Urgency

S = JobState


def _assigned_to(user):
    # Several technicians may share a job: a subquery keeps each job once in a list.
    return Q(pk__in=JobAssignment.objects.filter(user=user, removed_at__isnull=True).values("job_id"))


def has_technician(job, actor, **context):
    if not job.assignments.filter(removed_at__isnull=True).exists():
        return _("Choose at least one technician.")
    return None


def has_work_record(job, actor, **context):
    if not job.work_done.strip():
        return _("Describe the work done.")
    if not job.cause:
        return _("Choose the cause of the fault.")
    return None


class Job(OrgScopedModel):
    """维修工单: one repair or maintenance task, from the report to the reporter's acceptance."""

    code = models.CharField(_("job number"), max_length=30)  # BX-2026-00042
    state = models.CharField(_("status"), max_length=20, choices=JobState.choices, default=S.NEW)
    source = models.CharField(_("source"), max_length=20, choices=JobSource.choices, default=JobSource.REPORT)
    category = models.CharField(_("category"), max_length=40)  # dictionary maintenance.category
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    # Copied from the location so that "jobs in building X" hits an index.
    building = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    # The asset at fault, when the report came from its label or the dispatcher names it (its card lists
    # the repairs and their cost).
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("asset")
    )
    description = models.TextField(_("description"), max_length=1000)
    reporter = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reporter")
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)  # reports without login
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # 科室成本核算: the reporter's department by default; the dispatcher may change it.
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("charged department"),
    )
    party = models.ForeignKey(
        "core.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contractor"),
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    # SLA targets, computed when reported (and again when the urgency or place changes).
    response_due = models.DateTimeField(_("response due"), null=True, blank=True)
    completion_due = models.DateTimeField(_("completion due"), null=True, blank=True)
    wall_clock = models.BooleanField(_("counted around the clock"), default=False)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)  # done, rejected or cancelled
    hold_reason = models.CharField(_("reason for hold"), max_length=200, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)  # overdue: head told once
    # Completion (完工)
    work_done = models.TextField(_("work done"), max_length=1000, blank=True)
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices, blank=True)
    labour_hours = models.DecimalField(
        _("labour hours"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=8, decimal_places=2, null=True, blank=True)
    parts_cost = models.DecimalField(_("parts"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    labour_cost = models.DecimalField(_("labour"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    contractor_invoice = models.DecimalField(
        _("contractor invoice"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    total_cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Acceptance (验收)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("comment"), max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("sent back"), default=0)
    # 重复故障: an earlier job (not rejected or cancelled) at the same place and category within REPEAT_DAYS.
    # Stored, and kept true by services/repeats.py, so that lists and statistics need no probe per job.
    is_repeat = models.BooleanField(_("repeat fault"), default=False, editable=False)
    # Where it came from
    plan = models.ForeignKey(
        "maintenance.MaintenancePlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("maintenance plan"),
    )
    plan_due_on = models.DateField(_("planned for"), null=True, blank=True)
    incident = models.ForeignKey(
        "maintenance.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("emergency"),
    )
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    history = HistoricalRecords(excluded_fields=["is_repeat"])  # derived from other jobs: no event of its own

    scope_fields = {"own": "reporter", "assigned": _assigned_to, "department": "department"}

    WORKFLOW = Workflow(
        state_field="state",
        transitions=[
            Transition(None, "report", S.NEW, p.JOB_REPORT, label=_("Reported")),
            Transition(None, "plan", S.NEW, p.JOB_DISPATCH, label=_("Generated by a plan")),
            Transition(
                (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD),  # again: 改派
                "dispatch",
                S.ASSIGNED,
                p.JOB_DISPATCH,
                guards=(has_technician,),
                label=_("Dispatch"),
            ),
            Transition(S.NEW, "reject", S.REJECTED, p.JOB_DISPATCH, label=_("Reject"), needs_note=True),
            Transition(S.ASSIGNED, "accept", S.ACCEPTED, p.JOB_WORK, label=_("Accept")),
            Transition((S.ASSIGNED, S.ACCEPTED), "start", S.IN_PROGRESS, p.JOB_WORK, label=_("Start")),
            Transition(
                (S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS), "hold", S.ON_HOLD, p.JOB_WORK, label=_("Hold"), needs_note=True
            ),
            Transition(S.ON_HOLD, "resume", S.IN_PROGRESS, p.JOB_WORK, label=_("Resume")),
            Transition(
                (S.ACCEPTED, S.IN_PROGRESS),
                "finish",
                S.FINISHED,
                p.JOB_WORK,
                guards=(has_work_record,),
                label=_("Finish"),
            ),
            Transition(S.FINISHED, "confirm", S.DONE, p.JOB_CONFIRM, label=_("Confirm")),
            Transition(S.FINISHED, "reopen", S.ASSIGNED, p.JOB_CONFIRM, label=_("Send back"), needs_note=True),
            Transition(S.FINISHED, "auto_confirm", S.DONE, p.JOB_CONFIRM, label=_("Confirmed automatically")),
            Transition(
                (S.NEW, S.ASSIGNED, S.ACCEPTED, S.ON_HOLD),
                "cancel",
                S.CANCELLED,
                p.JOB_CANCEL,
                label=_("Cancel"),
                needs_note=True,
            ),
        ],
    )

    class Meta:
        verbose_name = _("repair job")
        verbose_name_plural = _("repair jobs")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            # A plan makes one job per due date, however often tick runs.
            models.UniqueConstraint(
                fields=["plan", "plan_due_on"],
                condition=Q(plan__isnull=False),
                name="%(app_label)s_%(class)s_one_per_plan_date",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="%(app_label)s_%(class)s_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(completion_due__isnull=True) | Q(completion_due__gte=models.F("reported_at")),
                name="%(app_label)s_%(class)s_due_after_report",
            ),
            # Someone to call back — except for jobs a maintenance plan made, which nobody reported.
            models.CheckConstraint(
                condition=Q(reporter__isnull=False) | ~Q(contact_phone="") | Q(source="plan"),
                name="%(app_label)s_%(class)s_reporter_or_phone",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "state", "completion_due"], name="mnt_job_state_due"),
            # A period's jobs (lists, facts, statistics). Every column the statistics page counts follows the
            # (org, reported_at) that finds the period, so PostgreSQL reads its figures from this index alone.
            models.Index(
                fields=[
                    "org",
                    "reported_at",
                    "category",
                    "building",
                    "department",
                    "state",
                    "urgency",
                    "party",
                    "total_cost",
                    "rating",
                    "reopen_count",
                    "completion_due",
                    "accepted_at",
                    "finished_at",
                    "is_repeat",
                    "id",
                ],
                name="mnt_job_period",
            ),
            models.Index(fields=["org", "is_repeat", "reported_at"], name="mnt_job_repeat"),
            models.Index(fields=["org", "building", "reported_at"], name="mnt_job_building"),
            models.Index(fields=["org", "department", "reported_at"], name="mnt_job_department"),
            models.Index(fields=["org", "reporter", "reported_at"], name="mnt_job_reporter"),
            models.Index(fields=["org", "location", "category", "reported_at"], name="mnt_job_place_category"),
            # "Finished today" on the technician's list, without reading every job ever finished.
            models.Index(fields=["org", "finished_at"], name="mnt_job_finished"),
        ]

    def __str__(self):
        return "{} {}".format(self.code, self.description[:30])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.completion_due and self.reported_at and self.completion_due < self.reported_at:
            raise ValidationError({"completion_due": _("The due time cannot be before the report.")})
        if self.response_due and self.reported_at and self.response_due < self.reported_at:
            raise ValidationError({"response_due": _("The due time cannot be before the report.")})

    @property
    def is_open(self) -> bool:
        return self.state in (S.NEW, S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD)

    def is_overdue(self, now=None) -> bool:
        """Still owed and past its completion target (or, before anyone accepted it, its response target)."""
        now = now or timezone.now()
        if not self.is_open:
            return False
        if self.completion_due and now > self.completion_due:
            return True
        return bool(self.response_due and not self.accepted_at and not self.started_at and now > self.response_due)


class JobAssignment(OrgScopedModel):
    """A technician on a job — own staff or a person of a contractor or 物业 company; several may share one."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("job"))
    membership = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="+", verbose_name=_("technician")
    )
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")  # copied, for scopes
    is_lead = models.BooleanField(_("lead"), default=False)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    assigned_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    removed_at = models.DateTimeField(_("taken off"), null=True, blank=True)  # reassigned: kept, not deleted

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "membership"],
                condition=Q(removed_at__isnull=True),
                name="%(app_label)s_%(class)s_once_per_job",
            ),
        ]
        indexes = [models.Index(fields=["org", "user", "removed_at"], name="mnt_assignment_user")]

    def __str__(self):
        return "{} → {}".format(self.job_id, self.membership_id)


class JobPart(OrgScopedModel):
    """A part used on a job: a free line (name, quantity, unit cost) until the supplies module issues stock."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="parts", verbose_name=_("job"))
    name = models.CharField(_("part"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="%(app_label)s_%(class)s_cost_not_negative"),
        ]

    def __str__(self):
        return self.name
