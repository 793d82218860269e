"""External notification channels: email and the 企业微信 / 钉钉 group robots.

Payloads are built when a notification is written (so the outbox row shows exactly what will be sent) and
posted by the `notifications.deliver` tick job. Webhooks go through urllib with a short timeout: no new
dependency, and one slow robot cannot hold the tick for long.

Webhook addresses must be https. Plain http is accepted only for a loopback host (a robot proxy on the
same machine, the tests' fake server) or while DEBUG or HOUQIN_TESTING is on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 5


class DeliveryError(Exception):
    """The channel refused or did not answer; the message is retried later."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_webhook_url(url: str) -> None:
    """Raise a field error unless ``url`` is https (or http on loopback / in development and tests)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    development = settings.DEBUG or getattr(settings, "TESTING", False)
    if parts.scheme == "http" and parts.hostname and (development or _is_loopback(parts.hostname)):
        return
    raise ValidationError({"url": _("Enter an https:// address.")})


def absolute_url(path: str) -> str:
    return settings.HOUQIN_BASE_URL + path if path else ""


def email_payload(*, title: str, body: str, url: str) -> dict:
    lines = [body] if body else []
    if url:
        lines.append(absolute_url(url))
    return {"body": "\n\n".join(lines)}


def wecom_payload(*, title: str, body: str, url: str, mobiles: list[str]) -> dict:
    """企业微信 robot: markdown reads better, but only a text message can @ people by mobile number."""
    link = absolute_url(url)
    if mobiles:
        content = "\n".join(part for part in (title, body, link) if part)
        return {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": mobiles}}
    content = "**{}**".format(title)
    if body:
        content += "\n" + body
    if link:
        content += "\n[{}]({})".format(_("Open"), link)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(*, title: str, body: str, url: str, mobiles: list[str]) -> dict:
    """钉钉 robot markdown; a mobile number is only @-mentioned when it also appears in the text."""
    text = "#### {}".format(title)
    if body:
        text += "\n\n" + body
    link = absolute_url(url)
    if link:
        text += "\n\n[{}]({})".format(_("Open"), link)
    if mobiles:
        text += "\n\n" + " ".join("@" + mobile for mobile in mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """DingTalk 加签: sign = base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")), both as query params."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), "{}\n{}".format(timestamp, secret).encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return "{}{}timestamp={}&sign={}".format(url, "&" if "?" in url else "?", timestamp, sign)


def post_robot(url: str, payload: dict) -> None:
    """POST the JSON; HTTP errors, timeouts and an ``errcode`` other than 0 raise ``DeliveryError``."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(10_000)
    except urllib.error.HTTPError as error:
        raise DeliveryError("HTTP {}".format(error.code)) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from error
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as error:
        raise DeliveryError("not JSON: {}".format(raw[:200].decode(errors="replace"))) from error
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError("errcode {}: {}".format(answer.get("errcode"), answer.get("errmsg", "")))


def send_email(*, address: str, subject: str, body: str) -> None:
    try:
        EmailMessage(subject=subject, body=body, to=[address]).send()
    except Exception as error:  # any backend failure (SMTP, DNS, refused) is retried like a webhook's
        raise DeliveryError("{}: {}".format(type(error).__name__, error)) from error
