"""API of incidents (突发事件) under /api/v1/o/<org>/maintenance/incidents/: the same services and FilterSet as
the pages."""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from houqin.core import dictionaries
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Location
from houqin.core.permissions import restrict

from .. import permissions as p
from .. import services
from ..choices import IncidentState
from ..filtersets import IncidentFilterSet
from ..models import Incident, Job
from ..settings import INCIDENT_KIND


class IncidentSerializer(serializers.ModelSerializer):
    """An emergency; ``kind`` is a code of the org's "maintenance.incident_kind" dictionary."""

    location = OrgRowField(Location, required=False, allow_null=True)
    kind_label = serializers.SerializerMethodField()
    jobs = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the linked repair jobs.")
    create_job = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Also open an emergency repair job at the place (the place is then required).",
    )
    job_category = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text='Category code of that job ("maintenance.category"); by default it follows from the kind.',
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "code",
            "kind",
            "kind_label",
            "title",
            "location",
            "building",
            "occurred_at",
            "on_site_at",
            "resolved_at",
            "impact",
            "measures",
            "follow_up",
            "reported_by",
            "jobs",
            "create_job",
            "job_category",
        ]
        read_only_fields = ["id", "code", "building", "reported_by", "jobs"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True}, "occurred_at": {"required": False}}

    def get_kind_label(self, incident) -> str:
        return self.context["kind_labels"].get(incident.kind, incident.kind)


class IncidentUpdateSerializer(IncidentSerializer):
    create_job = None  # a job is opened when recording; later ones are linked
    job_category = None

    class Meta(IncidentSerializer.Meta):
        fields = [name for name in IncidentSerializer.Meta.fields if name not in ("create_job", "job_category")]


class IncidentMarkSerializer(serializers.Serializer):
    what = serializers.ChoiceField(
        choices=[(IncidentState.ON_SITE, "on site"), (IncidentState.RESOLVED, "resolved")],
        help_text='"on_site" (到场) or "resolved" (已处置), recorded as now; a second tap keeps the first time.',
    )


class IncidentLinkJobSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30, help_text="Number of a repair job you can see, e.g. BX-2026-00042.")


@extend_schema_view(
    list=extend_schema(summary="Emergencies"),
    retrieve=extend_schema(summary="One emergency"),
    create=extend_schema(summary="Record an emergency (the office is told at once)"),
    partial_update=extend_schema(
        summary="Fill in or correct an emergency", request=IncidentUpdateSerializer, responses=IncidentSerializer
    ),
)
class IncidentViewSet(mixins.CreateModelMixin, OrgWriteViewSet):
    """突发事件: burst pipes, power cuts, people trapped in lifts — when help arrived, when it was over, what it
    hit. Not deleted."""

    queryset = Incident.objects.none()
    serializer_class = IncidentSerializer
    update_serializer_class = IncidentUpdateSerializer
    filterset_class = IncidentFilterSet
    view_permission = p.INCIDENT_VIEW
    manage_permission = p.INCIDENT_MANAGE
    ordering = "-pk"

    def base_queryset(self):
        return Incident.objects.prefetch_related("jobs")

    @cached_property
    def kind_labels(self) -> dict[str, str]:
        return dictionaries.labels(self.request.org, INCIDENT_KIND.key)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "kind_labels": self.kind_labels}

    def create(self, request, *args, **kwargs):
        incident = services.incident_create(actor=self.actor, **self.validated())
        return self.read_response(incident, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        incident = self.get_object()
        data = self.validated(incident, partial=True)
        services.incident_update(actor=self.actor, incident=incident, **data)
        return self.read_response(incident)

    @extend_schema(
        summary="Mark on site or resolved, now", request=IncidentMarkSerializer, responses=IncidentSerializer
    )
    @action(detail=True, methods=["post"])
    def mark(self, request, *args, **kwargs):
        incident = self.get_object()
        serializer = IncidentMarkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_mark(actor=self.actor, incident=incident, what=serializer.validated_data["what"])
        return self.read_response(incident)

    @extend_schema(
        summary="Link a repair job to the emergency", request=IncidentLinkJobSerializer, responses=IncidentSerializer
    )
    @action(detail=True, methods=["post"], url_path="link-job")
    def link_job(self, request, *args, **kwargs):
        incident = self.get_object()
        serializer = IncidentLinkJobSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = "".join(serializer.validated_data["code"].split()).upper()
        job = restrict(Job.objects.all(), self.actor, p.JOB_VIEW).filter(code=code).first()
        if job is None:
            raise ValidationError({"code": _("No repair job with this number that you can see.")})
        try:
            services.incident_link_job(actor=self.actor, incident=incident, job=job)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "job" in error.error_dict:
                raise ValidationError({"code": error.error_dict["job"]}) from error
            raise
        return self.read_response(incident)


def register(router):
    router.register("incidents", IncidentViewSet, basename="api_incident")
