"""Things other modules show on a place's page (for example a 报修 button), registered here so that
core never imports them: ``register(action)`` with ``action(request, location) -> LocationAction | None``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from .printing import Label


@dataclass(frozen=True)
class LocationAction:
    label: str
    url: str
    primary: bool = False


ACTIONS: list[Callable] = []
# ``handler(request, location) -> HttpResponse | None`` for someone who scanned a room's code without
# logging in; the first response wins, and without one they are sent to log in.
PUBLIC_SCAN_HANDLERS: list[Callable] = []


def register(action: Callable) -> Callable:
    ACTIONS.append(action)
    return action


def register_public_scan(handler: Callable) -> Callable:
    PUBLIC_SCAN_HANDLERS.append(handler)
    return handler


def public_scan_response(request, token: str):
    """What a registered module answers to an anonymous scan of ``token`` in the URL's org, or None."""
    from .models import Location  # the models import this module's helpers for labels

    if not PUBLIC_SCAN_HANDLERS or getattr(request, "org", None) is None:
        return None
    location = Location.objects.filter(qr_token=token, is_active=True).first()
    if location is None:
        return None
    for handler in PUBLIC_SCAN_HANDLERS:
        response = handler(request, location)
        if response is not None:
            return response
    return None


def actions_for(request, location) -> list[LocationAction]:
    return [found for action in ACTIONS if (found := action(request, location)) is not None]


def qr_url(org, location) -> str:
    """The address printed in a room's QR code (the org is passed in: a sheet has hundreds of rooms)."""
    return settings.HOUQIN_BASE_URL + reverse("core:location_by_token", args=[org.code, location.qr_token])


def qr_label(org, location) -> Label:
    """A place's sticker for ``printing.label_sheet``: its name, building and code (select ``building``)."""
    where = "{} · {}".format(location.building.name, location.code) if location.building_id else location.code
    return Label(title=location.name, subtitle=where, url=qr_url(org, location))
