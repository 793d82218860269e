"""The one filter of the asset ledger: the page, the API, the Excel export and the label sheet use it."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.models import Department, Location

from ..choices import AssetStatus
from ..models import Asset


def _within(model, pk):
    row = model.objects.filter(pk=pk).only("path").first()
    return row.path if row else None


class AssetFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=AssetStatus.choices, label=_("Status"))
    category = filters.CharFilter(method="filter_category", label=_("Category and its subclasses (code, e.g. A02)"))
    department = filters.NumberFilter(method="filter_department", label=_("Owning department and below (id)"))
    building = filters.NumberFilter(field_name="building", label=_("Building (location id)"))
    location = filters.NumberFilter(method="filter_location", label=_("Place, and everything inside it (id)"))
    custodian = filters.NumberFilter(field_name="custodian", label=_("Custodian (membership id)"))
    user_person = filters.NumberFilter(field_name="user_person", label=_("User (membership id)"))
    low_value = filters.BooleanFilter(field_name="low_value", label=_("Low-value consumables"))
    booked_from = filters.DateFilter(field_name="booked_on", lookup_expr="gte", label=_("Booked on or after"))
    booked_until = filters.DateFilter(field_name="booked_on", lookup_expr="lte", label=_("Booked on or before"))
    q = filters.CharFilter(method="filter_q", label=_("Code, name or serial number contains"))

    class Meta:
        model = Asset
        fields = [
            "status",
            "category",
            "department",
            "building",
            "location",
            "custodian",
            "user_person",
            "low_value",
            "booked_from",
            "booked_until",
            "q",
        ]

    def filter_category(self, queryset, name, value):
        # GB/T 14885 codes nest by prefix: A02 holds A0201, A020101, …
        return queryset.filter(category__code__startswith=value.strip().upper())

    def filter_department(self, queryset, name, value):
        path = _within(Department, value)
        return queryset.filter(department__path__startswith=path) if path else queryset.none()

    def filter_location(self, queryset, name, value):
        path = _within(Location, value)
        return queryset.filter(location__path__startswith=path) if path else queryset.none()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(serial_number__icontains=value))
