"""API of disposals (报废/处置) under /api/v1/o/<org>/assets/disposals/: the list and one disposal, requesting one
and withdrawing one's own. The same services and FilterSet as the pages; the approval itself is decided at
/api/v1/o/<org>/approvals/."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from houqin.core.api.views import OrgWriteViewSet

from .. import permissions as p
from ..choices import DisposalMethod
from ..filtersets.disposals import DisposalFilterSet
from ..models import Asset, Disposal, DisposalLine
from ..models.ledger import MAX_VALUE
from ..selectors.transfers import latest_approvals
from ..services.disposals import disposal_request, disposal_withdraw
from ..services.transfers import MAX_ASSETS
from .assets import RefSerializer, _ref
from .transfers import ApprovalRefSerializer, approval_ref


class DisposalLineSerializer(serializers.Serializer):
    asset = serializers.DictField(help_text="id, code, name, original_value")
    status_before = serializers.CharField(help_text="The asset's status when requested (given back if not approved)")
    net_value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Net book value when requested")


class DisposalSerializer(serializers.Serializer):
    """A 报废/处置 request; money in yuan (strings, 2 places)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="BF-2026-00007")
    state = serializers.CharField(help_text="pending, done, rejected, withdrawn")
    state_label = serializers.CharField()
    method = serializers.CharField(help_text="scrap, transfer_out, sale, donation")
    method_label = serializers.CharField()
    reason = serializers.CharField()
    proceeds = serializers.DecimalField(max_digits=12, decimal_places=2)
    recipient = serializers.CharField()
    original_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Sum over the assets")
    requested_by = RefSerializer(help_text="Membership")
    requested_at = serializers.DateTimeField()
    done_on = serializers.DateField(allow_null=True)
    lines = DisposalLineSerializer(many=True)
    approval = ApprovalRefSerializer(allow_null=True, help_text="The latest approval request of this disposal")
    url = serializers.CharField(help_text="The disposal's page")

    def to_representation(self, disposal: Disposal) -> dict:
        lines = list(disposal.lines.all())
        return {
            "id": disposal.pk,
            "code": disposal.code,
            "state": disposal.state,
            "state_label": str(disposal.get_state_display()),
            "method": disposal.method,
            "method_label": str(disposal.get_method_display()),
            "reason": disposal.reason,
            "proceeds": "{:.2f}".format(disposal.proceeds),
            "recipient": disposal.recipient,
            "original_value": "{:.2f}".format(sum(line.asset.original_value for line in lines)),
            "requested_by": _ref(disposal.requested_by, disposal.requested_by.user.name),
            "requested_at": serializers.DateTimeField().to_representation(disposal.requested_at),
            "done_on": disposal.done_on.isoformat() if disposal.done_on else None,
            "lines": [
                {
                    "asset": {
                        "id": line.asset_id,
                        "code": line.asset.code,
                        "name": line.asset.name,
                        "original_value": "{:.2f}".format(line.asset.original_value),
                    },
                    "status_before": line.status_before,
                    "net_value": "{:.2f}".format(line.net_value),
                }
                for line in lines
            ],
            "approval": approval_ref(self.context.get("approvals", {}).get(disposal.pk)),
            "url": reverse("assets:disposal_detail", args=[disposal.org.code, disposal.pk]),
        }


class DisposalRequestSerializer(serializers.Serializer):
    """申请报废/处置: the assets await disposal until the request is decided."""

    assets = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=MAX_ASSETS, help_text="Asset ids"
    )
    method = serializers.ChoiceField(choices=DisposalMethod.choices)
    reason = serializers.CharField(max_length=300)
    # Range checks are the service's (one message in the user's language for page and API alike).
    proceeds = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=0)
    recipient = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="调入单位 / 买方 / 受赠方"
    )

    def validate_assets(self, ids):
        ids = list(dict.fromkeys(ids))
        found = {asset.pk: asset for asset in Asset.objects.filter(pk__in=ids).select_related("department", "category")}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(_("No such assets: {ids}.").format(ids=", ".join(missing)))
        return [found[pk] for pk in ids]

    def validate_proceeds(self, value):
        if value > MAX_VALUE:
            raise serializers.ValidationError(_("This value is too large; check the number."))
        return value


@extend_schema_view(
    list=extend_schema(summary="Disposals, newest first"),
    retrieve=extend_schema(summary="One disposal"),
    create=extend_schema(
        summary="Request a disposal (申请报废/处置)",
        request=DisposalRequestSerializer,
        responses={201: DisposalSerializer},
    ),
)
class DisposalViewSet(mixins.CreateModelMixin, OrgWriteViewSet):
    """报废/处置: the asset clerk and the logistics head request; the approval engine decides (by default the
    logistics head, then the leader); leaders, the logistics office and finance read them all."""

    queryset = Disposal.objects.none()
    serializer_class = DisposalSerializer
    filterset_class = DisposalFilterSet
    view_permission = p.DISPOSAL_VIEW
    manage_permission = p.DISPOSAL_REQUEST
    ordering = "-id"

    def base_queryset(self):
        return Disposal.objects.select_related("org", "requested_by__user").prefetch_related(
            Prefetch("lines", queryset=DisposalLine.objects.select_related("asset").order_by("pk"))
        )

    def get_serializer_class(self):
        return DisposalRequestSerializer if self.action == "create" else DisposalSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "approvals": latest_approvals(Disposal, [d.pk for d in rows])}
        data = DisposalSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return self.read_response(self.get_object())

    def read_response(self, instance, status_code=status.HTTP_200_OK, serializer_class=None):
        instance = self.base_queryset().get(pk=instance.pk)
        context = {**self.get_serializer_context(), "approvals": latest_approvals(Disposal, [instance.pk])}
        return Response(DisposalSerializer(instance, context=context).data, status=status_code)

    def create(self, request, *args, **kwargs):
        disposal = disposal_request(actor=self.actor, **self.validated())
        return self.read_response(disposal, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw your own disposal while it awaits approval", request=None, responses=DisposalSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        disposal = self.get_object()
        disposal_withdraw(actor=self.actor, disposal=disposal)
        return self.read_response(disposal)


def register(router):
    router.register("disposals", DisposalViewSet, basename="api_disposal")
