"""Panels on a record's page contributed by other modules: a module adds what it knows about another module's
record (maintenance: an asset's repairs and their cost) without that module importing it, and core importing
neither.

::

    # maintenance/registrations.py
    panels.register("assets.Asset", asset_repairs_panel)

    def asset_repairs_panel(request, asset) -> panels.Panel | None:
        if not request.actor.can(p.JOB_VIEW):
            return None  # nothing to show this person: no panel at all
        return panels.Panel(_("Repairs"), "maintenance/partials/asset_panel.html", {"jobs": ...}, key="repairs")

and on the record's page ``{% record_panels asset %}`` (library ``houqin``) renders every registered panel of that
model, in the order they were registered. A provider restricts what it shows to the viewer itself (``restrict``)
and keeps to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    title: str
    template: str  # rendered with ``context`` (plus ``request``, ``org``, ``actor`` and ``obj``) as the card's body
    context: Mapping[str, object] = field(default_factory=dict)
    key: str = ""  # names the card (``data-panel``) for tests and styles
    link_url: str = ""  # an optional link in the card's header, e.g. the full list
    link_label: str = ""


Provider = Callable[..., "Panel | None"]
PROVIDERS: dict[str, list[Provider]] = {}


def _label(model) -> str:
    """ "app_label.modelname" of a model class, an instance or a string "app_label.Model"."""
    if isinstance(model, str):
        app_label, _dot, name = model.partition(".")
        return "{}.{}".format(app_label, name.lower())
    return model._meta.label_lower


def register(model, provider: Provider | None = None):
    """``register(model, provider)``, or ``@register(model)`` on the provider: ``provider(request, obj)`` returns
    a ``Panel`` or None. ``model`` is the class or "app_label.Model" (so that the registering module need not
    import the other module's models)."""

    def add(function: Provider) -> Provider:
        found = PROVIDERS.setdefault(_label(model), [])
        if function not in found:
            found.append(function)
        return function

    return add(provider) if provider is not None else add


def panels_for(request, obj) -> list[Panel]:
    """The panels the registered providers give ``obj`` for this request's viewer."""
    found = []
    for provider in PROVIDERS.get(_label(obj), ()):
        panel = provider(request, obj)
        if panel is not None:
            found.append(panel)
    return found


def render_panels(request, obj) -> SafeString:
    parts = []
    for panel in panels_for(request, obj):
        base = {"request": request, "org": getattr(request, "org", None), "actor": getattr(request, "actor", None)}
        body = render_to_string(panel.template, {**base, "obj": obj, **panel.context}, request=request)
        parts.append(render_to_string("components/record_panel.html", {**base, "panel": panel, "body": body}))
    return mark_safe("".join(parts))
