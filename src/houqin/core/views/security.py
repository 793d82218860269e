from .. import permissions as p
from ..choices import SecurityEventKind
from ..filtersets import SecurityEventFilterSet
from ..selectors import security_events
from .base import filtered, keyset_page, org_view, render


@org_view(p.SECURITY_LOG_VIEW)
def security_log(request):
    """Logins, failed logins, lockouts and exports of this organisation's people, newest first."""
    events, filters = filtered(request, SecurityEventFilterSet, security_events(request.actor))
    page = keyset_page(request, events.select_related("user"), key="-id")
    return render(
        request,
        "core/security_log.html",
        {"page": page, "filters": filters, "kinds": SecurityEventKind.choices, "nav_active": "security_log"},
    )
