"""Serializers of the foundation's API. They validate input and shape output; writes go through services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import DepartmentKind, Role
from ..locations import qr_url
from ..models import Department, Location, Membership, Organization, Party, RoleGrant, User, phone_validator
from ..selectors import can_see_phone


@extend_schema_field(OpenApiTypes.INT)
class OrgRowField(serializers.PrimaryKeyRelatedField):
    """The id of a row of the URL's organisation.

    The queryset is read per request from the scoped manager (never at import time), so an id of
    another organisation is "not found" like an id that does not exist.
    """

    def __init__(self, model, select_related: tuple[str, ...] = (), **kwargs):
        self.model = model
        self.select_related = select_related  # rows the service will follow from this one, read in the same query
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.select_related(*self.select_related)


def _active_or_current(serializer: serializers.Serializer, value, field_name: str):
    """New links go to active rows only; a row already linked may stay linked after it was deactivated."""
    instance = getattr(serializer, "instance", None)
    current_id = getattr(instance, field_name + "_id", None) if instance is not None else None
    if value is not None and not value.is_active and value.pk != current_id:
        raise serializers.ValidationError(_("Choose an active entry."))
    return value


# Organisations -------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name", "short_name", "kind", "parent", "path", "depth", "is_active"]
        read_only_fields = fields


# Departments ---------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    """A department; ``parent`` is a department id of the same organisation (empty for a top-level one)."""

    parent = OrgRowField(Department, allow_null=True, required=False)

    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind", "parent", "path", "depth", "is_active"]
        read_only_fields = ["id", "path", "depth", "is_active"]
        extra_kwargs = {"kind": {"default": DepartmentKind.OFFICE}}

    def validate_parent(self, value):
        return _active_or_current(self, value, "parent")


class DepartmentUpdateSerializer(DepartmentSerializer):
    """Departments are never deleted: set ``is_active`` to false to retire one."""

    class Meta(DepartmentSerializer.Meta):
        read_only_fields = ["id", "path", "depth"]
        extra_kwargs = {}  # a left-out kind stays as it is


# Locations -----------------------------------------------------------------------------------


class LocationSerializer(serializers.ModelSerializer):
    """A place; ``building`` is worked out from the tree, ``qr_url`` is what its printed label encodes."""

    parent = OrgRowField(Location, allow_null=True, required=False)
    building = serializers.PrimaryKeyRelatedField(read_only=True)
    qr_url = serializers.SerializerMethodField()

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "building",
            "path",
            "depth",
            "note",
            "is_critical",
            "use",
            "is_active",
            "qr_token",
            "qr_url",
        ]
        read_only_fields = ["id", "building", "path", "depth", "is_active", "qr_token", "qr_url"]

    def validate_parent(self, value):
        return _active_or_current(self, value, "parent")

    def get_qr_url(self, location: Location) -> str:
        return qr_url(self.context["request"].org, location)


class LocationUpdateSerializer(LocationSerializer):
    """Places are never deleted: set ``is_active`` to false to retire one."""

    class Meta(LocationSerializer.Meta):
        read_only_fields = ["id", "building", "path", "depth", "qr_token", "qr_url"]


# People --------------------------------------------------------------------------------------


class RoleGrantSerializer(serializers.Serializer):
    """One role, optionally limited to a department subtree (``department`` empty: the whole organisation)."""

    role = serializers.ChoiceField(choices=Role.choices)
    department = OrgRowField(Department, allow_null=True, required=False, default=None)

    def to_representation(self, grant: RoleGrant):
        return {"role": grant.role, "department": grant.department_id}


class _PersonOutput(serializers.ModelSerializer):
    """Shared read side of a membership: the person's name and phone (masked unless the reader may see it)."""

    name = serializers.CharField(source="user.name", read_only=True)
    phone = serializers.SerializerMethodField(help_text=_("Shown as 139****0000 unless you may see phone numbers."))
    department_name = serializers.SerializerMethodField()
    roles = RoleGrantSerializer(source="role_grants", many=True, read_only=True)

    def get_phone(self, membership: Membership) -> str:
        user = membership.user
        return user.phone if can_see_phone(self.context["request"].actor, membership) else user.masked_phone

    def get_department_name(self, membership: Membership) -> str:
        return membership.department.name if membership.department_id else ""


class PersonSerializer(_PersonOutput):
    """An entry of the people directory (``id`` is the membership id)."""

    class Meta:
        model = Membership
        fields = ["id", "name", "phone", "employee_no", "department", "department_name", "title", "roles", "is_active"]
        read_only_fields = fields


class MembershipSerializer(_PersonOutput):
    """A person's membership of the organisation, with their roles."""

    email = serializers.SerializerMethodField()
    must_change_password = serializers.BooleanField(source="user.must_change_password", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "name",
            "phone",
            "email",
            "employee_no",
            "department",
            "department_name",
            "title",
            "roles",
            "party",
            "is_active",
            "must_change_password",
            "created_at",
        ]
        read_only_fields = fields

    def get_email(self, membership: Membership) -> str:
        # Contact details follow the same rule as the phone number.
        return membership.user.email if can_see_phone(self.context["request"].actor, membership) else ""


class MembershipCreatedSerializer(MembershipSerializer):
    one_time_password = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text=_(
            "Shown only in this response, when a new account was made; null when the phone number "
            "already had an account (from another organisation)."
        ),
    )

    class Meta(MembershipSerializer.Meta):
        fields = [*MembershipSerializer.Meta.fields, "one_time_password"]
        read_only_fields = fields


def _unique_employee_no(serializer: serializers.Serializer, value: str) -> str:
    # The database constraint is conditional (empty numbers may repeat), and Django reports such a
    # clash without naming the field; check it here to say which field is wrong.
    if value:
        others = Membership.objects.filter(employee_no=value)
        if serializer.instance is not None:
            others = others.exclude(pk=serializer.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("This employee number is already used in this organisation."))
    return value


class MembershipCreateSerializer(serializers.Serializer):
    """Add a person. A new account gets a one-time password, returned once in the response."""

    name = serializers.CharField(max_length=User._meta.get_field("name").max_length)
    phone = serializers.CharField(max_length=11, validators=[phone_validator])
    employee_no = serializers.CharField(
        max_length=Membership._meta.get_field("employee_no").max_length, required=False, allow_blank=True, default=""
    )
    department = OrgRowField(Department, allow_null=True, required=False, default=None)
    title = serializers.CharField(
        max_length=Membership._meta.get_field("title").max_length, required=False, allow_blank=True, default=""
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    roles = RoleGrantSerializer(
        many=True, required=False, help_text=_("Roles to grant; when left out the person gets the staff role.")
    )
    party = OrgRowField(
        Party, allow_null=True, required=False, default=None, help_text=_("The outside party the person works for.")
    )

    def validate_employee_no(self, value):
        return _unique_employee_no(self, value)

    def validate_department(self, value):
        return _active_or_current(self, value, "department")


class MembershipUpdateSerializer(serializers.Serializer):
    """Change a person's details (only the fields sent)."""

    name = serializers.CharField(max_length=User._meta.get_field("name").max_length)
    email = serializers.EmailField(allow_blank=True)
    employee_no = serializers.CharField(
        max_length=Membership._meta.get_field("employee_no").max_length, allow_blank=True
    )
    department = OrgRowField(Department, allow_null=True)
    title = serializers.CharField(max_length=Membership._meta.get_field("title").max_length, allow_blank=True)
    is_active = serializers.BooleanField()
    party = OrgRowField(Party, allow_null=True, help_text=_("The outside party the person works for."))

    def validate_employee_no(self, value):
        return _unique_employee_no(self, value)

    def validate_department(self, value):
        return _active_or_current(self, value, "department")


class MembershipRolesSerializer(serializers.Serializer):
    """The complete list of the person's roles: grants not listed are revoked."""

    roles = RoleGrantSerializer(many=True)


class OneTimePasswordSerializer(serializers.Serializer):
    one_time_password = serializers.CharField(
        read_only=True, help_text=_("Shown only in this response; the person must change it at the next login.")
    )
