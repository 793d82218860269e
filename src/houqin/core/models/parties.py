from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel

# The org setting (registered in party_services): a licence expiring within that many days is shown orange,
# listed as a to-do and reminded of. Its largest allowed value bounds what the reminder job reads.
WARNING_DAYS_SETTING = "parties.licence_warning_days"
MAX_WARNING_DAYS = 180

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check
# character computed from the first 17 with these weights, modulo 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in pairs)
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in value):
        raise ValidationError(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V.")
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("This unified social credit code is not valid (its check character does not match)."))


class PartyKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CONTRACTOR = "contractor", _("Construction contractor")
    PROPERTY_MANAGER = "property_manager", _("Property management company")
    MAINTENANCE = "maintenance", _("Maintenance contractor")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Party(OrgScopedModel):
    """An outside organisation the org works with: supplier, contractor, 物业 company, tenant."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outside party")
        verbose_name_plural = _("outside parties")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.UniqueConstraint(
                fields=["org", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="%(app_label)s_%(class)s_unique_credit_code",
            ),
        ]
        indexes = [models.Index(fields=["org", "kind"], name="core_party_org_kind")]

    def __str__(self):
        return self.name


class LicenceReminder(models.TextChoices):
    """The last expiry reminder sent for a licence's current expiry date."""

    NONE = "", _("None")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")


class PartyLicence(OrgScopedModel):
    """A licence or qualification certificate of a party (营业执照, 食品经营许可证…), with its expiry."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="licences", verbose_name=_("party"))
    kind = models.CharField(_("licence kind"), max_length=40)  # a code of the "party.licence_kind" dictionary
    number = models.CharField(_("licence number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Leave empty if it never expires.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Which reminder went out for which expiry date: renewing the licence (a new date) starts over.
    reminded = models.CharField(max_length=10, choices=LicenceReminder.choices, blank=True, editable=False)
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["reminded", "reminded_for"])

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["id"]
        indexes = [models.Index(fields=["org", "expires_on"], name="core_partylicence_org_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(issued_on__isnull=True)
                | models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="%(app_label)s_%(class)s_expires_after_issue",
                violation_error_message=_("The expiry date cannot be before the issue date."),
            ),
        ]

    def __str__(self):
        return "{} {}".format(self.party.name, self.number or self.kind)


class PartyContact(OrgScopedModel):
    """A person to call at a party (not a user: people who log in are memberships with ``party`` set)."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("party"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party contact")
        verbose_name_plural = _("party contacts")
        ordering = ["id"]

    def __str__(self):
        return self.name


def expiry_state(expires_on: date | None, today: date, warning_days: int) -> str:
    """ "expired" after the expiry date, "expiring" within ``warning_days`` (the org's setting), else ""."""
    if expires_on is None:
        return ""
    if expires_on < today:
        return LicenceReminder.EXPIRED
    if expires_on <= today + timedelta(days=warning_days):
        return LicenceReminder.EXPIRING
    return ""


def licences_in_state(queryset: models.QuerySet, state: str, today: date, warning_days: int) -> models.QuerySet:
    """Licences (of active parties) that are expired, or expiring within ``warning_days`` (the org's setting)."""
    queryset = queryset.filter(party__is_active=True)
    if state == LicenceReminder.EXPIRED:
        return queryset.filter(expires_on__lt=today)
    return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=warning_days))


def parties_with_licences_in_state(
    parties: models.QuerySet, state: str, today: date, warning_days: int
) -> models.QuerySet:
    """The parties with a licence in that state: the list's filter, and the count of its to-do."""
    licences = licences_in_state(PartyLicence.objects.all(), state, today, warning_days)
    return parties.filter(pk__in=licences.values("party_id"))
