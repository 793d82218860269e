"""Notifications: ``notify()`` inside the cause's transaction, the services around the inbox, and delivery.

``notify`` writes one inbox row per recipient (visible at once) and one outbox row per external delivery:
an email for each recipient who has an address and wants email, and one post per active group robot of
the organisation whose event filter matches. Nothing leaves the machine inside the cause's transaction;
the `notifications.deliver` tick job sends what is due and retries failures with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from copy import copy
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import channels, orgcache, orgsettings, tick
from .models import (
    Notification,
    NotificationPreference,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    User,
    WebhookChannel,
    WebhookKind,
)
from .permissions import NOTIFICATION_CHANNEL_MANAGE, NOTIFICATION_VIEW, Actor
from .tenancy import org_scope, scopes_disabled

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failed attempt; the attempt after the last one is final.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# A claimed row is not due again for this long, so a tick that dies mid-send is retried, not lost.
CLAIM_LEASE = timedelta(minutes=10)
DELIVERY_BATCH = 100

orgsettings.register_page(
    orgsettings.SettingsPage(
        key="notifications.channels",
        label=gettext_lazy("Notification channels"),
        url_name="core:notification_channel_list",
        description=gettext_lazy("WeCom and DingTalk group robots that receive notifications."),
    )
)
orgsettings.register_page(
    orgsettings.SettingsPage(
        key="notifications.outbox",
        label=gettext_lazy("Delivery log"),
        url_name="core:notification_outbox",
        description=gettext_lazy("Emails and robot messages sent, waiting or failed; retry failed ones."),
    )
)


def _site_path(org, url: str) -> str:
    """A path on this site: "/o/a/jobs/7/" as given, or "jobs/7/" taken relative to the org's pages."""
    if not url:
        return ""
    if url.startswith("//") or "://" in url or url.startswith(("javascript:", "data:")):
        raise ValueError("notify(url=...) takes a path on this site, not {!r}".format(url))
    return url if url.startswith("/") else "/o/{}/{}".format(org.code, url)


def preferences_for(org, users: Iterable[User]) -> dict[int, NotificationPreference]:
    """Each user's preference row in ``org``, or an unsaved row with the defaults."""
    users = list(users)

    def read():
        with org_scope(org):
            return {p.user_id: p for p in NotificationPreference.objects.filter(org=org, user__in=users)}

    stored = orgcache.remember(org, ("notification_preferences", *sorted(user.pk for user in users)), read)
    # Copies: the preference pages change and save the row they get.
    return {
        user.pk: copy(stored[user.pk]) if user.pk in stored else NotificationPreference(org=org, user=user)
        for user in users
    }


def active_channels(org) -> tuple[WebhookChannel, ...]:
    def read():
        with org_scope(org):
            return tuple(WebhookChannel.objects.filter(org=org, active=True).order_by("pk"))

    return orgcache.remember(org, ("webhook_channels",), read)


def notify(*, org, recipients: Iterable[User], event: str, title: str, body: str = "", url: str = "") -> None:
    """Write the inbox rows and outbox rows of one event; call it inside the cause's transaction."""
    url = _site_path(org, url)
    users = list({user.pk: user for user in recipients if user.is_active}.values())
    now = timezone.now()
    # Outside messages are written in the site's language: a group chat or a mailbox has no session language.
    # No savepoint: the rows stand or fall with the cause's own.
    with transaction.atomic(savepoint=False), org_scope(org), translation.override(settings.LANGUAGE_CODE):
        Notification.objects.bulk_create(
            Notification(org=org, recipient=user, event=event, title=title, body=body, url=url, created_at=now)
            for user in users
        )
        preferences = preferences_for(org, users)
        outbox = [
            OutboxMessage(
                org=org,
                kind=OutboxKind.EMAIL,
                event=event,
                recipient=user,
                address=user.email,
                subject=title,
                payload=channels.email_payload(title=title, body=body, url=url),
                next_attempt_at=now,
                created_at=now,
            )
            for user in users
            if user.email and preferences[user.pk].email
        ]
        mobiles = [user.phone for user in users if preferences[user.pk].robot_mention]
        for channel in active_channels(org):
            if not channel.matches(event):
                continue
            build = channels.wecom_payload if channel.kind == WebhookKind.WECOM else channels.dingtalk_payload
            outbox.append(
                OutboxMessage(
                    org=org,
                    kind=channel.kind,
                    event=event,
                    channel=channel,
                    subject=title,
                    payload=build(title=title, body=body, url=url, mobiles=mobiles),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        OutboxMessage.objects.bulk_create(outbox)


# The inbox -----------------------------------------------------------------------------------------------


def own_notifications(actor: Actor):
    """The actor's own inbox in the actor's organisation (newest first when paged by "-id")."""
    if not actor.can(NOTIFICATION_VIEW):
        return Notification.objects.none()
    return Notification.objects.filter(org=actor.org, recipient=actor.user)


def unread_count(actor: Actor) -> int:
    return own_notifications(actor).filter(read_at__isnull=True).count()


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.user.pk or notification.org_id != actor.org.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Actor) -> int:
    return own_notifications(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_update(*, actor: Actor, email: bool, robot_mention: bool) -> NotificationPreference:
    if not actor.can(NOTIFICATION_VIEW):
        raise PermissionDenied
    preference = preferences_for(actor.org, [actor.user])[actor.user.pk]
    preference.email = email
    preference.robot_mention = robot_mention
    preference.full_clean()
    preference.save()
    return preference


# Channels and the outbox (org_admin) ----------------------------------------------------------------------


def _require_channel_manager(actor: Actor, obj=None) -> None:
    if not actor.can(NOTIFICATION_CHANNEL_MANAGE):
        raise PermissionDenied
    if obj is not None and obj.org_id != actor.org.pk:
        raise PermissionDenied


@transaction.atomic
def webhook_channel_create(
    *, actor: Actor, name: str, kind: str, url: str, secret: str = "", events: list[str] | None = None, active=True
) -> WebhookChannel:
    _require_channel_manager(actor)
    channel = WebhookChannel(
        org=actor.org, name=name, kind=kind, url=url, secret=secret, events=events or [], active=active
    )
    channel.full_clean()
    channel.save()
    return channel


@transaction.atomic
def webhook_channel_update(*, actor: Actor, channel: WebhookChannel, **data) -> WebhookChannel:
    _require_channel_manager(actor, channel)
    for name, value in data.items():
        setattr(channel, name, value)
    channel.full_clean()
    channel.save()
    return channel


def webhook_channel_send_test(*, actor: Actor, channel: WebhookChannel) -> None:
    """Post a test message now (not through the outbox) so the admin sees at once whether the robot answers;
    raises ``ValidationError`` with the channel's answer when it does not."""
    _require_channel_manager(actor, channel)
    title = _("Test message from houqin")
    body = _("If you can read this, notifications of {org} reach this group.").format(org=actor.org.name)
    build = channels.wecom_payload if channel.kind == WebhookKind.WECOM else channels.dingtalk_payload
    error = ""
    try:
        _post(channel, build(title=title, body=body, url="", mobiles=[]))
    except channels.DeliveryError as failure:
        error = str(failure)[:2000]
    # update(): a test result is shown on the channel list but is no configuration change for its history.
    WebhookChannel.objects.filter(pk=channel.pk).update(last_tested_at=timezone.now(), last_test_error=error)
    if error:
        raise ValidationError(_("The robot did not accept the message: {error}").format(error=error))


@transaction.atomic
def outbox_message_retry(*, actor: Actor, message: OutboxMessage) -> OutboxMessage:
    """Send again at the next tick; a failed message gets one more attempt."""
    _require_channel_manager(actor, message)
    if message.state == OutboxState.SENT:
        raise ValidationError(_("This message was already sent."))
    message.state = OutboxState.PENDING
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["state", "next_attempt_at"])
    return message


# Delivery ------------------------------------------------------------------------------------------------


def _post(channel: WebhookChannel, payload: dict) -> None:
    url = channel.url
    if channel.kind == WebhookKind.DINGTALK and channel.secret:
        url = channels.dingtalk_signed_url(url, channel.secret)
    channels.post_robot(url, payload)


def _send(message: OutboxMessage) -> None:
    if message.kind == OutboxKind.EMAIL:
        channels.send_email(address=message.address, subject=message.subject, body=message.payload.get("body", ""))
    elif not message.channel.active:
        raise channels.DeliveryError("channel switched off")
    else:
        _post(message.channel, message.payload)


def _claim_due(now: datetime) -> list[OutboxMessage]:
    """Take due rows under a row lock (other ticks skip them) and push them past ``now`` before sending, so
    no transaction stays open across network calls (on SQLite it would lock every writer out)."""
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:DELIVERY_BATCH]
        )
        ids = [message.pk for message in due]
        OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + CLAIM_LEASE)
    return list(OutboxMessage.objects.filter(pk__in=ids).select_related("channel").order_by("pk"))


@tick.job("notifications.deliver", atomic=False)
def deliver(now: datetime) -> int:
    """Send the outbox rows due at ``now``; returns how many rows changed (sent, rescheduled or failed)."""
    changed = 0
    with scopes_disabled():
        for message in _claim_due(now):
            try:
                _send(message)
            except channels.DeliveryError as error:
                message.attempts += 1
                message.last_error = str(error)[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.state = OutboxState.FAILED
                else:
                    message.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[message.attempts - 1])
                logger.warning("outbox message %s failed (attempt %s): %s", message.pk, message.attempts, error)
            else:
                message.attempts += 1
                message.state = OutboxState.SENT
                message.sent_at = now
                message.last_error = ""
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at", "sent_at"])
            changed += 1
    return changed
