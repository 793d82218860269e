"""The one filter of disposals (报废/处置): the list page, the API and any figure counted from it use it."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from houqin.core.facts import DateRangeFilters

from ..choices import DisposalMethod, DisposalState
from ..models import Disposal, DisposalLine


class DisposalFilterSet(DateRangeFilters):
    date_field = "requested_at"  # start / end: requested on these local days

    state = filters.MultipleChoiceFilter(choices=DisposalState.choices, label=_("Status"))
    method = filters.MultipleChoiceFilter(choices=DisposalMethod.choices, label=_("Method"))
    done_from = filters.DateFilter(field_name="done_on", lookup_expr="gte", label=_("Disposed of on or after"))
    done_until = filters.DateFilter(field_name="done_on", lookup_expr="lte", label=_("Disposed of on or before"))
    asset = filters.NumberFilter(method="filter_asset", label=_("Asset on the disposal (id)"))
    requested_by = filters.NumberFilter(field_name="requested_by", label=_("Requested by (membership id)"))
    q = filters.CharFilter(method="filter_q", label=_("Disposal number contains"))

    class Meta:
        model = Disposal
        fields = ["state", "method", "start", "end", "done_from", "done_until", "asset", "requested_by", "q"]

    def filter_asset(self, queryset, name, value):
        return queryset.filter(Exists(DisposalLine.objects.filter(disposal=OuterRef("pk"), asset_id=value)))

    def filter_q(self, queryset, name, value):
        value = "".join(value.split())
        return queryset.filter(code__icontains=value) if value else queryset
