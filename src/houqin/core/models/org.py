import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import DepartmentKind, LocationKind, OrgKind, Role, SecurityEventKind
from ..tenancy import OrgScopedModel
from ..trees import TreeNode

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("Use letters, digits, '-', '_' or '.', starting with a letter or digit.")
)


def new_qr_token() -> str:
    return secrets.token_urlsafe(9)


def mask_phone(phone: str) -> str:
    """139****0000 for a mobile number; **** for anything else that is not empty."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else ("****" if phone else "")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra):
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in; what they may do depends on their memberships in organisations."""

    phone = models.CharField(_("mobile number"), max_length=11, unique=True, validators=[phone_validator])
    name = models.CharField(_("name"), max_length=50)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Organization(TreeNode):
    """A tenant: a school, kindergarten, hospital, campus or the bureau above them."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Raised by orgcache.changed() (one UPDATE) whenever its people, roles or set-up change; never saved from here.
    config_version = models.PositiveBigIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["path", "depth", "config_version"])

    # For restrict(): an organisation's own row stands for its org, and its path for its subtree.
    scope_fields = {"org": "pk", "org_path": "path"}

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            # A row read before a change elsewhere must not put its older version back.
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "config_version"
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Department(OrgScopedModel, TreeNode):
    """A unit inside an organisation: 处室, 年级组, 科室."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.OFFICE)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(excluded_fields=["path", "depth"])

    scope_fields = {"department": ""}  # a department is "in" its own subtree

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]
        indexes = [models.Index(fields=["org", "path"], name="core_department_org_path")]

    def __str__(self):
        return self.name


class Location(OrgScopedModel, TreeNode):
    """A place: campus → building → floor → room, each with a code and a QR token for its printed label."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=20, choices=LocationKind.choices)
    # The building above (or this building itself), copied so that "jobs in building X" hits an index.
    building = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    qr_token = models.CharField(_("QR token"), max_length=20, unique=True, default=new_qr_token, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_critical = models.BooleanField(
        _("critical place"),
        default=False,
        help_text=_("Deadlines here count around the clock, e.g. operating theatre, ICU."),
    )
    # A code of the "location.use" dictionary (classroom, ward…), which each org may rename and extend.
    use = models.CharField(
        _("use"), max_length=40, blank=True, help_text=_("A code of the dictionary location.use, e.g. classroom, ward.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Path, depth and building follow from the parent, which history records.
    history = HistoricalRecords(excluded_fields=["path", "depth", "building"])

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]
        indexes = [
            models.Index(fields=["org", "path"], name="core_location_org_path"),
            models.Index(fields=["org", "kind"], name="core_location_org_kind"),
            models.Index(fields=["org", "use"], name="core_location_org_use"),
        ]

    def __str__(self):
        return self.name

    def fill_derived(self) -> None:
        if self.kind == LocationKind.BUILDING:
            self.building_id = self.pk
        else:
            self.building_id = self.parent.building_id if self.parent_id else None


class Membership(OrgScopedModel):
    """A person's place in one organisation: 工号, department, and (through RoleGrant) roles."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    # People of an outside party (物业 technicians, security guards of a contractor) work here as members.
    party = models.ForeignKey(
        "core.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("outside party"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    scope_fields = {"own": "user", "department": "department"}

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="%(app_label)s_%(class)s_unique_user"),
            models.UniqueConstraint(
                fields=["org", "employee_no"],
                condition=~Q(employee_no=""),
                name="%(app_label)s_%(class)s_unique_employee_no",
            ),
        ]
        indexes = [models.Index(fields=["org", "department"], name="core_membership_org_dept")]

    def __str__(self):
        return "{} @ {}".format(self.user.name, self.org.display_name)


class RoleGrant(OrgScopedModel):
    """One role held by a membership, optionally limited to a department subtree."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("membership")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("limited to department"),
    )

    history = HistoricalRecords()

    scope_fields = {"own": "membership__user", "department": "membership__department"}

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["id"]
        constraints = [
            # NULLs are distinct in unique constraints, so the unlimited grant needs its own.
            models.UniqueConstraint(
                fields=["membership", "role"],
                condition=Q(department__isnull=True),
                name="%(app_label)s_%(class)s_unique_role",
            ),
            models.UniqueConstraint(
                fields=["membership", "role", "department"],
                condition=Q(department__isnull=False),
                name="%(app_label)s_%(class)s_unique_role_department",
            ),
        ]

    def __str__(self):
        label = self.get_role_display()
        return "{} ({})".format(label, self.department.name) if self.department_id else str(label)


class SecurityEvent(models.Model):
    """Append-only log of logins, failures, lockouts, password changes and exports."""

    kind = models.CharField(_("event"), max_length=20, choices=SecurityEventKind.choices)
    org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    identifier = models.CharField(_("login name"), max_length=60, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org", "-created_at"], name="core_secevent_org_time"),
            models.Index(fields=["user", "-created_at"], name="core_secevent_user_time"),
        ]

    def __str__(self):
        return "{} {}".format(self.get_kind_display(), self.identifier)
