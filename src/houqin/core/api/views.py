"""API of the foundation under /api/v1/o/<org_code>/: organisations, departments, locations, people.

Reads use the same ``restrict()`` as the pages; every write calls the same service as the page does,
so checks, history and atomicity are the service's. Nothing here saves a model itself.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import permissions as p
from .. import services
from ..filtersets import DepartmentFilterSet, LocationFilterSet, MembershipFilterSet
from ..models import Department, Location, Membership, Organization, RoleGrant
from .base import OrgReadOnlyViewSet, OrgViewSetMixin
from .serializers import (
    DepartmentSerializer,
    DepartmentUpdateSerializer,
    LocationSerializer,
    LocationUpdateSerializer,
    MembershipCreatedSerializer,
    MembershipCreateSerializer,
    MembershipRolesSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    OneTimePasswordSerializer,
    OrganizationSerializer,
    PersonSerializer,
)


class OrgWriteViewSet(OrgViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read; subclasses add the writes they allow, each through a service."""

    update_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return self.serializer_class

    def read_response(self, instance, status_code=status.HTTP_200_OK, serializer_class=None):
        serializer_class = serializer_class or self.serializer_class
        instance = self.base_queryset().get(pk=instance.pk)  # reread with the list's joins and prefetches
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)

    def validated(self, instance=None, partial=False) -> dict:
        serializer = self.get_serializer(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Organisations you may see from this one"),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganizationViewSet(OrgReadOnlyViewSet):
    """This organisation; for a bureau reader also the organisations below the bureau."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    view_permission = p.ORG_VIEW
    ordering = "path"


@extend_schema_view(
    list=extend_schema(summary="Departments"),
    retrieve=extend_schema(summary="One department"),
    create=extend_schema(summary="Add a department"),
    update=extend_schema(summary="Change a department", responses=DepartmentSerializer),
    partial_update=extend_schema(summary="Change some fields of a department", responses=DepartmentSerializer),
)
class DepartmentViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgWriteViewSet):
    """Departments are not deleted: set ``is_active`` to false."""

    queryset = Department.objects.none()
    serializer_class = DepartmentSerializer
    update_serializer_class = DepartmentUpdateSerializer
    filterset_class = DepartmentFilterSet
    view_permission = p.DEPARTMENT_VIEW
    manage_permission = p.DEPARTMENT_MANAGE
    ordering = "path"

    def create(self, request, *args, **kwargs):
        department = services.department_create(actor=self.actor, **self.validated())
        return self.read_response(department, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        department = self.get_object()
        data = self.validated(department, partial=kwargs.get("partial", False))
        services.department_update(actor=self.actor, department=department, **data)
        return self.read_response(department)


@extend_schema_view(
    list=extend_schema(summary="Locations"),
    retrieve=extend_schema(summary="One location"),
    create=extend_schema(summary="Add a location"),
    update=extend_schema(summary="Change a location", responses=LocationSerializer),
    partial_update=extend_schema(summary="Change some fields of a location", responses=LocationSerializer),
)
class LocationViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgWriteViewSet):
    """Places are not deleted: set ``is_active`` to false."""

    queryset = Location.objects.none()
    serializer_class = LocationSerializer
    update_serializer_class = LocationUpdateSerializer
    filterset_class = LocationFilterSet
    view_permission = p.LOCATION_VIEW
    manage_permission = p.LOCATION_MANAGE
    ordering = "path"

    def create(self, request, *args, **kwargs):
        location = services.location_create(actor=self.actor, **self.validated())
        return self.read_response(location, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        location = self.get_object()
        data = self.validated(location, partial=kwargs.get("partial", False))
        services.location_update(actor=self.actor, location=location, **data)
        return self.read_response(location)


def _memberships():
    return Membership.objects.select_related("user", "department").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("pk"))
    )


def _roles(validated: list[dict]) -> list[tuple[str, Department | None]]:
    return [(grant["role"], grant.get("department")) for grant in validated]


@extend_schema_view(
    list=extend_schema(summary="People directory"),
    retrieve=extend_schema(summary="One person"),
)
class PersonViewSet(OrgReadOnlyViewSet):
    """The people you may see, with phone numbers masked unless you may see them."""

    queryset = Membership.objects.none()
    serializer_class = PersonSerializer
    filterset_class = MembershipFilterSet
    view_permission = p.PERSON_VIEW
    ordering = "pk"

    def base_queryset(self):
        return _memberships()


@extend_schema_view(
    list=extend_schema(summary="Memberships"),
    retrieve=extend_schema(summary="One membership"),
    create=extend_schema(
        summary="Add a person",
        request=MembershipCreateSerializer,
        responses={201: MembershipCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a person's details",
        request=MembershipUpdateSerializer,
        responses=MembershipSerializer,
    ),
)
class MembershipViewSet(OrgWriteViewSet):
    """People's memberships of this organisation: add people, change details and roles, reset passwords."""

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    view_permission = p.PERSON_VIEW
    manage_permission = p.PERSON_MANAGE
    ordering = "pk"

    def base_queryset(self):
        return _memberships()

    def get_serializer_class(self):
        return {
            "create": MembershipCreateSerializer,
            "partial_update": MembershipUpdateSerializer,
            "roles": MembershipRolesSerializer,
            "reset_password": OneTimePasswordSerializer,
        }.get(self.action, MembershipSerializer)

    def create(self, request, *args, **kwargs):
        data = self.validated()
        roles = data.pop("roles", None)
        if roles is not None:
            data["roles"] = _roles(roles)
        membership, password = services.person_create(actor=self.actor, **data)
        response = self.read_response(membership, status.HTTP_201_CREATED, MembershipSerializer)
        response.data["one_time_password"] = password
        return response

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        user = membership.user
        current = {
            "name": user.name,
            "email": user.email,
            "employee_no": membership.employee_no,
            "department": membership.department,
            "title": membership.title,
            "is_active": membership.is_active,
            "party": membership.party,
        }
        data = {**current, **self.validated(membership, partial=True)}
        services.person_update(actor=self.actor, membership=membership, **data)
        return self.read_response(membership)

    @extend_schema(summary="Replace a person's roles", responses=MembershipSerializer)
    @action(detail=True, methods=["put"])
    def roles(self, request, *args, **kwargs):
        membership = self.get_object()
        roles = _roles(self.validated()["roles"])
        services.person_set_roles(actor=self.actor, membership=membership, roles=roles)
        return self.read_response(membership, serializer_class=MembershipSerializer)

    @extend_schema(summary="Issue a one-time password", request=None, responses=OneTimePasswordSerializer)
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, *args, **kwargs):
        membership = self.get_object()
        password = services.person_reset_password(actor=self.actor, membership=membership)
        return Response({"one_time_password": password})
