"""API of transfers (调拨) under /api/v1/o/<org>/assets/transfers/: the list and one transfer, requesting one and
withdrawing one's own. The same services and FilterSet as the pages; the approval itself is decided at
/api/v1/o/<org>/approvals/."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Department, Location, Membership

from .. import permissions as p
from ..filtersets.transfers import TransferFilterSet
from ..models import Asset, Transfer, TransferLine
from ..selectors.transfers import latest_approvals
from ..services.transfers import MAX_ASSETS, transfer_request, transfer_withdraw
from .assets import RefSerializer, _ref


def _member(membership) -> dict | None:
    return _ref(membership, membership.user.name) if membership is not None else None


class TransferLineSerializer(serializers.Serializer):
    asset = serializers.DictField(help_text="id, code, name")
    from_location = RefSerializer(allow_null=True)
    from_custodian = RefSerializer(allow_null=True, help_text="保管人 before (membership)")


class ApprovalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField(help_text="pending, approved, rejected, withdrawn")
    current_step = serializers.IntegerField(help_text="The step waiting (its order); 0 when none")


def approval_ref(request) -> dict | None:
    if request is None:
        return None
    return {"id": request.pk, "state": request.state, "current_step": request.current_step}


class TransferSerializer(serializers.Serializer):
    """A 调拨单. ``to_location``, ``to_custodian``, ``to_user_person`` null: left as they were on each asset."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="DB-2026-00012")
    state = serializers.CharField(help_text="pending, done, rejected, withdrawn")
    state_label = serializers.CharField()
    from_department = RefSerializer()
    to_department = RefSerializer()
    to_location = RefSerializer(allow_null=True)
    to_custodian = RefSerializer(allow_null=True)
    to_user_person = RefSerializer(allow_null=True)
    reason = serializers.CharField()
    requested_by = RefSerializer(help_text="Membership")
    requested_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    lines = TransferLineSerializer(many=True)
    approval = ApprovalRefSerializer(allow_null=True, help_text="The latest approval request of this transfer")
    url = serializers.CharField(help_text="The transfer's page")

    def to_representation(self, transfer: Transfer) -> dict:
        context = self.context
        return {
            "id": transfer.pk,
            "code": transfer.code,
            "state": transfer.state,
            "state_label": str(transfer.get_state_display()),
            "from_department": _ref(transfer.from_department),
            "to_department": _ref(transfer.to_department),
            "to_location": _ref(transfer.to_location),
            "to_custodian": _member(transfer.to_custodian),
            "to_user_person": _member(transfer.to_user_person),
            "reason": transfer.reason,
            "requested_by": _member(transfer.requested_by),
            "requested_at": serializers.DateTimeField().to_representation(transfer.requested_at),
            "done_at": serializers.DateTimeField().to_representation(transfer.done_at) if transfer.done_at else None,
            "lines": [
                {
                    "asset": {"id": line.asset_id, "code": line.asset.code, "name": line.asset.name},
                    "from_location": _ref(line.from_location),
                    "from_custodian": _member(line.from_custodian),
                }
                for line in transfer.lines.all()
            ],
            "approval": approval_ref(context.get("approvals", {}).get(transfer.pk)),
            "url": reverse("assets:transfer_detail", args=[transfer.org.code, transfer.pk]),
        }


class TransferRequestSerializer(serializers.Serializer):
    """申请调拨: assets of one department to another department, place, custodian or user."""

    assets = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=MAX_ASSETS, help_text="Asset ids"
    )
    to_department = OrgRowField(Department)
    to_location = OrgRowField(Location, required=False, allow_null=True, help_text="Leave out to keep each place")
    to_custodian = OrgRowField(
        Membership, ("user",), required=False, allow_null=True, help_text="保管人 (membership id); leave out to keep"
    )
    to_user_person = OrgRowField(
        Membership, ("user",), required=False, allow_null=True, help_text="使用人 (membership id); leave out to keep"
    )
    reason = serializers.CharField(max_length=200)

    def validate_assets(self, ids):
        ids = list(dict.fromkeys(ids))
        found = {asset.pk: asset for asset in Asset.objects.filter(pk__in=ids).select_related("department", "category")}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(_("No such assets: {ids}.").format(ids=", ".join(missing)))
        return [found[pk] for pk in ids]


@extend_schema_view(
    list=extend_schema(summary="Transfers you may see, newest first"),
    retrieve=extend_schema(summary="One transfer"),
    create=extend_schema(
        summary="Request a transfer (申请调拨)", request=TransferRequestSerializer, responses={201: TransferSerializer}
    ),
)
class TransferViewSet(mixins.CreateModelMixin, OrgWriteViewSet):
    """调拨: staff follow the transfers they asked for, department heads those out of and into their department,
    the asset clerk, logistics office, leaders and finance all of them. The approval engine decides each one."""

    queryset = Transfer.objects.none()
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    view_permission = p.TRANSFER_VIEW
    manage_permission = p.TRANSFER_REQUEST
    ordering = "-id"

    def base_queryset(self):
        return Transfer.objects.select_related(
            "org",
            "from_department",
            "to_department",
            "to_location",
            "to_custodian__user",
            "to_user_person__user",
            "requested_by__user",
        ).prefetch_related(
            _lines_prefetch(),
        )

    def get_serializer_class(self):
        return TransferRequestSerializer if self.action == "create" else TransferSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "approvals": latest_approvals(Transfer, [t.pk for t in rows])}
        data = TransferSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        transfer = self.get_object()
        return self.read_response(transfer)

    def read_response(self, instance, status_code=status.HTTP_200_OK, serializer_class=None):
        instance = self.base_queryset().get(pk=instance.pk)
        context = {**self.get_serializer_context(), "approvals": latest_approvals(Transfer, [instance.pk])}
        return Response(TransferSerializer(instance, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        transfer = transfer_request(actor=self.actor, **self.validated())
        return self.read_response(transfer, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw your own transfer while it awaits approval", request=None, responses=TransferSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        transfer = self.get_object()
        transfer_withdraw(actor=self.actor, transfer=transfer)
        return self.read_response(transfer)


def _lines_prefetch():
    return Prefetch(
        "lines",
        queryset=TransferLine.objects.select_related("asset", "from_location", "from_custodian__user").order_by("pk"),
    )


def register(router):
    router.register("transfers", TransferViewSet, basename="api_transfer")
