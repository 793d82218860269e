from .access import orgs_for_user
from .navigation import menu_for


def houqin(request):
    """Navigation and org switcher for the base layout (only on org pages with an actor)."""
    actor = getattr(request, "actor", None)
    org = getattr(request, "org", None)
    context = {"org": org, "actor": actor}
    if actor is not None and org is not None:
        context["nav_menu"] = menu_for(actor, org.code)
        context["switchable_orgs"] = orgs_for_user(request.user)
    return context
