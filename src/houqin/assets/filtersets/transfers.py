"""The one filter of transfers (调拨): the list page, the API and any figure counted from it use it."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.facts import DateRangeFilters
from houqin.core.models import Department

from ..choices import TransferState
from ..models import Transfer, TransferLine


def _department_path(pk):
    department = Department.objects.filter(pk=pk).only("path").first()
    return department.path if department else None


class TransferFilterSet(DateRangeFilters):
    date_field = "requested_at"  # start / end: requested on these local days

    state = filters.MultipleChoiceFilter(choices=TransferState.choices, label=_("Status"))
    department = filters.NumberFilter(
        method="filter_department", label=_("Sending or receiving department, and below (id)")
    )
    from_department = filters.NumberFilter(field_name="from_department", label=_("Sending department (id)"))
    to_department = filters.NumberFilter(field_name="to_department", label=_("Receiving department (id)"))
    asset = filters.NumberFilter(method="filter_asset", label=_("Asset on the transfer (id)"))
    requested_by = filters.NumberFilter(field_name="requested_by", label=_("Requested by (membership id)"))
    q = filters.CharFilter(method="filter_q", label=_("Transfer number contains"))

    class Meta:
        model = Transfer
        fields = [
            "state",
            "department",
            "from_department",
            "to_department",
            "asset",
            "requested_by",
            "start",
            "end",
            "q",
        ]

    def filter_department(self, queryset, name, value):
        path = _department_path(value)
        if not path:
            return queryset.none()
        return queryset.filter(Q(from_department__path__startswith=path) | Q(to_department__path__startswith=path))

    def filter_asset(self, queryset, name, value):
        return queryset.filter(Exists(TransferLine.objects.filter(transfer=OuterRef("pk"), asset_id=value)))

    def filter_q(self, queryset, name, value):
        value = "".join(value.split())
        return queryset.filter(code__icontains=value) if value else queryset
