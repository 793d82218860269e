"""Filters of the foundation's lists: one FilterSet serves the page, the API and the export.

Every filter is declared: django-filter builds undeclared ones (and ``ModelChoiceFilter`` querysets) at
import time through the default manager, which a fail-closed org scope refuses outside a request.
Links to other rows are filtered by id; the rows are scoped to the request's org anyway, so an id of
another organisation simply matches nothing.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from . import orgsettings
from .choices import DepartmentKind, LocationKind, Role, SecurityEventKind
from .facts import DateRangeFilters
from .models import (
    Department,
    LicenceReminder,
    Location,
    Membership,
    Party,
    PartyKind,
    RoleGrant,
    SecurityEvent,
)
from .models.parties import WARNING_DAYS_SETTING, parties_with_licences_in_state
from .selectors import sees_phones


class DepartmentFilterSet(filters.FilterSet):
    parent = filters.NumberFilter(field_name="parent", label=_("Parent department (id)"))
    kind = filters.ChoiceFilter(choices=DepartmentKind.choices, label=_("Kind"))
    is_active = filters.BooleanFilter(label=_("Active"))
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Department
        fields = ["parent", "kind", "is_active", "q"]


class LocationFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=LocationKind.choices, label=_("Kind"))
    parent = filters.NumberFilter(field_name="parent", label=_("Directly inside (location id)"))
    within = filters.NumberFilter(method="filter_within", label=_("Anywhere inside (location id)"))
    building = filters.NumberFilter(field_name="building", label=_("Building (location id)"))
    use = filters.CharFilter(field_name="use", label=_("Use (code of the dictionary location.use)"))
    is_active = filters.BooleanFilter(label=_("Active"))
    q = filters.CharFilter(method="filter_q", label=_("Name or code contains"))

    class Meta:
        model = Location
        fields = ["kind", "parent", "within", "building", "use", "is_active", "q"]

    def filter_within(self, queryset, name, value):
        place = Location.objects.filter(pk=value).only("path").first()
        return queryset.filter(path__startswith=place.path) if place else queryset.none()

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class MembershipFilterSet(filters.FilterSet):
    department = filters.NumberFilter(method="filter_department", label=_("Department and those below it (id)"))
    role = filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Role"))
    is_active = filters.BooleanFilter(label=_("Active"))
    q = filters.CharFilter(method="filter_q", label=_("Name contains, or employee number or mobile number is"))
    no_roles = filters.BooleanFilter(method="filter_no_roles", label=_("Without any role"))
    must_change_password = filters.BooleanFilter(
        field_name="user__must_change_password", label=_("One-time password not yet replaced")
    )
    party = filters.NumberFilter(field_name="party", label=_("Of the outside party (id)"))
    from_party = filters.BooleanFilter(
        field_name="party", lookup_expr="isnull", exclude=True, label=_("People of outside parties")
    )

    class Meta:
        model = Membership
        fields = ["department", "role", "is_active", "q", "no_roles", "must_change_password", "party", "from_party"]

    def filter_no_roles(self, queryset, name, value):
        with_roles = RoleGrant.objects.values("membership_id")
        return queryset.exclude(pk__in=with_roles) if value else queryset.filter(pk__in=with_roles)

    def filter_department(self, queryset, name, value):
        department = Department.objects.filter(pk=value).only("path").first()
        return queryset.filter(department__path__startswith=department.path) if department else queryset.none()

    def filter_role(self, queryset, name, value):
        # A subquery rather than a join: a person with the role twice (two departments) is listed once.
        return queryset.filter(pk__in=RoleGrant.objects.filter(role=value).values("membership_id"))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        match = Q(user__name__icontains=value) | Q(employee_no=value)
        actor = getattr(self.request, "actor", None)
        if actor is not None and sees_phones(actor):
            # Only people who may read phone numbers may search by them (else a search would reveal them).
            match |= Q(user__phone=value)
        return queryset.filter(match)


class SecurityEventFilterSet(DateRangeFilters):
    kind = filters.ChoiceFilter(choices=SecurityEventKind.choices, label=_("Event"))

    class Meta:
        model = SecurityEvent
        fields = ["kind", "start", "end"]


class PartyFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=PartyKind.choices, label=_("Kind"))
    is_active = filters.BooleanFilter(label=_("Active"))
    q = filters.CharFilter(method="filter_q", label=_("Name, credit code or contact contains"))
    licence = filters.ChoiceFilter(
        choices=[
            (LicenceReminder.EXPIRING, _("A licence expires within the warning days (an org setting)")),
            (LicenceReminder.EXPIRED, _("A licence has expired")),
        ],
        method="filter_licence",
        label=_("Licences"),
    )

    class Meta:
        model = Party
        fields = ["kind", "is_active", "q", "licence"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(credit_code=value.upper()) | Q(contact_name__icontains=value)
        )

    def filter_licence(self, queryset, name, value: str):
        # request.org: set by the org middleware for pages and API alike.
        warning_days = orgsettings.value(self.request.org, WARNING_DAYS_SETTING)
        return parties_with_licences_in_state(queryset, value, timezone.localdate(), warning_days)
