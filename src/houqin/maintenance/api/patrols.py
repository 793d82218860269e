"""API of patrols: routes with their checkpoints (written through the route services) and rounds with visits.

There is no endpoint that marks a checkpoint reached: that happens only on the page behind its printed QR code.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status

from houqin.core.api.base import OrgReadOnlyViewSet
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Location, Membership

from .. import permissions as p
from .. import services
from ..filtersets import PatrolRoundFilterSet
from ..models import Checkpoint, CheckpointVisit, PatrolRound, PatrolRoute


class CheckpointSerializer(serializers.ModelSerializer):
    """A checkpoint. ``scan_url`` (the address of its QR code) is given to people who manage patrols only."""

    location_name = serializers.CharField(source="location.name", read_only=True)
    scan_url = serializers.SerializerMethodField()

    class Meta:
        model = Checkpoint
        fields = ["id", "location", "location_name", "position", "instructions", "is_active", "scan_url"]

    def get_scan_url(self, checkpoint) -> str:
        if not self.context.get("can_manage"):
            return ""
        org = self.context["request"].org
        return settings.HOUQIN_BASE_URL + reverse("maintenance:checkpoint_scan", args=[org.code, checkpoint.qr_token])


class CheckpointInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing checkpoint of this route (to keep its visits)."
    )
    location = OrgRowField(Location)
    instructions = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PatrolRouteSerializer(serializers.ModelSerializer):
    """A route; on writes ``checkpoints`` is the whole ordered list (left-out checkpoints are deactivated)."""

    responsible = OrgRowField(Membership, required=False, allow_null=True)
    checkpoints = CheckpointInputSerializer(many=True, write_only=True, required=False)
    active_checkpoints = serializers.SerializerMethodField()

    class Meta:
        model = PatrolRoute
        fields = [
            "id",
            "name",
            "description",
            "schedule",
            "weekday",
            "start_time",
            "window_hours",
            "responsible",
            "is_active",
            "checkpoints",
            "active_checkpoints",
        ]
        validators = []  # the unique name is checked by the service, per field, in the person's language

    @extend_schema_field(CheckpointSerializer(many=True))
    def get_active_checkpoints(self, route):
        rows = [c for c in route.checkpoints.all() if c.is_active]  # prefetched in order
        return CheckpointSerializer(rows, many=True, context=self.context).data


class CheckpointVisitSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.name", read_only=True)
    location = serializers.IntegerField(source="checkpoint.location_id", read_only=True)
    location_name = serializers.CharField(source="checkpoint.location.name", read_only=True)

    class Meta:
        model = CheckpointVisit
        fields = [
            "id",
            "checkpoint",
            "location",
            "location_name",
            "user",
            "user_name",
            "visited_at",
            "result",
            "note",
            "job",
        ]
        read_only_fields = fields


class PatrolRoundSerializer(serializers.ModelSerializer):
    route_name = serializers.CharField(source="route.name", read_only=True)
    visits = CheckpointVisitSerializer(many=True, read_only=True)

    class Meta:
        model = PatrolRound
        fields = [
            "id",
            "route",
            "route_name",
            "scheduled_for",
            "due_by",
            "state",
            "started_at",
            "completed_at",
            "checkpoint_count",
            "visited_count",
            "visits",
        ]
        read_only_fields = fields


def _entries(validated: list[dict]) -> list[dict]:
    return [
        {"id": row.get("id"), "location": row["location"], "instructions": row.get("instructions", "")}
        for row in validated
    ]


@extend_schema_view(
    list=extend_schema(summary="Patrol routes"),
    retrieve=extend_schema(summary="One patrol route, with its checkpoints in order"),
    create=extend_schema(summary="Add a patrol route with its checkpoints"),
    update=extend_schema(summary="Change a patrol route", responses=PatrolRouteSerializer),
    partial_update=extend_schema(summary="Change some fields of a patrol route", responses=PatrolRouteSerializer),
)
class PatrolRouteViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgWriteViewSet):
    """巡查路线. Not deleted: set ``is_active`` to false. Weekly routes need ``weekday`` (1 = Monday)."""

    queryset = PatrolRoute.objects.none()
    serializer_class = PatrolRouteSerializer
    view_permission = p.PATROL_VIEW
    manage_permission = p.PATROL_MANAGE
    ordering = "pk"

    def base_queryset(self):
        return PatrolRoute.objects.prefetch_related(
            Prefetch("checkpoints", queryset=Checkpoint.objects.select_related("location").order_by("position", "pk"))
        )

    def get_serializer_context(self):
        actor = getattr(self, "actor", None)
        can_manage = bool(actor and actor.can(p.PATROL_MANAGE) and not actor.via_bureau)
        return {**super().get_serializer_context(), "can_manage": can_manage}

    def create(self, request, *args, **kwargs):
        data = self.validated()
        checkpoints = _entries(data.pop("checkpoints", []))
        route = services.route_create(actor=self.actor, checkpoints=checkpoints, **data)
        return self.read_response(route, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        route = self.get_object()
        data = self.validated(route, partial=kwargs.get("partial", False))
        checkpoints = data.pop("checkpoints", None)
        services.route_update(
            actor=self.actor,
            route=route,
            checkpoints=_entries(checkpoints) if checkpoints is not None else None,
            **data,
        )
        return self.read_response(route)


@extend_schema_view(
    list=extend_schema(summary="Patrol rounds (filter by route, status, scheduled day)"),
    retrieve=extend_schema(summary="One patrol round, with the checkpoints reached"),
)
class PatrolRoundViewSet(OrgReadOnlyViewSet):
    """巡查记录: rounds made by the schedule; a round is missed when its time ends with checkpoints not reached."""

    queryset = PatrolRound.objects.none()
    serializer_class = PatrolRoundSerializer
    filterset_class = PatrolRoundFilterSet
    view_permission = p.PATROL_VIEW
    ordering = "-id"

    def base_queryset(self):
        return PatrolRound.objects.select_related("route").prefetch_related(
            Prefetch(
                "visits",
                queryset=CheckpointVisit.objects.select_related("user", "checkpoint__location").order_by(
                    "visited_at", "pk"
                ),
            )
        )


def register(router):
    router.register("patrol-routes", PatrolRouteViewSet, basename="api_patrol_route")
    router.register("patrol-rounds", PatrolRoundViewSet, basename="api_patrol_round")
