from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import new_qr_token
from houqin.core.tenancy import OrgScopedModel

from ..choices import CheckResult, RoundState, ScheduleKind


class PatrolRoute(OrgScopedModel):
    """巡查路线: checkpoints walked in order on a schedule (daily at 08:00, each working day, weekly)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    schedule = models.CharField(_("schedule"), max_length=20, choices=ScheduleKind.choices, default="daily")
    weekday = models.PositiveSmallIntegerField(  # 1 = Monday … 7 = Sunday, for weekly routes
        _("weekday"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    start_time = models.TimeField(_("starts at"))
    window_hours = models.DecimalField(  # a round not finished this long after its start is missed
        _("time allowed (hours)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    responsible = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self):
        return self.name


class Checkpoint(OrgScopedModel):
    """A place on a route; its printed QR code is the only way to mark it reached."""

    route = models.ForeignKey(
        PatrolRoute, on_delete=models.CASCADE, related_name="checkpoints", verbose_name=_("route")
    )
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    instructions = models.CharField(_("what to check"), max_length=200, blank=True)
    qr_token = models.CharField(_("QR token"), max_length=20, unique=True, default=new_qr_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "position", "id"]

    def __str__(self):
        return "{} #{}".format(self.route_id, self.position)


class PatrolRound(OrgScopedModel):
    """One scheduled walk of a route (made by ``houqin tick``); missed when its window ends incomplete."""

    route = models.ForeignKey(PatrolRoute, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("route"))
    scheduled_for = models.DateTimeField(_("scheduled for"))
    due_by = models.DateTimeField(_("to be finished by"))
    state = models.CharField(_("status"), max_length=20, choices=RoundState.choices, default=RoundState.PLANNED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    checkpoint_count = models.PositiveSmallIntegerField(_("checkpoints"), default=0)  # when the round was made
    visited_count = models.PositiveSmallIntegerField(_("reached"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "scheduled_for"], name="%(app_label)s_%(class)s_once_per_slot"),
        ]
        indexes = [models.Index(fields=["org", "state", "scheduled_for"], name="mnt_round_state")]

    def __str__(self):
        return "{} {}".format(self.route_id, self.scheduled_for)


class CheckpointVisit(OrgScopedModel):
    """A checkpoint reached in a round through its QR code: who, when (server time), fine or a problem."""

    round = models.ForeignKey(PatrolRound, on_delete=models.CASCADE, related_name="visits", verbose_name=_("round"))
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="visits", verbose_name=_("checkpoint")
    )
    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    visited_at = models.DateTimeField(_("reached"), default=timezone.now)
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices, default=CheckResult.OK)
    note = models.CharField(_("note"), max_length=200, blank=True)
    job = models.ForeignKey(
        "maintenance.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("job")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checkpoint visit")
        verbose_name_plural = _("checkpoint visits")
        ordering = ["visited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "checkpoint"], name="%(app_label)s_%(class)s_once_per_round"),
        ]

    def __str__(self):
        return "{} @ {}".format(self.checkpoint_id, self.visited_at)
