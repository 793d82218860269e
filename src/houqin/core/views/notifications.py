"""Pages of notifications: the inbox and bell, "my notification settings", and for org_admin the group
robots and the outbox of external deliveries."""

from __future__ import annotations

import re
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import notifications as service
from .. import permissions as p
from ..forms_base import StyledFormMixin, add_service_errors
from ..models import OutboxMessage, OutboxState, WebhookChannel, WebhookKind
from .base import keyset_page, org_view, render

FAILED_SHOWN = 20


def own_inbox(view):
    """A bureau reader reaching this organisation from above has no inbox here (theirs is in the bureau)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.actor.via_bureau:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class NotificationPreferenceForm(StyledFormMixin, forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Send me an email"), required=False)
    robot_mention = forms.BooleanField(
        label=gettext_lazy("@ me in the group robot's messages"),
        required=False,
        help_text=gettext_lazy("By your mobile number, in the WeCom or DingTalk groups your organisation set up."),
    )


class WebhookChannelForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=WebhookKind.choices)
    url = forms.CharField(
        label=gettext_lazy("Webhook address"),
        max_length=500,
        help_text=gettext_lazy("Copied from the group robot's settings; starts with https://."),
    )
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("DingTalk only, when the robot uses 加签 (the secret starts with SEC)."),
    )
    events = forms.CharField(
        label=gettext_lazy("Events"),
        required=False,
        help_text=gettext_lazy("One per line or separated by commas, e.g. approvals; leave empty for all events."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def clean_events(self) -> list[str]:
        return [part for part in re.split(r"[\s,，、]+", self.cleaned_data["events"]) if part]


# The inbox ------------------------------------------------------------------------------------------------


@org_view(p.NOTIFICATION_VIEW)
@own_inbox
def notification_list(request):
    """The person's own notifications in this organisation, newest first, unread highlighted."""
    page = keyset_page(request, service.own_notifications(request.actor), key="-id")
    return render(
        request,
        "core/notification_list.html",
        {"page": page, "unread": service.unread_count(request.actor), "nav_active": "notifications"},
    )


@org_view(p.NOTIFICATION_VIEW)
@own_inbox
@require_POST
def notification_open(request, pk):
    """Mark read and follow the notification's link (only a path on this site)."""
    notification = service.own_notifications(request.actor).filter(pk=pk).first()
    if notification is None:
        raise Http404
    service.notification_mark_read(actor=request.actor, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:notification_list", args=[request.org.code])
    return redirect(target)


@org_view(p.NOTIFICATION_VIEW)
@own_inbox
@require_POST
def notification_mark_all_read(request):
    count = service.notification_mark_all_read(actor=request.actor)
    messages.success(request, _("Marked {count} notifications as read.").format(count=count))
    return redirect("core:notification_list", request.org.code)


@org_view(p.NOTIFICATION_VIEW)
@own_inbox
def notification_bell(request):
    """The bell alone, which the top bar reloads every minute."""
    return render(request, "core/partials/notification_bell.html", {"unread": service.unread_count(request.actor)})


@org_view(p.NOTIFICATION_VIEW)
@own_inbox
def notification_preferences(request):
    """我的通知设置: which channels reach me besides the inbox."""
    preference = service.preferences_for(request.org, [request.user])[request.user.pk]
    form = NotificationPreferenceForm(
        request.POST or None, initial={"email": preference.email, "robot_mention": preference.robot_mention}
    )
    has_email = bool(request.user.email)
    if not has_email:
        del form.fields["email"]  # nothing to choose; the choice is kept for when an address is added
    if request.method == "POST" and form.is_valid():
        choices = {"email": preference.email, **form.cleaned_data}
        service.notification_preference_update(actor=request.actor, **choices)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("core:notification_preferences", request.org.code)
    return render(
        request,
        "core/notification_preferences.html",
        {"form": form, "has_email": has_email, "email": request.user.email, "nav_active": "notifications"},
    )


# Group robots and the outbox (org_admin) ------------------------------------------------------------------


def _own_channel(request, pk) -> WebhookChannel:
    channel = WebhookChannel.objects.filter(org=request.org, pk=pk).first()
    if channel is None:
        raise Http404
    return channel


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
def webhook_channel_list(request):
    channels = WebhookChannel.objects.filter(org=request.org).order_by("name")[:100]
    return render(request, "core/notification_channel_list.html", {"channels": channels, "nav_active": "settings"})


def _channel_form_page(request, form, title):
    return render(
        request,
        "core/object_form.html",
        {"form": form, "title": title, "subject": _("Notification channels"), "nav_active": "settings"},
    )


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
def webhook_channel_create(request):
    form = WebhookChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.webhook_channel_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The channel was added. Send a test message to check it."))
            return redirect("core:notification_channel_list", request.org.code)
    return _channel_form_page(request, form, _("Add a group robot"))


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
def webhook_channel_edit(request, pk):
    channel = _own_channel(request, pk)
    initial = {
        "name": channel.name,
        "kind": channel.kind,
        "url": channel.url,
        "secret": channel.secret,
        "events": "\n".join(channel.events),
        "active": channel.active,
    }
    form = WebhookChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.webhook_channel_update(actor=request.actor, channel=channel, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The channel was saved."))
            return redirect("core:notification_channel_list", request.org.code)
    return _channel_form_page(request, form, channel.name)


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
@require_POST
def webhook_channel_test(request, pk):
    channel = _own_channel(request, pk)
    try:
        service.webhook_channel_send_test(actor=request.actor, channel=channel)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The robot accepted the test message."))
    return redirect("core:notification_channel_list", request.org.code)


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
def outbox_list(request):
    """External deliveries of this organisation, newest first, with the failed ones on top."""
    state = request.GET.get("state", "")
    rows = OutboxMessage.objects.filter(org=request.org).select_related("recipient", "channel")
    # Failures need the admin: unfiltered, the newest of them come first in their own card.
    failed = [] if state else list(rows.filter(state=OutboxState.FAILED).order_by("-id")[:FAILED_SHOWN])
    if state in OutboxState.values:
        rows = rows.filter(state=state)
    page = keyset_page(request, rows, key="-id")
    return render(
        request,
        "core/notification_outbox.html",
        {"page": page, "failed": failed, "state": state, "states": OutboxState.choices, "nav_active": "settings"},
    )


@org_view(p.NOTIFICATION_CHANNEL_MANAGE)
@require_POST
def outbox_retry(request, pk):
    message = OutboxMessage.objects.filter(org=request.org, pk=pk).first()
    if message is None:
        raise Http404
    try:
        service.outbox_message_retry(actor=request.actor, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The message will be sent again within a few minutes."))
    return redirect("core:notification_outbox", request.org.code)


urlpatterns = [
    path("", notification_list, name="notification_list"),
    path("bell/", notification_bell, name="notification_bell"),
    path("read-all/", notification_mark_all_read, name="notification_mark_all_read"),
    path("settings/", notification_preferences, name="notification_preferences"),
    path("<int:pk>/open/", notification_open, name="notification_open"),
    path("channels/", webhook_channel_list, name="notification_channel_list"),
    path("channels/new/", webhook_channel_create, name="notification_channel_create"),
    path("channels/<int:pk>/edit/", webhook_channel_edit, name="notification_channel_edit"),
    path("channels/<int:pk>/test/", webhook_channel_test, name="notification_channel_test"),
    path("outbox/", outbox_list, name="notification_outbox"),
    path("outbox/<int:pk>/retry/", outbox_retry, name="notification_outbox_retry"),
]
