"""Notifications end to end: notify() in the cause's transaction, the inbox and bell, preferences, email and
group-robot delivery to a real local HTTP server, retries with backoff, the org_admin pages and the API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from houqin.core import notifications, tick
from houqin.core.access import build_actor
from houqin.core.channels import check_webhook_url, dingtalk_signed_url
from houqin.core.choices import Role
from houqin.core.models import Notification, NotificationPreference, OutboxMessage, OutboxState, WebhookChannel
from houqin.core.notifications import BACKOFF_MINUTES, deliver, notify
from houqin.core.tenancy import org_scope, scopes_disabled
from houqin.core.tests.factories import make_member

LINK = "http://127.0.0.1:8000/o/org-a/"  # HOUQIN_BASE_URL in tests + the notification's path
START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class FakeRobot:
    """A webhook server on 127.0.0.1 that records every POST and answers with ``status`` and ``answer``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.answer = {"errcode": 0, "errmsg": "ok"}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                parts = urlsplit(self.path)
                robot.requests.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "json": json.loads(self.rfile.read(length))}
                )
                body = json.dumps(robot.answer).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}".format(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot():
    server = FakeRobot()
    yield server
    server.close()


@pytest.fixture
def people(world):
    """Two people of org A with email addresses and one without."""
    with scopes_disabled():
        head = world.member(Role.LOGISTICS_HEAD).user
        tech = world.member(Role.TECHNICIAN).user
        staff = world.member(Role.STAFF).user
        head.email, tech.email = "head@example.cn", "tech@example.cn"
        head.save()
        tech.save()
    return head, tech, staff


def _channel(world, robot, kind="wecom", **extra) -> WebhookChannel:
    with org_scope(world.org_a):
        return notifications.webhook_channel_create(
            actor=build_actor(world.member(Role.ORG_ADMIN).user, world.org_a),
            name=extra.pop("name", kind + "群"),
            kind=kind,
            url=robot.url + "/" + kind,
            **extra,
        )


def _notify(world, recipients, event="maintenance.dispatched", **extra):
    with transaction.atomic():
        notify(org=world.org_a, recipients=recipients, event=event, title="报修单已派给你", **extra)


def _open_label() -> str:
    """Robot messages are written in the site's language (a group has no one language of its own)."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext("Open")


def _rows(model, **filters):
    with scopes_disabled():
        return list(model.objects.filter(**filters).order_by("pk"))


# notify() and the cause's transaction -------------------------------------------------------------------


def test_notify_writes_inbox_and_outbox_in_the_causes_transaction(world, people, robot):
    head, tech, staff = people
    _channel(world, robot)
    with transaction.atomic():
        notify(
            org=world.org_a,
            recipients=[head, tech, staff, head],
            event="maintenance.dispatched",
            title="报修单 BX-2026-00042 已派单",
            body="101教室 灯不亮",
            url="/o/org-a/",
        )
        with org_scope(world.org_a):  # visible at once, before the cause commits
            assert Notification.objects.filter(recipient=staff).count() == 1
    inbox = _rows(Notification, org=world.org_a)
    assert sorted(n.recipient_id for n in inbox) == sorted([head.pk, tech.pk, staff.pk])  # each person once
    assert {n.url for n in inbox} == {"/o/org-a/"} and all(n.read_at is None for n in inbox)
    outbox = _rows(OutboxMessage, org=world.org_a)
    assert sorted((m.kind, m.address) for m in outbox) == [
        ("email", "head@example.cn"),
        ("email", "tech@example.cn"),
        ("wecom", ""),  # one robot message for the channel, not one per person
    ]
    assert all(m.state == OutboxState.PENDING for m in outbox)


def test_nothing_is_written_when_the_cause_rolls_back(world, people, robot):
    head, tech, staff = people
    _channel(world, robot)

    class CauseFailed(Exception):
        pass

    with pytest.raises(CauseFailed), transaction.atomic():
        notify(org=world.org_a, recipients=[head, tech, staff], event="approvals.pending", title="待审批")
        raise CauseFailed
    assert _rows(Notification) == [] and _rows(OutboxMessage) == []


def test_an_org_relative_url_is_made_a_site_path_and_an_outside_url_is_refused(world, people):
    head, _tech, _staff = people
    _notify(world, [head], url="notifications/settings/")
    assert _rows(Notification)[0].url == "/o/org-a/notifications/settings/"
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            _notify(world, [head], url=bad)


def test_preferences_choose_email_and_robot_mentions(world, people, robot):
    head, tech, _staff = people
    _channel(world, robot)
    for user, email, mention in ((head, False, True), (tech, True, False)):
        with org_scope(world.org_a):
            notifications.notification_preference_update(
                actor=build_actor(user, world.org_a), email=email, robot_mention=mention
            )
    _notify(world, [head, tech])
    outbox = _rows(OutboxMessage)
    assert [m.address for m in outbox if m.kind == "email"] == ["tech@example.cn"]
    [robot_message] = [m for m in outbox if m.kind == "wecom"]
    assert robot_message.payload["text"]["mentioned_mobile_list"] == [head.phone]
    assert len(_rows(Notification)) == 2  # the inbox is always on


def test_a_channel_only_gets_the_events_it_asked_for(world, people, robot):
    head, _tech, _staff = people
    _channel(world, robot, name="审批群", events=["approvals"])
    _channel(world, robot, kind="dingtalk", name="停用群", active=False)
    _notify(world, [head], event="maintenance.dispatched")
    _notify(world, [head], event="approvals.pending")
    _notify(world, [head], event="approvalsx.other")
    assert [m.event for m in _rows(OutboxMessage, kind="wecom")] == ["approvals.pending"]
    assert _rows(OutboxMessage, kind="dingtalk") == []


# Delivery -----------------------------------------------------------------------------------------------


def test_email_is_delivered_through_djangos_backend(world, people):
    head, _tech, _staff = people
    _notify(world, [head], body="101教室 灯不亮", url="/o/org-a/")
    assert deliver(timezone.now()) == 1
    [message] = mail.outbox
    assert message.to == ["head@example.cn"] and message.subject == "报修单已派给你"
    assert "101教室 灯不亮" in message.body and "http://127.0.0.1:8000/o/org-a/" in message.body
    [row] = _rows(OutboxMessage)
    assert row.state == OutboxState.SENT and row.sent_at is not None


def test_wecom_robot_gets_a_text_message_with_mentions(world, people, robot):
    head, tech, _staff = people
    _channel(world, robot)
    _notify(world, [head, tech], body="101教室 灯不亮", url="/o/org-a/")
    deliver(timezone.now())
    [request] = robot.requests
    assert request["path"] == "/wecom"
    assert request["json"] == {
        "msgtype": "text",
        "text": {
            "content": "报修单已派给你\n101教室 灯不亮\nhttp://127.0.0.1:8000/o/org-a/",
            "mentioned_mobile_list": [head.phone, tech.phone],
        },
    }


def test_wecom_robot_gets_markdown_when_nobody_is_mentioned(world, robot):
    _channel(world, robot)
    _notify(world, [], body="周五下午停水")
    deliver(timezone.now())
    expected = {"msgtype": "markdown", "markdown": {"content": "**报修单已派给你**\n周五下午停水"}}
    assert robot.requests[0]["json"] == expected


def test_dingtalk_robot_gets_markdown_signed_by_its_secret(world, people, robot):
    head, _tech, _staff = people
    secret = "SEC0123456789abcdef"
    _channel(world, robot, kind="dingtalk", secret=secret)
    _notify(world, [head], url="/o/org-a/")
    deliver(timezone.now())
    [request] = robot.requests
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": "报修单已派给你",
            "text": "#### 报修单已派给你\n\n[{}]({})\n\n@{}".format(_open_label(), LINK, head.phone),
        },
        "at": {"atMobiles": [head.phone], "isAtAll": False},
    }
    # DingTalk's documented check: sign = base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")).
    [timestamp] = request["query"]["timestamp"]
    [sign] = request["query"]["sign"]  # parse_qs has already undone the URL encoding
    expected = hmac.new(secret.encode(), "{}\n{}".format(timestamp, secret).encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(expected).decode()
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000


def test_the_signed_url_keeps_the_access_token():
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECx", timestamp_ms=1)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=")


def test_ticking_twice_at_a_frozen_clock_sends_once(world, people, robot):
    head, _tech, _staff = people
    _channel(world, robot)
    with time_machine.travel(START, tick=False):
        _notify(world, [head])
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        first = tick.run_all(timezone.now(), names=["notifications.deliver"])
        second = tick.run_all(timezone.now(), names=["notifications.deliver"])
    assert [r.changed for r in first] == [2] and [r.changed for r in second] == [0]
    assert len(robot.requests) == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    "status, answer",
    [(500, {"errcode": 0}), (200, {"errcode": 310000, "errmsg": "sign not match"})],
    ids=["http-500", "errcode"],
)
def test_failures_are_retried_with_backoff_then_failed_and_shown_to_org_admin(world, login, robot, status, answer):
    robot.status, robot.answer = status, answer
    _channel(world, robot)
    with time_machine.travel(START, tick=False):
        _notify(world, [])
    [message] = _rows(OutboxMessage)
    clock = START
    for attempt, wait in enumerate([*BACKOFF_MINUTES, None], start=1):
        assert deliver(clock) == 1
        message.refresh_from_db()
        assert message.attempts == attempt
        if wait is None:
            assert message.state == OutboxState.FAILED
            break
        assert message.state == OutboxState.PENDING
        assert message.next_attempt_at == clock + timedelta(minutes=wait)
        assert deliver(clock + timedelta(minutes=wait) - timedelta(seconds=1)) == 0  # not yet due
        clock += timedelta(minutes=wait)
    assert len(robot.requests) == len(BACKOFF_MINUTES) + 1
    assert deliver(clock + timedelta(days=1)) == 0  # failed stays failed
    expected_error = "HTTP 500" if status == 500 else "errcode 310000: sign not match"
    assert message.last_error == expected_error

    client = login(world.member(Role.ORG_ADMIN))
    page = client.get(reverse("core:notification_outbox", args=["org-a"]))
    assert page.context["failed"] == [message]
    assert expected_error in page.content.decode()
    # The retry button gives it one more attempt, which now succeeds.
    robot.status, robot.answer = 200, {"errcode": 0}
    client.post(reverse("core:notification_outbox_retry", args=["org-a", message.pk]))
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert deliver(timezone.now()) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT and message.last_error == ""


def test_a_claimed_message_is_not_sent_by_a_second_tick(world, people):
    """The claim moves due rows past ``now`` before sending, so a tick started meanwhile finds nothing."""
    head, _tech, _staff = people
    _notify(world, [head])
    now = timezone.now()
    with scopes_disabled():
        claimed = notifications._claim_due(now)
        assert len(claimed) == 1
        assert notifications._claim_due(now) == []


# The inbox and the bell ---------------------------------------------------------------------------------


def test_inbox_shows_only_my_notifications_in_this_org(world, login, people):
    head, tech, _staff = people
    member_in_b = make_member(world.org_b, Role.STAFF, user=head, employee_no="B900")
    _notify(world, [head], event="a.mine")
    _notify(world, [tech], event="a.theirs")
    with transaction.atomic():
        notify(org=world.org_b, recipients=[head], event="b.mine", title="乙医院的通知")
    client = login(world.member(Role.LOGISTICS_HEAD))
    page = client.get(reverse("core:notification_list", args=["org-a"]))
    assert [n.event for n in page.context["page"]["rows"]] == ["a.mine"]
    theirs = _rows(Notification, event="a.theirs")[0]
    mine_in_b = _rows(Notification, event="b.mine")[0]
    for other in (theirs, mine_in_b):
        response = client.post(reverse("core:notification_open", args=["org-a", other.pk]))
        assert response.status_code == 404
    assert _rows(Notification, read_at__isnull=False) == []
    page_b = login(member_in_b).get(reverse("core:notification_list", args=["org-b"]))
    assert [n.event for n in page_b.context["page"]["rows"]] == ["b.mine"]


def test_opening_marks_read_and_follows_the_link(world, login, people):
    head, _tech, _staff = people
    _notify(world, [head], url="/o/org-a/locations/")
    [notification] = _rows(Notification)
    client = login(world.member(Role.LOGISTICS_HEAD))
    response = client.post(reverse("core:notification_open", args=["org-a", notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/o/org-a/locations/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(reverse("core:notification_open", args=["org-a", notification.pk])).status_code == 405


def test_the_bell_counts_unread_and_mark_all_read_clears_it(world, login, people):
    head, tech, _staff = people
    for _ in range(3):
        _notify(world, [head])
    _notify(world, [tech])
    client = login(world.member(Role.LOGISTICS_HEAD))
    home = client.get(reverse("core:home", args=["org-a"])).content.decode()
    assert 'data-testid="notification-count">3<' in home
    bell = client.get(reverse("core:notification_bell", args=["org-a"]), headers={"HX-Request": "true"})
    assert 'data-testid="notification-count">3<' in bell.content.decode()
    client.post(reverse("core:notification_mark_all_read", args=["org-a"]))
    assert "notification-count" not in client.get(reverse("core:home", args=["org-a"])).content.decode()
    assert len(_rows(Notification, read_at__isnull=True)) == 1  # the technician's stays unread


def test_inbox_keyset_pages_newest_first(world, login, people):
    head, _tech, _staff = people
    for index in range(55):
        _notify(world, [head], event="e.{}".format(index))
    client = login(world.member(Role.LOGISTICS_HEAD))
    first = client.get(reverse("core:notification_list", args=["org-a"])).context["page"]
    assert len(first["rows"]) == 50 and first["rows"][0].event == "e.54"
    second = client.get(reverse("core:notification_list", args=["org-a"]) + "?" + first["next_query"])
    assert [n.event for n in second.context["page"]["rows"]] == ["e.{}".format(i) for i in range(4, -1, -1)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_name, role",
    [
        ("core:notification_list", Role.LOGISTICS_HEAD),
        ("core:notification_outbox", Role.ORG_ADMIN),
        ("api_notification-list", Role.LOGISTICS_HEAD),
    ],
)
def test_lists_run_the_same_queries_at_two_sizes(world, login, robot, url_name, role):
    _channel(world, robot)
    reader = world.member(role)
    url = reverse(url_name, kwargs={"org_code": "org-a"})
    client = login(reader)
    counts = []
    for size in (3, 40):
        for _ in range(size):
            _notify(world, [reader.user, world.member(Role.STAFF).user])
        with scopes_disabled():  # some failed, with errors, so the failed card has rows too
            OutboxMessage.objects.filter(pk__in=OutboxMessage.objects.order_by("-pk")[:2]).update(
                state=OutboxState.FAILED, last_error="HTTP 500"
            )
        client.get(url)
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]


# Preferences, channels and permissions ------------------------------------------------------------------


def test_preferences_page_saves_my_choices(world, login, people):
    client = login(world.member(Role.TECHNICIAN))
    url = reverse("core:notification_preferences", args=["org-a"])
    assert client.get(url).context["form"].initial == {"email": True, "robot_mention": True}
    client.post(url, {"robot_mention": "on"})
    [preference] = _rows(NotificationPreference)
    assert (preference.user, preference.email, preference.robot_mention) == (people[1], False, True)


def test_without_an_email_address_the_page_says_email_is_unavailable(world, login, people):
    client = login(world.member(Role.STAFF))  # no address
    url = reverse("core:notification_preferences", args=["org-a"])
    page = client.get(url)
    assert 'data-testid="email-unavailable"' in page.content.decode()
    assert "email" not in page.context["form"].fields
    client.post(url, {"robot_mention": ""})  # the email choice is kept for when an address is added
    [preference] = _rows(NotificationPreference)
    assert (preference.email, preference.robot_mention) == (True, False)
    with_address = login(world.member(Role.TECHNICIAN)).get(url).content.decode()
    assert 'data-testid="email-unavailable"' not in with_address and "tech@example.cn" in with_address


def test_the_user_menu_leads_to_my_notification_settings(world, login):
    page = login(world.member(Role.STAFF)).get(reverse("core:home", args=["org-a"])).content.decode()
    url = reverse("core:notification_preferences", args=["org-a"])
    assert 'href="{}" data-testid="menu-notification-settings"'.format(url) in page


def test_channel_urls_must_be_https_outside_development(settings):
    settings.DEBUG = settings.TESTING = False
    check_webhook_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
    check_webhook_url("http://127.0.0.1:8080/robot")  # a local proxy is fine
    for bad in ("http://qyapi.weixin.qq.com/x", "ftp://example.cn/", "not a url"):
        with pytest.raises(ValidationError):
            check_webhook_url(bad)


def test_org_admin_adds_a_channel_and_sends_a_test_message(world, login, robot):
    client = login(world.member(Role.ORG_ADMIN))
    response = client.post(
        reverse("core:notification_channel_create", args=["org-a"]),
        {"name": "总务处群", "kind": "dingtalk", "url": robot.url + "/ding", "events": "approvals, maintenance"},
    )
    assert response.status_code == 302
    [channel] = _rows(WebhookChannel)
    assert channel.events == ["approvals", "maintenance"] and channel.active is False  # unticked box: off
    client.post(reverse("core:notification_channel_test", args=["org-a", channel.pk]))
    assert robot.requests[0]["json"]["msgtype"] == "markdown"
    channel.refresh_from_db()
    assert channel.last_tested_at is not None and channel.last_test_error == ""
    robot.status = 500
    response = client.post(reverse("core:notification_channel_test", args=["org-a", channel.pk]), follow=True)
    assert "HTTP 500" in response.content.decode()
    channel.refresh_from_db()
    assert channel.last_test_error == "HTTP 500"


def test_a_secret_is_only_for_dingtalk(world, robot):
    with pytest.raises(ValidationError) as error:
        _channel(world, robot, kind="wecom", secret="SECx")
    assert "secret" in error.value.message_dict


# fmt: off
EXPECTED = {  # role: (notification.view, notification_channel.manage) — written out, not read from the table
    "leader": ("own", None), "logistics_head": ("own", None), "org_admin": ("own", "org"),
    "dispatcher": ("own", None), "asset_clerk": ("own", None), "storekeeper": ("own", None),
    "purchaser": ("own", None), "technician": ("own", None), "security": ("own", None),
    "canteen": ("own", None), "dept_head": ("own", None), "staff": ("own", None), "finance": ("own", None),
}
# fmt: on


def test_the_matrix_names_every_org_role():
    assert set(EXPECTED) == set(Role.values) - {Role.BUREAU}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_matrix_cell(world, login, robot, role):
    inbox_scope, channel_scope = EXPECTED[role]
    membership = world.member(role)
    _notify(world, [membership.user, world.member(Role.STAFF if role != Role.STAFF else Role.LEADER).user])
    client = login(membership)
    rows = client.get(reverse("core:notification_list", args=["org-a"])).context["page"]["rows"]
    assert inbox_scope == "own" and [n.recipient for n in rows] == [membership.user]
    for url_name in ("core:notification_channel_list", "core:notification_outbox"):
        status = client.get(reverse(url_name, args=["org-a"])).status_code
        assert status == (200 if channel_scope == "org" else 403), url_name


def test_a_bureau_reader_has_no_inbox_in_the_orgs_below(world, login):
    client = login(world.bureau_member)
    assert client.get(reverse("core:notification_list", args=["org-a"])).status_code == 404
    assert client.get(reverse("api_notification-list", kwargs={"org_code": "org-a"})).status_code == 404
    assert client.get(reverse("core:notification_list", args=["bureau"])).status_code == 200


# API ----------------------------------------------------------------------------------------------------


def test_api_lists_reads_and_marks_my_notifications(world, login, people):
    head, tech, _staff = people
    _notify(world, [head], event="a.first")
    _notify(world, [head], event="a.second")
    _notify(world, [tech], event="a.theirs")
    client = login(world.member(Role.LOGISTICS_HEAD))
    listed = client.get(reverse("api_notification-list", kwargs={"org_code": "org-a"})).json()["results"]
    assert [(n["event"], n["is_read"]) for n in listed] == [("a.second", False), ("a.first", False)]
    theirs = _rows(Notification, event="a.theirs")[0]
    read = reverse("api_notification-read", kwargs={"org_code": "org-a", "pk": theirs.pk})
    assert client.post(read).status_code == 404
    read = reverse("api_notification-read", kwargs={"org_code": "org-a", "pk": listed[0]["id"]})
    assert client.post(read).json()["is_read"] is True
    marked = client.post(reverse("api_notification-read-all", kwargs={"org_code": "org-a"})).json()
    assert marked == {"marked": 1}
    assert [n.event for n in _rows(Notification, read_at__isnull=True)] == ["a.theirs"]


def test_api_reads_and_changes_my_preferences(world, login):
    client = login(world.member(Role.STAFF))
    url = reverse("api_notification_preference", kwargs={"org_code": "org-a"})
    assert client.get(url).json() == {"email": True, "robot_mention": True, "email_available": False}
    response = client.patch(url, {"robot_mention": False}, content_type="application/json")
    assert response.json() == {"email": True, "robot_mention": False, "email_available": False}
    response = client.put(url, {"email": False}, content_type="application/json")
    assert response.status_code == 400 and "robot_mention" in response.json()
    [preference] = _rows(NotificationPreference)
    assert (preference.email, preference.robot_mention) == (True, False)


def test_the_tick_job_is_registered():
    assert tick.JOBS["notifications.deliver"].run is deliver
    assert tick.JOBS["notifications.deliver"].atomic is False
