from django.db.models import Q

from .. import permissions as p
from ..choices import SecurityEventKind
from ..models import Membership, SecurityEvent
from .base import keyset_page, org_view, render


@org_view(p.SECURITY_LOG_VIEW)
def security_log(request):
    """Logins, failed logins, lockouts and exports of this organisation's people, newest first."""
    members = Membership.objects.values("user_id")  # scoped: this org's members only
    events = SecurityEvent.objects.filter(Q(org=request.org) | Q(org__isnull=True, user_id__in=members))
    kind = request.GET.get("kind", "")
    if kind in SecurityEventKind.values:
        events = events.filter(kind=kind)
    page = keyset_page(request, events.select_related("user"), key="-id")
    return render(
        request,
        "core/security_log.html",
        {"page": page, "kind": kind, "kinds": SecurityEventKind.choices, "nav_active": "security_log"},
    )
