from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobState(models.TextChoices):
    NEW = "new", _("Awaiting dispatch")  # 待受理
    ASSIGNED = "assigned", _("Dispatched")  # 已派单
    ACCEPTED = "accepted", _("Accepted")  # 已接单
    IN_PROGRESS = "in_progress", _("Being repaired")  # 维修中
    ON_HOLD = "on_hold", _("On hold")  # 挂起
    FINISHED = "finished", _("Awaiting confirmation")  # 待验收
    DONE = "done", _("Completed")  # 已完成
    REJECTED = "rejected", _("Rejected")  # 已驳回
    CANCELLED = "cancelled", _("Cancelled")  # 已取消


OPEN_STATES = (JobState.NEW, JobState.ASSIGNED, JobState.ACCEPTED, JobState.IN_PROGRESS, JobState.ON_HOLD)
# Work still owed by the technicians (a finished job waits for the reporter, not for them).
CLOSED_STATES = (JobState.DONE, JobState.REJECTED, JobState.CANCELLED)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")  # 一般
    URGENT = "urgent", _("Urgent")  # 紧急
    EMERGENCY = "emergency", _("Emergency")  # 特急: 爆管、漏水、停电、电梯困人 — counted around the clock


URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


class JobSource(models.TextChoices):
    REPORT = "report", _("Reported")  # 报修
    PUBLIC = "public", _("Reported without login")  # 扫码报修（免登录）
    PATROL = "patrol", _("Patrol")  # 巡查发现
    PLAN = "plan", _("Preventive maintenance")  # 定期检修
    INCIDENT = "incident", _("Emergency record")  # 突发事件


class Cause(models.TextChoices):
    AGING = "aging", _("Wear and ageing")  # 老化
    DAMAGE = "damage", _("Damage by a person")  # 人为损坏
    MISUSE = "misuse", _("Improper use")  # 使用不当
    DESIGN = "design", _("Design defect")  # 设计缺陷
    OTHER = "other", _("Other")  # 其他


class IncidentState(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("emergency state", "Reported")  # 已上报 (not the job source 报修)
    ON_SITE = "on_site", _("On site")
    RESOLVED = "resolved", _("Resolved")


class ScheduleKind(models.TextChoices):
    DAILY = "daily", _("Every day")
    WORKING_DAYS = "working_days", _("Every working day")
    WEEKLY = "weekly", _("Every week")


class RoundState(models.TextChoices):
    PLANNED = "planned", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    MISSED = "missed", _("Missed")  # its time window ended with checkpoints not reached


class CheckResult(models.TextChoices):
    OK = "ok", _("Fine")
    PROBLEM = "problem", _("Problem found")


class PlanSchedule(models.TextChoices):
    INTERVAL = "interval", _("At an interval")  # every N days/weeks/months
    DATES = "dates", _("On fixed dates")  # e.g. 11-10 before the heating season
    BREAK = "break", _("In each school break")  # each 暑假 / 寒假 (from the org's terms)


class IntervalUnit(models.TextChoices):
    DAY = "day", _("days")
    WEEK = "week", _("weeks")
    MONTH = "month", _("months")
