from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BigIntegerField, F, Q
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import new_qr_token
from houqin.core.tenancy import OrgScopedModel

from ..choices import Acquisition, AssetEventKind, AssetStatus
from ..expressions import MonthIndex

MAX_VALUE = Decimal("9999999999.99")  # ten billion yuan: anything above is a typing error


def _kept_or_used_by(user):
    # "Own" assets: those the person keeps (保管人) or uses (使用人).
    return Q(custodian__user=user) | Q(user_person__user=user)


class Asset(OrgScopedModel):
    """固定资产 (or, below the threshold, 低值易耗品): one card of the ledger, a single item or a batch of
    like items (``quantity`` > 1, e.g. 40 sets of desks) booked together."""

    code = models.CharField(_("asset code"), max_length=40)  # ZC-2026-00042, or kept from an imported ledger
    qr_token = models.CharField(_("QR token"), max_length=20, unique=True, default=new_qr_token, editable=False)
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        "assets.AssetCategory", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    model_number = models.CharField(_("model"), max_length=60, blank=True)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    unit = models.CharField(_("unit"), max_length=10, default="台")  # 台、套、张、册、件
    original_value = models.DecimalField(
        _("original value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_VALUE)],
        help_text=_("Yuan, the whole card (all items of a batch)."),
    )
    low_value = models.BooleanField(_("low-value consumable"), default=False)  # 低值易耗品: below the threshold
    acquisition = models.CharField(
        _("acquired by"), max_length=20, choices=Acquisition.choices, default=Acquisition.PURCHASE
    )
    funding = models.CharField(_("funding source"), max_length=40, blank=True)  # dictionary assets.funding
    supplier = models.ForeignKey(
        "core.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    # 财务入账: the month added to the books, where depreciation counts from.
    booked_on = models.DateField(_("finance booking date"))
    voucher_number = models.CharField(_("voucher number"), max_length=40, blank=True)
    life_months = models.PositiveSmallIntegerField(
        _("useful life (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_("Leave empty for the category's default."),
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning department")
    )
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    # Copied from the location so that "assets in building X" hits an index.
    building = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    custodian = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("custodian"),
    )  # 保管人
    user_person = models.ForeignKey(
        "core.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )  # 使用人
    status = models.CharField(_("status"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE)
    # The day it left the books (disposed of or lost): depreciation stops by the org's rule.
    left_on = models.DateField(_("left the books"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    # Kept by the database from the row itself: the value in whole fen and the month of the booking date, which the
    # figures' net book value reads on every card (200,000 of them) instead of converting a decimal and a date each.
    value_fen = models.GeneratedField(
        expression=Cast(Round(F("original_value") * 100), BigIntegerField()),
        output_field=BigIntegerField(),
        db_persist=True,
    )
    booked_month = models.GeneratedField(
        expression=MonthIndex("booked_on"), output_field=models.IntegerField(), db_persist=True
    )

    history = HistoricalRecords(excluded_fields=["value_fen", "booked_month"])

    scope_fields = {"own": _kept_or_used_by, "department": "department"}

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            models.CheckConstraint(
                condition=Q(original_value__gte=0) & Q(original_value__lte=MAX_VALUE),
                name="%(app_label)s_%(class)s_value_range",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="%(app_label)s_%(class)s_quantity_positive"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("booked_on")),
                name="%(app_label)s_%(class)s_leaves_after_booking",
            ),
        ]
        indexes = [
            # The list's filters, each led by the org and ending in id for the newest-first keyset pages.
            models.Index(fields=["org", "status", "id"], name="assets_asset_status"),
            models.Index(fields=["org", "category", "id"], name="assets_asset_category"),
            models.Index(fields=["org", "department", "id"], name="assets_asset_department"),
            models.Index(fields=["org", "building", "id"], name="assets_asset_building"),
            models.Index(fields=["org", "location", "id"], name="assets_asset_location"),
            models.Index(fields=["org", "custodian", "id"], name="assets_asset_custodian"),
            models.Index(fields=["org", "user_person", "id"], name="assets_asset_user"),
            models.Index(fields=["org", "booked_on", "id"], name="assets_asset_booked"),
            # Value by category (and department) read from the index alone.
            models.Index(
                fields=["org", "category", "department", "status", "original_value", "quantity"],
                name="assets_asset_value",
            ),
        ]

    def __str__(self):
        return "{} {}".format(self.code, self.name)

    @property
    def unit_value(self) -> Decimal:
        return (self.original_value / self.quantity).quantize(Decimal("0.01"))


class AssetEvent(OrgScopedModel):
    """One line of an asset's chain on its card (append-only): registered, transferred, lent, returned,
    counted, disposed of. What changed is in ``note``; the record that caused it, where there is one, in
    ``source_label`` and ``source_url`` (a transfer, a loan, a stocktake; possibly of another module)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="events", verbose_name=_("asset"))
    kind = models.CharField(_("kind"), max_length=20, choices=AssetEventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_label = models.CharField(_("record"), max_length=60, blank=True)
    source_url = models.CharField(_("record link"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("asset event")
        verbose_name_plural = _("asset events")
        ordering = ["asset", "at", "id"]
        indexes = [models.Index(fields=["asset", "at"], name="assets_event_asset_at")]

    def __str__(self):
        return "{} {}".format(self.get_kind_display(), self.at)
