"""Demo notifications: a few unread and read messages in the inbox of each organisation's key people."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import Role
from ..models import Notification
from ..notifications import notify
from .loader import DemoContext, register

DEMO_EVENT = "demo.welcome"
READERS = (Role.LOGISTICS_HEAD, Role.ORG_ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.STAFF)


@register
def load_notifications(ctx: DemoContext) -> None:
    for org in ctx.orgs.values():
        if org.kind == "bureau" or Notification.objects.filter(org=org, event__startswith="demo.").exists():
            continue  # once per organisation: read marks and later messages are left alone
        people = [m.user for role in READERS for m in ctx.members_with_role(org.code, role)[:1]]
        admins = [m.user for m in ctx.members_with_role(org.code, Role.ORG_ADMIN)[:1]]
        notify(
            org=org,
            recipients=people,
            event=DEMO_EVENT,
            title=_("Welcome to houqin"),
            body=_("Repairs, patrols, assets and stock of {org} are recorded here.").format(org=org.name),
            url="/o/{}/".format(org.code),
        )
        notify(
            org=org,
            recipients=admins,
            event="demo.setup",
            title=_("Set up the notification channels"),
            body=_("Add the WeCom or DingTalk group robot of the logistics office so that notifications reach it."),
            url="notifications/channels/",
        )
        # The welcome is a day old and already read by the admin, so the inbox shows both states.
        Notification.objects.filter(org=org, event=DEMO_EVENT).update(created_at=timezone.now() - timedelta(days=1))
        Notification.objects.filter(org=org, event=DEMO_EVENT, recipient__in=admins).update(read_at=timezone.now())
