"""What every org API endpoint stands on: the same actor, permission table and restrict() as pages."""

from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from ..access import actor_for_request
from ..permissions import restrict

READ_ACTIONS = {"list", "retrieve", "metadata"}


class OrgViewSetMixin:
    """For viewsets under /api/v1/o/<org_code>/: ``view_permission`` to read, ``manage_permission`` to write."""

    view_permission: str
    manage_permission: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.actor = actor_for_request(request._request)  # 404 when the org is not reachable
        needed = self.view_permission if self.action in READ_ACTIONS else self.manage_permission
        if needed is None or not self.actor.can(needed):
            raise PermissionDenied

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return restrict(self.base_queryset(), self.actor, self.view_permission)

    def get_object(self):
        obj = super().get_object()
        if self.action not in READ_ACTIONS and self.manage_permission:
            if not restrict(type(obj).objects.filter(pk=obj.pk), self.actor, self.manage_permission).exists():
                raise PermissionDenied
        return obj


class OrgReadOnlyViewSet(OrgViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
