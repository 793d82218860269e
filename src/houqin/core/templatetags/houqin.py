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


@register.filter
def active_badge(is_active):
    return "success" if is_active else "secondary"
