from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel


class Notification(OrgScopedModel):
    """One message in one person's in-app inbox (通知), written in the same transaction as its cause."""

    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=100)  # dotted key, e.g. "approvals.pending"
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)  # a path inside the site, e.g. /o/a/jobs/7/
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    scope_fields = {"own": "recipient"}

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell's unread count and the inbox page (newest first) both start from this index.
            models.Index(fields=["recipient", "org", "read_at"], name="core_notification_unread"),
            models.Index(fields=["recipient", "org", "-id"], name="core_notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="/"), name="%(app_label)s_%(class)s_url_is_path"
            )
        ]

    def __str__(self):
        return self.title


class NotificationPreference(OrgScopedModel):
    """A person's delivery choices in one organisation; the in-app inbox is always on."""

    user = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, related_name="notification_preferences", verbose_name=_("user")
    )
    email = models.BooleanField(_("by email"), default=True)
    robot_mention = models.BooleanField(_("@ me in group robot messages"), default=True)

    history = HistoricalRecords()

    scope_fields = {"own": "user"}

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["org", "user"], name="%(app_label)s_%(class)s_unique_user")]

    def __str__(self):
        return str(self.user)


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class WebhookChannel(OrgScopedModel):
    """An organisation's 企业微信 or 钉钉 group robot that receives the notifications of chosen events."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True, help_text=_("DingTalk only: the SEC… secret of 加签.")
    )
    events = models.JSONField(
        _("events"), default=list, blank=True, help_text=_("Event prefixes to send, e.g. approvals; empty: all events.")
    )
    active = models.BooleanField(_("active"), default=True)
    last_tested_at = models.DateTimeField(_("last tested at"), null=True, blank=True)
    last_test_error = models.TextField(_("last test error"), blank=True)  # empty after a successful test

    # The secret stays out of the audit trail; test results are not configuration changes.
    history = HistoricalRecords(excluded_fields=["secret", "last_tested_at", "last_test_error"])

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="%(app_label)s_%(class)s_unique_name")]

    def __str__(self):
        return self.name

    def clean(self):
        from ..channels import check_webhook_url

        if self.url:
            check_webhook_url(self.url)
        if not isinstance(self.events, list) or not all(isinstance(e, str) and e for e in self.events):
            raise ValidationError({"events": _("Enter a list of event names.")})
        if self.secret and self.kind != WebhookKind.DINGTALK:
            raise ValidationError({"secret": _("Only DingTalk robots use a signing secret.")})

    def matches(self, event: str) -> bool:
        """Empty filter: every event; else an entry equal to the event or one of its dotted prefixes."""
        return not self.events or any(event == prefix or event.startswith(prefix + ".") for prefix in self.events)


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class OutboxMessage(OrgScopedModel):
    """One external delivery of a notification (an email or a group-robot post), sent by `houqin tick`."""

    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind.choices)
    event = models.CharField(_("event"), max_length=100)
    recipient = models.ForeignKey(
        "core.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("recipient")
    )
    channel = models.ForeignKey(
        WebhookChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("channel")
    )
    # The email address; blank for robots, which post to their channel's current address (fixable between retries).
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict)  # email: {"body": ...}; robots: the JSON to post
    state = models.CharField(_("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="core_outbox_due"),
            models.Index(fields=["org", "state", "-id"], name="core_outbox_org_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="email", recipient__isnull=False) | (~Q(kind="email") & Q(channel__isnull=False))),
                name="%(app_label)s_%(class)s_target",
            )
        ]

    def __str__(self):
        return self.subject
