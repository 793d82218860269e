"""What every org API endpoint stands on: the same actor, permission table and restrict() as pages."""

from copy import copy

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import JSONParser

from .. import orgcache
from ..access import actor_for_request
from ..permissions import restrict

READ_ACTIONS = {"list", "retrieve", "metadata"}

ORG_CODE_PARAMETER = OpenApiParameter(
    "org_code",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Code of the organisation (as in its page addresses); every row read or written belongs to it.",
)


class OrgAutoSchema(AutoSchema):
    """Documents the ``org_code`` path parameter that every org endpoint shares."""

    def get_override_parameters(self):
        return [ORG_CODE_PARAMETER, *super().get_override_parameters()]


class OrgTokenAuthentication(TokenAuthentication):
    """Token auth whose token → person lookup is remembered per organisation version (orgcache): deleting
    a token or changing the person raises the version of their organisations."""

    def authenticate(self, request):
        self.org = getattr(request._request, "org", None)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if self.org is None:
            return super().authenticate_credentials(key)
        read = super().authenticate_credentials
        user, token = orgcache.remember(self.org, ("token", key), lambda: read(key))
        return copy(user), token


class OrgViewSetMixin:
    """For viewsets under /api/v1/o/<org_code>/: ``view_permission`` to read, ``manage_permission`` to write.

    Declare ``queryset = Model.objects.none()`` (a scoped manager refuses ``all()`` at import time);
    requests read ``Model.objects`` inside the org scope that the middleware opened.
    """

    view_permission: str
    manage_permission: str | None = None
    schema = OrgAutoSchema()
    # Token first: a refused request then gets 401 with "WWW-Authenticate: Token" instead of a bare 403.
    authentication_classes = [OrgTokenAuthentication, SessionAuthentication]
    parser_classes = [JSONParser]  # nested bodies (roles) have no form encoding

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The password-change middleware only sees session users; a token keeps working after a reset.
        if request.user.must_change_password:
            raise PermissionDenied(_("Change your one-time password before using the API."))
        self.actor = actor_for_request(request._request)  # 404 when the org is not reachable
        needed = self.view_permission if self.action in READ_ACTIONS else self.manage_permission
        if needed is None or not self.actor.can(needed):
            if self.detail and not self._row_exists():
                raise NotFound  # an id the organisation does not have is "not found", whoever asks (as on pages)
            raise PermissionDenied

    def _row_exists(self) -> bool:
        """Whether the organisation of the URL (its scope is open) has the row the URL names, visible or not."""
        model = getattr(self.queryset, "model", None)
        if model is None:
            return True  # no model to look in: refused as before
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            return model.objects.filter(**{self.lookup_field: value}).exists()
        except (TypeError, ValueError, ValidationError):
            return False

    def base_queryset(self):
        return self.queryset.model.objects.all()

    def get_queryset(self):
        return restrict(self.base_queryset(), self.actor, self.view_permission)

    def get_object(self):
        obj = super().get_object()
        writing = self.action not in READ_ACTIONS and self.manage_permission
        if writing and not restrict(type(obj).objects.filter(pk=obj.pk), self.actor, self.manage_permission).exists():
            raise PermissionDenied
        return obj


class OrgReadOnlyViewSet(OrgViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
