"""Org settings and dictionaries of the maintenance module (defaults editable per organisation)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from houqin.core import dictionaries, orgsettings

SECTION = _("Repairs")

CATEGORY = dictionaries.register(
    dictionaries.Dictionary(
        key="maintenance.category",
        label=_("Repair categories"),
        defaults=[
            ("water", _("Water")),  # 水
            ("electric", _("Electricity")),  # 电
            ("hvac", _("Heating and air conditioning")),  # 暖通
            ("door_window", _("Doors and windows")),  # 门窗
            ("network", _("Network")),  # 网络
            ("equipment", _("Equipment")),  # 设备
            ("building", _("Building works")),  # 土建
            ("other", _("Other")),  # 其他
        ],
        help_text=_("Categories added here use the SLA targets of “Other” until you give them their own."),
    )
)

INCIDENT_KIND = dictionaries.register(
    dictionaries.Dictionary(
        key="maintenance.incident_kind",
        label=_("Kinds of emergency"),
        defaults=[
            ("burst_pipe", _("Burst pipe")),  # 爆管
            ("leak", _("Water leak")),  # 漏水
            ("power_cut", _("Power cut")),  # 停电
            ("lift_entrapment", _("People trapped in a lift")),  # 电梯困人
            ("gas", _("Gas leak")),  # 燃气泄漏
            ("break_in", _("Broken door or window, break-in")),  # 门窗破损、盗损
            ("flooding", _("Flooding")),  # 内涝
            ("other", _("Other")),
        ],
    )
)

_CATEGORY_ROWS = [(code, label) for code, label in CATEGORY.defaults]

# Hours to the first response (accepted or started): normal and urgent in working hours, emergencies
# around the clock.
SLA_RESPONSE = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.sla_response",
        label=_("Response targets (hours)"),
        section=SECTION,
        default={code: {"normal": 4, "urgent": 1, "emergency": "0.5"} for code, _label in _CATEGORY_ROWS},
        form_field=orgsettings.table_field(
            rows=_CATEGORY_ROWS,
            columns=[
                ("normal", _("Normal (working hours)")),
                ("urgent", _("Urgent (working hours)")),
                ("emergency", _("Emergency (hours, around the clock)")),
            ],
            min_value=Decimal("0.25"),
            max_value=Decimal("240"),
            decimal_places=2,
        ),
        help_text=_(
            "From the report to a technician accepting the job. At critical places (operating theatres, ICU) "
            "every target counts around the clock."
        ),
    )
)

# Completion: normal jobs in working days, urgent in working hours, emergencies in wall-clock hours.
SLA_COMPLETION = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.sla_completion",
        label=_("Completion targets"),
        section=SECTION,
        default={
            "water": {"normal": 2, "urgent": 8, "emergency": 4},
            "electric": {"normal": 2, "urgent": 8, "emergency": 4},
            "hvac": {"normal": 3, "urgent": 8, "emergency": 6},
            "door_window": {"normal": 3, "urgent": 8, "emergency": 8},
            "network": {"normal": 2, "urgent": 4, "emergency": 4},
            "equipment": {"normal": 5, "urgent": 16, "emergency": 8},
            "building": {"normal": 10, "urgent": 24, "emergency": 12},
            "other": {"normal": 5, "urgent": 16, "emergency": 8},
        },
        form_field=orgsettings.table_field(
            rows=_CATEGORY_ROWS,
            columns=[
                ("normal", _("Normal (working days)")),
                ("urgent", _("Urgent (working hours)")),
                ("emergency", _("Emergency (hours, around the clock)")),
            ],
            min_value=Decimal("0.25"),
            max_value=Decimal("720"),
            decimal_places=2,
        ),
        help_text=_("From the report to the technician finishing the work."),
    )
)

AUTO_CONFIRM_DAYS = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.auto_confirm_days",
        label=_("Confirm finished jobs automatically after (days)"),
        section=SECTION,
        default=3,
        form_field=orgsettings.integer_field(min_value=1, max_value=30),
        help_text=_("A finished job the reporter neither confirms nor sends back is confirmed after this many days."),
    )
)

HOURLY_RATE = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.hourly_rate",
        label=_("Labour cost per hour (yuan)"),
        section=SECTION,
        default="60.00",
        form_field=orgsettings.decimal_field(min_value=Decimal("0"), max_value=Decimal("10000")),
        help_text=_("Cost of a job = parts + labour hours × this rate + the contractor's invoice."),
    )
)

REFERENCE_PRICES = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.reference_prices",
        label=_("Reference contractor price per job (yuan)"),
        section=SECTION,
        default={code: {"price": 0} for code, _label in _CATEGORY_ROWS},
        form_field=orgsettings.table_field(
            rows=_CATEGORY_ROWS,
            columns=[("price", _("Price"))],
            min_value=Decimal("0"),
            max_value=Decimal("1000000"),
            decimal_places=2,
        ),
        help_text=_(
            "What an outside company would charge for a typical job of the category; the statistics count "
            "self-repair savings against it. 0: no reference price (those jobs are left out of the savings)."
        ),
    )
)

PUBLIC_RATE_LIMIT = orgsettings.register(
    orgsettings.Setting(
        key="maintenance.public_reports_per_hour",
        label=_("Reports without login per device and hour"),
        section=SECTION,
        default=5,
        form_field=orgsettings.integer_field(min_value=1, max_value=100),
        help_text=_("Where reporting without login is turned on, a phone may send at most this many reports an hour."),
    )
)
