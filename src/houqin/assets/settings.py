"""Org settings and dictionaries of the assets module (defaults editable per organisation)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries, orgsettings

from .choices import DepreciationStart

SECTION = _("Fixed assets")

# 事业单位财务规则 (2022, 令第108号): a unit value of 1000 yuan or more makes a fixed asset.
THRESHOLD = orgsettings.register(
    orgsettings.Setting(
        key="assets.threshold",
        label=_("Fixed-asset threshold (yuan per unit)"),
        section=SECTION,
        default="1000.00",
        form_field=orgsettings.decimal_field(min_value=Decimal("0"), max_value=Decimal("100000")),
        help_text=_(
            "Items worth less per unit are low-value consumables (低值易耗品) in the same ledger. 1000 yuan by "
            "the 2022 rules for public institutions; some still use 1500 for special equipment. Batches of "
            "like items (books, furniture, fittings) are fixed assets even below it."
        ),
    )
)

DEPRECIATION_START = orgsettings.register(
    orgsettings.Setting(
        key="assets.depreciation_start",
        label=_("Depreciation starts"),
        section=SECTION,
        default=DepreciationStart.GOVERNMENT.value,
        form_field=orgsettings.choice_field(DepreciationStart.choices),
        help_text=_(
            "Government accounting (schools, hospitals): charged from the month an asset is added, and not in "
            "the month it leaves. Enterprise accounting: from the month after it is added, and still in the "
            "month it leaves. Straight-line, monthly, no salvage value."
        ),
    )
)

FUNDING = dictionaries.register(
    dictionaries.Dictionary(
        key="assets.funding",
        label=_("Funding sources of assets"),
        defaults=[
            ("fiscal", _("Fiscal appropriation")),  # 财政拨款
            ("own", _("Own funds")),  # 自有资金
            ("research", _("Research funds")),  # 科研经费
            ("donation", _("Donation")),  # 捐赠
            ("other", _("Other")),
        ],
    )
)
