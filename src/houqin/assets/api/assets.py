"""API of the asset ledger: the list and one card, registering and correcting a card.

Reads go through ``restrict()`` and ``AssetFilterSet`` (the page's own filter); writes call the same services
as the pages, so permissions, numbering, validation and the card's chain are the service's. A service's
``ValidationError`` becomes a 400 with field errors, a refused role a 403, an asset the actor may not see a 404.
"""

from __future__ import annotations

from functools import cached_property

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status

from houqin.core import orgsettings
from houqin.core.api.serializers import OrgRowField
from houqin.core.api.views import OrgWriteViewSet
from houqin.core.models import Department, Location, Membership, Party

from .. import permissions as p
from ..choices import Acquisition
from ..depreciation import net_book_value
from ..filtersets import AssetFilterSet
from ..models import Asset, AssetCategory
from ..models.ledger import MAX_VALUE
from ..services.assets import asset_register, asset_update
from ..settings import DEPRECIATION_START


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _ref(row, name=None) -> dict | None:
    return {"id": row.pk, "name": name if name is not None else row.name} if row is not None else None


class AssetSerializer(serializers.Serializer):
    """An asset card. Money in yuan (strings, 2 places); dates ISO; people are memberships (id, name)."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="ZC-2026-00042, or a code kept from an imported ledger")
    name = serializers.CharField()
    category = serializers.CharField(help_text="GB/T 14885-2022 code, e.g. A020101")
    category_name = serializers.CharField()
    brand = serializers.CharField()
    model_number = serializers.CharField()
    spec = serializers.CharField()
    serial_number = serializers.CharField()
    quantity = serializers.IntegerField()
    unit = serializers.CharField()
    original_value = serializers.DecimalField(max_digits=12, decimal_places=2)
    net_book_value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Today, by the org's rule")
    low_value = serializers.BooleanField(help_text="低值易耗品: below the org's threshold per unit")
    acquisition = serializers.CharField(help_text="purchase, transfer_in, donation, self_built, surplus")
    funding = serializers.CharField(help_text='A code of the org\'s dictionary "assets.funding"')
    supplier = RefSerializer(allow_null=True)
    purchase_date = serializers.DateField(allow_null=True)
    booked_on = serializers.DateField()
    voucher_number = serializers.CharField()
    life_months = serializers.IntegerField(allow_null=True, help_text="Own useful life; null: the category's")
    department = RefSerializer()
    location = RefSerializer(allow_null=True)
    building = RefSerializer(allow_null=True)
    custodian = RefSerializer(allow_null=True, help_text="保管人 (membership id)")
    user_person = RefSerializer(allow_null=True, help_text="使用人 (membership id)")
    status = serializers.CharField(help_text="in_use, idle, lent, repairing, pending_disposal, disposed, lost")
    status_label = serializers.CharField()
    warranty_until = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    qr_token = serializers.CharField(help_text="The label's token: HOUQIN_BASE_URL/o/<org>/a/<token>/")
    url = serializers.CharField(help_text="The asset's page")

    def to_representation(self, asset: Asset) -> dict:
        context = self.context
        return {
            "id": asset.pk,
            "code": asset.code,
            "name": asset.name,
            "category": asset.category.code,
            "category_name": asset.category.name,
            "brand": asset.brand,
            "model_number": asset.model_number,
            "spec": asset.spec,
            "serial_number": asset.serial_number,
            "quantity": asset.quantity,
            "unit": asset.unit,
            "original_value": "{:.2f}".format(asset.original_value),
            "net_book_value": "{:.2f}".format(net_book_value(asset, context["today"], context["rule"])),
            "low_value": asset.low_value,
            "acquisition": asset.acquisition,
            "funding": asset.funding,
            "supplier": _ref(asset.supplier),
            "purchase_date": asset.purchase_date.isoformat() if asset.purchase_date else None,
            "booked_on": asset.booked_on.isoformat(),
            "voucher_number": asset.voucher_number,
            "life_months": asset.life_months,
            "department": _ref(asset.department),
            "location": _ref(asset.location),
            "building": _ref(asset.building),
            "custodian": _ref(asset.custodian, asset.custodian.user.name) if asset.custodian else None,
            "user_person": _ref(asset.user_person, asset.user_person.user.name) if asset.user_person else None,
            "status": asset.status,
            "status_label": str(asset.get_status_display()),
            "warranty_until": asset.warranty_until.isoformat() if asset.warranty_until else None,
            "note": asset.note,
            "qr_token": asset.qr_token,
            "url": context["url_prefix"] + "{}/".format(asset.pk),
        }


class AssetWriteSerializer(serializers.Serializer):
    """登记 or correct a card. Omit ``code`` to get the next ZC-<year>-<n>."""

    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    name = serializers.CharField(max_length=100)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=AssetCategory.objects.all(), help_text="GB/T 14885-2022 code, e.g. A020101"
    )
    brand = serializers.CharField(max_length=60, required=False, allow_blank=True)
    model_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    spec = serializers.CharField(max_length=200, required=False, allow_blank=True)
    serial_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    unit = serializers.CharField(max_length=10, required=False)
    # Range checks are the service's (one message in the user's language for page and API alike).
    original_value = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Yuan, the whole card")
    acquisition = serializers.ChoiceField(choices=Acquisition.choices, required=False)
    funding = serializers.CharField(max_length=40, required=False, allow_blank=True)
    supplier = OrgRowField(Party, required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    booked_on = serializers.DateField(help_text="财务入账日期: depreciation counts from its month")
    voucher_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    life_months = serializers.IntegerField(min_value=1, max_value=1200, required=False, allow_null=True)
    department = OrgRowField(Department)
    location = OrgRowField(Location, required=False, allow_null=True)
    custodian = OrgRowField(Membership, ("user",), required=False, allow_null=True, help_text="Membership id")
    user_person = OrgRowField(Membership, ("user",), required=False, allow_null=True, help_text="Membership id")
    warranty_until = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_original_value(self, value):
        if value > MAX_VALUE:
            raise serializers.ValidationError(_("This value is too large; check the number."))
        return value


@extend_schema_view(
    list=extend_schema(summary="Assets you may see, newest first"),
    retrieve=extend_schema(summary="One asset card"),
    create=extend_schema(
        summary="Register an asset (登记)", request=AssetWriteSerializer, responses={201: AssetSerializer}
    ),
    partial_update=extend_schema(
        summary="Correct some fields of an asset card", request=AssetWriteSerializer, responses=AssetSerializer
    ),
)
class AssetViewSet(OrgWriteViewSet):
    """资产台账: staff see what they keep or use, department heads their department's, the asset clerk, the
    logistics office, leaders and finance the whole ledger; the asset clerk keeps it; a bureau reads."""

    queryset = Asset.objects.none()
    serializer_class = AssetSerializer
    update_serializer_class = AssetWriteSerializer
    filterset_class = AssetFilterSet
    view_permission = p.ASSET_VIEW
    manage_permission = p.ASSET_MANAGE
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        # Related rows by id in small queries: PostgreSQL plans the ten-way join in ~80 ms at any ledger size.
        return Asset.objects.select_related("category").prefetch_related(
            "department", "location", "building", "custodian__user", "user_person__user", "supplier"
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return AssetWriteSerializer
        return AssetSerializer

    def get_serializer_context(self):
        return self._context

    @cached_property
    def _context(self) -> dict:
        context = super().get_serializer_context()
        actor = getattr(self, "actor", None)
        if actor is not None:
            context.update(
                rule=orgsettings.value(actor.org, DEPRECIATION_START.key),
                today=timezone.localdate(),
                url_prefix=reverse("assets:asset_list", args=[actor.org.code]),
            )
        return context

    def create(self, request, *args, **kwargs):
        asset = asset_register(actor=self.actor, **self.validated())
        return self.read_response(asset, status.HTTP_201_CREATED, AssetSerializer)

    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        asset_update(actor=self.actor, asset=asset, **self.validated(asset, partial=True))
        return self.read_response(asset, serializer_class=AssetSerializer)


def register(router):
    router.register("assets", AssetViewSet, basename="api_asset")
