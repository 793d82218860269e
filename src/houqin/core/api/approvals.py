"""API of approvals: 待我审批, the requests one may open, decisions, and delegations while away.

Reads use the same selectors as the pages (``waiting_steps``, ``visible_requests``); every write calls
the engine's service, so the checks (own request, reason for a rejection, delegation) are the same.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import approvals
from .. import permissions as p
from ..models import ApprovalRequest, ApprovalStep, Delegation, Membership
from .base import OrgViewSetMixin
from .serializers import OrgRowField


class ApprovalStepSerializer(serializers.ModelSerializer):
    approver = serializers.CharField(source="approver_label", help_text="The role or the person who decides")
    decided_by = serializers.CharField(source="decided_by.user.name", default="", help_text="Who decided")
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.user.name", default="", help_text="For whom, when decided under a delegation"
    )

    class Meta:
        model = ApprovalStep
        fields = ["order", "approver", "state", "decided_by", "on_behalf_of", "decided_at", "comment"]
        read_only_fields = fields


class ApprovalRequestSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    requester = serializers.CharField(source="requester.user.name", help_text="Who asked")
    department = serializers.CharField(source="department.name", default="", help_text="The requester's department")
    steps = ApprovalStepSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "requester",
            "department",
            "amount",
            "category",
            "state",
            "current_step",
            "submitted_at",
            "decided_at",
            "steps",
        ]
        read_only_fields = fields
        extra_kwargs = {"kind": {"help_text": "Registered kind, e.g. procurement.request"}}

    def get_kind_label(self, obj) -> str:
        return approvals.kind_label(obj.kind)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to reject")


class DelegationSerializer(serializers.ModelSerializer):
    delegator_name = serializers.CharField(source="delegator.user.name", read_only=True)
    delegate_name = serializers.CharField(source="delegate.user.name", read_only=True)
    delegate = OrgRowField(Membership, help_text="Membership id of the colleague who decides for you")

    class Meta:
        model = Delegation
        fields = [
            "id",
            "delegator",
            "delegator_name",
            "delegate",
            "delegate_name",
            "start_date",
            "end_date",
            "reason",
            "ended_at",
        ]
        read_only_fields = ["id", "delegator", "delegator_name", "delegate_name", "ended_at"]


def _requests(queryset):
    return queryset.select_related("requester__user", "department").prefetch_related(
        Prefetch(
            "steps",
            queryset=ApprovalStep.objects.select_related(
                "approver__user", "decided_by__user", "on_behalf_of__user"
            ).order_by("order"),
        )
    )


@extend_schema_view(list=extend_schema(summary="Waiting for my approval (待我审批), across modules"))
class ApprovalInboxViewSet(OrgViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Requests whose current step waits for me: by name, by role, or for someone who delegated to me."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = ApprovalRequestSerializer
    view_permission = p.APPROVAL_DECIDE
    ordering = "-id"

    def get_queryset(self):
        waiting = approvals.waiting_steps(self.actor).values("request_id")
        return _requests(ApprovalRequest.objects.filter(pk__in=waiting))


@extend_schema_view(
    list=extend_schema(summary="Approval requests I may open"),
    retrieve=extend_schema(summary="One approval request with its steps"),
)
class ApprovalRequestViewSet(
    OrgViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Mine, those I decide or decided, and those my roles let me read."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = ApprovalRequestSerializer
    view_permission = p.APPROVAL_VIEW
    manage_permission = p.APPROVAL_DECIDE
    ordering = "-id"

    def get_queryset(self):
        return _requests(approvals.visible_requests(self.actor))

    def _decide(self, approve: bool) -> Response:
        approval = self.get_object()
        serializer = DecisionSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        approvals.approval_decide(
            actor=self.actor, request=approval, approve=approve, comment=serializer.validated_data["comment"]
        )
        return Response(ApprovalRequestSerializer(self.get_queryset().get(pk=approval.pk)).data)

    @extend_schema(summary="Approve the current step", request=DecisionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._decide(True)

    @extend_schema(
        summary="Reject the request (a comment is required)",
        request=DecisionSerializer,
        responses=ApprovalRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        return self._decide(False)

    @extend_schema(summary="Withdraw my own pending request", request=None, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        approval = self.get_object()
        approvals.approval_withdraw(actor=self.actor, request=approval)
        return Response(ApprovalRequestSerializer(self.get_queryset().get(pk=approval.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="My delegations, and those made to me"),
    retrieve=extend_schema(summary="One delegation"),
    create=extend_schema(summary="Let a colleague decide my approvals for a date range"),
)
class DelegationViewSet(
    OrgViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """委托审批: while away, a colleague decides the steps that wait for me; decisions record it."""

    queryset = Delegation.objects.none()
    serializer_class = DelegationSerializer
    view_permission = p.APPROVAL_DECIDE
    manage_permission = p.APPROVAL_DECIDE
    ordering = "-id"

    def get_queryset(self):
        me = self.actor.membership
        if me is None:
            return Delegation.objects.none()
        mine = Delegation.objects.filter(delegator=me) | Delegation.objects.filter(delegate=me)
        return mine.select_related("delegator__user", "delegate__user")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delegation = approvals.delegation_create(actor=self.actor, **serializer.validated_data)
        return Response(self.get_serializer(delegation).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="End my delegation now", request=None, responses=DelegationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        delegation = self.get_object()
        approvals.delegation_end(actor=self.actor, delegation=delegation)
        return Response(self.get_serializer(delegation).data)
