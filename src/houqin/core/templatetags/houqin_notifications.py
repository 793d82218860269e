"""The notification bell of the top bar (its own library so only base.html pays for it)."""

from django import template

from ..notifications import unread_count
from ..tenancy import org_scope

register = template.Library()


@register.inclusion_tag("core/partials/notification_bell.html", takes_context=True)
def notification_bell(context):
    """One indexed count of the person's unread notifications in the organisation of the page."""
    actor = context["actor"]
    with org_scope(actor.org):  # error pages render after the request's scope has closed
        return {"org": context["org"], "unread": unread_count(actor)}
