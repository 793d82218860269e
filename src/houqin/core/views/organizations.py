from .. import permissions as p
from ..models import Organization
from ..permissions import restrict
from .base import org_view, render


@org_view(p.ORG_VIEW)
def organization_detail(request):
    """The organisation itself: where it sits, what lies below it, and its change history."""
    org = request.org
    below = restrict(
        Organization.objects.filter(path__startswith=org.path).exclude(pk=org.pk), request.actor, p.ORG_VIEW
    )
    return render(
        request,
        "core/organization_detail.html",
        {"organization": org, "ancestors": org.ancestors(), "below": below.filter(is_active=True).order_by("path")},
    )
