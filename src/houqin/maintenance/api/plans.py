"""API of maintenance plans (定期检修): list, read, add and change them; every write through the plan services."""

from __future__ import annotations

from functools import cached_property

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status

from houqin.assets.models import Asset
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Location, Membership

from .. import permissions as p
from ..choices import PlanSchedule
from ..filtersets import PlanFilterSet
from ..models import MaintenancePlan
from ..services import plans as services


@extend_schema_field(
    {
        "type": "string",
        "description": '"interval" (every N days, weeks or months), "dates" (fixed month-days each year) or '
        '"break" (some days into each summer or winter break).',
    }
)
class PlanScheduleField(serializers.ChoiceField):
    """Documented as a string: as an enum its name would collide with a patrol route's ``schedule`` (another
    choice set under the same field name); an ``ENUM_NAME_OVERRIDES`` entry in settings would also do."""

    def __init__(self, **kwargs):
        super().__init__(choices=PlanSchedule.choices, **kwargs)


class PlanSerializer(serializers.ModelSerializer):
    """A plan; ``category`` is a code of the org's "maintenance.category" dictionary, ``break_kind``
    ``summer_break`` or ``winter_break``, ``fixed_dates`` month-day pairs ("11-10, 03-01")."""

    location = OrgRowField(
        Location, required=False, help_text="The place (location id); left out when creating: the asset's place"
    )
    asset = OrgRowField(
        Asset,
        ("location",),
        allow_null=True,
        required=False,
        help_text="A plan for one asset (asset id): its jobs name the asset",
    )
    assignee = OrgRowField(Membership, allow_null=True, required=False)
    schedule = PlanScheduleField(required=False)
    break_kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in services.BREAK_KINDS], allow_blank=True, required=False
    )
    schedule_text = serializers.SerializerMethodField(help_text="The schedule in words, in the reader's language.")
    next_on = serializers.SerializerMethodField(help_text="The next date a job is due (none while paused).")

    class Meta:
        model = MaintenancePlan
        fields = ["id", *services.PLAN_FIELDS, "is_active", "schedule_text", "next_on"]
        read_only_fields = ["id", "is_active", "schedule_text", "next_on"]

    def get_schedule_text(self, plan) -> str:
        return services.schedule_text(plan)

    def get_next_on(self, plan) -> str | None:
        if not plan.is_active:
            return None
        dates = services.next_occurrences(plan, self.context["today"], terms=self.context["terms"])
        return dates[0].isoformat() if dates else None


class PlanUpdateSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        read_only_fields = ["id", "schedule_text", "next_on"]


@extend_schema_view(
    list=extend_schema(summary="Maintenance plans"),
    retrieve=extend_schema(summary="One maintenance plan"),
    create=extend_schema(summary="Add a maintenance plan"),
    partial_update=extend_schema(summary="Change some fields of a maintenance plan", responses=PlanSerializer),
)
class PlanViewSet(mixins.CreateModelMixin, OrgWriteViewSet):
    """定期检修 plans; ``houqin tick`` makes their jobs. Not deleted: set ``is_active`` to false to pause one."""

    queryset = MaintenancePlan.objects.none()
    serializer_class = PlanSerializer
    update_serializer_class = PlanUpdateSerializer
    filterset_class = PlanFilterSet
    view_permission = p.PLAN_VIEW
    manage_permission = p.PLAN_MANAGE
    ordering = "pk"

    def base_queryset(self):
        return MaintenancePlan.objects.all()

    @cached_property
    def today(self):
        return timezone.localdate()

    @cached_property
    def terms(self):
        return services.break_terms(self.request.org, self.today)  # once per request, for every break plan

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today, "terms": self.terms}

    def create(self, request, *args, **kwargs):
        plan = services.plan_create(actor=self.actor, **self.validated())
        return self.read_response(plan, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        services.plan_update(actor=self.actor, plan=plan, **self.validated(plan, partial=True))
        return self.read_response(plan)


def register(router):
    router.register("plans", PlanViewSet, basename="api_plan")
