"""API of stocktakes (盘点) under /api/v1/o/<org>/assets/: stocktakes with their counts per result, opening,
closing and cancelling one, and the lines (read-only).

Counting is deliberately not here: an asset is counted only on the page behind its QR label, which records who,
where and the server's time (see views/stocktakes.py). Writes call the same services as the pages.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from houqin.core.api.base import OrgReadOnlyViewSet
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Department, Location

from .. import permissions as p
from ..choices import CountResult, StocktakeScope
from ..filtersets import StocktakeFilterSet, StocktakeLineFilterSet
from ..models import AssetCategory, Stocktake, StocktakeLine
from ..selectors import stocktakes as selectors
from ..services import stocktakes as services
from .assets import RefSerializer, _ref


class CountsSerializer(serializers.Serializer):
    listed = serializers.IntegerField(help_text="Assets listed when it opened (and joined since)")
    counted = serializers.IntegerField(help_text="Found in place or elsewhere")
    percent = serializers.IntegerField()
    by_result = serializers.DictField(
        child=serializers.IntegerField(), help_text="pending, found, wrong_location, missing, surplus → lines"
    )


class StocktakeSerializer(serializers.Serializer):
    """A stocktake with its progress. ``scope`` is org, department, location or category."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="PD-2026-00003")
    name = serializers.CharField()
    state = serializers.CharField(help_text="open, closed, cancelled")
    state_label = serializers.CharField()
    scope = serializers.CharField()
    scope_label = serializers.CharField()
    department = RefSerializer(allow_null=True)
    location = RefSerializer(allow_null=True)
    category = serializers.CharField(allow_null=True, help_text="GB/T 14885-2022 code")
    opened_by = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_by = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    counts = CountsSerializer()
    url = serializers.CharField(help_text="The stocktake's page")

    def to_representation(self, stocktake: Stocktake) -> dict:
        counts = self.context["counts"].get(stocktake.pk, {})
        return {
            "id": stocktake.pk,
            "code": stocktake.code,
            "name": stocktake.name,
            "state": stocktake.state,
            "state_label": str(stocktake.get_state_display()),
            "scope": stocktake.scope,
            "scope_label": str(stocktake.get_scope_display()),
            "department": _ref(stocktake.department),
            "location": _ref(stocktake.location),
            "category": stocktake.category.code if stocktake.category_id else None,
            "opened_by": stocktake.opened_by.name,
            "opened_at": serializers.DateTimeField().to_representation(stocktake.opened_at),
            "closed_by": stocktake.closed_by.name if stocktake.closed_by_id else None,
            "closed_at": serializers.DateTimeField().to_representation(stocktake.closed_at)
            if stocktake.closed_at
            else None,
            "note": stocktake.note,
            "counts": selectors.progress(counts),
            "url": reverse("assets:stocktake_detail", args=[stocktake.org.code, stocktake.pk]),
        }


class StocktakeOpenSerializer(serializers.Serializer):
    """发起盘点: the scope and the row it names (department, location or category)."""

    scope = serializers.ChoiceField(choices=StocktakeScope.choices)
    department = OrgRowField(Department, required=False, allow_null=True, help_text="For scope department")
    location = OrgRowField(Location, required=False, allow_null=True, help_text="For scope location (and below)")
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=AssetCategory.objects.all(),
        required=False,
        allow_null=True,
        help_text="For scope category: a GB/T 14885 code (its subclasses included)",
    )
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class StocktakeCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CloseResultSerializer(serializers.Serializer):
    stocktake = StocktakeSerializer()
    missing = serializers.ListField(child=serializers.IntegerField(), help_text="Assets set to lost (盘亏)")
    moved = serializers.ListField(child=serializers.IntegerField(), help_text="Assets moved to where they were found")
    registered = serializers.ListField(child=serializers.IntegerField(), help_text="New cards of surplus items (盘盈)")
    found = serializers.ListField(child=serializers.IntegerField(), help_text="Assets found in place")


@extend_schema_view(
    list=extend_schema(summary="Stocktakes, newest first, with their counts per result"),
    retrieve=extend_schema(summary="One stocktake with its counts per result"),
    create=extend_schema(
        summary="Open a stocktake (发起盘点)", request=StocktakeOpenSerializer, responses={201: StocktakeSerializer}
    ),
)
class StocktakeViewSet(mixins.CreateModelMixin, OrgWriteViewSet):
    """盘点/清查. Counting is done by scanning labels on the asset's page, never through the API."""

    queryset = Stocktake.objects.none()
    serializer_class = StocktakeSerializer
    filterset_class = StocktakeFilterSet
    view_permission = p.STOCKTAKE_VIEW
    manage_permission = p.STOCKTAKE_MANAGE
    ordering = "-id"

    def base_queryset(self):
        return Stocktake.objects.select_related("org", "department", "location", "category", "opened_by", "closed_by")

    def get_serializer_class(self):
        if self.action == "create":
            return StocktakeOpenSerializer
        if self.action == "cancel":
            return StocktakeCancelSerializer
        return StocktakeSerializer

    def _data(self, stocktakes) -> list[dict] | dict:
        many = isinstance(stocktakes, list)
        rows = stocktakes if many else [stocktakes]
        context = {**self.get_serializer_context(), "counts": selectors.counts_by_stocktake([s.pk for s in rows])}
        return StocktakeSerializer(stocktakes, many=many, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(list(page)))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object()))

    def _reread(self, stocktake):
        return self.base_queryset().get(pk=stocktake.pk)

    def create(self, request, *args, **kwargs):
        data = self.validated()
        stocktake = services.stocktake_open(actor=self.actor, name=data.pop("name", ""), **data)
        return Response(self._data(self._reread(stocktake)), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Close a stocktake and apply its adjustments", request=None, responses=CloseResultSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        stocktake = self.get_object()
        result = services.stocktake_close(actor=self.actor, stocktake=stocktake)
        return Response(
            {
                "stocktake": self._data(self._reread(stocktake)),
                "missing": result.missing,
                "moved": result.moved,
                "registered": result.registered,
                "found": result.found,
            }
        )

    @extend_schema(
        summary="Cancel a stocktake (the ledger is not changed)",
        request=StocktakeCancelSerializer,
        responses=StocktakeSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        stocktake = self.get_object()
        reason = self.validated()["reason"]
        services.stocktake_cancel(actor=self.actor, stocktake=stocktake, reason=reason)
        return Response(self._data(self._reread(stocktake)))


class StocktakeLineSerializer(serializers.Serializer):
    """One line: an asset listed (or joined) and what the count found, or a surplus item (``asset`` null until the
    stocktake closes and registers it)."""

    id = serializers.IntegerField()
    stocktake = serializers.IntegerField()
    asset = serializers.DictField(allow_null=True, help_text="{id, code, name}")
    result = serializers.CharField(help_text=", ".join(CountResult.values))
    result_label = serializers.CharField()
    expected_location = RefSerializer(allow_null=True, help_text="Where the ledger had it when the stocktake opened")
    found_location = RefSerializer(allow_null=True)
    counted_by = serializers.CharField(allow_null=True)
    counted_at = serializers.DateTimeField(allow_null=True, help_text="The server's time of the scan")
    surplus_name = serializers.CharField()
    surplus_category = serializers.CharField(allow_null=True)
    surplus_department = RefSerializer(allow_null=True)
    surplus_quantity = serializers.IntegerField()
    surplus_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField()

    def to_representation(self, line: StocktakeLine) -> dict:
        asset = line.asset
        return {
            "id": line.pk,
            "stocktake": line.stocktake_id,
            "asset": {"id": asset.pk, "code": asset.code, "name": asset.name} if asset is not None else None,
            "result": line.result,
            "result_label": str(line.get_result_display()),
            "expected_location": _ref(line.expected_location),
            "found_location": _ref(line.found_location),
            "counted_by": line.counted_by.name if line.counted_by_id else None,
            "counted_at": serializers.DateTimeField().to_representation(line.counted_at) if line.counted_at else None,
            "surplus_name": line.surplus_name,
            "surplus_category": line.surplus_category.code if line.surplus_category_id else None,
            "surplus_department": _ref(line.surplus_department),
            "surplus_quantity": line.surplus_quantity,
            "surplus_value": "{:.2f}".format(line.surplus_value),
            "note": line.note,
        }


@extend_schema_view(
    list=extend_schema(summary="Stocktake lines (filter by stocktake and result)"),
    retrieve=extend_schema(summary="One stocktake line"),
)
class StocktakeLineViewSet(OrgReadOnlyViewSet):
    """The lines of the stocktakes you may read. Read-only: counts come from label scans only."""

    queryset = StocktakeLine.objects.none()
    serializer_class = StocktakeLineSerializer
    filterset_class = StocktakeLineFilterSet
    view_permission = p.STOCKTAKE_VIEW
    ordering = "id"

    def get_queryset(self):
        return selectors.with_relations(selectors.visible_lines(self.actor))


def register(router):
    router.register("stocktakes", StocktakeViewSet, basename="api_stocktake")
    router.register("stocktake-lines", StocktakeLineViewSet, basename="api_stocktake_line")
