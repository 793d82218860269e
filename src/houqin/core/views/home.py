from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ..access import orgs_for_user
from ..history import history_entries
from ..models import Department, Location, Membership, RoleGrant
from ..todos import todos_for
from .base import org_view, render

RECENT_LIMIT = 10


@org_view()
def home(request):
    """我的待办: what waits for me, where I am a member, and what I changed recently."""
    actor = request.actor
    if request.session.get("last_org") != request.org.code:
        request.session["last_org"] = request.org.code  # only a change is written
    mine = {"history_user": request.user}
    recent = history_entries(
        *(model.history.filter(org=request.org, **mine) for model in (Department, Location, Membership, RoleGrant)),
        limit=RECENT_LIMIT,
    )
    memberships = (
        Membership.objects.none()
        if actor.via_bureau
        else Membership.objects.filter(user=request.user)
        .select_related("department")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.select_related("department")))
    )
    context = {
        "nav_active": "home",
        "todos": todos_for(actor),
        "recent": recent,
        "orgs": orgs_for_user(request.user),
        "membership": memberships.first(),
        "title": _("My to-dos"),
    }
    return render(request, "core/home.html", context)
