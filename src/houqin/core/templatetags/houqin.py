"""Template components shared by every page: fields, badges, empty states, history."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..history import history_entries
from ..workflow import timeline_entries

register = template.Library()

BADGE_COLOURS = {"success", "danger", "warning", "info", "secondary", "primary", "azure", "orange", "purple"}


@register.inclusion_tag("components/field.html")
def field(bound_field, **attrs):
    return {"field": bound_field, "attrs": attrs}


@register.inclusion_tag("components/form_errors.html")
def form_errors(form):
    return {"form": form}


@register.inclusion_tag("components/badge.html")
def badge(text, colour="secondary"):
    return {"text": text, "colour": colour if colour in BADGE_COLOURS else "secondary"}


@register.inclusion_tag("components/empty.html")
def empty_state(title, text="", action_url="", action_label=""):
    return {"title": title, "text": text, "action_url": action_url, "action_label": action_label}


@register.inclusion_tag("components/history.html")
def history_panel(*sources):
    """Who changed which field when, for one or more history querysets (newest first)."""
    return {"entries": history_entries(*sources), "title": _("Change history")}


@register.inclusion_tag("components/attachments.html", takes_context=True)
def attachments_panel(context, obj):
    """The record's files (photos with thumbnails) and, for those who may change the record, an upload form."""
    from ..views.attachments import panel_context  # the view module imports services that need the app loaded

    return panel_context(context["request"], obj)


@register.inclusion_tag("components/timeline.html")
def timeline(obj, title=None):
    """Who moved the record from which state to which, when, why, and for whom under a delegation."""
    return {"entries": timeline_entries(obj), "title": title or _("Progress")}


@register.simple_tag(takes_context=True)
def record_panels(context, obj):
    """The panels other modules registered for ``obj``'s model (core/panels.py), as cards."""
    from ..panels import render_panels

    return render_panels(context["request"], obj)


@register.filter
def active_badge(is_active):
    return "success" if is_active else "secondary"


@register.filter
def duration_short(value):
    """A timedelta as the two largest units: "2 天 3 小时", "1 小时 20 分", "45 分"; anything else as it is."""
    from datetime import timedelta

    from django.utils.translation import gettext

    if not isinstance(value, timedelta):
        return value
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return gettext("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return gettext("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return gettext("{minutes} min").format(minutes=minutes)
