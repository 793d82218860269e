from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AssetCategory(models.Model):
    """A class of GB/T 14885-2022 (固定资产等资产基础分类与代码), the same for every organisation.

    Shipped as data (``data/gbt14885.csv``, loaded by a migration and by ``houqin asset_categories``) so that a
    row can be corrected without a code change. Each row carries its default useful life or "not
    depreciated" (财会〔2017〕4号), so nothing maps between two tables at run time. ``verified`` is false for
    rows not yet checked against the standard's text; the pages say so."""

    code = models.CharField(
        _("code"), max_length=20, unique=True, validators=[RegexValidator(r"^[A-Z][0-9]{2,}$")]
    )  # A02, A0201, …
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    depreciable = models.BooleanField(_("depreciated"), default=True)
    life_years = models.PositiveSmallIntegerField(
        _("default useful life (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # 图书、家具、用具、装具: a batch of like items is a fixed asset even when each is below the threshold.
    batch_counts = models.BooleanField(_("batches count as fixed assets"), default=False)
    verified = models.BooleanField(_("checked against the standard"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()  # corrections to the shipped table are audited

    class Meta:
        verbose_name = _("asset category")
        verbose_name_plural = _("asset categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(depreciable=False, life_years__isnull=True) | Q(depreciable=True, life_years__gte=1),
                name="assets_category_life_if_depreciated",
            )
        ]

    def __str__(self):
        return "{} {}".format(self.code, self.name)
