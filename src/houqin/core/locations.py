"""Things other modules show on a place's page (for example a 报修 button), registered here so that
core never imports them: ``register(action)`` with ``action(request, location) -> LocationAction | None``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse


@dataclass(frozen=True)
class LocationAction:
    label: str
    url: str
    primary: bool = False


ACTIONS: list[Callable] = []


def register(action: Callable) -> Callable:
    ACTIONS.append(action)
    return action


def actions_for(request, location) -> list[LocationAction]:
    return [found for action in ACTIONS if (found := action(request, location)) is not None]


def qr_url(org, location) -> str:
    """The address printed in a room's QR code (the org is passed in: a sheet has hundreds of rooms)."""
    return settings.HOUQIN_BASE_URL + reverse("core:location_by_token", args=[org.code, location.qr_token])


QR_CACHE_SECONDS = 7 * 24 * 3600


def qr_svgs(urls: list[str], *, scale: int = 3) -> list[str]:
    """Inline SVG QR codes for ``urls``. Choosing the best mask costs ~10 ms a code, so codes are kept
    in the process's "qr" cache and a 600-label sheet is slow only the first time."""
    cache = caches["qr"]
    keys = ["qr:{}:{}".format(scale, hashlib.sha1(url.encode()).hexdigest()) for url in urls]
    found = cache.get_many(keys)
    missing = {}
    for key, url in zip(keys, urls, strict=True):
        if key not in found:
            missing[key] = found[key] = segno.make(url, error="m").svg_inline(scale=scale, border=2)
    if missing:
        cache.set_many(missing, QR_CACHE_SECONDS)
    return [found[key] for key in keys]
