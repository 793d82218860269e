from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.tenancy import OrgScopedModel
from houqin.core.workflow import Transition, Workflow

from .. import permissions as p
from ..choices import CountResult, StocktakeScope, StocktakeState
from .ledger import MAX_VALUE


class Stocktake(OrgScopedModel):
    """盘点 / 清查 of one scope (the whole organisation, a department, a place and what lies below it, or a
    category): the ledger's assets of the scope are listed when it opens, people scan their labels, and
    closing applies what was found (盘亏 → lost, 盘盈 → registered, wrong place → moved) in one transaction."""

    code = models.CharField(_("number"), max_length=30)  # PD-2026-00003
    name = models.CharField(_("name"), max_length=100)
    state = models.CharField(_("status"), max_length=20, choices=StocktakeState.choices, default=StocktakeState.OPEN)
    scope = models.CharField(_("scope"), max_length=20, choices=StocktakeScope.choices)
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    category = models.ForeignKey(
        "assets.AssetCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    # "org", "department:5", "location:12", "category:A02": never NULL, so that the unique constraint below
    # holds (NULLs are distinct) — one open stocktake per scope at a time.
    scope_key = models.CharField(_("scope key"), max_length=40, editable=False)
    opened_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    scope_fields = {"department": "department"}

    WORKFLOW = Workflow(
        transitions=[
            Transition(None, "open", StocktakeState.OPEN, p.STOCKTAKE_MANAGE, label=_("Opened")),
            Transition(StocktakeState.OPEN, "close", StocktakeState.CLOSED, p.STOCKTAKE_MANAGE, label=_("Closed")),
            Transition(
                StocktakeState.OPEN,
                "cancel",
                StocktakeState.CANCELLED,
                p.STOCKTAKE_MANAGE,
                label=_("Cancelled"),
                needs_note=True,
            ),
        ]
    )

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
            models.UniqueConstraint(
                fields=["org", "scope_key"],
                condition=Q(state=StocktakeState.OPEN),
                name="%(app_label)s_%(class)s_one_open_per_scope",
                violation_error_message=_("A stocktake of this scope is already open: close it first."),
            ),
            models.CheckConstraint(
                condition=Q(
                    scope=StocktakeScope.ORG, department__isnull=True, location__isnull=True, category__isnull=True
                )
                | Q(
                    scope=StocktakeScope.DEPARTMENT,
                    department__isnull=False,
                    location__isnull=True,
                    category__isnull=True,
                )
                | Q(
                    scope=StocktakeScope.LOCATION,
                    department__isnull=True,
                    location__isnull=False,
                    category__isnull=True,
                )
                | Q(
                    scope=StocktakeScope.CATEGORY,
                    department__isnull=True,
                    location__isnull=True,
                    category__isnull=False,
                ),
                name="%(app_label)s_%(class)s_scope_matches",
            ),
        ]
        indexes = [models.Index(fields=["org", "state", "id"], name="assets_stocktake_state")]

    def __str__(self):
        return "{} {}".format(self.code, self.name)


class StocktakeLine(OrgScopedModel):
    """One asset expected by a stocktake (listed when it opened) and what the count found; or a surplus item
    found on the spot that the ledger does not have (盘盈: ``asset`` empty until closing registers it)."""

    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.PROTECT, related_name="lines", verbose_name=_("stocktake")
    )
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("asset")
    )
    result = models.CharField(_("result"), max_length=20, choices=CountResult.choices, default=CountResult.PENDING)
    # Where the ledger had it when the stocktake opened, and where the counter found it.
    expected_location = models.ForeignKey(
        "core.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ledger place"),
    )
    found_location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("found at")
    )
    counted_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("counted by")
    )
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)  # the server's time of the scan
    # A surplus item (盘盈), described on the spot and registered as a card when the stocktake closes.
    surplus_name = models.CharField(_("name"), max_length=100, blank=True)
    surplus_category = models.ForeignKey(
        "assets.AssetCategory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    # The department the surplus card will belong to (a department-scoped stocktake's own department by default).
    surplus_department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning department"),
    )
    surplus_quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    surplus_value = models.DecimalField(
        _("estimated value"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_VALUE)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["stocktake", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stocktake", "asset"],
                condition=Q(asset__isnull=False),
                name="%(app_label)s_%(class)s_asset_once",
            ),
            models.CheckConstraint(
                condition=~Q(result=CountResult.SURPLUS) | ~Q(surplus_name=""),
                name="%(app_label)s_%(class)s_surplus_named",
            ),
        ]
        indexes = [models.Index(fields=["stocktake", "result"], name="assets_stline_result")]

    def __str__(self):
        return "{} {}".format(self.stocktake_id, self.asset_id or self.surplus_name)
