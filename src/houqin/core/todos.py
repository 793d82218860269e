"""我的待办: modules register providers; the home page lists what each returns for the actor.

A provider is ``provider(actor) -> list[Todo]``; it uses ``restrict`` like any other read, and
costs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions as p
from .models import Membership
from .permissions import Actor, restrict


@dataclass(frozen=True)
class Todo:
    title: str
    count: int
    url: str
    level: str = "info"  # info, warning, danger


PROVIDERS: list[Callable[[Actor], list[Todo]]] = []


def register(provider: Callable[[Actor], list[Todo]]) -> Callable[[Actor], list[Todo]]:
    PROVIDERS.append(provider)
    return provider


def todos_for(actor: Actor) -> list[Todo]:
    return [todo for provider in PROVIDERS for todo in provider(actor) if todo.count]


@register
def people_setup(actor: Actor) -> list[Todo]:
    """For whoever manages people: members without any role, and accounts still on a one-time password."""
    if not actor.can(p.PERSON_MANAGE):
        return []
    members = restrict(Membership.objects.filter(is_active=True), actor, p.PERSON_MANAGE)
    base = reverse("core:person_list", args=[actor.org.code])
    return [
        Todo(
            _("People without any role"),
            members.filter(role_grants__isnull=True).count(),
            base + "?no_roles=1",
            "warning",
        ),
        Todo(
            _("People who have not yet replaced their one-time password"),
            members.filter(user__must_change_password=True).count(),
            base + "?must_change_password=1",
        ),
    ]
